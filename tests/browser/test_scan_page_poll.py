"""The PHI scan page in a real browser (issue 10): while the job runs, the progress box polls
(htmx); when the job finishes, the same poll refreshes the details block, so the page never says
"running" next to a finished progress box."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest

from .conftest import create_admin, first_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERNAME = "scan-watcher"
NEW_PASSWORD = "trois archives bien rangees 2026"


def _database(home):
    [found] = [path for path in home.rglob("*.sqlite3") if "test" not in path.name]
    return found


def _update_run(home, run_id: int, **values) -> None:
    assignments = ", ".join(f"{name} = ?" for name in values)
    with closing(sqlite3.connect(_database(home), timeout=30)) as connection:
        connection.execute(
            f"UPDATE privacy_scanrun SET {assignments} WHERE id = ?",  # noqa: S608 - test names
            [*values.values(), run_id],
        )
        connection.commit()


def test_details_follow_the_progress_box_when_the_job_finishes(browser, hygie_server):
    home = hygie_server.home
    with closing(sqlite3.connect(_database(home), timeout=30)) as connection:
        run_id = connection.execute(
            "SELECT id FROM privacy_scanrun ORDER BY id LIMIT 1"
        ).fetchone()[0]
    # As a scan that is still running: nothing counted, no end.
    _update_run(home, run_id, status="running", finished_at=None, files_scanned=0)
    password = create_admin(hygie_server, USERNAME)
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        first_sign_in(page, hygie_server.url, USERNAME, password, NEW_PASSWORD)
        if page.locator("html").get_attribute("lang") != "en":
            with page.expect_navigation():
                page.locator("#language-select").select_option("en")
                if page.locator("[data-autosubmit-fallback]").is_visible():
                    page.locator("[data-autosubmit-fallback]").click()
        page.goto(f"{hygie_server.url}/privacy/scans/{run_id}/")
        details = page.locator("#run-details")
        assert "Running" in details.inner_text()
        assert page.locator('[data-run-status="running"]').count() == 1
        # The job finishes while the page is open.
        _update_run(
            home,
            run_id,
            status="succeeded",
            files_scanned=7,
            finished_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
        )
        page.wait_for_selector('[data-run-status="succeeded"]', timeout=20_000)
        page.wait_for_function(
            "() => !document.querySelector('#run-details').innerText.includes('Running')",
            timeout=10_000,
        )
        text = details.inner_text()
        assert "Succeeded" in text and "Running" not in text
        assert "7 files scanned" in page.locator("#run-progress").inner_text()
        # The poll stopped with the job: no element asks for updates any more.
        assert page.locator("#run-progress [hx-trigger]").count() == 0
    finally:
        context.close()
