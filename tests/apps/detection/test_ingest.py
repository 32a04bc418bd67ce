"""Ingestion service: storage, parse errors kept, alerts raised and grouped, rule settings,
asset linking, retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.core.models import Alert, Asset
from hygie.detection import services
from hygie.detection.models import Event, EventSource
from tests.apps.detection.conftest import SHADOW_RULE, SQLI_RULE

pytestmark = pytest.mark.django_db


def test_matching_lines_raise_one_grouped_alert(establishment_a, shadow_lines, sqli_lines):
    summary = services.ingest_lines(establishment_a, shadow_lines + sqli_lines)
    assert summary.events == len(shadow_lines) + len(sqli_lines)
    assert summary.parse_errors == 0
    assert Event.objects.filter(establishment=establishment_a).count() == summary.events
    # Grouped by rule + main entity: the fixture's user ran five commands, a host one more.
    shadows = Alert.objects.filter(rule_id=SHADOW_RULE)
    assert {a.group_key.split("|")[1]: a.occurrences for a in shadows} == {
        "CHU\\jdoe": len(shadow_lines) - 1,
        "SRV-FILE01.chu-nord.local": 1,
    }
    shadow = shadows.get(group_key__endswith="jdoe")
    sqli = Alert.objects.get(rule_id=SQLI_RULE)
    assert shadow.source == "detection" and shadow.severity == 40  # level high
    assert "attack.t1490" in shadow.tags and "hygie.regulation.nis2" in shadow.tags
    assert set(shadow.details["event_ids"]) <= set(Event.objects.values_list("pk", flat=True))
    assert "CommandLine" in shadow.details["matched_fields"]
    assert sqli.occurrences == 3
    # The same lines again: no new alert, the open ones count the repeats.
    services.ingest_lines(establishment_a, sqli_lines)
    assert Alert.objects.filter(rule_id=SQLI_RULE).count() == 1
    assert Alert.objects.get(rule_id=SQLI_RULE).occurrences == 6


def test_logsource_and_fields_are_stored(establishment_a, sqli_lines):
    services.ingest_lines(establishment_a, sqli_lines[:1], EventSource.HTTP)
    event = Event.objects.get()
    assert event.source == "http" and event.category == "webserver"
    assert event.raw == sqli_lines[0]
    assert event.fields.get("source.ip") == "203.0.113.77"


def test_unparseable_lines_are_kept_with_their_error(establishment_a, sqli_lines):
    summary = services.ingest_lines(
        establishment_a, ["\x00garbage ¤ not a log", sqli_lines[0], b"{broken json"]
    )
    assert summary.events == 3 and summary.parse_errors == 2
    kept = Event.objects.exclude(parse_error="").order_by("pk")
    # NUL characters (refused by PostgreSQL) are replaced, the rest is kept as received.
    assert [e.raw for e in kept] == ["\ufffdgarbage ¤ not a log", "{broken json"]


def test_rule_disabled_for_one_establishment_does_not_fire_there(
    establishment_a, establishment_b, sqli_lines
):
    services.set_rule_enabled(establishment_a, SQLI_RULE, False)
    services.ingest_lines(establishment_a, sqli_lines)
    services.ingest_lines(establishment_b, sqli_lines)
    assert not Alert.objects.filter(establishment=establishment_a, rule_id=SQLI_RULE).exists()
    assert Alert.objects.filter(establishment=establishment_b, rule_id=SQLI_RULE).exists()
    services.set_rule_enabled(establishment_a, SQLI_RULE, True)
    services.ingest_lines(establishment_a, sqli_lines)
    assert Alert.objects.filter(establishment=establishment_a, rule_id=SQLI_RULE).exists()


def test_events_and_alerts_are_linked_to_the_asset(establishment_a, shadow_lines):
    asset = Asset.objects.create(
        establishment=establishment_a, hostname="clin-cardio-01.chu-nord.local", kind="workstation"
    )
    services.ingest_lines(establishment_a, shadow_lines[:1])
    assert Event.objects.get().asset == asset
    assert Alert.objects.get(rule_id=SHADOW_RULE).asset == asset


def test_retention_prunes_old_events(establishment_a, sqli_lines, settings):
    settings.HYGIE_EVENT_RETENTION_DAYS = 30
    services.ingest_lines(establishment_a, sqli_lines)
    old = Event.objects.order_by("pk").first()
    Event.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=31))
    assert services.prune_events() == 1
    assert Event.objects.count() == len(sqli_lines) - 1


def test_prune_job_is_periodic_and_runs(establishment_a, sqli_lines):
    from hygie.core.services.scheduler import periodic_jobs

    assert services.PRUNE_JOB_KIND in periodic_jobs
    services.ingest_lines(establishment_a, sqli_lines)
    Event.objects.update(received_at=timezone.now() - timedelta(days=400))
    from hygie.detection.jobs import prune_events

    class Run:
        def progress(self, *args):  # noqa: ANN002, ANN202
            self.called = True

    assert prune_events(Run()) == {"events_deleted": len(sqli_lines)}
    assert not Event.objects.exists()


def test_correlation_rule_raises_one_alert_with_its_events(establishment_a):
    from tests.apps.detection.conftest import fixture_lines

    lines = fixture_lines("lnx_sshd_brute_force_clinical_server")
    summary = services.ingest_lines(establishment_a, lines)
    alert = Alert.objects.get(rule_id="e0a9cff3-d12a-4b84-aec1-dca32850baa1")
    assert alert.severity == 40 and alert.occurrences == 1
    events = Event.objects.filter(pk__in=alert.details["event_ids"])
    assert events.count() >= 2 and all("Failed password" in e.raw for e in events)
    # The building-block rule (informational, not emitting) raises nothing on its own.
    assert not Alert.objects.filter(rule_id="135ed5f1-aee9-4ab7-9465-f8a3723df935").exists()
    assert summary.alerts == 1
    benign = fixture_lines("lnx_sshd_brute_force_clinical_server", "benign.jsonl")
    Alert.objects.all().delete()
    services.ingest_lines(establishment_a, benign)
    assert not Alert.objects.exists()


def test_event_times_without_zone_are_read_as_utc(establishment_a):
    services.ingest_lines(
        establishment_a,
        ['{"@timestamp": "2026-11-24 10:00:00", "a": 1}', '{"UtcTime": "not a date"}'],
    )
    times = list(Event.objects.order_by("pk").values_list("occurred_at", flat=True))
    assert times[0].isoformat() == "2026-11-24T10:00:00+00:00" and times[1] is None


def test_retention_setting_comes_from_the_configuration(tmp_path, monkeypatch):
    from hygie.config import ConfigError, load_settings

    monkeypatch.setenv("HYGIE_HOME", str(tmp_path))
    monkeypatch.delenv("HYGIE_EVENT_RETENTION_DAYS", raising=False)
    assert load_settings().event_retention_days == 30
    monkeypatch.setenv("HYGIE_EVENT_RETENTION_DAYS", "90")
    assert load_settings().event_retention_days == 90
    for wrong in ("a month", "0"):
        monkeypatch.setenv("HYGIE_EVENT_RETENTION_DAYS", wrong)
        with pytest.raises(ConfigError):
            load_settings()
