"""The devices block of the alert page: a KEV/advisory alert on a life-sustaining device shows
the device, its clinical function, its risk broken down and the relation that raised it; a
segmentation alert shows the flow and its zones; nothing for a user who may not see devices.
Risk factors read 'label: detail' in English and 'label : detail' in French."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.core.models import Alert
from hygie.devices.engine import segmentation
from hygie.devices.services import discovery, feeds
from tests.apps.devices.conftest import KEV

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_kev_alert_shows_device_function_and_risk(
    client, login, biomed, pumps, demo_advisory_bytes
):
    import json

    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    feeds.import_feed("kev", "kev.json", json.dumps(KEV).encode())
    alert = Alert.objects.filter(source="devices", rule_id="devices.kev_life_sustaining").first()
    assert alert is not None
    login(biomed)
    text = client.get(reverse("core:alert_detail", args=[alert.pk])).content.decode()
    assert 'id="alert-device-heading"' in text
    assert "Life-sustaining" in text and "Patient-connected" in text
    assert "The vulnerability that raised this alert" in text and "CVE-2099-0102" in text
    assert "Network zone: " in text and " : " not in text.split("alert-device-heading")[1]
    with_fr = client.get(reverse("core:alert_detail", args=[alert.pk]), HTTP_ACCEPT_LANGUAGE="fr")
    assert with_fr.status_code == 200


def test_segmentation_alert_shows_the_flow(client, login, biomed, establishment_a, make_device):
    discovery.save_policy(
        biomed,
        establishment_a,
        "zones:\n  - name: biomed\n    networks: [10.20.0.0/16]\nallow: []\n",
    )
    make_device("pompe-9", ips=["10.20.1.5"], clinical_function="life_sustaining")
    discovery.check_flows(
        establishment_a,
        [segmentation.ObservedFlow("10.20.1.5", "93.184.216.34", 443, "tcp", 10, 1, 1e9, 1e9)],
    )
    alert = Alert.objects.get(rule_id=discovery.ALERT_RULE)
    login(biomed)
    text = client.get(reverse("core:alert_detail", args=[alert.pk])).content.decode()
    assert "Flow outside the segmentation policy" in text
    assert "93.184.216.34:443/tcp" in text and "(internet)" in text
    assert "pompe-9" in text and "Life-sustaining" in text


def test_no_block_without_the_devices_view(make_user, establishment_a, pumps, demo_advisory_bytes):
    from hygie.devices.alert_sections import device_section

    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    alert = Alert.objects.filter(source="devices").first()
    assert alert is not None
    outsider = make_user("dpo", "dpo", [establishment_a])
    assert not outsider.can("devices.view")
    assert device_section(alert, outsider) is None
