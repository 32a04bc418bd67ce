"""GDPR registers through the API: processing activities (CRUD, presets, exports) and DPIAs
(principles, feared events, submit, DPO opinion, PDF), scoped like the pages."""

from __future__ import annotations

import pytest

from hygie.compliance.engine.dpia import PRINCIPLE_KEYS
from tests.apps.core.api_support import APIClient, error_of, issue_token

BASE = "/api/v1/compliance"

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def dpo_user(make_user, establishment_a):
    return make_user("dora", "dpo", [establishment_a])


@pytest.fixture
def api(dpo_user):
    return APIClient(issue_token(dpo_user))


def activity_body(establishment, **extra):
    return {
        "establishment_id": establishment.pk,
        "name": "Dossier patient",
        "purposes": "Soins",
        "legal_basis": "public_task",
        "has_special_categories": True,
        "special_category_exception": "h",
        "data_subjects": "Patients",
        "data_categories": "Identité",
        "retention": "20 ans",
        "security_measures": "Habilitations",
        "dpia_criteria": ["sensitive_data", "large_scale"],
        **extra,
    }


def test_processing_activity_crud_and_validation(api, establishment_a, establishment_b):
    created = api.post(f"{BASE}/processing-activities", activity_body(establishment_a))
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["is_dpia_required"] is True
    item = f"{BASE}/processing-activities/{body['id']}"
    assert api.get(item).json()["legal_basis"] == "public_task"
    assert api.get(f"{BASE}/processing-activities", {"status": "draft"}).json()["count"] == 1
    patched = api.patch(item, {"status": "active"})
    assert patched.status_code == 200 and patched.json()["status"] == "active"
    # Health data without an art. 9(2) exception is refused with the field named.
    bad = api.post(
        f"{BASE}/processing-activities",
        activity_body(establishment_a, special_category_exception=""),
    )
    assert bad.status_code == 422
    assert "special_category_exception" in str(error_of(bad))
    # Another establishment: refused.
    foreign = api.post(f"{BASE}/processing-activities", activity_body(establishment_b))
    assert foreign.status_code == 403
    assert api.delete(item).status_code == 204


def test_presets_and_creation_from_a_preset(api, establishment_a):
    presets = api.get(f"{BASE}/processing-activities/presets").json()
    assert [p["key"] for p in presets][:2] == ["patient-record", "imaging"]
    assert "R.1112-7" in presets[0]["fields"]["retention"]
    created = api.post(
        f"{BASE}/processing-activities/from-preset",
        {"establishment_id": establishment_a.pk, "preset": "telemedicine"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["preset"] == "telemedicine"
    assert created.json()["special_category_exception"] == "h"
    unknown = api.post(
        f"{BASE}/processing-activities/from-preset",
        {"establishment_id": establishment_a.pk, "preset": "nope"},
    )
    assert unknown.status_code == 422


def test_export_formats(api, establishment_a):
    api.post(f"{BASE}/processing-activities", activity_body(establishment_a))
    csv = api.get(f"{BASE}/processing-activities/export/csv")
    assert csv.status_code == 200 and "Dossier patient" in csv.content.decode("utf-8-sig")
    assert api.get(f"{BASE}/processing-activities/export/xlsx").content[:2] == b"PK"
    assert api.get(f"{BASE}/processing-activities/export/pdf").content.startswith(b"%PDF")
    assert api.get(f"{BASE}/processing-activities/export/doc").status_code == 422


def test_dpia_through_the_api(api, establishment_a):
    activity = api.post(f"{BASE}/processing-activities", activity_body(establishment_a)).json()
    created = api.post(
        f"{BASE}/dpias",
        {
            "establishment_id": establishment_a.pk,
            "processing_id": activity["id"],
            "title": "AIPD DPI",
            "action_plan": "Revue des accès",
        },
    )
    assert created.status_code == 201, created.content
    dpia = created.json()
    assert [r["kind"] for r in dpia["risks"]] == [
        "illegitimate_access",
        "unwanted_modification",
        "disappearance",
    ]
    assert dpia["assessment"]["is_ready_for_validation"] is False
    item = f"{BASE}/dpias/{dpia['id']}"
    refused = api.post(f"{item}/submit")
    assert refused.status_code == 422
    principles = [{"key": key, "evaluation": "acceptable"} for key in PRINCIPLE_KEYS]
    assert api.put(f"{item}/principles", {"principles": principles}).status_code == 200
    bad = api.put(f"{item}/principles", {"principles": [{"key": "x", "evaluation": "acceptable"}]})
    assert bad.status_code == 422
    for risk in dpia["risks"]:
        response = api.patch(
            f"{item}/risks/{risk['id']}",
            {
                "existing_measures": "Sauvegardes",
                "severity": 4,
                "likelihood": 4,
                "residual_severity": 4,
                "residual_likelihood": 3,
            },
        )
        assert response.status_code == 200, response.content
    assert api.patch(f"{item}/risks/{dpia['risks'][0]['id']}", {"severity": 5}).status_code == 422
    state = api.get(item).json()["assessment"]
    assert state["requires_prior_consultation"] is True
    assert {r["residual"] for r in state["risks"]} == {"unacceptable"}
    assert api.post(f"{item}/submit").status_code == 200
    validated = api.post(
        f"{item}/validate",
        {"dpo_decision": "with_reservations", "dpo_opinion": "Consulter la CNIL"},
    )
    assert validated.status_code == 200, validated.content
    assert validated.json()["status"] == "validated"
    pdf = api.get(f"{item}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_other_establishment_dpia_is_404(api, make_user, establishment_b):
    other = APIClient(issue_token(make_user("bea", "dpo", [establishment_b])))
    activity = other.post(f"{BASE}/processing-activities", activity_body(establishment_b)).json()
    dpia = other.post(
        f"{BASE}/dpias",
        {"establishment_id": establishment_b.pk, "processing_id": activity["id"], "title": "B"},
    ).json()
    assert api.get(f"{BASE}/dpias/{dpia['id']}").status_code == 404
    assert api.get(f"{BASE}/dpias/{dpia['id']}/pdf").status_code == 404
    risk_id = dpia["risks"][0]["id"]
    assert (
        api.patch(f"{BASE}/dpias/{dpia['id']}/risks/{risk_id}", {"severity": 1}).status_code == 404
    )


def test_reader_may_not_write(make_user, establishment_a):
    auditor = APIClient(issue_token(make_user("audrey", "auditor", [establishment_a])))
    assert auditor.get(f"{BASE}/processing-activities").status_code == 200
    response = auditor.post(f"{BASE}/processing-activities", activity_body(establishment_a))
    assert response.status_code == 403


def test_a_content_change_through_the_api_reopens_a_validated_dpia(api, establishment_a):
    from hygie.compliance.models import DPIA

    activity = api.post(f"{BASE}/processing-activities", activity_body(establishment_a)).json()
    dpia_id = api.post(
        f"{BASE}/dpias",
        {"establishment_id": establishment_a.pk, "processing_id": activity["id"], "title": "A"},
    ).json()["id"]
    DPIA.objects.filter(pk=dpia_id).update(status="validated", dpo_decision="favourable")
    assert api.patch(f"{BASE}/dpias/{dpia_id}", {"title": "B"}).json()["status"] == "in_progress"
    DPIA.objects.filter(pk=dpia_id).update(status="validated", dpo_decision="favourable")
    # Saving without a content change keeps the opinion.
    assert api.patch(f"{BASE}/dpias/{dpia_id}", {"title": "B"}).json()["status"] == "validated"
