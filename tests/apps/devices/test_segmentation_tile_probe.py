"""Segmentation on the posture dashboard (tile) and in compliance (probe): flows outside the
zone policy whose alert is still open, to the internet, from a life-sustaining device; nothing
to say without a policy or a violation. Synthetic flows."""

from __future__ import annotations

import pytest

from hygie.core.registries import probes
from hygie.devices import dashboard
from hygie.devices import probes as device_probes
from hygie.devices.engine import segmentation
from hygie.devices.services import discovery

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

POLICY = """zones:
  - name: biomed
    networks: [10.20.0.0/16]
    category: medical
allow: []
"""


def _flow(src: str, dst: str, port: int) -> segmentation.ObservedFlow:
    return segmentation.ObservedFlow(src, dst, port, "tcp", 100, 2, 1.0e9, 1.0e9 + 60)


def test_tile_and_probe(biomed, establishment_a, make_device):
    assert dashboard.segmentation(biomed, [establishment_a]) == {}
    result = device_probes.segmentation_respected(establishment_a)
    assert result.status == "not_applicable"

    discovery.save_policy(biomed, establishment_a, POLICY)
    tile = dashboard.segmentation(biomed, [establishment_a])[establishment_a.pk]
    assert (tile.value, tile.status) == (0, "ok")
    assert device_probes.segmentation_respected(establishment_a).status == "pass"

    make_device("pompe-1", ips=["10.20.1.5"], clinical_function="life_sustaining")
    discovery.check_flows(
        establishment_a,
        [_flow("10.20.1.5", "93.184.216.34", 443), _flow("10.20.1.6", "10.99.0.1", 445)],
    )
    tile = dashboard.segmentation(biomed, [establishment_a])[establishment_a.pk]
    assert (tile.value, tile.status) == (2, "critical")
    assert [part.value for part in tile.parts] == [1, 1]
    assert "establishment=" in tile.link
    probe = device_probes.segmentation_respected(establishment_a)
    assert probe.status == "fail" and probe.data["open"] == 2 and probe.data["internet"] == 1

    # Closing the alerts (dealt with) clears both.
    from hygie.devices.models import SegmentationViolation

    for violation in SegmentationViolation.objects.select_related("alert"):
        violation.alert.status = "closed"
        violation.alert.save(update_fields=["status"])
    tile = dashboard.segmentation(biomed, [establishment_a])[establishment_a.pk]
    assert (tile.value, tile.status) == (0, "ok")
    assert device_probes.segmentation_respected(establishment_a).status == "pass"


def test_probe_registered_with_the_segmentation_control():
    controls = {probe.id: tuple(probe.controls) for probe in probes.values()}
    assert controls["devices.segmentation"] == ("hygie.network.segmentation",)
