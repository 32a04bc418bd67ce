"""First run, end to end in a real browser: the path a new administrator takes.

Sign in with the one-time password printed by `hygie createadmin`, choose a password, enrol an
authenticator (the code is computed from the secret shown on the page), switch the language,
create a department, import people from a CSV file, and find all of it in the audit trail.
"""

from __future__ import annotations

import pytest

from .conftest import first_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_PASSWORD = "quatre chevaux verts dansent 2026"
DEPARTMENT = "Consultations externes (test navigateur)"


def test_first_run(page, hygie_server):
    base = hygie_server.url

    # 1-3. Sign in with the one-time password, choose a password, enrol an authenticator.
    first_sign_in(
        page, base, hygie_server.admin_username, hygie_server.admin_password, NEW_PASSWORD
    )

    # 4. The dashboard, then the language switcher (French by default for this browser).
    assert page.locator("html").get_attribute("lang") == "fr"
    with page.expect_navigation():
        page.locator("#language-select").select_option("en")
        if page.locator("[data-autosubmit-fallback]").is_visible():
            page.locator("[data-autosubmit-fallback]").click()
    assert page.locator("html").get_attribute("lang") == "en"

    # 5. Create a department in the demo hospital.
    page.goto(base + "/departments/add/")
    page.locator("#id_establishment").select_option(label="Centre hospitalier Exemple-sur-Loire")
    page.locator("#id_name").fill(DEPARTMENT)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert page.get_by_text(DEPARTMENT).first.is_visible()

    # 6. Import two people into it from a CSV file.
    page.goto(base + "/people/import/")
    page.locator("#id_establishment").select_option(label="Centre hospitalier Exemple-sur-Loire")
    csv = (
        "email,first_name,last_name,profession,department\n"
        f"ines.navigateur@demo-hygie.invalid,Inès,Navigateur,Infirmière,{DEPARTMENT}\n"
        f"hugo.navigateur@demo-hygie.invalid,Hugo,Navigateur,Interne,{DEPARTMENT}\n"
    )
    page.locator("#id_file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")}
    )
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_load_state()
    report = page.locator("#report-heading")
    assert report.inner_text().strip() == "Import done", page.locator("main").inner_text()

    # 7. The audit trail shows who did all of this.
    page.goto(base + "/audit/")
    trail = page.locator("main").inner_text()
    assert DEPARTMENT in trail
    assert "Inès Navigateur" in trail or "Hugo Navigateur" in trail
    assert hygie_server.admin_username in trail
