"""Incident API: CRUD, filters, lifecycle, tasks, timeline, observables, evidence (multipart,
download), comments, watchers; scoping (another establishment's incident is a 404), capability
checks (403), read tokens (no writes) and audit entries on reads."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hygie.core.models import Alert, AuditEntry, Department
from hygie.response.models import CustodyEvent, Incident
from tests.apps.core.api_support import APIClient, error_of, issue_token

BASE = "/response/incidents"


@pytest.fixture
def api_a(user_a):
    return APIClient(issue_token(user_a))


@pytest.fixture
def api_b(user_b):
    return APIClient(issue_token(user_b))


def test_create_list_get_and_update(api_a, establishment_a):
    radiology = Department.objects.create(establishment=establishment_a, name="Radiologie")
    created = api_a.post(
        BASE,
        {
            "establishment_id": establishment_a.pk,
            "title": "Vol d'un ordinateur portable",
            "category": "loss_theft",
            "severity": 40,
            "discovered_at": "2026-03-10T03:15:00+01:00",
            "department_ids": [radiology.pk],
            "personal_data": "true",
            "data_categories": ["health"],
            "individuals_affected": 320,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["reference"].startswith("INC-") and body["status"] == "new"
    assert body["discovered_at"] == "2026-03-10T02:15:00Z"
    assert body["department_ids"] == [radiology.pk]
    listed = api_a.get(BASE, {"state": "open", "q": "portable"}).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == body["id"]
    assert api_a.get(BASE, {"state": "closed"}).json()["count"] == 0
    assert api_a.get(BASE, {"category": "ransomware"}).json()["count"] == 0
    updated = api_a.patch(f"{BASE}/{body['id']}", {"severity": 50, "care_impact": "degraded_mode"})
    assert updated.status_code == 200, updated.content
    assert (updated.json()["severity"], updated.json()["care_impact"]) == (50, "degraded_mode")
    timeline = api_a.get(f"{BASE}/{body['id']}/timeline").json()["items"]
    assert any(entry["text"] == "Severity: High → Critical." for entry in timeline)


def test_get_records_a_view(api_a, incident):
    response = api_a.get(f"{BASE}/{incident.pk}")
    assert response.status_code == 200
    assert AuditEntry.objects.filter(
        action="view", object_type="response.incident", object_id=str(incident.pk), channel="api"
    ).exists()


def test_create_validation_errors(api_a, establishment_a):
    missing = api_a.post(BASE, {"title": "x"})
    assert missing.status_code == 422
    assert {"establishment_id", "discovered_at"} <= set(error_of(missing)["fields"])
    future = api_a.post(
        BASE,
        {
            "establishment_id": establishment_a.pk,
            "title": "x",
            "discovered_at": (timezone.now() + timedelta(days=1)).isoformat(),
        },
    )
    assert future.status_code == 422 and "discovered_at" in error_of(future)["fields"]
    bad = api_a.post(
        BASE,
        {
            "establishment_id": establishment_a.pk,
            "title": "x",
            "discovered_at": "2026-03-10T03:15:00Z",
            "severity": 35,
        },
    )
    assert bad.status_code == 422
    assert not Incident.objects.exists()


def test_create_from_alerts(api_a, establishment_a, establishment_b):
    now = timezone.now()
    mine = Alert.objects.create(
        establishment=establishment_a,
        source="awareness",
        title="Courriel signalé",
        severity=20,
        first_seen_at=now - timedelta(hours=1),
        last_seen_at=now,
    )
    theirs = Alert.objects.create(
        establishment=establishment_b,
        source="detection",
        title="B",
        first_seen_at=now,
        last_seen_at=now,
    )
    refused = api_a.post(BASE, {"alert_ids": [mine.pk, theirs.pk]})
    assert refused.status_code == 422 and error_of(refused)["fields"] == {
        "alerts": ["Unknown alert."]
    }
    created = api_a.post(BASE, {"alert_ids": [mine.pk]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["source"], body["category"], body["alert_ids"]) == (
        "phishing_report",
        "phishing",
        [mine.pk],
    )
    mine.refresh_from_db()
    assert mine.status == "escalated"


def test_other_establishment_is_404_everywhere(api_a, incident_b):
    for path in (
        "",
        "/timeline",
        "/tasks",
        "/observables",
        "/evidence",
        "/comments",
        "/watchers",
        "/transitions",
    ):
        response = api_a.get(f"{BASE}/{incident_b.pk}{path}")
        assert response.status_code == 404, path
        assert error_of(response)["code"] == "not_found"
    assert api_a.patch(f"{BASE}/{incident_b.pk}", {"severity": 10}).status_code == 404
    assert (
        api_a.post(f"{BASE}/{incident_b.pk}/transitions", {"to_status": "triage"}).status_code
        == 404
    )
    assert api_a.get(BASE).json()["count"] == 0
    incident_b.refresh_from_db()
    assert incident_b.status == "new" and incident_b.severity == 30


def test_read_only_role_and_read_token(make_user, establishment_a, incident, user_a):
    auditor = APIClient(issue_token(make_user("aud", "auditor", [establishment_a])))
    assert auditor.get(f"{BASE}/{incident.pk}").status_code == 200
    forbidden = auditor.post(f"{BASE}/{incident.pk}/transitions", {"to_status": "triage"})
    assert forbidden.status_code == 403 and error_of(forbidden)["code"] == "forbidden"
    assert auditor.post(f"{BASE}/{incident.pk}/comments", {"text": "x"}).status_code == 403
    reader = APIClient(issue_token(user_a, "read"))
    assert reader.post(
        f"{BASE}/{incident.pk}/transitions", {"to_status": "triage"}
    ).status_code in (401, 403)
    trainer = APIClient(issue_token(make_user("trainer", "trainer", [establishment_a])))
    assert trainer.get(BASE).status_code == 403
    incident.refresh_from_db()
    assert incident.status == "new"


def test_lifecycle(api_a, incident):
    ok = api_a.post(f"{BASE}/{incident.pk}/transitions", {"to_status": "containment"})
    assert ok.status_code == 201 and ok.json()["from_status"] == "new"
    refused = api_a.post(f"{BASE}/{incident.pk}/transitions", {"to_status": "triage"})
    assert refused.status_code == 422 and "status" in error_of(refused)["fields"]
    back = api_a.post(
        f"{BASE}/{incident.pk}/transitions", {"to_status": "triage", "note": "Périmètre à revoir"}
    )
    assert back.status_code == 201
    history = api_a.get(f"{BASE}/{incident.pk}/transitions").json()
    assert [row["to_status"] for row in history][-2:] == ["containment", "triage"]
    body = api_a.get(f"{BASE}/{incident.pk}").json()
    # Going back into triage is its first entry: the milestone is stamped then.
    assert body["status"] == "triage" and body["contained_at"] and body["triaged_at"]


def test_assignee_and_watchers(api_a, incident, user_a, user_b, make_user, establishment_a):
    assert (
        api_a.put(f"{BASE}/{incident.pk}/assignee", {"assignee_id": user_a.pk}).json()[
            "assignee_id"
        ]
        == user_a.pk
    )
    wrong = api_a.put(f"{BASE}/{incident.pk}/assignee", {"assignee_id": user_b.pk})
    assert wrong.status_code == 422
    assert (
        api_a.put(f"{BASE}/{incident.pk}/assignee", {"assignee_id": None}).json()["assignee_id"]
        is None
    )
    auditor = make_user("aud", "auditor", [establishment_a])
    added = api_a.post(f"{BASE}/{incident.pk}/watchers", {"user_id": auditor.pk})
    assert added.status_code == 201
    assert auditor.pk in [w["id"] for w in added.json()]
    assert api_a.post(f"{BASE}/{incident.pk}/watchers", {"user_id": user_b.pk}).status_code == 422
    assert api_a.delete(f"{BASE}/{incident.pk}/watchers/{auditor.pk}").status_code == 204
    assert not incident.watchers.filter(pk=auditor.pk).exists()


def test_tasks(api_a, incident, user_a):
    created = api_a.post(
        f"{BASE}/{incident.pk}/tasks",
        {
            "title": "Trancher : mode dégradé ?",
            "is_decision": True,
            "owner_id": user_a.pk,
            "due_at": "2026-03-10T12:00:00+01:00",
            "phase": "containment",
        },
    )
    assert created.status_code == 201, created.content
    task = created.json()
    assert task["due_at"] == "2026-03-10T11:00:00Z"
    path = f"{BASE}/{incident.pk}/tasks/{task['id']}"
    assert api_a.patch(path, {"title": "Mode dégradé ?"}).json()["title"] == "Mode dégradé ?"
    refused = api_a.post(path + "/status", {"status": "done"})
    assert refused.status_code == 422 and "decision" in error_of(refused)["fields"]
    done = api_a.post(path + "/status", {"status": "done", "decision": "Oui, en radiologie"})
    assert done.json()["status"] == "done" and done.json()["completed_by_id"] == user_a.pk
    assert len(api_a.get(f"{BASE}/{incident.pk}/tasks").json()) == 1
    assert (
        api_a.post(f"{BASE}/{incident.pk}/tasks/999999/status", {"status": "done"}).status_code
        == 404
    )


def test_timeline_observables_comments(api_a, incident):
    entry = api_a.post(
        f"{BASE}/{incident.pk}/timeline",
        {"text": "Appel de l'ARS", "kind": "log", "at": "2026-03-10T10:30:00+01:00"},
    )
    assert entry.status_code == 201 and entry.json()["at"] == "2026-03-10T09:30:00Z"
    future = api_a.post(
        f"{BASE}/{incident.pk}/timeline",
        {"text": "x", "at": (timezone.now() + timedelta(days=1)).isoformat()},
    )
    assert future.status_code == 422
    added = api_a.post(
        f"{BASE}/{incident.pk}/observables",
        {"kind": "url", "value": "hxxp://evil[.]example[.]net/a"},
    )
    assert added.status_code == 201 and added.json()["value"] == "http://evil.example.net/a"
    again = api_a.post(
        f"{BASE}/{incident.pk}/observables", {"kind": "url", "value": "http://EVIL.example.net/a"}
    )
    assert again.status_code == 200 and again.json()["id"] == added.json()["id"]
    bad = api_a.post(f"{BASE}/{incident.pk}/observables", {"kind": "ip", "value": "1.2.3"})
    assert bad.status_code == 422 and "value" in error_of(bad)["fields"]
    assert api_a.delete(f"{BASE}/{incident.pk}/observables/{added.json()['id']}").status_code == 204
    comment = api_a.post(f"{BASE}/{incident.pk}/comments", {"text": "Point à 12 h"})
    assert comment.status_code == 201
    comments = api_a.get(f"{BASE}/{incident.pk}/comments").json()
    assert comments["items"][0]["text"] == "Point à 12 h"
    assert AuditEntry.objects.filter(action="view", message="comments read").exists()


def test_evidence_upload_download_custody_verify(api_a, incident):
    content = b"journal synthetique du pare-feu\n"
    uploaded = api_a.upload(
        f"{BASE}/{incident.pk}/evidence",
        {
            "title": "Journal pare-feu",
            "location": "Coffre",
            "file": SimpleUploadedFile("fw.log", content, content_type="text/plain"),
        },
    )
    assert uploaded.status_code == 201, uploaded.content
    body = uploaded.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert [event["action"] for event in body["custody"]] == ["collected"]
    refused = api_a.upload(
        f"{BASE}/{incident.pk}/evidence",
        {"title": "x", "file": SimpleUploadedFile("x.pdf", b"MZ not a pdf")},
    )
    assert refused.status_code == 415
    base = f"{BASE}/{incident.pk}/evidence/{body['id']}"
    download = api_a.get(base + "/download")
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert CustodyEvent.objects.filter(item_id=body["id"], action="downloaded").exists()
    sealed = api_a.post(base + "/custody", {"action": "sealed", "note": "Scellé 42"})
    assert sealed.status_code == 201
    assert api_a.post(base + "/custody", {"action": "transferred"}).status_code == 422
    verified = api_a.post(base + "/verify")
    assert verified.status_code == 200 and verified.json()["matches"] is True
    listed = api_a.get(f"{BASE}/{incident.pk}/evidence").json()
    assert [e["action"] for e in listed[0]["custody"]] == [
        "collected",
        "downloaded",
        "sealed",
        "verified",
    ]


def test_create_no_personal_data_with_people_affected_is_refused(api_a, establishment_a):
    refused = api_a.post(
        BASE,
        {
            "establishment_id": establishment_a.pk,
            "title": "Fuite",
            "discovered_at": "2026-03-10T03:15:00Z",
            "personal_data": "false",
            "data_categories": ["health"],
            "individuals_affected": 1200,
        },
    )
    assert refused.status_code == 422
    assert "personal_data" in error_of(refused)["fields"]
