"""Compliance API: frameworks and import preview, assessments, answers (confirm, override,
history), scores, comparison, probe runs, remediation actions, establishment scoping."""

from __future__ import annotations

import pytest

from hygie.core.registries import Probe, ProbeResult
from hygie.core.registries import probes as probe_registry
from tests.apps.core.api_support import APIClient, issue_token

BASE = "/compliance"


@pytest.fixture
def api(user_a):
    return APIClient(issue_token(user_a))


def test_frameworks_and_requirements(api, care):
    frameworks = api.get(f"{BASE}/frameworks").json()
    assert "care" in {item["framework_id"] for item in frameworks}
    requirements = api.get(f"{BASE}/frameworks/{care.pk}/requirements", {"limit": 500}).json()
    assert requirements["count"] == care.requirements.count()
    assert any(item["controls"] for item in requirements["items"])


def test_import_preview_lists_every_problem_and_saves_nothing(api_wide, shipped_library):
    api = api_wide
    from hygie.compliance.models import Framework

    before = Framework.objects.count()
    bad = "format: hygie-framework/1\nframework:\n  id: Bad Id\nrequirements: []\n"
    answer = api.post(f"{BASE}/frameworks/import", {"content": bad, "dry_run": False})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert not body["is_valid"] and not body["saved"] and body["problems"]
    assert Framework.objects.count() == before


@pytest.fixture
def api_wide(make_user):
    return APIClient(issue_token(make_user("ght-rssi", "rssi", all_establishments=True)))


def test_import_a_framework(api, api_wide, shipped_library):
    text = """format: hygie-framework/1
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
    assessable: false
    title: {fr: "Chapitre", en: "Chapter"}
    verification_status: verified
  - urn: urn:hygie:req:local-policy:1.1
    ref_id: "LP-1.1"
    parent: urn:hygie:req:local-policy:1
    assessable: true
    title: {fr: "Sauvegardes testées", en: "Backups tested"}
    verification_status: verified
"""
    preview = api.post(f"{BASE}/frameworks/import", {"content": text}).json()
    assert preview["is_valid"], preview["problems"]
    assert not preview["saved"]
    # The library is the installation's: a user scoped to one establishment may not change it.
    refused = api.post(f"{BASE}/frameworks/import", {"content": text, "dry_run": False})
    assert refused.status_code == 403
    saved = api_wide.post(f"{BASE}/frameworks/import", {"content": text, "dry_run": False}).json()
    assert saved["saved"] and saved["requirements"] == 2 and saved["assessable"] == 1


def test_assessment_answers_confirm_override_history(api, care, establishment_a):
    created = api.post(
        f"{BASE}/assessments",
        {"establishment_id": establishment_a.pk, "framework_id": care.pk, "date": "2026-06-01"},
    )
    assert created.status_code == 201, created.content
    assessment = created.json()
    assert assessment["score"]["not_assessed"] == assessment["score"]["total"]
    answers = api.get(f"{BASE}/assessments/{assessment['id']}/answers", {"limit": 500}).json()
    mapped = next(
        item
        for item in answers["items"]
        if care.requirements.get(urn=item["requirement_urn"]).controls
    )
    control = care.requirements.get(urn=mapped["requirement_urn"]).controls[0]["id"]
    probe = Probe(
        id="test.api",
        title="API probe",
        controls=(control,),
        run=lambda establishment: ProbeResult("fail", "Nope"),
    )
    with probe_registry.override({"test.api": probe}):
        runs = api.post(f"{BASE}/probe-runs", {"establishment_id": establishment_a.pk})
    assert runs.status_code == 201, runs.content
    assert runs.json()[0]["evidence_sha256"]
    # Any offset a client sends is read as an instant (PostgreSQL refuses offsets past ±15:59).
    since = api.get(f"{BASE}/probe-runs", {"ran_after": "0356-04-23T11:04:50+17:46"})
    assert since.status_code == 200, since.content
    answer = api.get(f"{BASE}/answers/{mapped['id']}").json()
    assert answer["proposed_status"] == "non_compliant" and answer["proposal_source"] == "probe"
    refused = api.post(f"{BASE}/answers/{mapped['id']}/override", {"status": "compliant"})
    assert refused.status_code == 422
    confirmed = api.post(f"{BASE}/answers/{mapped['id']}/confirm").json()
    assert confirmed["is_confirmed"] and confirmed["status"] == "non_compliant"
    overridden = api.post(
        f"{BASE}/answers/{mapped['id']}/override",
        {"status": "compliant", "justification": "Compensating control"},
    ).json()
    assert overridden["status"] == "compliant" and not overridden["is_computed"]
    history = api.get(f"{BASE}/answers/{mapped['id']}/history").json()
    assert [item["field"] for item in history].count("status") >= 2
    patched = api.patch(
        f"{BASE}/answers/{answers['items'][0]['id']}", {"status": "partial", "maturity": 3}
    )
    assert patched.status_code == 200, patched.content
    scores = api.get(f"{BASE}/assessments/{assessment['id']}/scores").json()
    assert scores["overall"]["compliant"] + scores["overall"]["partial"] >= 1
    assert scores["history"]
    other = api.post(
        f"{BASE}/assessments", {"establishment_id": establishment_a.pk, "framework_id": care.pk}
    ).json()
    comparison = api.get(
        f"{BASE}/assessments/compare", {"left": other["id"], "right": assessment["id"]}
    ).json()
    assert comparison["changed"] >= 1


def test_remediation_actions(api, establishment_a, user_a):
    created = api.post(
        f"{BASE}/actions",
        {
            "establishment_id": establishment_a.pk,
            "title": "Test the restore",
            "owner_id": user_a.pk,
            "due_date": "2020-01-01",
            "link_kind": "incident",
            "link_url": "/response/incidents/1/",
        },
    )
    assert created.status_code == 201, created.content
    action = created.json()
    assert action["is_overdue"]
    overdue = api.get(f"{BASE}/actions", {"overdue": "true"}).json()
    assert [item["id"] for item in overdue["items"]] == [action["id"]]
    done = api.patch(f"{BASE}/actions/{action['id']}", {"status": "done"}).json()
    assert done["done_at"] and not done["is_overdue"]
    bad = api.post(
        f"{BASE}/actions",
        {"establishment_id": establishment_a.pk, "title": "x", "link_url": "https://evil.example"},
    )
    assert bad.status_code == 422


def test_other_establishment_is_not_found(api, assessment_b, establishment_b):
    answer = assessment_b.answers.first()
    assert api.get(f"{BASE}/assessments/{assessment_b.pk}").status_code == 404
    assert api.get(f"{BASE}/answers/{answer.pk}").status_code == 404
    assert api.post(f"{BASE}/answers/{answer.pk}/confirm").status_code == 404
    assert (
        api.post(f"{BASE}/probe-runs", {"establishment_id": establishment_b.pk}).status_code == 422
    )
    listed = api.get(f"{BASE}/assessments").json()
    assert assessment_b.pk not in {item["id"] for item in listed["items"]}
