"""Alerts, evidence, jobs, the audit trail and CSV import/export through /api/v1."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from hygie.core.models import Alert, AuditEntry, Department, Evidence, Job, Person
from tests.apps.core.api_support import APIClient, error_of, issue_token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def admin_a(make_user, establishment_a):
    return make_user("admin-a", "admin", [establishment_a])


@pytest.fixture
def api_a(admin_a):
    return APIClient(issue_token(admin_a, "write"))


def _alert(establishment, title, severity=30, status="new", source="detection"):
    now = timezone.now()
    return Alert.objects.create(
        establishment=establishment,
        source=source,
        title=title,
        severity=severity,
        status=status,
        first_seen_at=now,
        last_seen_at=now,
    )


# --- alerts ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_alert_filters(api_a, establishment_a, establishment_b):
    _alert(establishment_a, "Brute force on VPN", severity=40)
    _alert(establishment_a, "Macro in reported mail", severity=20, source="awareness")
    _alert(establishment_a, "Old closed", severity=50, status="closed")
    _alert(establishment_b, "Other establishment", severity=50)
    titles = lambda **params: [a["title"] for a in api_a.get("/alerts", params).json()["items"]]  # noqa: E731
    assert set(titles()) == {"Brute force on VPN", "Macro in reported mail", "Old closed"}
    assert set(titles(severity_min=40)) == {"Brute force on VPN", "Old closed"}
    assert titles(source="awareness") == ["Macro in reported mail"]
    assert titles(status="closed") == ["Old closed"]
    assert titles(ordering="-severity")[0] == "Old closed"
    future = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    assert titles(since=future) == []
    assert set(titles(severity_min=31)) == {"Brute force on VPN", "Old closed"}
    assert api_a.get("/alerts", {"severity_min": "high"}).status_code == 422


@pytest.mark.django_db
def test_alert_triage(api_a, admin_a, establishment_a):
    alert = _alert(establishment_a, "KEV on infusion pump")
    response = api_a.patch(
        f"/alerts/{alert.pk}", {"status": "acknowledged", "assignee_id": admin_a.pk}
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["assignee_id"]) == (
        "acknowledged",
        admin_a.pk,
    )
    assert AuditEntry.objects.filter(
        object_type="core.alert", action="update", channel="api"
    ).exists()
    unassigned = api_a.patch(f"/alerts/{alert.pk}", {"assignee_id": None})
    assert unassigned.json()["assignee_id"] is None


@pytest.mark.django_db
def test_alert_cannot_be_assigned_to_someone_of_another_establishment(
    api_a, establishment_a, user_b
):
    alert = _alert(establishment_a, "Snooping pattern")
    response = api_a.patch(f"/alerts/{alert.pk}", {"assignee_id": user_b.pk})
    assert response.status_code == 422
    assert "assignee_id" in error_of(response)["fields"]
    alert.refresh_from_db()
    assert alert.assignee_id is None


@pytest.mark.django_db
def test_alert_triage_needs_the_capability(make_user, establishment_a):
    auditor = make_user("auditor", "auditor", [establishment_a])
    alert = _alert(establishment_a, "Segmentation violation")
    api = APIClient(issue_token(auditor, "write"))
    assert api.get(f"/alerts/{alert.pk}").status_code == 200
    assert api.patch(f"/alerts/{alert.pk}", {"status": "closed"}).status_code == 403


# --- evidence ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_evidence_upload_and_download(api_a, establishment_a):
    response = api_a.upload(
        "/evidence",
        {
            "establishment_id": establishment_a.pk,
            "title": "PCA test report",
            "file": SimpleUploadedFile("rapport.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert (body["size"], body["content_type"], body["has_file"]) == (
        len(PDF),
        "application/pdf",
        True,
    )
    download = api_a.get(f"/evidence/{body['id']}/download")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert "attachment" in download["Content-Disposition"]
    assert AuditEntry.objects.filter(action="export", object_type="core.evidence").exists()
    assert api_a.get("/evidence", {"q": "PCA"}).json()["count"] == 1


@pytest.mark.django_db
def test_oversized_upload_is_refused_with_413(api_a, establishment_a, settings):
    settings.HYGIE_MAX_UPLOAD_BYTES = 16
    response = api_a.upload(
        "/evidence",
        {
            "establishment_id": establishment_a.pk,
            "title": "Too big",
            "file": SimpleUploadedFile("big.pdf", PDF),
        },
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert not Evidence.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name, content",
    [
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00executable"),  # a Windows program named .pdf
        ("script.sh", b"#!/bin/sh\nrm -rf /\n"),  # text, but not an allowed type
        ("photo.png", PDF),  # content and name disagree
    ],
)
def test_wrong_content_type_is_refused_with_415(api_a, establishment_a, name, content):
    response = api_a.upload(
        "/evidence",
        {
            "establishment_id": establishment_a.pk,
            "title": "Suspicious",
            "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
    )
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported_media_type"
    assert not Evidence.objects.exists()


@pytest.mark.django_db
def test_evidence_upload_into_another_establishment_is_forbidden(api_a, establishment_b):
    response = api_a.upload(
        "/evidence",
        {
            "establishment_id": establishment_b.pk,
            "title": "Elsewhere",
            "file": SimpleUploadedFile("r.pdf", PDF),
        },
    )
    assert response.status_code == 403
    assert not Evidence.objects.exists()


# --- jobs ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_jobs_show_progress(api_a, admin_a, establishment_a, establishment_b):
    job = Job.objects.create(
        kind="core.import_people",
        title="Import staff",
        establishment=establishment_a,
        created_by=admin_a,
        status="running",
        progress_done=25,
        progress_total=100,
    )
    Job.objects.create(kind="core.import_people", title="Other", establishment=establishment_b)
    listed = api_a.get("/jobs").json()
    assert [item["id"] for item in listed["items"]] == [job.pk]
    detail = api_a.get(f"/jobs/{job.pk}").json()
    assert (detail["percent"], detail["status"]) == (25, "running")
    assert api_a.get("/jobs", {"status": "succeeded"}).json()["count"] == 0


# --- audit ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_audit_list_filters_and_scope(api_a, establishment_a, establishment_b):
    Department.objects.create(establishment=establishment_a, name="Urgences")
    Department.objects.create(establishment=establishment_b, name="Hidden B")
    entries = api_a.get("/audit", {"object_type": "core.department"}).json()
    assert [e["object_repr"] for e in entries["items"]] == ["Urgences"]
    assert api_a.get("/audit", {"action": "delete"}).json()["count"] == 0
    assert api_a.get("/audit", {"action": "nonsense"}).status_code == 422
    sequence = entries["items"][0]["sequence"]
    entry_id = entries["items"][0]["id"]
    assert api_a.get(f"/audit/{entry_id}").json()["sequence"] == sequence


@pytest.mark.django_db
def test_audit_verify_reports_tampering(api_a, establishment_a):
    Department.objects.create(establishment=establishment_a, name="Bloc")
    assert api_a.get("/audit/verify").json()["is_intact"] is True
    target = AuditEntry.objects.order_by("sequence").last()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditentry SET object_repr = %s WHERE id = %s", ["forged", target.pk]
        )
    report = api_a.get("/audit/verify").json()
    assert report["is_intact"] is False
    assert (report["problem"]["sequence"], report["problem"]["kind"]) == (
        target.sequence,
        "modified",
    )


@pytest.mark.django_db
def test_audit_needs_the_capability(make_user, establishment_a):
    soc = make_user("soc", "soc_analyst", [establishment_a])
    api = APIClient(issue_token(soc, "read"))
    assert api.get("/audit").status_code == 403
    assert api.get("/audit/verify").status_code == 403


# --- CSV ---------------------------------------------------------------------------------------

PEOPLE_CSV = (
    "email,first_name,last_name,profession,department\n"
    "a.martin@example.org,Anne,Martin,IDE,Urgences\n"
    "b.durand@example.org,Bruno,Durand,Médecin,\n"
).encode()


@pytest.mark.django_db
def test_people_import_then_reimport_updates(api_a, establishment_a):
    Department.objects.create(establishment=establishment_a, name="Urgences")
    url = f"/people/import?establishment={establishment_a.pk}"
    first = api_a.upload(url, {"file": SimpleUploadedFile("staff.csv", PEOPLE_CSV)})
    assert first.status_code == 200, first.content
    assert (first.json()["created"], first.json()["updated"]) == (2, 0)
    changed = PEOPLE_CSV.replace(b"Anne,Martin,IDE", b"Anne,Martin,Cadre")
    second = api_a.upload(url, {"file": SimpleUploadedFile("staff.csv", changed)})
    assert (second.json()["created"], second.json()["updated"]) == (0, 1)
    assert Person.objects.get(email="a.martin@example.org").profession == "Cadre"


@pytest.mark.django_db
def test_bad_csv_imports_nothing_and_lists_problems(api_a, establishment_a):
    bad = b"email,first_name,last_name\nnot-an-email,Anne,Martin\nok@example.org,,Durand\n"
    response = api_a.upload(
        f"/people/import?establishment={establishment_a.pk}",
        {"file": SimpleUploadedFile("staff.csv", bad)},
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_csv"
    assert any(key.startswith("row 2") for key in error["fields"])
    assert any(key.startswith("row 3") for key in error["fields"])
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_import_into_another_establishment_is_forbidden(api_a, establishment_b):
    response = api_a.upload(
        f"/assets/import?establishment={establishment_b.pk}",
        {"file": SimpleUploadedFile("a.csv", b"hostname\npc-1\n")},
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_export_is_scoped_filtered_and_audited(api_a, establishment_a, establishment_b):
    Person.objects.create(
        establishment=establishment_a,
        first_name="Anne",
        last_name="Martin",
        email="anne@example.org",
    )
    Person.objects.create(
        establishment=establishment_b,
        first_name="Hidden",
        last_name="B",
        email="hidden@example.org",
    )
    response = api_a.get("/people/export.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "anne@example.org" in text and "hidden@example.org" not in text
    assert "anne@" not in api_a.get("/people/export.csv", {"q": "nobody"}).content.decode()
    assert AuditEntry.objects.filter(action="export", object_type="core.person").exists()


@pytest.mark.django_db
def test_oversized_csv_is_refused_with_413(api_a, establishment_a, settings):
    settings.HYGIE_MAX_UPLOAD_BYTES = 32
    response = api_a.upload(
        f"/people/import?establishment={establishment_a.pk}",
        {"file": SimpleUploadedFile("staff.csv", PEOPLE_CSV)},
    )
    assert response.status_code == 413
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_audit_verify_lists_checks_and_names_the_failed_one(api_a, establishment_a):
    from hygie.core.audit_checkpoints import write_checkpoint

    Department.objects.create(establishment=establishment_a, name="Bloc")
    write_checkpoint()
    report = api_a.get("/audit/verify").json()
    assert report["is_intact"] is True and report["checkpoints"] == 1
    assert report["keyed"] == report["checked"] and report["unanchored"] == 0
    assert {check["name"] for check in report["checks"]} >= {"entries", "checkpoint file"}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry")
        cursor.execute("DELETE FROM core_auditchainhead")
    report = api_a.get("/audit/verify").json()
    assert report["problem"]["check"] == "checkpoints"
    assert report["problem"]["kind"] == "wiped"
