"""A device's SBOM in the platform: attached (CLI and service), its components matched against
the stored advisories, its VEX decisions recorded, kept apart from the device's own matches,
refused files leaving nothing behind. Synthetic data only."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError

from hygie.devices.cli import devices as devices_cli
from hygie.devices.models import Advisory, DeviceVulnerability, FeedImport
from hygie.devices.services import feeds, sbom

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LIB = "pkg:npm/left-pad@1.0.0"


def _sbom(vex: list | None = None) -> bytes:
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "version": 1,
            "metadata": {"component": {"type": "device", "bom-ref": "pump", "name": "Pump"}},
            "components": [
                {
                    "type": "firmware",
                    "bom-ref": "fw",
                    "name": "InfuStar P5",
                    "version": "5.1",
                    "supplier": {"name": "Perfusia"},
                },
                {"type": "library", "bom-ref": LIB, "name": "left-pad", "version": "1.0.0",
                 "purl": LIB},
            ],
            "dependencies": [{"ref": "pump", "dependsOn": ["fw", LIB]}],
            "vulnerabilities": vex or [],
        }
    ).encode()  # fmt: skip


VEX = [
    {
        "id": "CVE-2099-0101",
        "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
        "affects": [{"ref": "fw"}],
    },
    {"id": "CVE-2099-0999", "analysis": {"state": "exploitable"}, "affects": [{"ref": LIB}]},
]


def _links(device):
    return {
        (link.key.split(":")[0], link.vulnerability.cve if link.vulnerability else ""): link
        for link in DeviceVulnerability.objects.filter(device=device).select_related(
            "vulnerability", "advisory"
        )
    }


def test_sbom_components_are_matched_and_vex_decides(pumps, demo_advisory_bytes):
    device = list(pumps.values())[-1]
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    before = set(_links(device))
    feed = sbom.import_sbom(device, "bom.json", _sbom(VEX))
    assert feed.status == "succeeded" and feed.kind == "sbom"
    assert feed.counts["components"] == 3 and feed.counts["vex_statements"] == 2
    stored = Advisory.objects.get(source="sbom")
    assert stored.tracking_id == sbom.tracking_id(device)
    links = {k: v for k, v in _links(device).items() if k not in before}
    firmware = links[("sbom", "CVE-2099-0101")]
    assert firmware.status == "known_not_affected"
    assert "component InfuStar P5 5.1" in firmware.why and "code not reachable" in firmware.why
    assert firmware.advisory.tracking_id == "HYGIE-DEMO-2026-001"
    library = links[("sbom", "CVE-2099-0999")]
    assert (library.status, library.advisory) == ("known_affected", stored)
    # Idempotent; the device's own matches are untouched by a rematch.
    keys = sorted(DeviceVulnerability.objects.values_list("pk", "key", "status"))
    sbom.import_sbom(device, "bom.json", _sbom(VEX))
    feeds.rematch_device(device)
    assert sorted(DeviceVulnerability.objects.values_list("pk", "key", "status")) == keys
    assert sbom.device_sbom(device).component("fw").supplier == "Perfusia"


def test_a_feed_imported_after_the_sbom_matches_its_components(pumps, demo_advisory_bytes):
    device = list(pumps.values())[-1]
    sbom.import_sbom(device, "bom.json", _sbom())
    assert not DeviceVulnerability.objects.filter(device=device, key__startswith="sbom:")
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    link = DeviceVulnerability.objects.get(device=device, key__startswith="sbom:")
    assert (link.vulnerability.cve, link.status) == ("CVE-2099-0101", "known_affected")


def test_a_refused_sbom_writes_nothing(pumps):
    device = list(pumps.values())[0]
    with pytest.raises(ValidationError, match="Not a readable SBOM"):
        sbom.import_sbom(device, "bad.xml", b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>')
    assert not Advisory.objects.filter(source="sbom").exists()
    feed = FeedImport.objects.get(kind="sbom")
    assert feed.status == "failed" and feed.errors


def test_cli_import_feed_sbom(pumps, tmp_path):
    device = list(pumps.values())[0]
    path = tmp_path / "bom.json"
    path.write_bytes(_sbom(VEX))
    result = CliRunner().invoke(devices_cli, ["import-feed", "sbom", str(path), "--device",
                                              str(device.pk)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "components 3" in result.output
    assert DeviceVulnerability.objects.filter(device=device, key__startswith="sbom:").exists()
    missing = CliRunner().invoke(devices_cli, ["import-feed", "sbom", str(path)])
    assert missing.exit_code == 2


def test_page_attaches_an_sbom_and_shows_its_components(client, biomed, login, pumps):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    device = list(pumps.values())[0]
    login(biomed)
    url = reverse("devices:device_sbom", args=[device.pk])
    response = client.post(url, {"file": SimpleUploadedFile("bom.json", _sbom(VEX))}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "SBOM attached: 3 component(s), 2 VEX statement(s)." in text
    assert "left-pad" in text and LIB in text
    refused = client.post(url, {"file": SimpleUploadedFile("bad.json", b"{}")}, follow=True)
    assert "Not a readable SBOM" in refused.content.decode()


def test_api_attaches_an_sbom(biomed, pumps):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.apps.core.api_support import API, APIClient, issue_token

    api = APIClient(issue_token(biomed, "write"))
    device = list(pumps.values())[0]
    path = f"{API}/devices/devices/{device.pk}/sbom"
    response = api.client.post(
        path, {"file": SimpleUploadedFile("bom.json", _sbom(VEX))}, **api.headers
    )
    assert response.status_code == 200, response.content
    assert any(row["status"] == "known_affected" for row in response.json())
    bad = api.client.post(path, {"file": SimpleUploadedFile("b.json", b"[")}, **api.headers)
    assert bad.status_code == 422 and "Not a readable SBOM" in bad.content.decode()
