"""The detection module's part of the isolation test (tests/apps/core/test_isolation.py): an
event, a rule setting, a forwarding target and one of its deliveries in establishment B."""

from __future__ import annotations

from django.utils import timezone

from hygie.core.testing import IsolationPart, IsolationWorld, count_in
from hygie.detection.models import AlertDelivery, Event, ForwardingTarget, RuleSetting


def build_isolation(world: IsolationWorld) -> IsolationPart:
    marker, establishment = world.marker, world.establishment
    host = f"{marker}-zeta-pump"
    event = Event.objects.create(
        establishment=establishment,
        received_at=timezone.now(),
        source="http",
        host=host,
        raw=f"{marker} zeta log line",
        asset=world.asset,
        fields={"host.name": host},
    )
    rule_setting = RuleSetting.objects.create(
        establishment=establishment, rule_id=f"{marker}-rule", is_enabled=False
    )
    # Port 9 (discard) on loopback: a send the test would wrongly allow stays harmless.
    target = ForwardingTarget.objects.create(
        organisation=world.organisation,
        establishment=establishment,
        name=f"SIEM {marker} Zeta",
        kind="syslog_udp",
        host="127.0.0.1",
        port=9,
    )
    delivery = AlertDelivery.objects.create(
        target=target, alert=world.alert, last_error=f"{marker} error"
    )
    return IsolationPart(
        objects=[event, rule_setting, target, delivery],
        page_objects={"event": event, "rulesetting": rule_setting, "forwardingtarget": target},
        api_objects={"target_id": target},
        counts=lambda: count_in(establishment, Event, RuleSetting, ForwardingTarget),
    )
