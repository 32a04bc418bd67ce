"""Defects found reviewing the demo in a browser: the device page explains its score by the
worst open vulnerability's factors (it only said 'Worst vulnerability: 64.5'); the MDS2 heading
starts with a capital in French; the segmentation violations link their alert and fold their
secondary columns at 1280 px (the alert column was cut off)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from hygie.devices.engine import segmentation
from hygie.devices.services import discovery, feeds

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_device_page_explains_the_worst_vulnerability(
    client, login, biomed, pumps, demo_advisory_bytes
):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    login(biomed)
    url = reverse("devices:device_detail", args=[pumps["old_pump"].pk])
    text = client.get(url).content.decode()
    assert "What makes the worst one (CVE-2099-0101):" in text
    assert "Clinical function: " in text
    with translation.override("fr"):
        french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Capacités de sécurité MDS2" in french


def test_violation_rows_link_their_alert(client, login, biomed, establishment_a):
    discovery.save_policy(
        biomed, establishment_a, "zones:\n  - name: lab\n    networks: [10.9.0.0/16]\nallow: []\n"
    )
    discovery.check_flows(
        establishment_a,
        [segmentation.ObservedFlow("10.9.0.5", "93.184.216.34", 443, "tcp", 1, 1, 1e9, 1e9)],
    )
    login(biomed)
    page = client.get(reverse("devices:segmentation"), {"establishment": establishment_a.pk})
    text = page.content.decode()
    assert "443/TCP" in text and 'class="col-p2"' in text
    from hygie.devices.models import SegmentationViolation

    alert = SegmentationViolation.objects.get().alert
    assert reverse("core:alert_detail", args=[alert.pk]) in text


def test_remediation_list_puts_what_needs_a_decision_first(
    client, login, biomed, pumps, demo_advisory_bytes
):
    from hygie.devices.models import Device, DeviceVulnerability

    # The fixed pump is the most exposed: by potential risk alone it would come first.
    Device.objects.filter(pk=pumps["new_pump"].pk).update(
        network_zone="internet", internet_reachable=True, patient_connected=True
    )
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    top = DeviceVulnerability.objects.order_by("-risk_score").first()
    assert top.status == "fixed"
    login(biomed)
    text = client.get(reverse("devices:devicevulnerability_list")).content.decode()
    rows = [row for row in text.split("<tr")[2:]]
    statuses = ["Known affected" in row for row in rows]
    assert any(statuses) and not all(statuses)
    # Every affected (undecided) row comes before every fixed one.
    assert statuses == sorted(statuses, reverse=True)
