"""The devices demo shows passive discovery and segmentation too: a capture's candidates (one an
unknown echograph with a DICOM model hint, one the inventory's pump), its flows, the clinic's
zone policy, and the pump on the office network talking to the internet as a violation raising
a critical core alert that reads in French."""

from __future__ import annotations

import pytest
from django.utils import translation

from hygie.core.choices import SeverityChoice
from hygie.core.services.demo import load_demo
from hygie.devices.models import (
    DiscoveredCandidate,
    DiscoveryRun,
    ObservedFlow,
    SegmentationPolicy,
    SegmentationViolation,
)
from hygie.devices.services import discovery
from tests.apps.devices.test_demo import home  # noqa: F401  (the data folder fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.usefixtures("home")
def test_demo_discovery_policy_and_violation_alert():
    load_demo()
    run = DiscoveryRun.objects.get()
    assert run.status == "succeeded" and run.counts["candidates"] == 3
    assert ObservedFlow.objects.filter(run=run).count() >= 4
    policy = SegmentationPolicy.objects.get()
    assert policy.establishment == run.establishment
    echo = DiscoveredCandidate.objects.get(name="ECHO-BLOC2")
    assert discovery.proposals(echo)["model_name"]["value"] == "ECHOLITE"
    pump_seen = DiscoveredCandidate.objects.get(name="INFUSTAR-P5")
    assert discovery.known_device(pump_seen).asset.hostname == "clin-pompe-03"
    internet = SegmentationViolation.objects.get(dst_zone="internet")
    assert internet.alert is not None and internet.alert.severity == SeverityChoice.CRITICAL
    assert "clin-pompe-03" in internet.alert.title
    with translation.override("fr"):
        title = internet.alert.get_title_display()
    assert title.startswith("Flux hors de la politique de segmentation")
