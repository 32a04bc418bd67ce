"""Detection probes added for issue 11: silent log sources, share of the rule pack enabled, log
retention — pass and fail on live data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.core.registries import probes
from hygie.detection import probes as detection_probes
from hygie.detection import services
from hygie.detection.models import Event

pytestmark = pytest.mark.django_db


def _event(establishment, host: str, age: timedelta) -> Event:
    return Event.objects.create(
        establishment=establishment,
        received_at=timezone.now() - age,
        source="syslog",
        host=host,
        raw="line",
    )


def test_silent_log_sources(establishment_a, establishment_b):
    assert detection_probes.silent_log_sources(establishment_a).status == "not_applicable"
    _event(establishment_a, "srv-dpi-01", timedelta(minutes=5))
    _event(establishment_a, "srv-ad-01", timedelta(hours=2))
    _event(establishment_a, "srv-old-01", timedelta(days=8))  # out of the week
    _event(establishment_b, "srv-b-01", timedelta(days=3))  # another establishment
    result = detection_probes.silent_log_sources(establishment_a)
    assert result.status == "pass" and result.data["sources"] == 2
    _event(establishment_a, "fw-01", timedelta(days=2))
    result = detection_probes.silent_log_sources(establishment_a)
    assert result.status == "partial"
    assert [row["host"] for row in result.data["silent_sources"]] == ["fw-01"]
    assert detection_probes.silent_log_sources(establishment_b).status == "fail"


def test_rules_enabled_share(establishment_a, establishment_b):
    result = detection_probes.rules_enabled_share(establishment_a)
    rules = result.data["rules"]
    assert result.status == "pass" and result.data["enabled"] == rules and rules >= 10
    ids = [loaded.info.id for loaded in services.rule_engine().pack.loaded if loaded.emits]
    services.set_rule_enabled(establishment_a, ids[0], False)
    result = detection_probes.rules_enabled_share(establishment_a)
    assert result.data["enabled"] == rules - 1 and len(result.data["disabled"]) == 1
    for rule_id in ids[: len(ids) // 2]:
        services.set_rule_enabled(establishment_a, rule_id, False)
    result = detection_probes.rules_enabled_share(establishment_a)
    assert result.status == "fail" and result.params["percent"] < 70
    # Another establishment keeps its own settings.
    assert detection_probes.rules_enabled_share(establishment_b).status == "pass"


def test_log_retention(establishment_a, settings):
    settings.HYGIE_EVENT_RETENTION_DAYS = 30
    settings.HYGIE_EVENT_RETENTION_MAX_EVENTS = 0
    result = detection_probes.log_retention(establishment_a)
    assert result.status == "fail" and result.data["effective_days"] == 30
    settings.HYGIE_EVENT_RETENTION_DAYS = 120
    assert detection_probes.log_retention(establishment_a).status == "partial"
    settings.HYGIE_EVENT_RETENTION_DAYS = 365
    assert detection_probes.log_retention(establishment_a).status == "pass"
    # A cap on the number of events that is reached shortens what is really kept.
    settings.HYGIE_EVENT_RETENTION_MAX_EVENTS = 2
    _event(establishment_a, "srv-dpi-01", timedelta(days=10))
    _event(establishment_a, "srv-dpi-01", timedelta(days=1))
    result = detection_probes.log_retention(establishment_a)
    assert result.status == "fail" and result.data["capped_at_days"] == 10


def test_registered_with_their_controls():
    assert "hygie.logging.collection" in probes.get("detection.silent_log_sources").controls
    assert probes.get("detection.rules_enabled_share").controls == ("hygie.detection.rules",)
    assert probes.get("detection.log_retention").controls == ("hygie.logging.retention",)
