"""An incident from alert to closure, end to end in a real browser, as a responder does it.

A new administrator (`hygie createadmin --username responder`) signs in for the first time, opens
a demo alert from the queue (a privacy alert: a user account reading far more patient records
than usual), declares an incident from it with the facts that start the regulatory clocks (data
breach, personal data, 1 200 people, high risk, discovered two hours ago), applies the matching
playbook and works one of its tasks, writes in the main courante, records an indicator and
uploads a piece of evidence, moves the incident through every phase, generates and downloads the
CERT Santé and CNIL notification drafts (PDF and DOCX), records the CNIL notification as done
with its receipt number, writes the post-incident review and downloads the report, closes the
incident and finds its story in the timeline and in the audit trail.

Screens are in French (the browser's language); the test reads values and structure (ids, form
actions, what the incident holds) rather than translated labels wherever it can, so that it
follows the feature rather than the wording.
"""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from .conftest import create_admin, first_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERNAME = "responder"
NEW_PASSWORD = "six hérons gris traversent la Loire"
ALERT_TITLE = "Volume inhabituel de consultations de dossiers patients par un compte"
ZONE = ZoneInfo("Europe/Paris")  # the demo hospital's time zone
PLAYBOOK = "phi-data-breach"
LOG_ENTRY = "Compte suspect désactivé par la DSI, mot de passe réinitialisé (test navigateur)."
OBSERVABLE = "hxxp://exfil[.]example[.]net/upload"  # defanged, as pasted from a mail
EVIDENCE_NAME = "export-journal-dpi.csv"
EVIDENCE_TITLE = "Export du journal d'accès du DPI"
CNIL_RECEIPT = "CNIL-NOTIF-2026-004217"
ROOT_CAUSE = "Mot de passe réutilisé, sans second facteur sur le DPI (test navigateur)."
LESSONS = "Imposer le MFA sur les accès distants au DPI."
FOLLOW_UP = "Campagne de sensibilisation des internes ; revue des droits d'accès."


@pytest.fixture(scope="session")
def responder(hygie_server) -> str:
    """A dedicated account, so that the test's traces are its own; answers its one-time
    password."""
    return create_admin(hygie_server, USERNAME)


def _download(page, link):
    """Click a download link; answers the file's name and bytes."""
    with page.expect_download() as info:
        link.click()
    download = info.value
    path = download.path()
    assert path is not None, download.failure()
    with open(path, "rb") as handle:
        return download.suggested_filename, handle.read()


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    assert data.startswith(b"%PDF"), data[:20]
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _docx_text(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _shown(moment: datetime) -> str:
    """A moment as French pages and PDFs write it (decision 0025: 9 déc. 2026 21:54)."""
    from django.utils import formats, translation

    with translation.override("fr"):
        return formats.date_format(moment, "DATETIME_FORMAT")


def _tab(page, panel: str) -> None:
    """Open one of the incident page's tabs (overview, clocks, tasks, log, evidence…)."""
    tab = page.locator(f"[role=tab][aria-controls=tab-{panel}]")
    tab.click()
    assert tab.get_attribute("aria-selected") == "true"


def _move(page, expect, to_status: str, note: str = "") -> None:
    """Change the incident's phase with the lifecycle form; the page reloads on it."""
    lifecycle = page.locator("section[aria-labelledby=lifecycle-heading]")
    lifecycle.locator("#transition-to").select_option(to_status)
    lifecycle.locator("#transition-note").fill(note)
    with page.expect_navigation():
        lifecycle.locator("form button[type=submit]").click()
    assert "Traceback" not in page.content()


def test_incident_from_alert_to_closure(page, hygie_server, responder):
    from playwright.sync_api import expect

    base = hygie_server.url
    server_errors: list[str] = []
    page.on(
        "response",
        lambda r: (
            server_errors.append(f"{r.status} {r.request.method} {r.url}")
            if r.status >= 500
            else None
        ),
    )
    page.on(
        "console",
        lambda m: server_errors.append(f"console: {m.text}") if m.type == "error" else None,
    )

    # 1. First sign-in of the new responder: own password, authenticator.
    first_sign_in(page, base, USERNAME, responder, NEW_PASSWORD)

    # 2. The alert queue, then the alert raised by the privacy module.
    page.locator("nav a[href='/alerts/']").first.click()
    expect(page).to_have_url(re.compile(r"/alerts/$"))
    page.locator("main table").get_by_role("link", name=ALERT_TITLE).click()
    expect(page).to_have_url(re.compile(r"/alerts/\d+/$"))
    alert_id = re.search(r"/alerts/(\d+)/$", page.url).group(1)
    expect(page.locator("h1")).to_contain_text(ALERT_TITLE)

    # 3. Declare an incident from it. The form is prefilled from the alert; the responder gives
    # the facts that decide the regulatory clocks.
    page.locator(f"main a[href$='/response/incidents/from-alerts/?alert={alert_id}']").click()
    expect(page.locator("#id_title")).to_have_value(ALERT_TITLE)
    expect(page.locator("input[name=alert]")).to_have_value(alert_id)
    discovered = (datetime.now(ZONE) - timedelta(hours=2)).replace(second=0, microsecond=0)
    page.locator("#id_category").select_option("data_breach")
    page.locator("#id_discovered_at").fill(discovered.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_personal_data").select_option("true")
    page.locator("#id_data_categories input[value=health]").check()
    page.locator("#id_data_categories input[value=identity]").check()
    page.locator("#id_individuals_affected").fill("1200")
    page.locator("#id_risk_to_individuals").select_option("high")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/response/incidents/\d+/$"))
    incident_url = page.url
    heading = page.locator("h1").inner_text()
    reference = re.search(r"INC-\d{4}-\d{4}", heading).group(0)
    assert ALERT_TITLE in heading
    expect(page.locator("#alerts")).to_contain_text(f"#{alert_id}")
    expect(page.locator("section[aria-labelledby=data-heading]")).to_contain_text("1200")

    # 3b. Link one more alert with the picker, from the keyboard: it searches the alerts of the
    # incident's establishment, ↓ and Enter pick one, the link form posts it.
    _tab(page, "alerts")
    combobox = page.locator("#alerts [role=combobox]")
    combobox.focus()
    options = page.locator("#alerts [role=option]")
    expect(options.first).to_be_visible()
    other = options.filter(has_not_text=f"#{alert_id} ").first
    other_id = re.match(r"#(\d+) ", other.inner_text()).group(1)
    for _ in range(options.count()):  # to the first alert not linked yet
        combobox.press("ArrowDown")
        active = combobox.get_attribute("aria-activedescendant")
        if page.locator(f"#{active}").inner_text().startswith(f"#{other_id} "):
            break
    combobox.press("Enter")
    expect(page.locator("#alerts .picker__chosen li")).to_have_count(1)
    with page.expect_navigation():
        page.locator("#alerts form button[type=submit]").click()
    expect(page.locator("#alerts li a")).to_have_count(2)
    expect(page.locator("#alerts")).to_contain_text(f"#{other_id}")

    # 4. The regulatory obligations with their deadlines: CERT Santé "sans délai", the CNIL
    # within 72 hours of the discovery (shown in the hospital's time, then in UTC).
    # The page opens on its overview; the clocks have a tab of their own, drawn on a time axis.
    expect(page.locator("#tab-overview")).to_be_visible()
    expect(page.locator("#tab-tasks")).to_be_hidden()
    _tab(page, "clocks")
    obligations = page.locator("#incident-obligations-panel")
    expect(obligations).to_be_visible()
    expect(obligations.get_by_role("img", name="Délais réglementaires")).to_be_visible()
    cert_row = obligations.locator("tbody tr[id^=obligation-]", has_text="CERT Santé")
    expect(cert_row).to_contain_text(re.compile("sans délai", re.IGNORECASE))
    cnil_deadline = discovered + timedelta(hours=72)
    cnil_row = (
        obligations.locator("tbody tr[id^=obligation-]", has_text="art. 33")
        .filter(has_not_text="33(5)")
        .filter(has_not_text="art. 34")
    )
    expect(cnil_row).to_have_count(1)
    expect(cnil_row).to_contain_text(_shown(cnil_deadline))
    expect(cnil_row).to_contain_text(_shown(cnil_deadline.astimezone(ZoneInfo("UTC"))) + " UTC")
    expect(obligations.locator("tbody tr[id^=obligation-]", has_text="art. 34")).to_have_count(1)

    # 5. Apply the playbook that fits a data breach; its steps appear as tasks at once. A second
    # tab, opened before, still offers it: applying it there again says why it cannot.
    other_tab = page.context.new_page()
    other_tab.goto(incident_url + "#tab-tasks")  # the address opens the tab
    expect(other_tab.locator("#playbooks-panel select[name=key]")).to_be_visible()
    _tab(page, "tasks")
    playbooks = page.locator("#playbooks-panel")
    fitting = playbooks.locator("select[name=key] optgroup").first.locator("option")
    expect(fitting.first).to_have_attribute("value", PLAYBOOK)
    playbooks.locator("select[name=key]").select_option(PLAYBOOK)
    expect(page.locator("#tasks tbody tr[data-task]")).to_have_count(0)
    playbooks.locator("button[type=submit]").click()
    expect(page.locator("#playbooks-panel .applied-playbook")).to_have_count(1)
    expect(page.locator("#playbooks-panel .applied-playbook progress").first).to_be_visible()
    task_rows = page.locator("#tasks tbody tr[data-task]")
    expect(task_rows.first).to_be_visible()
    task_count = task_rows.count()
    assert task_count >= 5, page.locator("#tasks").inner_text()
    other_tab.locator("#playbooks-panel select[name=key]").select_option(PLAYBOOK)
    other_tab.locator("#playbooks-panel button[type=submit]").click()
    expect(other_tab.locator("#playbooks-panel [role=alert]")).to_be_visible()
    expect(other_tab.locator("#playbooks-panel .applied-playbook")).to_have_count(1)
    other_tab.close()

    # 6. Complete one task (not a decision point, which would need the decision written): the
    # compact list opens it in the side panel, whose form moves it on and closes the panel.
    task = page.locator("#tasks tbody tr[data-task]:not([data-decision])").first
    task_title = task.locator("td").first.inner_text().split("\n")[0].strip()
    task.locator("[data-task-open]").click()
    panel = page.locator("#task-panel")
    expect(panel.locator("h3")).to_contain_text(task_title)
    expect(panel.locator("input[name=decision]")).to_have_count(0)
    panel.locator("select[name=status]").select_option("done")
    panel.locator("button[type=submit]").click()
    expect(page.locator("#task-panel select[name=status]")).to_have_count(0)
    # The focus is back on the task's button, not lost at the top of the page.
    expect(
        page.locator("#tasks tbody tr", has_text=task_title).first.locator("[data-task-open]")
    ).to_be_focused()
    done_row = page.locator("#tasks tbody tr", has_text=task_title).first
    expect(done_row.locator(".badge.status-done")).to_be_visible()
    # The playbook's progress and the timeline follow without reloading the page.
    expect(page.locator("#playbooks-panel progress[value='1']")).to_have_count(1)
    expect(page.locator("#timeline")).to_contain_text(task_title)

    # 7. The main courante, an indicator and a piece of evidence (each section refreshes alone).
    _tab(page, "log")
    timeline = page.locator("#timeline")
    timeline.locator("#id_entry-text").fill(LOG_ENTRY)
    timeline.locator("form button[type=submit]").click()
    expect(page.locator("#timeline")).to_contain_text(LOG_ENTRY)

    _tab(page, "evidence")
    observables = page.locator("#observables")
    observables.locator("#id_observable-kind").select_option("url")
    observables.locator("#id_observable-value").fill(OBSERVABLE)
    observables.locator("#id_observable-is_ioc").check()
    observables.locator("form:has(#id_observable-value) button[type=submit]").click()
    expect(page.locator("#observables tbody")).to_contain_text("http://exfil.example.net/upload")
    expect(page.locator("#timeline")).to_contain_text("http://exfil.example.net/upload")

    evidence = page.locator("#evidence")
    evidence.locator("details summary").last.click()
    evidence.locator("#id_evidence-title").fill(EVIDENCE_TITLE)
    evidence.locator("#id_evidence-file").set_input_files(
        {
            "name": EVIDENCE_NAME,
            "mimeType": "text/csv",
            "buffer": b"horodatage,compte,dossiers\n2026-11-28T02:59,compte-demo-42,184\n",
        }
    )
    evidence.locator("#id_evidence-location").fill("Coffre DSI")
    evidence.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    # An uploaded file's name may carry a patient's name: the page shows it masked, never raw.
    expect(page.locator("#evidence")).to_contain_text("••••.csv")
    expect(page.locator("#evidence")).not_to_contain_text(EVIDENCE_NAME)
    expect(page.locator("#evidence")).to_contain_text("Coffre DSI")
    expect(page.locator("#timeline")).to_contain_text(EVIDENCE_TITLE)

    # 8. Triage, then containment; the stepper follows.
    _move(page, expect, "triage")
    _move(page, expect, "containment", "Compte désactivé, sessions révoquées.")
    current = page.locator("section[aria-labelledby=lifecycle-heading] li[aria-current=step]")
    expect(current).to_have_count(1)
    steps = page.locator("section[aria-labelledby=lifecycle-heading] ol > li")
    expect(steps.nth(2)).to_have_attribute("aria-current", "step")  # new, triage, containment
    expect(steps.nth(0)).to_contain_text("✓")
    expect(steps.nth(1)).to_contain_text("✓")
    expect(steps.nth(3)).not_to_contain_text("✓")

    # 9. The notification drafts: CERT Santé and CNIL, each downloaded as PDF and DOCX.
    _tab(page, "clocks")
    drafts = page.locator("#incident-drafts-panel")
    expect(drafts.locator("select[name=kind] option[value=cert_sante]")).to_contain_text("★")
    expect(drafts.locator("select[name=kind] option[value=cnil]")).to_contain_text("★")
    downloads: dict[str, dict[str, bytes]] = {}
    for kind in ("cert_sante", "cnil"):
        panel = page.locator("#incident-drafts-panel")
        panel.locator("select[name=kind]").select_option(kind)
        panel.locator("select[name=language]").select_option("fr")
        before = panel.locator("tbody tr").count()
        panel.locator("form button[type=submit]").click()
        expect(page.locator("#incident-drafts-panel tbody tr")).to_have_count(before + 1)
        row = page.locator("#incident-drafts-panel tbody tr").nth(before)
        downloads[kind] = {}
        for fmt in ("pdf", "docx"):
            name, data = _download(page, row.locator(f"a[href$='/export/{fmt}/']"))
            assert name.endswith("." + fmt), name
            downloads[kind][fmt] = data
    for kind, files in downloads.items():
        text = _pdf_text(files["pdf"])
        assert reference in text, (kind, text[:500])
        docx_text = _docx_text(files["docx"])
        assert reference in docx_text, (kind, docx_text[:500])
    assert "CERT Santé" in _pdf_text(downloads["cert_sante"]["pdf"])
    assert "1200" in _docx_text(downloads["cnil"]["docx"])

    # 10. The CNIL was notified: record it with the date and the receipt number.
    cnil_row = (
        page.locator("#incident-obligations-panel tbody tr[id^=obligation-]", has_text="art. 33")
        .filter(has_not_text="33(5)")
        .filter(has_not_text="art. 34")
    )
    cnil_row.locator("details:has(form[action$='/complete/']) > summary").click()
    done_moment = (datetime.now(ZONE) - timedelta(minutes=5)).replace(second=0, microsecond=0)
    done_at = done_moment.strftime("%Y-%m-%dT%H:%M")  # what a datetime-local input takes
    cnil_row.locator("input[name=done_at]").fill(done_at)
    cnil_row.locator("input[name=proof_reference]").fill(CNIL_RECEIPT)
    cnil_row.locator("form[action$='/complete/'] button[type=submit]").click()
    cnil_row = page.locator(
        "#incident-obligations-panel tbody tr[id^=obligation-]", has_text=CNIL_RECEIPT
    )
    expect(cnil_row).to_have_count(1)
    expect(cnil_row.locator(".badge.status-succeeded")).to_be_visible()
    expect(cnil_row).to_contain_text(_shown(done_moment))
    expect(page.locator("#timeline")).to_contain_text(CNIL_RECEIPT)
    # The drafts panel's key figures count it as met on time.
    expect(page.locator("#incident-drafts-panel dl.details dd").nth(3)).to_have_text(
        re.compile(r"^1 / \d+$")
    )

    # 11. Eradication, recovery, post-incident review.
    _move(page, expect, "eradication")
    _move(page, expect, "recovery", "Accès rétablis après revue des droits.")
    _move(page, expect, "post_incident")
    page.locator("main .page-header a[href$='/edit/']").click()
    page.locator("#id_root_cause").fill(ROOT_CAUSE)
    page.locator("#id_lessons_learned").fill(LESSONS)
    page.locator("#id_follow_up_actions").fill(FOLLOW_UP)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(incident_url)
    expect(page.locator("section[aria-labelledby=description-heading]")).to_contain_text(ROOT_CAUSE)

    # 12. The post-incident report: timeline, decisions, lessons, obligations.
    _tab(page, "clocks")
    name, report = _download(page, page.locator("#incident-drafts-panel a[href$='/report/']"))
    assert name.endswith(".pdf"), name
    report_text = " ".join(_pdf_text(report).split())  # table cells wrap lines
    for expected in (
        reference,
        ROOT_CAUSE,
        LESSONS,
        LOG_ENTRY,
        task_title,
        _shown(done_moment),
    ):  # when the CNIL was notified
        assert expected in report_text, (expected, report_text)

    # 13. Close it; every phase is ticked.
    _move(page, expect, "closed", "Revue post-incident faite, actions suivies au COSSI.")
    steps = page.locator("section[aria-labelledby=lifecycle-heading] ol > li")
    expect(steps).to_have_count(7)
    expect(steps.nth(6)).to_have_attribute("aria-current", "step")
    for index in range(6):
        expect(steps.nth(index)).to_contain_text("✓")
    expect(page.locator("section[aria-labelledby=lifecycle-heading] details")).to_contain_text(
        "Revue post-incident faite"
    )

    # 14. The timeline tells the story, and the audit trail records who did it.
    timeline_text = page.locator("#timeline").inner_text()
    for expected in (
        LOG_ENTRY,
        task_title,
        "exfil.example.net",
        EVIDENCE_TITLE,
        CNIL_RECEIPT,
        "Revue post-incident faite",
    ):
        assert expected in timeline_text, (expected, timeline_text)
    page.goto(base + "/audit/")
    trail = page.locator("main").inner_text()
    assert reference in trail, trail[:2000]
    assert USERNAME in trail
    assert "post_incident → closed" in trail  # the last phase change, recorded as it is stored

    assert not server_errors, server_errors
