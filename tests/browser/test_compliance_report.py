"""A compliance assessment run to its report in a real browser, in French, on the demo data.

An administrator creates a security officer (RSSI) account; the RSSI signs in for the first time,
creates an ANSSI hygiene assessment and a CaRE assessment of the demo hospital (the probes the
demo ran propose statuses at once), confirms one computed proposal, answers another otherwise
with a justification, marks one requirement not applicable with a justification, answers a
CaRE requirement mapped to the ANSSI guide and finds the mapped answer proposed in the ANSSI
assessment, plans remediation actions for the gaps, opens the report and downloads its PDF,
then opens the executive posture page.

The test reads structure (ids, form actions, select values) rather than translated labels
wherever it can.
"""

from __future__ import annotations

import io
import re

import pytest

from .conftest import create_admin, first_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ADMIN = "admin-conformite"
ADMIN_PASSWORD = "trois merles chantent sur le toit"
RSSI = "rssi-conformite"
RSSI_PASSWORD = "la conformite se prouve tous les jours"
OVERRIDE_REASON = "Le MFA n'est pas encore déployé sur les postes d'imagerie (test navigateur)."
NA_REASON = "Aucun système de ce type dans l'établissement (test navigateur)."

OVERFLOWING = "() => document.documentElement.scrollWidth > window.innerWidth + 1"
SELECT_CONTAINING = """([selector, text]) => {
  const select = document.querySelector(selector);
  const option = [...select.options].find(o => o.textContent.includes(text));
  if (!option) return null;
  select.value = option.value;
  select.dispatchEvent(new Event('change', {bubbles: true}));
  return option.value;
}"""


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    assert data.startswith(b"%PDF"), data[:20]
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _mapped_pair() -> tuple[str, str]:
    """A CaRE requirement mapped onto an ANSSI hygiene measure (their references), read from
    the shipped library."""
    from hygie.compliance.library_files import shipped_library

    library = shipped_library()
    care = library.frameworks["care"]
    anssi = library.frameworks["anssi-hygiene"]
    targets = {item.urn: item for item in anssi.requirements}
    for requirement in care.requirements:
        if not requirement.assessable:
            continue
        for target, _relation, _rationale in library.mapped(requirement.urn):
            if target in targets and targets[target].assessable:
                return requirement.ref_id, targets[target].ref_id
    raise AssertionError("no CaRE requirement is mapped onto the ANSSI guide")


def _create_rssi(browser, base: str, server) -> str:
    """The administrator creates the RSSI's account; answers its one-time password."""
    password = create_admin(server, ADMIN)
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    try:
        first_sign_in(page, base, ADMIN, password, ADMIN_PASSWORD)
        page.goto(base + "/users/add/")
        form = page.locator("form[action$='/users/add/']")
        form.locator("#id_username").fill(RSSI)
        form.locator("#id_email").fill("rssi-conformite@example.org")
        form.locator("#id_role").select_option("rssi")
        form.locator("#id_has_all_establishments").check()
        form.locator("button[type=submit]").click()
        return page.locator("#temporary-password").inner_text().strip()
    finally:
        context.close()


def _new_assessment(page, base: str, establishment: str, framework: str) -> int:
    page.goto(base + "/compliance/assessments/add/")
    assert page.evaluate(SELECT_CONTAINING, ["#id_establishment", establishment])
    assert page.evaluate(SELECT_CONTAINING, ["#id_framework", framework])
    page.locator("main form[method=post] button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/compliance/assessments/\d+/$"))
    assert "Traceback" not in page.content()
    return int(re.search(r"/assessments/(\d+)/$", page.url).group(1))


def _row_of(page, ref_id: str):
    exact = re.compile(rf"^\s*{re.escape(ref_id)}\s*$")
    return page.locator("tr[id^='answer-']").filter(has=page.locator("code", has_text=exact))


def _answer_inline(
    page, row_id: str, status: str, justification: str, otherwise: str | None = None
) -> str:
    """Open the row's inline form (htmx), choose the status (``otherwise`` when the answer
    already has that status), justify, save; answers the status given."""
    page.locator(f"#{row_id} a.btn[hx-get]").click()
    select = page.locator(f"#{row_id} select[name=status]")
    select.wait_for()
    if otherwise and select.input_value() == status:
        status = otherwise
    select.select_option(status)
    page.locator(f"#{row_id} textarea[name=justification]").fill(justification)
    page.locator(f"#{row_id} button.btn-primary[type=submit]").click()
    # The saved row replaces the form.
    page.locator(f"#{row_id} a.btn[hx-get]").wait_for()
    page.locator(f"#{row_id} select[name=status]").wait_for(state="detached")
    return status


def test_assessment_to_its_report(browser, hygie_server):
    base = hygie_server.url
    rssi_password = _create_rssi(browser, base, hygie_server)
    care_ref, anssi_ref = _mapped_pair()
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        first_sign_in(page, base, RSSI, rssi_password, RSSI_PASSWORD)

        # The demo's CaRE assessment in progress tells which establishment the probes ran on.
        page.goto(base + "/compliance/assessments/?status=in_progress")
        page.locator("table a", has_text="CaRE").first.click()
        subtitle = page.locator(".page-header .subtitle").inner_text()
        establishment = subtitle.split("·")[1].strip()

        anssi_id = _new_assessment(page, base, establishment, "ANSSI")
        care_id = _new_assessment(page, base, establishment, "CaRE")

        mapped_row = _row_of(page, care_ref).get_attribute("id")

        # A computed proposal confirmed (htmx replaces the row, without its confirm button).
        pending = page.locator(f"tr[id^='answer-']:not(#{mapped_row})").filter(
            has=page.locator("form[action$='/confirm/']")
        )
        confirmed_row = pending.first.get_attribute("id")
        page.locator(f"#{confirmed_row} form[action$='/confirm/'] button").click()
        page.locator(f"#{confirmed_row} form[action$='/confirm/']").wait_for(state="detached")

        # Another proposal answered otherwise, with a justification (a gap).
        overridden_row = pending.first.get_attribute("id")
        assert overridden_row != confirmed_row
        _answer_inline(page, overridden_row, "non_compliant", OVERRIDE_REASON, "partial")

        # The CaRE requirement mapped onto the ANSSI guide, answered compliant.
        _answer_inline(page, mapped_row, "compliant", "Vérifié sur place (test navigateur).")

        # One requirement not applicable, with its justification.
        rows = page.locator("tr[id^='answer-']")
        used = {mapped_row, confirmed_row, overridden_row}
        candidates = [
            row_id
            for row_id in (rows.nth(index).get_attribute("id") for index in range(rows.count()))
            if row_id not in used
        ]
        not_applicable_row = candidates[-1]
        _answer_inline(page, not_applicable_row, "not_applicable", NA_REASON)

        # The mapped answer is proposed in the ANSSI assessment, and says where it comes from.
        page.goto(f"{base}/compliance/assessments/{anssi_id}/")
        target = _row_of(page, anssi_ref)
        target.locator("a.btn[hx-get]").wait_for()
        answer_pk = target.get_attribute("id").split("-")[1]
        page.goto(f"{base}/compliance/assessments/{anssi_id}/answers/{answer_pk}/edit/")
        assert care_ref in page.content()

        # Remediation actions from the gaps.
        page.goto(f"{base}/compliance/assessments/{care_id}/")
        page.locator(f"form[action$='/assessments/{care_id}/gaps/'] button").click()
        page.wait_for_url("**/compliance/actions/**")
        assert page.locator("main table tbody tr").count() >= 1

        # The report: page, then its PDF.
        page.goto(f"{base}/compliance/assessments/{care_id}/report/")
        body = page.content()
        assert OVERRIDE_REASON.replace("'", "&#x27;") in body or OVERRIDE_REASON in body
        assert NA_REASON.replace("'", "&#x27;") in body or NA_REASON in body
        assert "Traceback" not in body
        assert not page.evaluate(OVERFLOWING), "the report is wider than the window"
        with page.expect_download() as info:
            page.locator(f"a[href$='/assessments/{care_id}/report/pdf/']").click()
        download = info.value
        assert download.suggested_filename.endswith(".pdf")
        with open(download.path(), "rb") as handle:
            text = _pdf_text(handle.read())
        assert "CaRE" in text and establishment in text

        # The executive posture page lists both frameworks for the establishment.
        page.goto(base + "/compliance/executive/")
        executive = page.content()
        assert not page.evaluate(OVERFLOWING), "the executive page is wider than the window"
        assert f"/compliance/assessments/{care_id}/report/" in executive
        assert f"/compliance/assessments/{anssi_id}/report/" in executive
        assert page.locator("svg[role=img]").count() >= 1 or "<desc" in executive
    finally:
        context.close()
