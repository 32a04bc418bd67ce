"""Importing indicators from the browser, as an analyst does it with a partner's bulletin: paste
defanged text, read the preview (nothing written yet), confirm, find the indicators in the
store. In French, on the demo instance. Synthetic values only (RFC 5737, .example)."""

from __future__ import annotations

import re

import pytest

from .conftest import create_admin, first_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERNAME = "intel-analyst"
NEW_PASSWORD = "un bulletin du CERT Santé à importer"
BULLETIN = (
    "Bulletin CERT Santé : le serveur 198.51.100[.]201 et le domaine "
    "mise-a-jour-dpi[.]example diffusent le chargeur ; page hxxps://rdv-patient[.]example/login"
)
VALUES = ("198.51.100.201", "mise-a-jour-dpi.example", "https://rdv-patient.example/login")


def test_paste_preview_and_confirm_an_import(browser, hygie_server):
    password = create_admin(hygie_server, USERNAME)
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    base = hygie_server.url
    try:
        first_sign_in(page, base, USERNAME, password, NEW_PASSWORD)
        page.goto(base + "/intel/indicators/import/")
        assert page.locator("html").get_attribute("lang") == "fr"
        establishment = page.locator("#id_establishment")
        if not establishment.input_value():
            establishment.select_option(index=1)
        page.locator("#id_text").fill(BULLETIN)
        page.locator("#id_source").fill("Bulletin CERT Santé (test)")
        page.get_by_role("button", name="Aperçu").click()

        preview = page.locator("section[aria-labelledby=preview-heading]")
        preview.wait_for()
        text = preview.inner_text()
        for value in VALUES:
            assert value in text, text
        # The preview wrote nothing: the store does not know these values yet.
        store = context.new_page()
        store.goto(base + "/intel/indicators/?q=mise-a-jour-dpi")
        assert "mise-a-jour-dpi.example" not in store.locator("main").inner_text()

        page.get_by_role("button", name="Importer ces indicateurs").click()
        page.wait_for_load_state()
        main = page.locator("main").inner_text()
        assert "Traceback" not in page.content()
        assert re.search(r"\b3\b", main), main  # the report counts the three new indicators

        store.goto(base + "/intel/indicators/?q=mise-a-jour-dpi")
        assert "mise-a-jour-dpi.example" in store.locator("main").inner_text()
    finally:
        context.close()
