"""The compliance pages: library, assessment page with its tree and htmx answers, probes,
remediation plan, comparison; establishment B's objects are a 404 for A's users."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.compliance.choices import AnswerStatus
from hygie.compliance.models import Assessment, RemediationAction
from hygie.compliance.services import assessments

pytestmark = pytest.mark.usefixtures("english")


def test_library_pages(client_a, care):
    page = client_a.get(reverse("compliance:framework_list"))
    assert page.status_code == 200
    assert care.name in page.content.decode()
    detail = client_a.get(reverse("compliance:framework_detail", args=[care.pk]))
    assert detail.status_code == 200
    assert care.requirements.filter(is_assessable=True).first().ref_id in detail.content.decode()


def test_create_assessment_through_the_page(client_a, care, establishment_a):
    answer = client_a.post(
        reverse("compliance:assessment_add"),
        {"establishment": establishment_a.pk, "framework": care.pk, "date": "2026-05-01"},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    created = Assessment.objects.get()
    assert created.answers.count() == care.requirements.filter(is_assessable=True).count()
    page = client_a.get(answer["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "Requirements" in body and "Score" in body


def test_answer_inline_with_htmx(client_a, assessment):
    answer = assessment.answers.first()
    url = reverse("compliance:assessment_answer_edit", args=[assessment.pk, answer.pk])
    form = client_a.get(url, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and "<form" in form.content.decode()
    saved = client_a.post(
        url,
        {"status": "partial", "maturity": "2", "comments": "In progress"},
        HTTP_HX_REQUEST="true",
    )
    assert saved.status_code == 200
    assert f'id="answer-{answer.pk}"' in saved.content.decode()
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.PARTIAL and answer.maturity == 2
    refused = client_a.post(url, {"status": "not_applicable"}, HTTP_HX_REQUEST="true")
    assert "Say why" in refused.content.decode()
    history = client_a.get(url)
    assert "Partially compliant" in history.content.decode()


def test_filters_and_compare(client_a, assessment, user_a, care, establishment_a):
    first = assessment.answers.first()
    assessments.answer_requirement(user_a, first, status=AnswerStatus.COMPLIANT)
    detail = reverse("compliance:assessment_detail", args=[assessment.pk])
    only = client_a.get(detail, {"status": "compliant"})
    assert first.requirement.ref_id in only.content.decode()
    other = assessments.create_assessment(user_a, establishment=establishment_a, framework=care)
    compared = client_a.get(
        reverse("compliance:assessment_compare"), {"left": other.pk, "right": assessment.pk}
    )
    assert compared.status_code == 200
    assert "1 requirement answered differently" in compared.content.decode()


def test_run_probes_from_the_page(client_a, assessment):
    answer = client_a.post(
        reverse("compliance:proberun_run"), {"establishment": assessment.establishment_id}
    )
    assert answer.status_code == 302
    page = client_a.get(reverse("compliance:proberun_list"))
    assert page.status_code == 200
    assert "Second factor on privileged accounts" in page.content.decode()


def test_gaps_become_actions(client_a, assessment, user_a):
    answer = assessment.answers.first()
    assessments.answer_requirement(user_a, answer, status=AnswerStatus.NON_COMPLIANT)
    client_a.post(reverse("compliance:assessment_gaps", args=[assessment.pk]))
    action = RemediationAction.objects.get()
    assert list(action.answers.all()) == [answer]
    assert client_a.get(reverse("compliance:remediationaction_list")).status_code == 200
    assert (
        client_a.get(reverse("compliance:remediationaction_detail", args=[action.pk])).status_code
        == 200
    )


def test_other_establishment_is_not_found(client_a, assessment_b):
    answer = assessment_b.answers.first()
    for url in (
        reverse("compliance:assessment_detail", args=[assessment_b.pk]),
        reverse("compliance:assessment_answer_edit", args=[assessment_b.pk, answer.pk]),
    ):
        assert client_a.get(url).status_code == 404
    assert (
        client_a.post(
            reverse("compliance:assessment_answer_edit", args=[assessment_b.pk, answer.pk]),
            {"status": "compliant"},
        ).status_code
        == 404
    )


FRAMEWORK = """format: hygie-framework/1
framework:
  id: local-policy
  urn: urn:hygie:framework:local-policy
  name: {fr: "Politique locale", en: "Local policy"}
  version: "1"
  provider: "CH Alpha"
  source_url: "https://example.org/policy"
  licence_note: "Our own text."
  locales: [fr, en]
requirements:
  - urn: urn:hygie:req:local-policy:1
    ref_id: "LP-1"
    assessable: true
    title: {fr: "Sauvegardes testées", en: "Backups tested"}
    verification_status: verified
"""


@pytest.fixture
def client_wide(client, make_user, login):
    login(make_user("ght-rssi", "rssi", all_establishments=True))
    return client


def test_import_preview_shows_every_problem_and_saves_nothing(client_wide, shipped_library):
    client_a = client_wide
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hygie.compliance.models import Framework

    before = Framework.objects.count()
    broken = FRAMEWORK.replace("local-policy:1\n", "local-policy:1\n    parent: urn:nowhere\n")
    page = client_a.post(
        reverse("compliance:framework_import"),
        {"file": SimpleUploadedFile("policy.yaml", broken.encode()), "file_format": "hygie"},
    )
    body = page.content.decode()
    assert page.status_code == 200 and "nothing was saved" in body
    assert Framework.objects.count() == before


def test_scoped_users_may_not_change_the_library(client_a, shipped_library):
    assert client_a.get(reverse("compliance:framework_import")).status_code == 403


def test_import_preview_then_confirm(client_wide, shipped_library):
    client_a = client_wide
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hygie.compliance.models import Framework

    page = client_a.post(
        reverse("compliance:framework_import"),
        {"file": SimpleUploadedFile("policy.yaml", FRAMEWORK.encode()), "file_format": "hygie"},
    )
    assert "Import this framework" in page.content.decode()
    assert not Framework.objects.filter(framework_id="local-policy").exists()
    payload = page.context["payload"]
    saved = client_a.post(
        reverse("compliance:framework_import"),
        {"confirm": "1", "payload": payload, "file_name": "policy.yaml", "file_format": "hygie"},
    )
    assert saved.status_code == 302
    framework = Framework.objects.get(framework_id="local-policy")
    assert framework.source == "imported" and framework.requirements.count() == 1


def test_global_search_finds_requirements_and_only_own_assessments(
    user_a, assessment, assessment_b, care
):
    from hygie.compliance.search import search_assessments, search_library

    requirement = care.requirements.filter(is_assessable=True).exclude(ref_id="").first()
    hits = search_library(user_a, requirement.ref_id)
    assert any(requirement.ref_id in hit.label for hit in hits)
    assessments_found = search_assessments(user_a, "CaRE")
    urls = {hit.url for hit in assessments_found}
    assert reverse("compliance:assessment_detail", args=[assessment.pk]) in urls
    assert reverse("compliance:assessment_detail", args=[assessment_b.pk]) not in urls


def test_jobs_are_scheduled():
    from hygie.compliance.jobs import REMINDER_JOB_KIND, RUN_PROBES_JOB_KIND
    from hygie.core.services.scheduler import periodic_jobs

    kinds = {job.kind for job in periodic_jobs.values()}
    assert {RUN_PROBES_JOB_KIND, REMINDER_JOB_KIND} <= kinds


def test_attach_evidence_to_an_answer(client_a, assessment):
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = assessment.answers.first()
    url = reverse("compliance:assessment_answer_evidence", args=[assessment.pk, answer.pk])
    done = client_a.post(
        url,
        {
            "title": "Backup procedure",
            "file": SimpleUploadedFile("procedure.txt", b"Synthetic procedure text\n"),
        },
    )
    assert done.status_code == 302
    evidence = answer.evidence.get()
    assert evidence.title == "Backup procedure" and len(evidence.sha256) == 64
    page = client_a.get(
        reverse("compliance:assessment_answer_edit", args=[assessment.pk, answer.pk])
    )
    assert "Backup procedure" in page.content.decode()
    assert answer.changes.filter(field="evidence").exists()
