"""The GDPR registers in a real browser on the demo data, in French: the record of processing
activities (health presets, a new entry from a preset, CSV export) and the demo DPIA (risk map
named for screen readers, principles, PDF), nothing wider than the window at 1280 px."""

from __future__ import annotations

import pytest

from .conftest import create_admin, first_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERNAME = "dpo-registers"
NEW_PASSWORD = "registre des traitements 2026 ok"
OVERFLOWING = """() => [
    document.documentElement.scrollWidth > window.innerWidth + 1 ? 'page' : null,
].filter(Boolean)"""


def test_record_of_processing_and_dpia(browser, hygie_server):
    password = create_admin(hygie_server, USERNAME)
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    base = hygie_server.url
    try:
        first_sign_in(page, base, USERNAME, password, NEW_PASSWORD)
        page.goto(base + "/compliance/processing-activities/")
        assert page.get_by_role("heading", name="Traitements").is_visible()
        # The demo's entries, written in French from the presets.
        table = page.locator("#processingactivity-table")
        assert table.get_by_role("link", name="Dossier patient informatisé (DPI)").is_visible()
        assert page.evaluate(OVERFLOWING) == []
        with page.expect_download() as download:
            page.get_by_role("link", name="Exporter CSV").click()
        assert download.value.suggested_filename.startswith("processing-register-")

        # A new entry from a preset: prefilled, saved, shown with its preset's note.
        presets = page.locator("section[aria-labelledby=presets-heading]")
        presets.get_by_role("link", name="Télémédecine (téléconsultation, téléexpertise)").click()
        assert "dossier médical" in page.locator("#id_retention").input_value()
        assert page.locator("#id_special_category_exception").input_value() == "h"
        page.locator("#id_establishment").select_option(index=1)
        page.locator("form button[type=submit].btn-primary").click()
        page.wait_for_url("**/processing-activities/*/")
        assert page.get_by_text("Créé à partir du modèle").is_visible()

        # The demo DPIA: the risk map is an image named for screen readers.
        page.goto(base + "/compliance/dpias/")
        page.get_by_role("link", name="AIPD — dossier patient informatisé").click()
        risk_map = page.get_by_role("img", name="Cartographie des risques")
        assert risk_map.is_visible()
        assert page.get_by_role("heading", name="Principes fondamentaux").is_visible()
        assert page.evaluate(OVERFLOWING) == []
        with page.expect_download() as download:
            page.get_by_role("link", name="Exporter en PDF").click()
        assert download.value.suggested_filename.endswith(".pdf")
        assert "Traceback" not in page.content()
    finally:
        context.close()
