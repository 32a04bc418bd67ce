"""Crisis exercise API: CRUD, start/end, poll (due injects, once), deliver, entries, report,
permissions and establishment scoping, the one error format."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.response.choices import ExerciseStatus
from hygie.response.models import Exercise
from hygie.response.services import exercises as service
from tests.apps.core.api_support import APIClient, error_of, issue_token

BASE = "/response/exercises"


@pytest.fixture
def api(user_a):
    return APIClient(issue_token(user_a))


@pytest.fixture
def plan(api, establishment_a):
    def do(**extra):
        body = {
            "establishment_id": establishment_a.pk,
            "scenario_key": "ransomware-ehr",
            "planned_for": "2026-06-01T11:00:00+02:00",
            **extra,
        }
        response = api.post(BASE, body)
        assert response.status_code == 201, response.content
        return response.json()

    return do


def backdate(exercise_id: int, minutes: float) -> None:
    exercise = Exercise.objects.get(pk=exercise_id)
    Exercise.objects.filter(pk=exercise_id).update(
        started_at=exercise.started_at - timedelta(minutes=minutes)
    )


def test_list_scenarios(api):
    response = api.get(f"{BASE}/scenarios")
    assert response.status_code == 200
    by_key = {item["key"]: item for item in response.json()}
    assert by_key["ransomware-ehr"]["duration"] == "PT3H"
    assert by_key["ransomware-ehr"]["title"] == "Ransomware on the electronic health record"
    assert by_key["phi-leak-press"]["injects"] == 12


def test_create_get_list_patch(api, plan, user_a):
    created = plan(participant_ids=[user_a.pk])
    assert created["status"] == "planned" and created["scenario_version"] == 1
    assert created["planned_for"].startswith("2026-06-01T09:00:00")  # stored in UTC
    assert created["participant_ids"] == [user_a.pk]
    assert (
        api.get(f"{BASE}/{created['id']}").json()["title"]
        == "Ransomware on the electronic health record"
    )
    listing = api.get(BASE, {"status": "planned"}).json()
    assert listing["count"] == 1
    assert api.get(BASE, {"status": "running"}).json()["count"] == 0
    patched = api.patch(
        f"{BASE}/{created['id']}", {"title": "Exercice annuel", "participant_ids": []}
    )
    assert patched.status_code == 200
    assert patched.json()["title"] == "Exercice annuel" and patched.json()["participant_ids"] == []
    assert error_of(api.get(BASE, {"ordering": "secret"}))["code"] == "invalid_data"


def test_hostile_scenario_sources_are_refused_with_their_line(api, establishment_a):
    # Issue 9: a deeply nested scenario tied a web thread for about a minute.
    body = {
        "establishment_id": establishment_a.pk,
        "scenario_key": "",
        "planned_for": "2026-06-01T09:00:00Z",
    }
    hostile = {
        "schema_version: 1\ninjects: " + "[" * 60_000 + "]" * 60_000 + "\n": (
            "scenario:2:",
            "nested deeper than 10 levels",
        ),
        "a: &a [x, x]\nb: [*a, *a]\n": ("scenario:1:", "YAML anchors and aliases"),
        "schema_version: 1\nkey: a\nkey: b\n": (
            "scenario:3:",
            "key: key given twice (first on line 2)",
        ),
    }
    for source, (where, message) in hostile.items():
        fields = error_of(api.post(BASE, {**body, "scenario_source": source}))["fields"]
        assert any(
            text.startswith(where) and message in text for text in fields["scenario_source"]
        ), fields
    assert not Exercise.objects.exists()


def test_create_validation_errors(api, establishment_a, establishment_b, user_b):
    body = {
        "establishment_id": establishment_a.pk,
        "scenario_key": "nope",
        "planned_for": "2026-06-01T09:00:00Z",
    }
    assert error_of(api.post(BASE, body))["fields"]["scenario_key"]
    body["scenario_key"] = ""
    body["scenario_source"] = "schema_version: 1\nkey: x\n"
    fields = error_of(api.post(BASE, body))["fields"]["scenario_source"]
    assert any("missing required key: injects" in message for message in fields)
    body.update(scenario_source="", scenario_key="ransomware-ehr", participant_ids=[user_b.pk])
    assert api.post(BASE, body).status_code == 422
    body.update(participant_ids=[], establishment_id=establishment_b.pk)
    assert error_of(api.post(BASE, body))["fields"]["establishment_id"]
    assert not Exercise.objects.exists()


def test_run_poll_deliver_log_end_report(api, plan):
    exercise_id = plan(scenario_key="phi-leak-press")["id"]
    started = api.post(f"{BASE}/{exercise_id}/start")
    assert started.status_code == 200 and started.json()["status"] == "running"
    assert api.post(f"{BASE}/{exercise_id}/start").status_code == 422
    backdate(exercise_id, 21)
    poll = api.get(f"{BASE}/{exercise_id}/due-injects").json()
    assert [entry["inject_key"] for entry in poll["delivered_now"]] == ["crisis-cell", "sample"]
    assert [item["id"] for item in poll["delivered"]] == [
        "journalist-call",
        "crisis-cell",
        "sample",
    ]
    assert poll["next_inject_id"] == "source-found"
    assert 13 * 60 <= poll["next_inject_in_seconds"] <= 14 * 60
    again = api.get(f"{BASE}/{exercise_id}/due-injects").json()
    assert again["delivered_now"] == [] and len(again["delivered"]) == 3
    early = api.post(f"{BASE}/{exercise_id}/deliver", {}).json()
    assert [entry["inject_key"] for entry in early["delivered_now"]] == ["source-found"]
    assert error_of(api.post(f"{BASE}/{exercise_id}/deliver", {"inject_id": "sample"}))["fields"][
        "inject"
    ]
    entry = api.post(
        f"{BASE}/{exercise_id}/entries", {"kind": "decision", "text": "Porte-parole unique désigné"}
    )
    assert entry.status_code == 201 and entry.json()["elapsed_seconds"] >= 21 * 60
    assert (
        api.post(f"{BASE}/{exercise_id}/entries", {"kind": "inject", "text": "x"}).status_code
        == 422
    )
    entries = api.get(f"{BASE}/{exercise_id}/entries").json()
    assert entries["count"] == 5
    assert [item["kind"] for item in entries["items"]].count("decision") == 1
    injects = api.get(f"{BASE}/{exercise_id}/injects").json()
    assert injects[4]["obligations"] == ["gdpr_art33", "gdpr_breach_register", "cert_sante"]
    assert api.post(f"{BASE}/{exercise_id}/report", {"summary": "x"}).status_code == 422
    assert api.get(f"{BASE}/{exercise_id}/report.pdf").status_code == 404
    ended = api.post(f"{BASE}/{exercise_id}/end")
    assert ended.json()["status"] == "completed" and ended.json()["ended_at"]
    report = api.post(
        f"{BASE}/{exercise_id}/report",
        {"summary": "Fuite qualifiée en 35 minutes.", "action_plan": "Contrôler les exports"},
    )
    assert report.status_code == 200 and report.json()["report_evidence_id"]
    pdf = api.get(f"{BASE}/{exercise_id}/report.pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert api.delete(f"{BASE}/{exercise_id}").status_code == 422  # evidence is kept


def test_delete_planned(api, plan):
    exercise_id = plan()["id"]
    assert api.delete(f"{BASE}/{exercise_id}").status_code == 204
    assert api.get(f"{BASE}/{exercise_id}").status_code == 404


def test_other_establishment_is_404(api, establishment_b):
    theirs = Exercise.objects.create(
        establishment=establishment_b,
        title="B",
        scenario_key="ransomware-ehr",
        scenario_source=service.shipped_scenarios()["ransomware-ehr"].source,
        planned_for=timezone.now(),
        status=ExerciseStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=1),
    )
    for method, suffix in [
        ("GET", ""),
        ("GET", "/due-injects"),
        ("GET", "/entries"),
        ("GET", "/injects"),
        ("POST", "/end"),
        ("POST", "/deliver"),
        ("DELETE", ""),
        ("GET", "/report.pdf"),
    ]:
        response = api.request(
            method, f"{BASE}/{theirs.pk}{suffix}", {} if method == "POST" else None
        )
        assert response.status_code == 404, suffix
        assert error_of(response)["code"] == "not_found"
    assert api.get(BASE).json()["count"] == 0
    assert not theirs.entries.exists()


def test_permissions(make_user, establishment_a, plan):
    exercise_id = plan()["id"]
    auditor = APIClient(issue_token(make_user("aud", "auditor", [establishment_a])))
    assert auditor.get(f"{BASE}/{exercise_id}").status_code == 200
    assert auditor.get(f"{BASE}/{exercise_id}/due-injects").status_code == 200
    assert error_of(auditor.post(f"{BASE}/{exercise_id}/start"))["code"] == "forbidden"
    assert auditor.get(f"{BASE}/{exercise_id}/injects").status_code == 403  # no reading ahead
    trainer = APIClient(issue_token(make_user("tr", "trainer", [establishment_a])))
    assert trainer.get(BASE).status_code == 403
    reader = APIClient(issue_token(make_user("ro", "rssi", [establishment_a]), scope="read"))
    assert reader.post(f"{BASE}/{exercise_id}/start").status_code == 403
    assert APIClient(None).get(BASE).status_code == 401
