"""Passive discovery and segmentation pages: upload, review (accept, merge, dismiss),
policy edit/import/export, flow import, violations; French labels, no raw codes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hygie.devices.models import DiscoveredCandidate, DiscoveryRun, SegmentationViolation
from tests.apps.devices.test_discovery import POLICY, ZEEK, _capture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def client_biomed(client, biomed, login):
    login(biomed)
    return client


def test_upload_review_and_merge(client_biomed, establishment_a, make_device):
    page = client_biomed.get(reverse("devices:discoveryrun_add"))
    assert page.status_code == 200 and b"never sends anything" in page.content
    refused = client_biomed.post(
        reverse("devices:discoveryrun_add"),
        {"establishment": establishment_a.pk, "file": SimpleUploadedFile("x.pcap", b"nope")},
    )
    assert refused.status_code == 422 and b"not a pcap" in refused.content
    response = client_biomed.post(
        reverse("devices:discoveryrun_add"),
        {"establishment": establishment_a.pk, "file": SimpleUploadedFile("w.pcap", _capture())},
    )
    run = DiscoveryRun.objects.get()
    assert response.status_code == 302
    detail = client_biomed.get(reverse("devices:discoveryrun_detail", args=[run.pk]))
    assert detail.status_code == 200
    assert b"DICOM AE title" in detail.content and b"PUMP-AE" in detail.content
    assert b"dicom.ae_title" not in detail.content
    pump = DiscoveredCandidate.objects.get(key="ip:10.20.1.5")
    review = reverse("devices:discoveredcandidate_review", args=[pump.pk])
    client_biomed.post(review, {"action": "accept", "hostname": "pump-7"})
    pump.refresh_from_db()
    assert pump.status == "accepted" and pump.device.asset.hostname == "pump-7"
    pacs = make_device("pacs-1")
    other = DiscoveredCandidate.objects.get(key="ip:10.30.0.2")
    client_biomed.post(
        reverse("devices:discoveredcandidate_review", args=[other.pk]),
        {"action": "merge", "device": pacs.pk},
    )
    other.refresh_from_db()
    assert other.status == "merged" and other.device == pacs
    listing = client_biomed.get(reverse("devices:discoveryrun_list"))
    assert listing.status_code == 200 and b"w.pcap" in listing.content


def test_segmentation_policy_flows_and_export(client_biomed, establishment_a):
    url = reverse("devices:segmentation") + f"?establishment={establishment_a.pk}"
    assert client_biomed.get(url).status_code == 200
    bad = client_biomed.post(url, {"action": "policy", "document": "allow:\n  - {from: x}\n"})
    assert bad.status_code == 422 and b"policy.yaml:2" in bad.content
    saved = client_biomed.post(
        url,
        {
            "action": "policy",
            "document": "",
            "file": SimpleUploadedFile("p.yaml", POLICY.encode()),
        },
    )
    assert saved.status_code == 302
    export = client_biomed.get(
        reverse("devices:segmentation_export") + f"?establishment={establishment_a.pk}"
    )
    assert export.status_code == 200 and b"biomed" in export.content
    imported = client_biomed.post(
        url,
        {
            "action": "flows",
            "establishment": establishment_a.pk,
            "kind": "zeek",
            "file": SimpleUploadedFile("conn.log", ZEEK.encode()),
        },
    )
    assert imported.status_code == 302
    assert SegmentationViolation.objects.count() == 1
    page = client_biomed.get(url)
    assert b"93.184.216.34" in page.content


def test_french_labels(client, biomed, login, establishment_a):
    login(biomed)
    page = client.get(reverse("devices:segmentation"), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
