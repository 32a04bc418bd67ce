"""Accepting a discovered candidate: the model and version proposed from the evidence (DICOM
implementation version name, HL7 MSH-3, HTTP Server, DHCP vendor class; generic servers give
none), the network zone from the segmentation policy zone holding its address (and the zone's
category for the clinical risk), and the new device matched like any other. Synthetic data."""

from __future__ import annotations

import pytest

from hygie.devices.models import DeviceVulnerability, DiscoveredCandidate, DiscoveryRun
from hygie.devices.services import discovery, feeds
from tests.apps.core.api_support import APIClient, issue_token

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

POLICY = """zones:
  - name: biomed-vlan
    networks: [10.20.0.0/16]
    category: medical
  - name: clinical
    networks: [10.40.0.0/16]
allow: []
"""


def _candidate(establishment, ip: str, *evidence: tuple[str, str]) -> DiscoveredCandidate:
    run = DiscoveryRun.objects.get_or_create(
        establishment=establishment, name="ward.pcap", sha256="0" * 64, status="succeeded"
    )[0]
    return DiscoveredCandidate.objects.create(
        run=run,
        establishment=establishment,
        key=f"ip:{ip}",
        ip_addresses=[ip],
        manufacturer="Perfusia",
        name=f"pump-{ip.replace('.', '-')}",
        evidence=[{"kind": k, "value": v, "weight": 0.3, "count": 1} for k, v in evidence],
    )


@pytest.mark.parametrize(
    ("evidence", "model", "version"),
    [
        ([("dicom.implementation_version", "INFUSTAR_P5_5.1")], "INFUSTAR_P5", "5.1"),
        ([("hl7.sending_application", "INFUSTAR^1.2.250.1^ISO")], "INFUSTAR", None),
        ([("http.server", "InfuStar P5/5.1 (embedded)")], "InfuStar P5", "5.1"),
        ([("dhcp.vendor_class", "Perfusia InfuStar v5.1")], "Perfusia InfuStar", "5.1"),
        # A generic web server names itself, not the device; the next hint is used.
        (
            [("http.server", "Apache/2.4.1"), ("dhcp.vendor_class", "InfuStar P5 5.1")],
            "InfuStar P5",
            "5.1",
        ),
        ([("http.server", "nginx/1.25"), ("dhcp.vendor_class", "udhcp 1.31.1")], None, None),
    ],
)
def test_model_and_version_proposed_from_evidence(establishment_a, evidence, model, version):
    candidate = _candidate(establishment_a, "10.20.1.5", *evidence)
    proposed = discovery.proposals(candidate)
    assert proposed.get("model_name", {}).get("value") == model
    assert proposed.get("version", {}).get("value") == version
    if model:
        assert proposed["model_name"]["source"] in {kind for kind, _value in evidence}


def test_accept_sets_zone_from_policy_and_proposals_and_matches(
    biomed, establishment_a, demo_advisory_bytes
):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    discovery.save_policy(biomed, establishment_a, POLICY)
    pump = _candidate(establishment_a, "10.20.1.5", ("http.server", "InfuStar P5/5.1"))
    device = discovery.accept_candidate(biomed, pump)
    assert (device.model_name, device.version) == ("InfuStar P5", "5.1")
    assert device.network_zone == "medical"  # the zone's category
    assert device.asset.network_zone == "biomed-vlan"  # the policy zone itself
    assert DeviceVulnerability.objects.filter(device=device, status="known_affected").exists()

    # A zone named like an inventory zone gives it; an address outside every zone gives none.
    other = _candidate(establishment_a, "10.40.0.9")
    assert discovery.accept_candidate(biomed, other).network_zone == "clinical"
    outside = _candidate(establishment_a, "192.168.9.9")
    assert discovery.accept_candidate(biomed, outside).network_zone == "unknown"

    # The user's choice wins over the proposal ("" = none).
    chosen = _candidate(establishment_a, "10.20.1.6", ("http.server", "InfuStar P5/5.1"))
    device = discovery.accept_candidate(biomed, chosen, model_name="P5 Plus", version="")
    assert (device.model_name, device.version) == ("P5 Plus", "")


def test_api_shows_proposals_and_accepts_with_them(biomed, establishment_a):
    discovery.save_policy(biomed, establishment_a, POLICY)
    pump = _candidate(establishment_a, "10.20.1.5", ("dicom.implementation_version", "PUMP_2.3"))
    api = APIClient(issue_token(biomed, "write"))
    listed = api.get(f"/devices/discoveries/{pump.run_id}/candidates").json()
    proposals = listed[0]["proposals"]
    assert proposals["model_name"] == {
        "value": "PUMP",
        "source": "dicom.implementation_version",
        "seen": "PUMP_2.3",
    }
    assert proposals["network_zone"]["value"] == "medical"
    accepted = api.post(f"/devices/candidates/{pump.pk}/accept", {"version": "2.3.1"})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted" and accepted.json()["proposals"] == {}
    pump.refresh_from_db()
    assert (pump.device.model_name, pump.device.version) == ("PUMP", "2.3.1")


def test_page_prefills_the_proposals(client, login, biomed, establishment_a):
    from django.urls import reverse

    discovery.save_policy(biomed, establishment_a, POLICY)
    pump = _candidate(establishment_a, "10.20.1.5", ("http.server", "InfuStar P5/5.1"))
    login(biomed)
    page = client.get(reverse("devices:discoveryrun_detail", args=[pump.run_id]))
    text = page.content.decode()
    assert 'name="model_name" value="InfuStar P5"' in text
    assert 'name="version" value="5.1"' in text
    assert "Network zone from the segmentation policy: biomed-vlan." in text
    response = client.post(
        reverse("devices:discoveredcandidate_review", args=[pump.pk]),
        {"action": "accept", "hostname": "pompe-9", "model_name": "InfuStar P5", "version": "5.2"},
    )
    assert response.status_code == 302
    pump.refresh_from_db()
    assert pump.device.version == "5.2" and pump.device.network_zone == "medical"
