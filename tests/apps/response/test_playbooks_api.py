"""Playbook API: list/detail with the parsed structure, create/update with every YAML problem
(paths and lines), validate (dry run), review, copy, delete, apply to an incident, progress."""

from __future__ import annotations

import pytest

from hygie.core.models import Establishment, Organisation
from hygie.response.models import AppliedPlaybook, Playbook, Task
from hygie.response.services import playbooks as service
from tests.apps.core.api_support import APIClient, error_of, issue_token
from tests.apps.response.test_playbooks_services import OWN

pytestmark = pytest.mark.django_db

BASE = "/response/playbooks"


@pytest.fixture
def api(user_a) -> APIClient:
    return APIClient(issue_token(user_a, "write"))


@pytest.fixture
def reader(make_user, establishment_a) -> APIClient:
    return APIClient(issue_token(make_user("auditor-api", "auditor", [establishment_a]), "write"))


@pytest.fixture
def foreign() -> Playbook:
    other = Organisation.objects.create(name="Autre GHT")
    Establishment.objects.create(organisation=other, name="CH Gamma")
    return Playbook.objects.create(
        organisation=other,
        key="secret-plan",
        title="Plan secret",
        version="1.0.0",
        source=OWN.replace("power-outage", "secret-plan"),
    )


def test_list_and_filter(api, foreign) -> None:
    response = api.get(BASE)
    assert response.status_code == 200
    items = response.json()
    assert len(items) == 8 and all(item["is_shipped"] for item in items)
    ransomware = next(item for item in items if item["key"] == "ransomware")
    assert ransomware["id"] is None and ransomware["steps"] == 26
    assert ransomware["contacts_to_complete"] > 0
    assert [i["key"] for i in api.get(BASE, {"category": "loss_theft"}).json()] == [
        "lost-stolen-device"
    ]


def test_shipped_detail_with_parsed_structure(api) -> None:
    body = api.get(f"{BASE}/shipped/ransomware").json()
    assert body["source"].startswith("# Hygie incident response playbook")
    phases = body["playbook"]["phases"]
    assert phases[0]["key"] == "triage"
    assert phases[0]["steps"][0] == {
        "id": "open-main-courante",
        "title": {"fr": "Ouvrir la main courante", "en": "Open the incident log (main courante)"},
        "description": phases[0]["steps"][0]["description"],
        "owner_role": "rssi",
        "due_after": "PT15M",
        "due_from": "discovery",
        "decision": None,
        "references": ["CERTFR-2024-RFX-001"],
        "obligations": [],
    }
    assert error_of(api.get(f"{BASE}/shipped/nope"))["code"] == "not_found"


def test_create_with_every_problem_and_its_line(api) -> None:
    bad = OWN.replace("PT30M", "soon").replace("[other, ", "[volcano, ")
    response = api.post(BASE, {"source": bad})
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_data"
    assert error["fields"]["categories[0]"][0].startswith("line 6: unknown incident category")
    assert error["fields"]["phases.triage.steps[0].due_after"][0].startswith("line 12: ")
    assert not Playbook.objects.exists()


def test_create_update_review_copy_delete(api, organisation) -> None:
    response = api.post(BASE, {"source": OWN})
    assert response.status_code == 201
    created = response.json()
    assert created["organisation"] == organisation.pk and created["version"] == "1.0.0"
    assert created["playbook"]["phases"][1]["steps"][0]["due_from"] == "application"
    pk = created["id"]
    assert api.get(f"{BASE}/{pk}").json()["key"] == "power-outage"
    updated = api.put(f"{BASE}/{pk}", {"source": OWN.replace("Call facilities", "Call")})
    assert updated.status_code == 200 and updated.json()["version"] == "1.0.1"
    bad = api.put(f"{BASE}/{pk}", {"source": "key: [\n"})
    assert bad.status_code == 422 and "(document)" in error_of(bad)["fields"]
    reviewed = api.post(f"{BASE}/{pk}/review")
    assert reviewed.json()["reviewed_at"] is not None
    copy = api.post(f"{BASE}/{pk}/copy", {})
    assert copy.status_code == 201 and copy.json()["key"] == "power-outage-copy"
    assert api.post(BASE, {"source": OWN}).status_code == 422  # key already used
    assert api.delete(f"{BASE}/{copy.json()['id']}").status_code == 204
    assert Playbook.objects.count() == 1


def test_copy_shipped(api) -> None:
    response = api.post(f"{BASE}/shipped/ddos/copy", {})
    assert response.status_code == 201 and response.json()["based_on"] == "ddos"
    again = api.post(f"{BASE}/shipped/ddos/copy", {})
    assert again.status_code == 422
    assert api.post(f"{BASE}/shipped/nope/copy", {}).status_code == 404
    listed = {item["key"]: item for item in api.get(BASE).json() if item["is_shipped"]}
    assert listed["ddos"]["overridden"] is True


def test_validate_dry_run(api, reader) -> None:
    ok = api.post(f"{BASE}/validate", {"source": OWN}).json()
    assert ok == {"valid": True, "problems": []}
    result = reader.post(f"{BASE}/validate", {"source": OWN.replace("PT2H", "2h")}).json()
    assert result["valid"] is False
    assert result["problems"] == [
        {
            "path": "phases.recovery.steps[0].due_after",
            "line": 17,
            "column": 20,
            "message": result["problems"][0]["message"],
        }
    ]
    assert not Playbook.objects.exists()


def test_permissions(reader, own_playbook) -> None:
    assert reader.get(BASE).status_code == 200
    for response in (
        reader.post(BASE, {"source": OWN}),
        reader.put(f"{BASE}/{own_playbook.pk}", {"source": OWN}),
        reader.delete(f"{BASE}/{own_playbook.pk}"),
        reader.post(f"{BASE}/{own_playbook.pk}/review"),
        reader.post(f"{BASE}/shipped/ddos/copy", {}),
    ):
        assert response.status_code == 403, response.content
        assert error_of(response)["code"] == "forbidden"
    assert Playbook.objects.count() == 1


@pytest.fixture
def own_playbook(user_a, organisation) -> Playbook:
    return service.save_playbook(user_a, OWN, organisation=organisation)


def test_other_organisation_is_404(api, foreign) -> None:
    for response in (
        api.get(f"{BASE}/{foreign.pk}"),
        api.put(f"{BASE}/{foreign.pk}", {"source": OWN}),
        api.delete(f"{BASE}/{foreign.pk}"),
        api.post(f"{BASE}/{foreign.pk}/review"),
        api.post(f"{BASE}/{foreign.pk}/copy", {}),
    ):
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.reviewed_at is None and Playbook.objects.count() == 1
    org = Organisation.objects.get(name="Autre GHT")
    refused = api.post(BASE, {"source": OWN, "organisation": org.pk})
    assert refused.status_code == 422 and "organisation" in error_of(refused)["fields"]


def test_unauthenticated() -> None:
    assert APIClient(None).get(BASE).status_code == 401


def test_apply_and_progress(api, incident) -> None:
    url = f"/response/incidents/{incident.pk}/playbooks"
    response = api.post(url, {"key": "ransomware"})
    assert response.status_code == 201
    applied = response.json()
    assert applied["key"] == "ransomware" and applied["tasks"] == 26
    assert applied["progress"][0] == {"phase": "triage", "done": 0, "total": 7, "percent": 0}
    Task.objects.filter(incident=incident, step_key="open-main-courante").update(status="done")
    one = api.get(f"{url}/{applied['id']}").json()
    assert one["progress"][0] == {"phase": "triage", "done": 1, "total": 7, "percent": 14}
    assert [a["key"] for a in api.get(url).json()] == ["ransomware"]
    twice = api.post(url, {"key": "ransomware"})
    assert twice.status_code == 422 and "key" in error_of(twice)["fields"]
    assert api.post(url, {"key": "Bad Key"}).status_code == 422
    assert AppliedPlaybook.objects.count() == 1


def test_apply_scoping_and_permissions(api, reader, incident, incident_b) -> None:
    other = f"/response/incidents/{incident_b.pk}/playbooks"
    assert api.post(other, {"key": "ransomware"}).status_code == 404
    assert api.get(other).status_code == 404
    mine = f"/response/incidents/{incident.pk}/playbooks"
    assert reader.post(mine, {"key": "ransomware"}).status_code == 403
    assert reader.get(mine).status_code == 200
    assert api.get(f"{mine}/999999").status_code == 404
    assert not Task.objects.exists()
