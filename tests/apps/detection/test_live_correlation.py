"""Live ingest keeps one detection session per (establishment, source) across batches: a
correlation whose events arrive in several batches (receivers cut batches every 200 ms or 1,000
lines) still fires, and streams of other establishments or sources do not add up."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hygie.core.models import Alert
from hygie.detection import prepare
from hygie.detection.models import Event
from hygie.detection.services import StoreContext, rule_engine, store_prepared
from tests.apps.detection.conftest import fixture_lines

pytestmark = pytest.mark.django_db

BRUTE_FORCE = "e0a9cff3-d12a-4b84-aec1-dca32850baa1"  # 20 failures in 5 minutes


@pytest.fixture(autouse=True)
def _fresh_sessions():
    prepare._live_sessions.clear()
    yield
    prepare._live_sessions.clear()


def _live(establishment, lines, source="syslog-tcp"):
    batch = prepare.prepare_live(
        rule_engine(),
        establishment.pk,
        [line.encode() for line in lines],
        source,
        datetime.now(UTC),
    )
    return store_prepared(StoreContext.load(establishment), batch)


def _brute_force_lines():
    lines = fixture_lines("lnx_sshd_brute_force_clinical_server")
    assert len(lines) >= 20
    return lines


def test_a_correlation_split_across_batches_fires(establishment_a):
    lines = _brute_force_lines()
    for start in range(0, len(lines), 7):  # batches of 7 lines: no batch holds 20 failures
        _live(establishment_a, lines[start : start + 7])
    alert = Alert.objects.get(rule_id=BRUTE_FORCE)
    assert alert.establishment == establishment_a
    # The alert lists the events of the batch that completed the count, all stored.
    ids = alert.details["event_ids"]
    assert ids and set(ids) <= set(Event.objects.values_list("pk", flat=True))
    assert Event.objects.count() == len(lines)


def test_streams_of_other_establishments_and_sources_do_not_add_up(
    establishment_a, establishment_b
):
    lines = _brute_force_lines()[:19]
    _live(establishment_a, lines[:10])
    _live(establishment_b, lines[10:])
    _live(establishment_a, lines[10:], source="syslog-udp")
    assert not Alert.objects.filter(rule_id=BRUTE_FORCE).exists()


def test_sessions_are_bounded(establishment_a, monkeypatch):
    monkeypatch.setattr(prepare, "MAX_LIVE_SESSIONS", 3)
    for number in range(5):
        prepare.live_preparer(rule_engine(), establishment_a.pk, f"source-{number}")
    assert list(prepare._live_sessions) == [(establishment_a.pk, f"source-{n}") for n in (2, 3, 4)]
