"""The fast storage path: prepared rows written without model instances must store exactly what
the model would (ids in order, times, JSON fields, NUL characters), and alerts must point at
the right events. Runs on SQLite and, with HYGIE_TEST_DATABASE_URL, on PostgreSQL (COPY)."""

from __future__ import annotations

import datetime

import pytest

from hygie.core.models import Alert
from hygie.detection import models, prepare
from hygie.detection.models import Event
from hygie.detection.services import ingest_lines
from tests.apps.detection.conftest import SQLI_RULE

pytestmark = pytest.mark.django_db


def test_prepare_keeps_the_models_raw_limit():
    assert prepare.MAX_RAW_CHARS == models.MAX_RAW_CHARS


def test_rows_are_stored_in_order_with_their_fields(establishment_a):
    lines = [
        f"<34>1 2026-03-02T10:00:{i:02d}Z ehr-{i} sshd {i} - - Failed password for root "
        f"from 10.0.0.{i} port 22 ssh2"
        for i in range(30)
    ]
    summary = ingest_lines(establishment_a, lines, "syslog")
    assert summary.events == 30
    events = list(Event.objects.order_by("pk"))
    assert [e.host for e in events] == [f"ehr-{i}" for i in range(30)]
    assert events[5].occurred_at == datetime.datetime(2026, 3, 2, 10, 0, 5, tzinfo=datetime.UTC)
    assert events[5].fields["source.ip"] == "10.0.0.5"
    assert "event.original" not in events[5].fields  # kept once, in raw
    assert events[5].raw == lines[5]
    assert events[5].received_at is not None and events[5].establishment_id == establishment_a.pk


def test_nul_characters_and_odd_values_are_stored_safely(establishment_a):
    hostile = {
        "message": "a\x00b",
        "count": float("nan"),
        "nested": {"k": [1, {"x": 2}]},
        "user.name": "bob\x00",
    }
    ingest_lines(establishment_a, [hostile, b"<13>Mar  2 10:00:01 pc-\x00 sudo: x"], "http")
    first, second = Event.objects.order_by("pk")
    assert "\x00" not in str(first.fields) and "\x00" not in first.raw
    assert first.fields["user.name"] == "bob\ufffd"
    assert "\x00" not in second.raw


def test_ids_keep_increasing_across_batches_and_calls(establishment_a):
    ingest_lines(establishment_a, [f"line {i}" for i in range(2500)])
    ingest_lines(establishment_a, ["one more"])
    ids = list(Event.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == len(set(ids)) == 2501
    assert Event.objects.order_by("-pk").first().raw == "one more"


def test_alerts_name_the_events_that_matched(establishment_a, sqli_lines):
    filler = [f"<13>Mar  2 10:00:01 pc sudo: line {i}" for i in range(1500)]
    ingest_lines(establishment_a, [*filler, *sqli_lines])
    alert = Alert.objects.get(rule_id=SQLI_RULE)
    matched = Event.objects.filter(pk__in=alert.details["event_ids"])
    assert matched.count() == len(alert.details["event_ids"]) > 0
    assert all(e.raw in sqli_lines for e in matched)
