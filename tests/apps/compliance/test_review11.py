"""Defects found in the issue 11 review, each pinned by a test."""

from __future__ import annotations

import re

from django.utils import translation

from hygie.compliance.services import probes
from hygie.core.registries import Probe, ProbeResult
from hygie.core.registries import probes as probe_registry

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def test_probe_explanation_dates_read_in_the_reader_format(assessment):
    """Decision 0025: the page never prints ISO dates; the proposal note is page text."""
    answer = (
        assessment.answers.exclude(requirement__controls=[]).select_related("requirement").first()
    )
    control = answer.requirement.controls[0]["id"]
    fake = Probe(
        id="test.fake",
        title="Fake probe",
        controls=(control,),
        run=lambda establishment: ProbeResult("fail", "Fake result", {"n": 1}),
    )
    with probe_registry.override({"test.fake": fake}):
        probes.run_probes(assessment.establishment)
    answer.refresh_from_db()
    for language in ("fr", "en"):
        with translation.override(language):
            assert not ISO_DATE.search(answer.proposal_explanation), answer.proposal_explanation


def test_report_answer_counts_follow_french_typography(assessment, client_a, settings):
    """The report (page and PDF share one body) counts answers as « Conforme : 2 », the
    assessment page's phrase, not with a bare English colon."""
    from django.urls import reverse

    settings.LANGUAGE_CODE = "fr"
    url = reverse("compliance:assessment_report", args=[assessment.pk])
    body = client_a.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert re.search(r"Non évalué[\s\u202f\u00a0]: \d", body)
    assert "Non évalué: " not in body


def test_executive_tile_parts_follow_french_typography(assessment, client_a, settings):
    """« Élevée ou critique : 1 » on the executive page, as on the assessment page."""
    from django.urls import reverse

    from hygie.compliance.services import executive
    from hygie.core.registries import DashboardTile, TileData, TilePart, dashboard_tiles

    settings.LANGUAGE_CODE = "fr"
    tile = DashboardTile(
        id=executive.INCIDENT_TILE,
        title="Open incidents",
        order=1,
        compute=lambda user, ests: {
            e.pk: TileData(value=3, link="/incidents/", parts=[TilePart("Critiques", 2, "")])
            for e in ests
        },
    )
    with dashboard_tiles.override({executive.INCIDENT_TILE: tile}):
        body = client_a.get(
            reverse("compliance:executive"),
            {"establishment": assessment.establishment_id},
            HTTP_ACCEPT_LANGUAGE="fr",
        ).content.decode()
    assert re.search(r"Critiques[\s\u202f\u00a0]: 2", body)
    assert "Critiques: 2" not in body


def test_import_preview_names_the_framework_in_the_reader_language(db):
    from django.utils import translation

    from hygie.compliance.services import library

    text = (
        "format: hygie-framework/1\n"
        "framework:\n"
        "  id: revue-interne\n"
        "  urn: urn:hygie:framework:revue-interne\n"
        '  name: {fr: "Référentiel interne", en: "Internal framework"}\n'
        '  version: "1"\n'
        '  provider: "GHT"\n'
        "  locales: [fr, en]\n"
        "requirements:\n"
        "  - urn: urn:hygie:req:revue-interne:a\n"
        '    ref_id: "A"\n'
        "    assessable: true\n"
        '    title: {fr: "Exigence A", en: "Requirement A"}\n'
        "    verification_status: verified\n"
    ).encode()
    preview = library.preview_import("interne.yaml", text, "hygie")
    assert preview.is_valid, preview.problems
    with translation.override("fr"):
        assert preview.framework_name == "Référentiel interne"
    with translation.override("en"):
        assert preview.framework_name == "Internal framework"


def test_framework_import_upload_passes_the_csrf_middleware(make_user, login, shipped_library):
    """A browser's upload goes through the CSRF middleware; the view overrides dispatch, so it
    must stay exempt there (the mixin checks the token after installing the size limit).
    Before the fix every upload answered 500 ("cannot alter upload handlers")."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    browser = Client(enforce_csrf_checks=True)
    login(make_user("ght-rssi", "rssi", all_establishments=True), browser)
    url = reverse("compliance:framework_import")
    assert browser.get(url).status_code == 200
    token = browser.cookies["csrftoken"].value
    upload = SimpleUploadedFile("broken.yaml", b"format: hygie-framework/1\nframework: [\n")
    page = browser.post(url, {"file": upload, "file_format": "hygie", "csrfmiddlewaretoken": token})
    assert page.status_code == 200
    assert "not valid YAML" in page.content.decode() or "YAML" in page.content.decode()
    # and the token is still checked
    upload = SimpleUploadedFile("broken.yaml", b"format: hygie-framework/1\n")
    assert browser.post(url, {"file": upload, "file_format": "hygie"}).status_code == 403


def test_register_pdf_dates_read_in_the_reader_format(establishment_a):
    """The record's PDF is read by auditors: « 7 déc. 2026 00:38 », not ISO (decision 0025);
    the CSV/XLSX exports keep ISO 8601."""
    import io

    from pypdf import PdfReader

    from hygie.compliance.models import ProcessingActivity
    from hygie.compliance.services import registers

    registers.create_from_preset(establishment_a, "imaging", None)
    activities = ProcessingActivity.objects.filter(establishment=establishment_a)
    with translation.override("fr"):
        data, _type, _name = registers.export_register(activities, "pdf")
        csv_data, _type, _name = registers.export_register(activities, "csv")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert not ISO_DATE.search(text), ISO_DATE.search(text)
    assert ISO_DATE.search(csv_data.decode("utf-8-sig"))


def test_reminder_mail_dates_read_in_the_recipient_format(establishment_a, user_a, mailoutbox):
    """The owner reads the due date as on the pages (decision 0025), not ISO."""
    from datetime import timedelta

    from django.utils import timezone

    from hygie.compliance.services import remediation

    remediation.create_action(
        user_a,
        establishment=establishment_a,
        title="Restore test",
        owner=user_a,
        due_date=timezone.localdate() - timedelta(days=2),
    )
    assert remediation.send_due_reminders().messages == 1
    message = mailoutbox[0]
    assert not ISO_DATE.search(message.subject + message.body), message.subject


def test_framework_page_names_controls_by_title_not_id(client_a, shipped_library, settings):
    """The requirement→control column shows the control's title in the reader's language (the
    id only as a tooltip): never a bare key on the page."""
    from django.urls import reverse

    from hygie.compliance.library_files import shipped_library as library_files
    from hygie.compliance.models import Framework

    settings.LANGUAGE_CODE = "fr"
    framework = Framework.objects.get(framework_id="hipaa")
    url = reverse("compliance:framework_detail", args=[framework.pk])
    body = client_a.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    title = library_files().controls["hygie.governance.risk_assessment"].title["fr"]
    from django.utils.html import escape

    assert escape(title) in body
    assert "<code>hygie.governance.risk_assessment</code>" not in body
    assert ">hygie.governance.risk_assessment<" not in body


def test_framework_page_shows_required_addressable_and_anssi_levels(
    client_a, shipped_library, settings
):
    """HIPAA Required/Addressable and the ANSSI levels are part of the requirement: shown
    translated on the library page, never as attribute keys."""
    from django.urls import reverse

    from hygie.compliance.models import Framework

    settings.LANGUAGE_CODE = "fr"
    pages = {}
    for framework_id in ("hipaa", "anssi-hygiene"):
        framework = Framework.objects.get(framework_id=framework_id)
        url = reverse("compliance:framework_detail", args=[framework.pk])
        pages[framework_id] = client_a.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Obligatoire" in pages["hipaa"] and "addressable" in pages["hipaa"]
    assert "Niveau renforcé uniquement" in pages["anssi-hygiene"]
    assert "Existe aussi au niveau renforcé" in pages["anssi-hygiene"]
    for body in pages.values():
        assert "implementation" not in body and "reinforced_extension" not in body
