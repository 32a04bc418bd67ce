"""Every list page fits at 1280 and 1440 px, in French and English, on the demo data.

The pages are read from the navigation the signed-in administrator sees (the navigation
registry, so a module's new pages are covered as soon as it registers them), plus the detail
pages that carry wide tables (the first incident, the first establishment). A page fails when a
table is wider than its container (a scrolling ``.table-wrap`` clips its last columns, where the
row actions are) or when the page is wider than the window. A screenshot of every failing page
is saved in a temporary directory (``hygie-tables-*``), and its path is in the failure message.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from .conftest import create_admin, first_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERNAME = "table-reader"
NEW_PASSWORD = "douze colonnes tiennent sur l'écran"
WIDTHS = (1280, 1440)
# Lists whose first object's page is visited too (it holds wide tables of its own): the list's
# path suffix, and the link of an object's page under it.
DETAILED = {
    "/incidents/": r"\d+/",
    "/establishments/": r"\d+/",
    "/privacy/": r"establishments/\d+/",  # the PHI inventory's history per establishment
}

# For every table: its container (the scrolling wrap, else its parent) must not scroll
# sideways and the table must not stick out of it; the page must not be wider than the window;
# no badge sticks out of its cell or card.
OVERFLOWS = """() => {
    const problems = [];
    const page = document.documentElement;
    if (page.scrollWidth > window.innerWidth + 1) {
        problems.push(`page ${page.scrollWidth} px wide in a ${window.innerWidth} px window`);
    }
    document.querySelectorAll('table').forEach((table, index) => {
        // In a closed tab or <details>, or a chart's text alternative for screen readers.
        if (!table.offsetParent || table.closest('.visually-hidden')) return;
        const box = table.closest('.table-wrap') || table.parentElement;
        const name = table.id || box.id || table.className || `table #${index + 1}`;
        if (box.scrollWidth > box.clientWidth + 1) {
            problems.push(`${name}: ${box.scrollWidth} px of content in ${box.clientWidth} px`);
        } else if (table.getBoundingClientRect().right > box.getBoundingClientRect().right + 1) {
            problems.push(`${name}: sticks out of its container`);
        }
    });
    // A badge (a criticality, a status) stays inside its cell or card ("Vitale (sécurité des
    // patients)" overflowed its dashboard card in French).
    document.querySelectorAll('.badge').forEach((badge) => {
        const box = badge.closest('td, th, li, .tile, .card');
        if (!badge.offsetParent || !box || badge.closest('.visually-hidden')) return;
        if (badge.getBoundingClientRect().right > box.getBoundingClientRect().right + 1) {
            problems.push(`badge "${badge.textContent.trim()}" sticks out of its ${box.tagName}`);
        }
    });
    return problems;
}"""


def _switch_language(page, language: str) -> None:
    if page.locator("html").get_attribute("lang") == language:
        return
    with page.expect_navigation():
        page.locator("#language-select").select_option(language)
        if page.locator("[data-autosubmit-fallback]").is_visible():
            page.locator("[data-autosubmit-fallback]").click()


def _pages(page, base: str) -> list[str]:
    """The navigation's links, then the first object's page of the DETAILED lists."""
    page.goto(base + "/")
    links = page.eval_on_selector_all("#site-nav a", "links => links.map(a => a.pathname)")
    pages = list(dict.fromkeys(links))
    for path in list(pages):
        child = next((child for end, child in DETAILED.items() if path.endswith(end)), None)
        if child is None:
            continue
        page.goto(base + path)
        hrefs = page.eval_on_selector_all("main a", "links => links.map(a => a.pathname)")
        details = [href for href in hrefs if re.fullmatch(re.escape(path) + child, href)]
        if details:
            pages.append(details[0])
    return pages


def test_every_list_page_fits_its_window(browser, hygie_server):
    password = create_admin(hygie_server, USERNAME)
    context = browser.new_context(locale="fr-FR", viewport={"width": WIDTHS[0], "height": 900})
    page = context.new_page()
    failures: list[str] = []
    shots: Path | None = None  # made on the first failure; kept after the run (pytest's rotate)
    try:
        first_sign_in(page, hygie_server.url, USERNAME, password, NEW_PASSWORD)
        paths = _pages(page, hygie_server.url)
        assert len(paths) >= 15, paths  # every module's pages, not an empty menu
        for language in ("fr", "en"):
            page.goto(hygie_server.url + "/")
            _switch_language(page, language)
            for path in paths:
                page.set_viewport_size({"width": WIDTHS[0], "height": 900})
                response = page.goto(hygie_server.url + path)
                if response is None or response.status != 200:  # reported, not in the way
                    status = response.status if response else "no answer"
                    failures.append(f"{path} ({language}): HTTP {status}")
                    continue
                # Each page is loaded once per language and measured at every width: resizing
                # the window lays it out again, as a reload at that width would.
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    tabs = page.locator("[role=tab]").all()
                    if tabs and width != WIDTHS[0]:
                        tabs[0].click()  # back to the first tab, left open at the last width
                    problems = page.evaluate(OVERFLOWS)
                    # A page in tabs (the incident): every tab's tables, one tab open at a time.
                    for tab in tabs[1:]:
                        tab.click()
                        page.wait_for_load_state("networkidle")  # its lazily loaded panels
                        problems += [f"{tab.inner_text()}: {p}" for p in page.evaluate(OVERFLOWS)]
                    if problems:
                        name = f"{language}-{width}-{path.strip('/').replace('/', '_') or 'home'}"
                        shots = shots or Path(tempfile.mkdtemp(prefix="hygie-tables-"))
                        shot = shots / f"{name}.png"
                        page.screenshot(path=str(shot), full_page=True)
                        failures.append(f"{path} ({language}, {width} px): {problems} — {shot}")
    finally:
        context.close()
    assert not failures, "\n".join(failures)
