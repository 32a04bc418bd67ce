"""The audit-ready assessment report: page, PDF, CSV and XLSX (service, pages, API, CLI);
evidence by masked name and SHA-256, probe results with their dates, the unverified marker,
gaps and action plan, audited downloads, establishment scoping."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from hygie.compliance.choices import AnswerStatus
from hygie.compliance.models import Framework
from hygie.compliance.services import assessments, probes, remediation, reports
from hygie.core.models import AuditEntry
from hygie.core.registries import Probe, ProbeResult
from hygie.core.registries import probes as probe_registry
from tests.apps.core.api_support import APIClient, issue_token

pytestmark = pytest.mark.usefixtures("english")

SECRET_NAME = "Dupont_Jean_dossier.pdf"


@pytest.fixture
def answered(assessment, user_a):
    """A CaRE assessment with a probe result, a compliant answer with a file, a gap with an
    action, and a not-applicable answer."""
    mapped = (
        assessment.answers.exclude(requirement__controls=[]).select_related("requirement").first()
    )
    control = mapped.requirement.controls[0]["id"]
    fake = Probe(
        id="test.report_probe",
        title="Report probe",
        controls=(control,),
        run=lambda establishment: ProbeResult("fail", "Two accounts without MFA", {"n": 2}),
    )
    with probe_registry.override({"test.report_probe": fake}):
        probes.run_probes(assessment.establishment)
    others = list(assessment.answers.exclude(pk=mapped.pk).select_related("requirement")[:3])
    compliant, gap, not_applicable = others
    assessments.answer_requirement(
        user_a, compliant, status=AnswerStatus.COMPLIANT, maturity=4, comments="Checked"
    )
    assessments.attach_evidence(
        user_a,
        compliant,
        title="Backup policy",
        uploaded_file=SimpleUploadedFile(SECRET_NAME, b"%PDF-1.4 synthetic", "application/pdf"),
    )
    assessments.answer_requirement(
        user_a, gap, status=AnswerStatus.NON_COMPLIANT, justification="No plan yet"
    )
    remediation.actions_from_gaps(user_a, assessment)
    assessments.answer_requirement(
        user_a,
        not_applicable,
        status=AnswerStatus.NOT_APPLICABLE,
        justification="No such system here",
    )
    return {
        "assessment": assessment,
        "mapped": mapped,
        "compliant": compliant,
        "gap": gap,
        "not_applicable": not_applicable,
    }


def test_build_report_gathers_scope_scores_rows_evidence_probes_and_plan(answered):
    report = reports.build_report(answered["assessment"])
    assert report.score.compliant >= 1 and report.score.non_compliant >= 1
    assert report.chapters and report.assessors == ["alice"]
    rows = {row.answer.pk: row for row in report.rows}
    evidence = rows[answered["compliant"].pk].evidence
    assert (
        evidence and evidence[0].file_name != SECRET_NAME and evidence[0].file_name.endswith(".pdf")
    )
    assert len(evidence[0].sha256) == 64
    probed = rows[answered["mapped"].pk]
    assert [item.title for item in probed.probes] == ["Report probe"]
    assert probed.probes[0].status == "fail" and probed.probes[0].ran_at
    assert probed.computed_label  # the status came from the probe
    assert [row.answer.pk for row in report.gaps].count(answered["gap"].pk) == 1
    assert any(answered["gap"] in action.answers.all() for action in report.actions)


def test_unverified_requirements_carry_the_marker_never_a_path(answered, client_a):
    assessment = answered["assessment"]
    requirement = answered["gap"].requirement
    requirement.verification_status = "unverified"
    requirement.title_en = requirement.title_en + " (UNVERIFIED, reference/frameworks.md §2)"
    requirement.save()
    report = reports.build_report(assessment)
    row = next(row for row in report.rows if row.answer.pk == answered["gap"].pk)
    assert row.to_check and "UNVERIFIED" not in row.title and "reference/" not in row.title
    page = client_a.get(reverse("compliance:assessment_report", args=[assessment.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'class="to-check"' in body and "to be checked against the official text" in body
    assert "UNVERIFIED" not in body and "frameworks.md" not in body
    data, _type, _name = reports.export_report(assessment, "csv")
    text = data.decode("utf-8-sig")
    assert "to be checked against the official text" in text and "frameworks.md" not in text


def test_report_page_shows_every_part(answered, client_a):
    assessment = answered["assessment"]
    page = client_a.get(reverse("compliance:assessment_report", args=[assessment.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    for text in (
        "Scope",
        "Scores",
        "Score by chapter",
        "Gaps and action plan",
        "Report probe",
        "No such system here",
        "Backup policy",
        assessment.framework.name,
        assessment.establishment.name,
    ):
        assert text in body, text
    assert SECRET_NAME not in body
    assert reverse("compliance:assessment_report_export", args=[assessment.pk, "pdf"]) in body
    detail = client_a.get(reverse("compliance:assessment_detail", args=[assessment.pk]))
    assert reverse("compliance:assessment_report", args=[assessment.pk]) in detail.content.decode()


def test_pdf_export_is_a_pdf_and_audited(answered, client_a):
    from pypdf import PdfReader

    assessment = answered["assessment"]
    answer = client_a.get(
        reverse("compliance:assessment_report_export", args=[assessment.pk, "pdf"])
    )
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert "attachment" in answer["Content-Disposition"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "CaRE" in text and "Report probe" in text and SECRET_NAME not in text
    assert AuditEntry.objects.filter(
        action="export",
        object_type="compliance.assessment",
        object_id=str(assessment.pk),
        message="assessment report exported (pdf)",
    ).exists()


def test_pdf_in_french(answered):
    from pypdf import PdfReader

    with translation.override("fr"):
        data, content_type, name = reports.export_report(answered["assessment"], "pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert content_type == "application/pdf" and name.endswith(".pdf")
    assert "Périmètre" in text or "Perimetre" in text.replace("é", "e")


def test_csv_has_one_row_per_requirement_and_neutralised_cells(answered, user_a):
    assessment = answered["assessment"]
    assessments.answer_requirement(user_a, answered["compliant"], comments='=HYPERLINK("http://x")')
    data, content_type, name = reports.export_report(assessment, "csv")
    assert content_type.startswith("text/csv") and name.endswith(".csv")
    text = data.decode("utf-8-sig")
    lines = [line for line in text.split("\r\n") if line]
    import csv

    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == assessment.answers.count() + 1
    assert "'=HYPERLINK" in text
    assert SECRET_NAME not in text and "SHA-256" in text
    assert lines[0].startswith("Chapter,Reference,Requirement")


def test_xlsx_has_summary_requirements_and_action_plan(answered):
    from openpyxl import load_workbook

    data, content_type, name = reports.export_report(answered["assessment"], "xlsx")
    assert content_type == reports.XLSX_TYPE and name.endswith(".xlsx")
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Requirements", "Action plan"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert summary["Establishment"] == "CH Alpha"
    assert book["Requirements"].max_row == answered["assessment"].answers.count() + 1
    assert book["Action plan"].max_row >= 2


def test_unknown_format_and_other_establishment(
    answered, client, make_user, establishment_b, login
):
    assessment = answered["assessment"]
    other = make_user("carol", "rssi", [establishment_b])
    login(other)
    for url in (
        reverse("compliance:assessment_report", args=[assessment.pk]),
        reverse("compliance:assessment_report_export", args=[assessment.pk, "pdf"]),
    ):
        assert client.get(url).status_code == 404
    api = APIClient(issue_token(other))
    assert api.get(f"/compliance/assessments/{assessment.pk}/report/pdf").status_code == 404


def test_unknown_format_is_refused(answered, client_a):
    assessment = answered["assessment"]
    url = reverse("compliance:assessment_report_export", args=[assessment.pk, "docx"])
    assert client_a.get(url).status_code == 404


def test_api_downloads(answered, user_a):
    api = APIClient(issue_token(user_a))
    assessment = answered["assessment"]
    for fmt, start in (("pdf", b"%PDF"), ("csv", "\ufeff".encode()), ("xlsx", b"PK")):
        answer = api.get(f"/compliance/assessments/{assessment.pk}/report/{fmt}")
        assert answer.status_code == 200, answer.content[:300]
        assert answer.content.startswith(start)
    assert api.get(f"/compliance/assessments/{assessment.pk}/report/docx").status_code in (
        400,
        404,
        422,
    )


def test_anssi_hygiene_end_to_end_through_the_api(shipped_library, user_a, establishment_a):
    """An ANSSI hygiene assessment: a probe result proposes a status (confirmed), another
    answer departs from its proposal with a justification, one is not applicable, the gaps
    are planned, the report is downloaded and the executive summary lists it."""
    framework = Framework.objects.get(framework_id="anssi-hygiene")
    probed = framework.requirements.filter(is_assessable=True).exclude(controls=[]).first()
    control = probed.controls[0]["id"]
    fake = Probe(
        id="test.anssi_probe",
        title="ANSSI probe",
        controls=(control,),
        run=lambda establishment: ProbeResult("pass", "Every account has MFA", {}),
    )
    with probe_registry.override({"test.anssi_probe": fake}):
        probes.run_probes(establishment_a)
    api = APIClient(issue_token(user_a))
    created = api.post(
        "/compliance/assessments",
        {"establishment_id": establishment_a.pk, "framework_id": framework.pk},
    )
    assert created.status_code == 201, created.content
    assessment_id = created.json()["id"]
    items = api.get(f"/compliance/assessments/{assessment_id}/answers", {"limit": 200}).json()[
        "items"
    ]
    assert len(items) == framework.requirements.filter(is_assessable=True).count()
    computed = [item for item in items if item["proposed_status"]]
    assert computed, "the probe result proposes no status"
    confirmed = api.post(f"/compliance/answers/{computed[0]['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == computed[0]["proposed_status"]
    assert confirmed.json()["is_computed"] and confirmed.json()["is_confirmed"]
    plain = [item for item in items if not item["proposed_status"]]
    if len(computed) > 1:
        refused = api.post(
            f"/compliance/answers/{computed[1]['id']}/override",
            {"status": "partial", "justification": "MFA not yet on the imaging consoles"},
        )
        assert refused.status_code == 200, refused.content
    override = api.post(
        f"/compliance/answers/{plain[0]['id']}/override",
        {"status": "non_compliant", "justification": "Not deployed on the imaging network"},
    )
    assert override.status_code == 200, override.content
    not_applicable = api.post(
        f"/compliance/answers/{plain[1]['id']}/override",
        {"status": "not_applicable", "justification": "No wireless network"},
    )
    assert not_applicable.status_code == 200, not_applicable.content
    scores = api.get(f"/compliance/assessments/{assessment_id}/scores").json()
    assert scores["overall"]["non_compliant"] == 1 and scores["overall"]["not_applicable"] == 1
    action = api.post(
        "/compliance/actions",
        {
            "establishment_id": establishment_a.pk,
            "title": "Deploy MFA on the imaging network",
            "answer_ids": [plain[0]["id"]],
            "due_date": "2027-01-31",
        },
    )
    assert action.status_code == 201, action.content
    csv_text = api.get(f"/compliance/assessments/{assessment_id}/report/csv").content.decode(
        "utf-8-sig"
    )
    assert "Deploy MFA on the imaging network" in csv_text and "ANSSI probe" in csv_text
    pdf = api.get(f"/compliance/assessments/{assessment_id}/report/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = api.get(f"/compliance/assessments/{assessment_id}/report/xlsx")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    summary = api.get("/compliance/executive", {"establishment": establishment_a.pk}).json()
    names = [item["framework_id"] for item in summary["establishments"][0]["frameworks"]]
    assert "anssi-hygiene" in names


def test_cli_report(answered, tmp_path):
    from click.testing import CliRunner

    from hygie.compliance.cli import compliance

    target = tmp_path / "report.pdf"
    result = CliRunner().invoke(
        compliance,
        ["report", str(answered["assessment"].pk), "--format", "pdf", "-o", str(target)],
    )
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF")
    missing = CliRunner().invoke(compliance, ["report", "999999", "-o", str(tmp_path / "x")])
    assert missing.exit_code != 0


@pytest.mark.parametrize("name", ["report", "executive"])
def test_pages_read_as_french(answered, client_a, settings, name):
    settings.LANGUAGE_CODE = "fr"
    assessment = answered["assessment"]
    requirement = answered["gap"].requirement
    requirement.verification_status = "unverified"
    requirement.save()
    if name == "report":
        url = reverse("compliance:assessment_report", args=[assessment.pk])
        expected = ("Périmètre", "Écarts et plan d", "Score par chapitre", "à vérifier")
        english = ("Gaps and action plan", "Score by chapter", "Scope", "to check")
    else:
        url = reverse("compliance:executive")
        expected = ("Posture de direction", "Sondes en échec", "Toute l")
        english = ("Executive posture", "Failing probes", "The whole organisation")
    body = client_a.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for text in expected:
        assert text in body, text
    for text in english:
        assert f">{text}<" not in body, text


def test_api_report_as_data(answered, user_a):
    api = APIClient(issue_token(user_a))
    assessment = answered["assessment"]
    answer = api.get(f"/compliance/assessments/{assessment.pk}/report")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["framework"]["framework_id"] == "care"
    assert data["establishment"]["name"] == "CH Alpha"
    rows = {row["ref_id"]: row for row in data["requirements"]}
    compliant = rows[answered["compliant"].requirement.ref_id]
    assert compliant["evidence"][0]["file_name"] != SECRET_NAME
    assert len(compliant["evidence"][0]["sha256"]) == 64
    probed = rows[answered["mapped"].requirement.ref_id]
    assert probed["probe_results"][0]["status"] == "fail" and probed["computed"]
    assert data["actions"] and data["score"]["non_compliant"] >= 1
    assert AuditEntry.objects.filter(
        object_id=str(assessment.pk), message="assessment report exported (json)"
    ).exists()
