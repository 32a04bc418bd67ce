"""First run, end to end in a real browser: the path a new administrator takes.

Sign in with the one-time password printed by `hygie createadmin`, choose a password, enrol an
authenticator (the code is computed from the secret shown on the page), switch the language,
create a department, import people from a CSV file, and find all of it in the audit trail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_PASSWORD = "quatre chevaux verts dansent 2026"
DEPARTMENT = "Consultations externes (test navigateur)"


def totp_now(secret: str) -> str:
    """RFC 6238 code (SHA-1, 30 s, 6 digits), as an authenticator app computes it."""
    compact = secret.replace(" ", "").upper()
    key = base64.b32decode(compact + "=" * (-len(compact) % 8))
    counter = struct.pack(">Q", int(time.time()) // 30)
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def test_first_run(page, hygie_server):
    base = hygie_server.url

    # 1. Sign in with the one-time password.
    page.goto(base + "/")
    page.locator("#id_username").fill(hygie_server.admin_username)
    page.locator("#id_password").fill(hygie_server.admin_password)
    page.locator("form[action$='/accounts/login/'] button[type=submit]").click()

    # 2. The one-time password must be replaced first.
    page.wait_for_url("**/accounts/password/**")
    if page.locator("#id_old_password").count():
        page.locator("#id_old_password").fill(hygie_server.admin_password)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.locator("form[action$='/accounts/password/'] button[type=submit]").click()

    # 3. Then an authenticator: read the key shown for manual entry and answer with its code.
    page.wait_for_url("**/accounts/mfa/**")
    if "/enrol/" not in page.url:
        page.goto(base + "/accounts/mfa/enrol/")
    secret = page.locator("#totp-secret").inner_text()
    page.locator("form[action$='/accounts/mfa/enrol/'] input[name=code]").fill(totp_now(secret))
    page.locator("form[action$='/accounts/mfa/enrol/'] button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/mfa/enrol/" not in url)
    assert "Traceback" not in page.content()

    # 4. The dashboard, then the language switcher (French by default for this browser).
    page.goto(base + "/")
    assert page.url.rstrip("/") == base, f"still held at {page.url}"
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
    csv = ("email,first_name,last_name,profession,department\n"
           f"ines.navigateur@demo-hygie.invalid,Inès,Navigateur,Infirmière,{DEPARTMENT}\n"
           f"hugo.navigateur@demo-hygie.invalid,Hugo,Navigateur,Interne,{DEPARTMENT}\n")
    page.locator("#id_file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": csv.encode("utf-8")})
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
