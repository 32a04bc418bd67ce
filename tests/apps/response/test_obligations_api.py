"""REST API of the regulatory clocks (/api/v1/response/…) and the probe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hygie.core.registries import probes
from hygie.response.models import Incident, IncidentObligation, RegulatoryProfile
from tests.apps.core.api_support import APIClient, error_of, issue_token

pytestmark = pytest.mark.django_db
BASE = "/api/v1/response"


@pytest.fixture
def api_a(user_a):
    return APIClient(issue_token(user_a))


@pytest.fixture
def api_read(user_a):
    return APIClient(issue_token(user_a, "read"))


def obligation(incident, obligation_id="cert_sante"):
    return IncidentObligation.objects.get(incident=incident, obligation_id=obligation_id)


def test_list_defaults_to_applicable_and_is_scoped(api_a, incident, incident_b):
    body = api_a.get(f"{BASE}/obligations").json()
    assert (
        body["count"] == IncidentObligation.objects.filter(incident=incident, applies=True).count()
    )
    assert {item["incident_reference"] for item in body["items"]} == {incident.reference}
    item = next(i for i in body["items"] if i["obligation_id"] == "nis2_early_warning")
    assert item["due_at"].startswith("2026-03-11T09:00")
    assert item["timezone"] == "Europe/Paris" and item["verification"] == "UNVERIFIED"
    assert item["is_overdue"] is True and item["label"]


def test_obligations_carry_their_texts_in_both_languages(api_a, incident):
    target = obligation(incident, "cert_sante")
    body = api_a.get(f"{BASE}/obligations/{target.pk}").json()
    assert body["reason"] == target.reason  # the plain fields stay English
    assert body["texts"]["en"]["reason"] == target.reason
    assert body["texts"]["fr"]["reason"] == target.texts["fr"]["reason"]
    assert set(body["texts"]["fr"]) == {"title", "reason", "recipient", "notes", "deadline_rule"}
    IncidentObligation.objects.filter(pk=target.pk).update(texts={})
    old = api_a.get(f"{BASE}/obligations/{target.pk}").json()
    assert old["texts"]["fr"]["reason"] == target.reason  # English when none was stored


def test_list_filters(api_a, incident):
    every = api_a.get(f"{BASE}/obligations", {"applies": "false"}).json()
    assert all(not item["applies"] for item in every["items"]) and every["count"]
    overdue = api_a.get(f"{BASE}/obligations", {"overdue": "true"}).json()["items"]
    assert overdue and all(item["is_overdue"] for item in overdue)
    early = api_a.get(f"{BASE}/obligations", {"due_before": "2026-03-10T12:00:00Z"}).json()["items"]
    assert [i["obligation_id"] for i in early] == ["cert_sante"]  # "sans délai": due now
    assert api_a.get(f"{BASE}/obligations", {"status": "done"}).json()["count"] == 0
    assert (
        api_a.get(
            f"{BASE}/obligations",
            {"establishment": incident.establishment_id, "obligation_id": "nis2_notification"},
        ).json()["count"]
        == 1
    )
    bad = api_a.get(f"{BASE}/obligations", {"status": "finished"})
    assert bad.status_code == 422 and error_of(bad)["code"] == "invalid_request"


def test_incident_obligations_and_isolation(api_a, incident, incident_b):
    listed = api_a.get(f"{BASE}/incidents/{incident.pk}/obligations").json()
    assert len(listed) == 11
    assert api_a.get(f"{BASE}/incidents/{incident_b.pk}/obligations").status_code == 404
    other = obligation(incident_b)
    assert api_a.get(f"{BASE}/obligations/{other.pk}").status_code == 404
    response = api_a.post(
        f"{BASE}/obligations/{other.pk}/complete",
        {"done_at": "2026-04-01T10:00:00Z", "proof_reference": "X"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "pending"


def test_complete_json_refusals_then_success(api_a, incident):
    target = obligation(incident)
    url = f"{BASE}/obligations/{target.pk}/complete"
    no_proof = api_a.post(url, {"done_at": "2026-03-10T10:00:00Z"})
    assert no_proof.status_code == 422 and "proof_reference" in error_of(no_proof)["fields"]
    future = api_a.post(
        url, {"done_at": (timezone.now() + timedelta(days=1)).isoformat(), "proof_reference": "X"}
    )
    assert future.status_code == 422 and "done_at" in error_of(future)["fields"]
    missing = api_a.post(url, {"proof_reference": "X"})
    assert missing.status_code == 422 and "done_at" in error_of(missing)["fields"]
    done = api_a.post(
        url, {"done_at": "2026-03-10T10:30:00+01:00", "proof_reference": "SIG-2026-9"}
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done" and done.json()["done_at"].startswith("2026-03-10T09:30")
    assert done.json()["decided_by"] == "alice"


def test_complete_multipart_with_file(api_a, incident):
    target = obligation(incident, "gdpr_art33")
    proof = SimpleUploadedFile("ack.pdf", b"%PDF-1.4\n% synthetic\n%%EOF\n")
    response = api_a.upload(
        f"{BASE}/obligations/{target.pk}/complete",
        {"done_at": "2026-03-11T08:00:00Z", "proof_file": proof},
    )
    assert response.status_code == 200, response.content
    assert response.json()["proof_evidence_id"]
    refused = api_a.upload(
        f"{BASE}/obligations/{obligation(incident, 'nis2_notification').pk}/complete",
        {"done_at": "2026-03-11T08:00:00Z", "proof_file": SimpleUploadedFile("a.pdf", b"MZ\x00x")},
    )
    assert refused.status_code == 415


def test_not_applicable_and_reopen(api_a, incident):
    target = obligation(incident, "gdpr_breach_register")
    empty = api_a.post(f"{BASE}/obligations/{target.pk}/not-applicable", {"justification": ""})
    assert empty.status_code == 422
    ok = api_a.post(
        f"{BASE}/obligations/{target.pk}/not-applicable",
        {"justification": "Pas de données personnelles (vérifié)."},
    )
    assert ok.status_code == 200 and ok.json()["status"] == "not_applicable"
    again = api_a.post(f"{BASE}/obligations/{target.pk}/reopen")
    assert again.status_code == 200 and again.json()["status"] == "pending"
    twice = api_a.post(f"{BASE}/obligations/{target.pk}/reopen")
    assert twice.status_code == 422


def test_reassess(api_a, incident):
    Incident.objects.filter(pk=incident.pk).update(personal_data="false")  # no signal
    body = api_a.post(f"{BASE}/incidents/{incident.pk}/obligations/reassess").json()
    assert "gdpr_breach_register" in body["no_longer_applying"]
    assert len(body["obligations"]) == 11


def test_writes_need_capability_and_write_token(api_read, make_user, establishment_a, incident):
    target = obligation(incident)
    read = api_read.post(f"{BASE}/obligations/{target.pk}/reopen")
    assert read.status_code == 403
    analyst = APIClient(issue_token(make_user("soc", "soc_analyst", [establishment_a])))
    denied = analyst.post(f"{BASE}/obligations/{target.pk}/not-applicable", {"justification": "x"})
    assert denied.status_code == 403 and error_of(denied)["code"] == "forbidden"
    staff = APIClient(issue_token(make_user("staff", "staff", [establishment_a])))
    assert staff.get(f"{BASE}/obligations").status_code == 403


def test_profile_get_and_put(api_a, incident, establishment_a, establishment_b):
    url = f"{BASE}/establishments/{establishment_a.pk}/regulatory-profile"
    body = api_a.get(url).json()
    assert (body["type"], body["nis2"], body["country"], body["timezone"]) == (
        "hospital",
        "important",
        "FR",
        "Europe/Paris",
    )
    response = api_a.put(
        url,
        {
            "type": "hospital",
            "nis2": "none",
            "hipaa": "none",
            "gdpr_controller": True,
            "notification_emails": ["rssi@ch.example"],
        },
    )
    assert response.status_code == 200 and response.json()["notification_emails"] == [
        "rssi@ch.example"
    ]
    assert not obligation(incident, "nis2_early_warning").applies
    bad = api_a.put(
        url,
        {
            "type": "hospital",
            "nis2": "none",
            "hipaa": "none",
            "gdpr_controller": True,
            "notification_emails": ["nope"],
        },
    )
    assert bad.status_code == 422
    assert (
        api_a.get(f"{BASE}/establishments/{establishment_b.pk}/regulatory-profile").status_code
        == 404
    )
    assert RegulatoryProfile.objects.get(establishment=establishment_a).nis2 == "none"


# --- probe ----------------------------------------------------------------------------------


def _close(incident):
    Incident.objects.filter(pk=incident.pk).update(status="closed", closed_at=timezone.now())


def test_probe_not_applicable_without_closed_incidents(incident, establishment_a):
    result = probes.get("response.obligations_met_on_time").run(establishment_a)
    assert result.status == "not_applicable"


def test_probe_fails_on_late_or_open_obligations_then_passes(incident, establishment_a, user_a):
    from hygie.response.services import obligations as service

    _close(incident)
    run = probes.get("response.obligations_met_on_time").run
    result = run(establishment_a)
    assert result.status == "fail"
    assert {p["problem"] for p in result.data["unmet"]} == {"not_done"}
    assert "Chiffrement" not in str(result.data)  # ids and references only
    for row in IncidentObligation.objects.filter(incident=incident, applies=True):
        if row.obligation_id == "nis2_early_warning":
            # Late: the 24 h passed on 11 March at 09:00 UTC.
            service.complete_obligation(
                row,
                datetime(2026, 3, 12, 9, 0, tzinfo=UTC),
                user=user_a,
                proof_reference="CNIL-late",
            )
        elif row.deadline_kind in ("instant", "date", "relative"):
            service.complete_obligation(
                row, row.trigger_at + timedelta(hours=1), user=user_a, proof_reference="ON-TIME"
            )
        else:
            service.mark_not_applicable(
                row, "Traité par l'établissement support du GHT.", user=user_a
            )
    result = run(establishment_a)
    assert result.status == "fail"
    assert [(p["obligation_id"], p["problem"]) for p in result.data["unmet"]] == [
        ("nis2_early_warning", "late")
    ]
    late = obligation(incident, "nis2_early_warning")
    service.reopen_obligation(late, user=user_a)
    service.complete_obligation(
        late, datetime(2026, 3, 10, 20, 0, tzinfo=UTC), user=user_a, proof_reference="CNIL-ok"
    )
    assert run(establishment_a).status == "pass"
