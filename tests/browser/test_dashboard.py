"""The posture dashboard in a real browser, at 1280 px, in French and English, on the demo data:
one card per establishment, charts drawn, nothing wider than the window."""

from __future__ import annotations

import pytest

from .conftest import create_admin, first_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERNAME = "posture-viewer"
NEW_PASSWORD = "six tuiles vertes au mur 2026"
OVERFLOWING = """() => [
    document.documentElement.scrollWidth > window.innerWidth + 1 ? 'page' : null,
    ...[...document.querySelectorAll('.posture-card, .tile, .chart-cell')]
        .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.className),
].filter(Boolean)"""


def test_posture_dashboard_fits_and_speaks_both_languages(browser, hygie_server):
    password = create_admin(hygie_server, USERNAME)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        first_sign_in(page, hygie_server.url, USERNAME, password, NEW_PASSWORD)
        for language, heading, chart in (
            ("fr", "Posture de sécurité par établissement", "Alertes par jour"),
            ("en", "Security posture by establishment", "Alerts per day"),
        ):
            if page.locator("html").get_attribute("lang") != language:
                with page.expect_navigation():
                    page.locator("#language-select").select_option(language)
                    if page.locator("[data-autosubmit-fallback]").is_visible():
                        page.locator("[data-autosubmit-fallback]").click()
            page.goto(hygie_server.url + "/")
            assert page.locator("html").get_attribute("lang") == language
            assert page.get_by_role("heading", name=heading).is_visible()
            assert page.locator(".posture-card").count() >= 3  # the demo's establishments
            charts = page.get_by_role("img", name=chart)
            assert charts.count() >= 3 and charts.first.is_visible()
            assert page.evaluate(OVERFLOWING) == []
    finally:
        context.close()
