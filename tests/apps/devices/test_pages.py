"""The devices pages: inventory, detail with the risk breakdown, add with a new asset, the
inventory import's steps, feed upload, decision, aliases, dashboard, landing panel, search."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hygie.core.models import Asset
from hygie.devices.models import Device, DeviceVulnerability, InventoryImport
from hygie.devices.services import feeds
from tests.apps.devices.test_imports import GMAO

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def client_biomed(client, biomed, login):
    login(biomed)
    return client


@pytest.fixture
def matched(pumps, demo_advisory_bytes):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    return pumps


def test_inventory_detail_and_dashboard(client_biomed, matched):
    listing = client_biomed.get(reverse("devices:device_list"))
    assert listing.status_code == 200 and b"VentiCare 800" in listing.content
    detail = client_biomed.get(reverse("devices:device_detail", args=[matched["ventilator"].pk]))
    assert detail.status_code == 200
    assert b"Clinical risk" in detail.content and b"CVE-2099-0102" in detail.content
    assert b"Life-sustaining" in detail.content
    dashboard = client_biomed.get(reverse("devices:dashboard"))
    assert dashboard.status_code == 200
    assert b"<svg" in dashboard.content and b"Remediation priorities" in dashboard.content
    home = client_biomed.get(reverse("core:dashboard"))
    assert b"Device vulnerabilities to deal with" in home.content
    link = DeviceVulnerability.objects.filter(status="known_affected").first()
    page = client_biomed.get(reverse("devices:devicevulnerability_detail", args=[link.pk]))
    assert page.status_code == 200 and b"Exploitability" in page.content


def test_vulnerability_list_shows_each_risk_as_a_number(client_biomed, matched):
    # A table column's renderer receives the row: the list once failed with a 500 formatting it.
    link = DeviceVulnerability.objects.filter(status="known_affected").first()
    listing = client_biomed.get(reverse("devices:devicevulnerability_list"))
    assert listing.status_code == 200
    assert f"{round(link.risk_score)}".encode() in listing.content


def test_add_device_with_a_new_asset(client_biomed, establishment_a):
    response = client_biomed.post(
        reverse("devices:device_add"),
        {
            "establishment": establishment_a.pk,
            "hostname": "echo-40",
            "ip_addresses": "10.45.60.40",
            "manufacturer": "Sonora",
            "model_name": "EchoLite 4",
            "clinical_function": "diagnostic_imaging",
            "network_zone": "medical",
            "compensating_controls": ["segmented", "monitored"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    device = Device.objects.get()
    assert device.asset.hostname == "echo-40" and device.asset.ip_addresses == ["10.45.60.40"]
    assert device.compensating_controls == ["segmented", "monitored"]


def test_add_without_asset_or_host_name_creates_nothing(client_biomed, establishment_a):
    response = client_biomed.post(
        reverse("devices:device_add"),
        {
            "establishment": establishment_a.pk,
            "clinical_function": "laboratory",
            "network_zone": "unknown",
        },
    )
    assert response.status_code == 422
    assert not Asset.objects.exists() and not Device.objects.exists()


def test_import_pages(client_biomed, establishment_a):
    upload = client_biomed.post(
        reverse("devices:inventoryimport_add"),
        {"establishment": establishment_a.pk, "file": SimpleUploadedFile("g.csv", GMAO.encode())},
    )
    assert upload.status_code == 302
    job = InventoryImport.objects.get()
    page = client_biomed.get(upload["Location"])
    assert page.status_code == 200 and "Nom d&#x27;hôte".encode() in page.content
    mapping = {field: str(index) for field, index in job.mapping.items()}
    client_biomed.post(reverse("devices:inventoryimport_map", args=[job.pk]), mapping)
    job.refresh_from_db()
    assert job.status == "validated"
    client_biomed.post(reverse("devices:inventoryimport_commit", args=[job.pk]))
    assert Device.objects.count() == 2


def test_feed_upload_and_decision_pages(client_biomed, curator, login, pumps, demo_advisory_bytes):
    refused = client_biomed.post(
        reverse("devices:feedimport_add"),
        {"kind": "csaf", "file": SimpleUploadedFile("demo.json", demo_advisory_bytes)},
    )
    assert refused.status_code == 403
    login(curator)
    response = client_biomed.post(
        reverse("devices:feedimport_add"),
        {"kind": "csaf", "file": SimpleUploadedFile("demo.json", demo_advisory_bytes)},
    )
    assert response.status_code == 302
    link = DeviceVulnerability.objects.get(device=pumps["old_pump"], status="known_affected")
    client_biomed.post(
        reverse("devices:devicevulnerability_decide", args=[link.pk]),
        {
            "workflow": "risk_accepted",
            "justification": "Remplacement prévu",
            "accepted_until": "2099-01-01",
        },
    )
    link.refresh_from_db()
    assert link.workflow == "risk_accepted" and str(link.accepted_until) == "2099-01-01"


def test_search_finds_devices_and_cves(client_biomed, matched):
    page = client_biomed.get(reverse("core:search"), {"q": "VentiCare"})
    assert b"respi-01" in page.content
    page = client_biomed.get(reverse("core:search"), {"q": "CVE-2099-0102"})
    assert b"respi-01" in page.content


def test_other_establishment_device_is_404(client_biomed, make_device, establishment_b):
    other = make_device("b-pump", establishment=establishment_b)
    assert client_biomed.get(reverse("devices:device_detail", args=[other.pk])).status_code == 404
