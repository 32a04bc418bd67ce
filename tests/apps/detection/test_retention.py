"""Retention by age and by count (HYGIE_EVENT_RETENTION_MAX_EVENTS): oldest first, in batches,
through the daily prune job; the setting is read from the environment like the others."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.config import ConfigError, load_settings
from hygie.detection import retention
from hygie.detection.jobs import prune_events
from hygie.detection.models import Event

# The job reports in the active language; the assertions read English.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


class Run:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def progress(
        self, done: int, total: int, message: str = "", params: dict | None = None
    ) -> None:
        # As JobRun.progress: a msgid and its values, kept here as the English text.
        self.messages.append(message % params if params else message)


def _events(establishment, count: int, start_days_ago: float = 1) -> list[Event]:
    now = timezone.now()
    return Event.objects.bulk_create(
        Event(
            establishment=establishment,
            source="file",
            raw=f"line {i}",
            received_at=now - timedelta(days=start_days_ago) + timedelta(seconds=i),
        )
        for i in range(count)
    )


def test_oldest_events_beyond_the_maximum_go_first_in_batches(establishment_a, establishment_b):
    _events(establishment_a, 7)
    _events(establishment_b, 5, start_days_ago=2)  # older, though in another establishment
    newest = set(Event.objects.order_by("-received_at").values_list("pk", flat=True)[:4])
    assert retention.prune_to_max_events(4, batch=3) == 8
    assert set(Event.objects.values_list("pk", flat=True)) == newest
    assert retention.prune_to_max_events(4) == 0


def test_zero_means_no_limit(establishment_a, settings):
    _events(establishment_a, 3)
    settings.HYGIE_EVENT_RETENTION_MAX_EVENTS = 0
    assert retention.prune_to_max_events() == 0
    assert Event.objects.count() == 3


def test_the_prune_job_applies_age_then_count(establishment_a, settings):
    settings.HYGIE_EVENT_RETENTION_DAYS = 30
    settings.HYGIE_EVENT_RETENTION_MAX_EVENTS = 5
    _events(establishment_a, 4, start_days_ago=40)
    _events(establishment_a, 8)
    run = Run()
    assert prune_events(run) == {"events_deleted": 7}
    assert Event.objects.count() == 5
    assert "4 event(s) deleted by age, 3 over the maximum count" in run.messages[-1]


def test_setting_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HYGIE_HOME", str(tmp_path))
    monkeypatch.setenv("HYGIE_EVENT_RETENTION_MAX_EVENTS", "2000000")
    assert load_settings().event_retention_max_events == 2_000_000
    monkeypatch.setenv("HYGIE_EVENT_RETENTION_MAX_EVENTS", "-1")
    with pytest.raises(ConfigError):
        load_settings()
    monkeypatch.delenv("HYGIE_EVENT_RETENTION_MAX_EVENTS")
    assert load_settings().event_retention_max_events == 0
