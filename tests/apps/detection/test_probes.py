"""Detection's compliance probes: logs received, critical servers logging, important rules on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.core.models import Asset
from hygie.core.registries import probes
from hygie.detection import services
from hygie.detection.models import Event

pytestmark = pytest.mark.django_db

SHADOW_RULE = "3f80b5e6-1432-4b13-9b90-61ba92739e28"  # high: shadow copies deleted


def _run(probe_id: str, establishment):
    return probes.get(probe_id).run(establishment)


def _event(establishment, host: str, asset=None, age=timedelta(minutes=5)) -> Event:
    return Event.objects.create(
        establishment=establishment,
        received_at=timezone.now() - age,
        source="syslog",
        host=host,
        raw="line",
        asset=asset,
    )


def test_recent_logs_fails_without_events_and_counts_them_by_source(establishment_a):
    assert _run("detection.recent_logs", establishment_a).status == "fail"
    _event(establishment_a, "srv-dpi-01", age=timedelta(days=2))  # too old to count
    assert _run("detection.recent_logs", establishment_a).status == "fail"
    _event(establishment_a, "srv-dpi-01")
    _event(establishment_a, "srv-ad-01")
    result = _run("detection.recent_logs", establishment_a)
    assert result.status == "pass"
    assert result.data == {"events": 2, "hosts": 2, "by_source": {"syslog": 2}}


def test_critical_servers_logging_names_the_silent_ones(establishment_a):
    assert _run("detection.critical_servers_logging", establishment_a).status == "not_applicable"
    ehr = Asset.objects.create(
        establishment=establishment_a, hostname="srv-dpi-01", kind="server", criticality="vital"
    )
    Asset.objects.create(
        establishment=establishment_a, hostname="srv-ad-01", kind="server", criticality="high"
    )
    Asset.objects.create(
        establishment=establishment_a, hostname="srv-test-01", kind="server", criticality="low"
    )  # not critical: not expected to log
    assert _run("detection.critical_servers_logging", establishment_a).status == "fail"
    _event(establishment_a, "srv-dpi-01", asset=ehr)
    result = _run("detection.critical_servers_logging", establishment_a)
    assert result.status == "partial" and result.data["silent"] == ["srv-ad-01"]


def test_important_rules_enabled_fails_when_a_high_rule_is_switched_off(establishment_a):
    result = _run("detection.important_rules_enabled", establishment_a)
    assert result.status == "pass" and result.data["important_rules"] >= 5
    services.set_rule_enabled(establishment_a, SHADOW_RULE, False)
    result = _run("detection.important_rules_enabled", establishment_a)
    assert result.status == "fail"
    assert result.data["disabled"] == ["Backup or Shadow Copy Deletion"]
