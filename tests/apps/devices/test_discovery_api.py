"""The passive discovery and segmentation API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.apps.core.api_support import API, APIClient, issue_token
from tests.apps.devices.test_discovery import POLICY, ZEEK, _capture

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(biomed) -> APIClient:
    return APIClient(issue_token(biomed, "write"))


def _upload(api: APIClient, path: str, data: dict, name: str, content: bytes):
    return api.client.post(
        API + path, {**data, "file": SimpleUploadedFile(name, content)}, **api.headers
    )


def test_capture_candidates_accept_and_merge(api, establishment_a, make_device):
    refused = _upload(
        api, "/devices/discoveries", {"establishment_id": establishment_a.pk}, "x.pcap", b"nope"
    )
    assert refused.status_code in (400, 422)
    created = _upload(
        api, "/devices/discoveries", {"establishment_id": establishment_a.pk}, "w.pcap", _capture()
    )
    assert created.status_code == 201, created.content
    run = api.get(f"/devices/discoveries/{created.json()['id']}").json()
    assert run["status"] == "succeeded" and run["counts"]["candidates"] >= 2
    candidates = api.get(f"/devices/discoveries/{run['id']}/candidates").json()
    pump = next(c for c in candidates if c["key"] == "ip:10.20.1.5")
    assert any(e["kind"] == "dicom.ae_title" and e["value"] == "PUMP-AE" for e in pump["evidence"])
    accepted = api.post(f"/devices/candidates/{pump['id']}/accept", {"hostname": "pump-9"})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = api.post(f"/devices/candidates/{pump['id']}/accept", {})
    assert again.status_code in (400, 422)
    pacs = make_device("pacs-2")
    other = next(c for c in candidates if c["key"] == "ip:10.30.0.2")
    merged = api.post(f"/devices/candidates/{other['id']}/merge", {"device_id": pacs.pk})
    assert merged.json()["device_id"] == pacs.pk
    flows = api.get(f"/devices/discoveries/{run['id']}/flows").json()
    assert any(f["port"] == 104 and f["application"] == "dicom" for f in flows["items"])


def test_policy_flows_and_violations(api, establishment_a):
    path = f"/devices/establishments/{establishment_a.pk}/segmentation-policy"
    assert api.get(path).status_code == 404
    bad = api.put(path, {"document": "allow:\n  - {from: x}\n"})
    assert bad.status_code in (400, 422) and "policy.yaml:2" in bad.content.decode()
    assert api.put(path, {"document": POLICY}).status_code == 200
    assert "biomed" in api.get(path).json()["document"]
    imported = _upload(
        api,
        "/devices/flows",
        {"establishment_id": establishment_a.pk, "kind": "zeek"},
        "conn.log",
        ZEEK.encode(),
    )
    assert imported.status_code == 201, imported.content
    violations = api.get(
        "/devices/segmentation-violations", {"establishment": establishment_a.pk}
    ).json()["items"]
    assert [(v["dst"], v["port"], v["dst_zone"]) for v in violations] == [
        ("93.184.216.34", 443, "internet")
    ]
    assert violations[0]["alert_id"]
