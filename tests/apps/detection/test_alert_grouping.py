"""Identical detections make one alert with its occurrences, and the alert links every event
that fed it (the demo's three SQL injection lines showed as three alerts, then as one alert
listing only the first line)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hygie.core.models import Alert
from hygie.core.services import alerts as alert_services
from hygie.detection import demo, services
from hygie.detection.models import Event
from tests.apps.detection.conftest import SQLI_RULE

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


def _injection_lines() -> list[bytes]:
    return [line for _at, line in demo._portal_injection(AT)]


def test_repeated_detection_is_one_alert_linking_every_event(establishment_a):
    services.ingest_lines(establishment_a, _injection_lines())
    alert = Alert.objects.get(rule_id=SQLI_RULE)
    assert alert.occurrences == 3
    assert sorted(alert.details["event_ids"]) == sorted(
        Event.objects.filter(establishment=establishment_a).values_list("pk", flat=True)
    )


def test_repeats_in_later_batches_link_their_events_too(establishment_a, monkeypatch):
    monkeypatch.setattr(services, "BATCH_SIZE", 1)  # one line per batch: one update each
    services.ingest_lines(establishment_a, _injection_lines())
    services.ingest_lines(establishment_a, _injection_lines()[:1])  # a later call
    alert = Alert.objects.get(rule_id=SQLI_RULE)
    assert alert.occurrences == 4
    assert len(alert.details["event_ids"]) == 4
    assert set(alert.details["event_ids"]) == set(Event.objects.values_list("pk", flat=True))


def test_linked_ids_are_bounded(establishment_a, monkeypatch):
    monkeypatch.setattr(alert_services, "MAX_LINKED_IDS", 2)
    services.ingest_lines(establishment_a, _injection_lines())
    alert = Alert.objects.get(rule_id=SQLI_RULE)
    assert alert.occurrences == 3
    assert len(alert.details["event_ids"]) == 2


def test_single_raise_alert_links_repeats_as_the_batch_does(establishment_a):
    for event_id in (7, 8, 8):
        alert = alert_services.raise_alert(
            establishment=establishment_a,
            source="detection",
            title="Repeated",
            group_key="k",
            details={"event_ids": [event_id], "entity": "x"},
        )
    alert.refresh_from_db()
    assert alert.occurrences == 3
    assert alert.details == {"event_ids": [7, 8], "entity": "x"}
