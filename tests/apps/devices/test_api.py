"""The devices API: devices CRUD and risk, feed upload, matching, decisions, priorities,
aliases, and the inventory import in its steps."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from hygie.core.models import Asset, AuditEntry
from hygie.devices.models import Device, DeviceVulnerability, VendorAlias
from tests.apps.core.api_support import API, APIClient, issue_token
from tests.apps.devices.test_imports import GMAO

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(biomed) -> APIClient:
    return APIClient(issue_token(biomed, "write"))


def _upload(api: APIClient, path: str, data: dict, name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return api.client.post(
        API + path, {**data, "file": SimpleUploadedFile(name, content)}, **api.headers
    )


def test_device_crud_and_audit(api, establishment_a):
    asset = Asset.objects.create(establishment=establishment_a, hostname="respi-20")
    created = api.post(
        "/devices/devices",
        {
            "establishment_id": establishment_a.pk,
            "asset_id": asset.pk,
            "manufacturer": "Ventila Medical",
            "model_name": "VentiCare 800",
            "version": "2.8",
            "clinical_function": "life_sustaining",
            "compensating_controls": ["segmented"],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["hostname"] == "respi-20" and body["clinical_function"] == "life_sustaining"
    device_id = body["id"]
    listed = api.get("/devices/devices", {"clinical_function": "life_sustaining"}).json()
    assert [item["id"] for item in listed["items"]] == [device_id]
    assert api.patch(f"/devices/devices/{device_id}", {"version": "2.9"}).json()["version"] == (
        "2.9"
    )
    assert AuditEntry.objects.filter(object_type="devices.device", action="update").exists()
    bad = api.post(
        "/devices/devices",
        {"establishment_id": establishment_a.pk, "asset_id": asset.pk, "clinical_function": "x"},
    )
    assert bad.status_code == 422
    assert api.delete(f"/devices/devices/{device_id}").status_code == 204


def test_device_of_another_establishment_is_hidden(api, make_device, establishment_b):
    other = make_device("b-pump", establishment=establishment_b)
    assert api.get(f"/devices/devices/{other.pk}").status_code == 404
    assert api.get(f"/devices/devices/{other.pk}/risk").status_code == 404


def test_feed_upload_match_risk_and_decision(api, curator, pumps, demo_advisory_bytes):
    scoped = _upload(api, "/devices/feeds", {"kind": "csaf"}, "demo.json", demo_advisory_bytes)
    assert scoped.status_code == 403  # the installation's feeds: organisation-wide users only
    response = _upload(
        APIClient(issue_token(curator, "write")),
        "/devices/feeds",
        {"kind": "csaf"},
        "demo.json",
        demo_advisory_bytes,
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "succeeded"
    links = api.get("/devices/device-vulnerabilities", {"status": "known_affected"}).json()
    assert links["count"] == 2
    top = links["items"][0]
    assert top["risk_breakdown"]["factors"] and top["cve"] in {"CVE-2099-0101", "CVE-2099-0102"}
    priorities = api.get("/devices/device-vulnerabilities/priorities").json()
    assert [item["id"] for item in priorities["items"]] == [i["id"] for i in links["items"]]
    risk = api.get(f"/devices/devices/{pumps['ventilator'].pk}/risk").json()
    assert risk["score"] > 0 and risk["factors"][0]["label"]["en"] == "Worst vulnerability"
    refused = api.post(
        f"/devices/device-vulnerabilities/{top['id']}/decision",
        {"workflow": "risk_accepted", "justification": "x"},
    )
    assert refused.status_code == 422
    decided = api.post(
        f"/devices/device-vulnerabilities/{top['id']}/decision",
        {"workflow": "not_affected", "vex_justification": "vulnerable_code_not_present"},
    )
    assert decided.status_code == 200, decided.content
    assert decided.json()["workflow"] == "not_affected" and decided.json()["decided_at"]
    assert api.get("/devices/device-vulnerabilities/priorities").json()["count"] == 1


def test_refused_csaf_is_422(curator, pumps):
    api = APIClient(issue_token(curator, "write"))
    response = _upload(api, "/devices/feeds", {"kind": "csaf"}, "bad.json", b"{}")
    assert response.status_code == 422
    assert not DeviceVulnerability.objects.exists()


def test_aliases_and_apply(api, curator, make_device):
    device = make_device("pompe-30", manufacturer="Becton Dickinson", model_name="Alaris")
    assert api.post("/devices/aliases", {"alias": "a", "canonical": "b"}).status_code == 403
    api = APIClient(issue_token(curator, "write"))
    created = api.post("/devices/aliases", {"alias": "Becton Dickinson", "canonical": "BD"})
    assert created.status_code == 201
    assert api.post("/devices/aliases/apply").json() == {"changed": 1}
    device.refresh_from_db()
    assert device.manufacturer == "BD"
    alias_id = created.json()["id"]
    assert api.delete(f"/devices/aliases/{alias_id}").status_code == 204
    assert not VendorAlias.objects.exists()


def test_inventory_import_steps(api, establishment_a):
    started = _upload(
        api,
        "/devices/imports",
        {"establishment_id": establishment_a.pk},
        "gmao.csv",
        GMAO.encode(),
    )
    assert started.status_code == 201, started.content
    job = started.json()
    assert "hostname" in job["mapping"]
    checked = api.post(f"/devices/imports/{job['id']}/check", {"mapping": job["mapping"]})
    assert checked.json()["status"] == "validated" and not Device.objects.exists()
    committed = api.post(f"/devices/imports/{job['id']}/commit")
    assert committed.status_code == 200 and committed.json()["status"] == "committed"
    assert Device.objects.count() == 2


def test_read_only_role_cannot_write(make_user, establishment_a):
    auditor = make_user("auditor", "auditor", [establishment_a])
    api = APIClient(issue_token(auditor, "write"))
    assert api.get("/devices/devices").status_code == 200
    assert api.post("/devices/aliases", {"alias": "a", "canonical": "b"}).status_code == 403


def test_openapi_lists_the_devices_operations():
    schema = json.loads(Client().get(API + "/openapi.json").content)
    operations = {
        operation["operationId"]
        for path, item in schema["paths"].items()
        if "/devices/" in path
        for operation in item.values()
    }
    assert {"import_feed", "decide_device_vulnerability", "check_inventory_import"} <= operations
