"""The privacy API: scan roots CRUD, scans (root and upload), findings, triage, audit, roles."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hygie.core.models import AuditEntry
from hygie.privacy.models import PHIFinding, ScanRoot, ScanRun
from tests.apps.core.api_support import APIClient, error_of, issue_token
from tests.apps.privacy.conftest import CSV

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(dpo) -> APIClient:
    return APIClient(issue_token(dpo, "write"))


def test_scan_root_crud(api, establishment_a, allowed):
    folder = allowed / "rh"
    folder.mkdir()
    created = api.post(
        "/privacy/scan-roots",
        {
            "establishment_id": establishment_a.pk,
            "label": "Partage RH",
            "path": str(folder),
            "exposure": "shared_drive",
        },
    )
    assert created.status_code == 201, created.content
    root_id = created.json()["id"]
    assert api.get(f"/privacy/scan-roots/{root_id}").json()["label"] == "Partage RH"
    listed = api.get("/privacy/scan-roots", {"exposure": "shared_drive"}).json()
    assert [item["id"] for item in listed["items"]] == [root_id]
    patched = api.patch(f"/privacy/scan-roots/{root_id}", {"exposure": "mailbox"})
    assert patched.status_code == 200 and patched.json()["exposure"] == "mailbox"
    assert AuditEntry.objects.filter(action="update", object_type="privacy.scanroot").exists()
    assert api.delete(f"/privacy/scan-roots/{root_id}").status_code == 204
    assert not ScanRoot.objects.exists()


def test_scan_root_outside_allow_list_is_422(api, establishment_a, allowed):
    response = api.post(
        "/privacy/scan-roots",
        {"establishment_id": establishment_a.pk, "label": "Etc", "path": "/etc"},
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "invalid_data" and "path" in error["fields"]


def test_scan_root_in_other_establishment_is_403(api, establishment_b, allowed):
    response = api.post(
        "/privacy/scan-roots",
        {"establishment_id": establishment_b.pk, "label": "B", "path": str(allowed)},
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"


def test_start_scan_of_a_root_and_read_the_run(api, root_a):
    response = api.post("/privacy/scan-runs", {"root_id": root_a.pk})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "succeeded" and body["files_scanned"] == 3
    assert body["job_id"] is not None
    run = api.get(f"/privacy/scan-runs/{body['id']}").json()
    assert run["findings_count"] == body["findings_count"] > 0
    listed = api.get("/privacy/scan-runs", {"root": root_a.pk}).json()
    assert listed["count"] == 1


def test_start_scan_of_an_upload(api, establishment_a):
    upload = SimpleUploadedFile("export.csv", CSV.encode(), content_type="text/csv")
    response = api.upload(
        "/privacy/scan-runs/upload", {"establishment_id": establishment_a.pk, "file": upload}
    )
    assert response.status_code == 202, response.content
    run = ScanRun.objects.get(pk=response.json()["id"])
    assert PHIFinding.objects.filter(scan_run=run, entity_type="FR_NIR").get().count == 2


def test_upload_too_large_is_413(api, establishment_a, settings):
    settings.HYGIE_MAX_UPLOAD_BYTES = 16
    upload = SimpleUploadedFile("export.csv", CSV.encode(), content_type="text/csv")
    response = api.upload(
        "/privacy/scan-runs/upload", {"establishment_id": establishment_a.pk, "file": upload}
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "too_large"
    assert not ScanRun.objects.exists()


def test_findings_list_filters_audit_and_triage(api, scanned, dpo):
    response = api.get("/privacy/findings", {"entity_type": "FR_NIR", "ordering": "-risk_score"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert {item["relative_path"] for item in items} == {"exports/patients.csv", "notes/cr.txt"}
    assert items[0]["risk_score"] >= items[-1]["risk_score"]
    assert "value_hashes" not in items[0]
    entry = AuditEntry.objects.filter(
        action="view", object_type="privacy.phifinding", object_id=""
    ).latest("sequence")
    assert entry.changes["filters"]["entity_type"] == "FR_NIR"
    assert entry.changes["filters"]["ordering"] == "-risk_score"
    finding_id = items[0]["id"]
    assert api.get(f"/privacy/findings/{finding_id}").status_code == 200
    assert AuditEntry.objects.filter(
        action="view", object_id=str(finding_id), object_type="privacy.phifinding"
    ).exists()
    triaged = api.patch(
        f"/privacy/findings/{finding_id}",
        {"triage_status": "false_positive", "triage_comment": "test data"},
    )
    assert triaged.status_code == 200
    assert triaged.json()["triage_status"] == "false_positive"
    assert triaged.json()["triaged_by_id"] == dpo.pk
    bad = api.patch(f"/privacy/findings/{finding_id}", {"triage_status": "ignored"})
    assert bad.status_code == 422


def test_staff_is_403_and_other_establishment_is_404(make_user, establishment_a, establishment_b):
    now = timezone.now()
    theirs = PHIFinding.objects.create(
        establishment=establishment_b,
        relative_path="b.csv",
        entity_type="FR_NIR",
        first_seen_at=now,
        last_seen_at=now,
    )
    staff = APIClient(issue_token(make_user("nurse", "staff", [establishment_a]), "write"))
    for path in ("/privacy/findings", "/privacy/scan-runs", "/privacy/scan-roots"):
        response = staff.get(path)
        assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    rssi = APIClient(issue_token(make_user("rssi-a", "rssi", [establishment_a]), "write"))
    assert rssi.get(f"/privacy/findings/{theirs.pk}").status_code == 404
    assert (
        rssi.patch(f"/privacy/findings/{theirs.pk}", {"triage_status": "expected"}).status_code
        == 404
    )
    assert rssi.get("/privacy/findings").json()["count"] == 0


def test_read_token_cannot_triage(dpo, scanned):
    reader = APIClient(issue_token(dpo, "read"))
    finding = PHIFinding.objects.first()
    assert reader.get(f"/privacy/findings/{finding.pk}").status_code == 200
    assert (
        reader.patch(f"/privacy/findings/{finding.pk}", {"triage_status": "expected"}).status_code
        == 403
    )


def test_findings_carry_and_filter_by_category(api, scanned):
    everything = api.get("/privacy/findings", {"page_size": 100}).json()["items"]
    assert all(item["hipaa_identifier"] and item["fr_category"] for item in everything)
    response = api.get("/privacy/findings", {"hipaa_identifier": "R", "ordering": "fr_category"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert items and {(i["entity_type"], i["fr_category"]) for i in items} == {("FR_NIR", "nir")}
    by_fr = api.get("/privacy/findings", {"fr_category": "identite"}).json()["items"]
    assert by_fr and {item["hipaa_identifier"] for item in by_fr} == {"A"}
    assert api.get("/privacy/findings", {"hipaa_identifier": "Z"}).status_code == 422
    run = api.get(f"/privacy/scan-runs/{scanned.pk}").json()
    assert run["summary"]["by_category"]["hipaa"]["R"]["locations"] == 2


def test_openapi_documents_the_categories(api):
    schema = api.get("/openapi.json").json()
    finding = schema["components"]["schemas"]["PHIFindingOut"]["properties"]
    assert "Safe Harbor" in finding["hipaa_identifier"]["description"]
    assert "identite" in finding["fr_category"]["description"]
    parameters = {
        p["name"] for p in schema["paths"]["/api/v1/privacy/findings"]["get"]["parameters"]
    }
    assert {"hipaa_identifier", "fr_category"} <= parameters
