"""Alerts raised per batch (``raise_alerts``) are the alerts one ``raise_alert`` per match gave.

The reference below is the per-match path as it was before batching: each rule match called
``raise_alert`` (one asset query, one open-alert query, one insert or update). The same log is
ingested for establishment A through the reference and for establishment B through the
current path, in small batches and over several calls, with many repeats of one rule and
entity within a batch and across batches, gaps longer than the grouping window, events out of
order, a closed alert, an asset and a correlation rule; the alerts must be the same.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from hygie.core.choices import AlertStatus
from hygie.core.models import Alert, Asset
from hygie.core.services.alerts import AlertSignal, raise_alert, raise_alerts
from hygie.detection import forwarding, services
from hygie.detection.models import Event
from hygie.detection.prepare import text
from tests.apps.detection.conftest import SHADOW_RULE, SQLI_RULE, fixture_lines

BASE = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)


def _per_match_reference(establishment, matches, summary) -> None:
    """``services._raise_alerts`` before batching (one ``raise_alert`` per match)."""
    if not matches:
        return
    fields = services._rule_fields(services.rule_engine())
    for match in matches:
        rule = match.rule
        entity = text(services._first(match.event, services.ENTITY_FIELDS))[:200]
        tags = [t for t in rule.tags if t.startswith(("attack.", "hygie.regulation."))]
        events = [e for e in match.origins if e.pk is not None]
        asset_id = next((e.asset_id for e in events if e.asset_id), None)
        seen_at = next((e.occurred_at for e in events if e.occurred_at), None)
        matched = [name for name in fields.get(rule.id, ()) if name in match.event]
        alert = raise_alert(
            establishment=establishment,
            source=services.ALERT_SOURCE,
            title=rule.title,
            severity=int(rule.level) if rule.level is not None else 30,
            rule_id=rule.id,
            asset=Asset.objects.filter(pk=asset_id).first() if asset_id else None,
            group_key=f"{rule.id}|{entity}",
            tags=tags,
            details={
                "event_ids": [e.pk for e in events][:100],
                "matched_fields": matched,
                "entity": entity,
                "rule_file": rule.source,
            },
            seen_at=min(seen_at, timezone.now()) if seen_at else None,
        )
        summary.alert_ids.add(alert.pk)
        summary.matches += 1


def _sqli(address: str, when: datetime) -> str:
    return (
        f'{address} - - [{when:%d/%b/%Y:%H:%M:%S} +0000] "GET /resultats?q=1+UNION+SELECT+'
        f'username,password+FROM+users-- HTTP/1.1" 500 512 "-" "sqlmap/1.8"'
    )


def _benign(index: int, when: datetime) -> str:
    return (
        f'10.2.0.{index % 250} - - [{when:%d/%b/%Y:%H:%M:%S} +0000] "GET /portail/rdv/'
        f'{index} HTTP/1.1" 200 512 "-" "Mozilla/5.0"'
    )


def _shadow(user: str, when: datetime) -> str:
    return json.dumps(
        {
            "Event": {
                "System": {
                    "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
                    "EventID": 1,
                    "TimeCreated": {
                        "#attributes": {"SystemTime": when.strftime("%Y-%m-%dT%H:%M:%S.000Z")}
                    },
                    "Channel": "Microsoft-Windows-Sysmon/Operational",
                    "Computer": "CLIN-CARDIO-01.chu-nord.local",
                },
                "EventData": {
                    "Image": "C:\\Windows\\System32\\vssadmin.exe",
                    "CommandLine": "vssadmin.exe delete shadows /all /quiet",
                    "ParentImage": "C:\\Windows\\System32\\cmd.exe",
                    "User": user,
                },
            }
        }
    )


def mixed_log() -> list[list[str]]:
    """Three chunks (three ingestion calls) of a mixed log, in batches of 40 lines."""
    hours = [0, 1, 1, 2, 3, 5, 8, 30, 2, 31, 31, 60, 4, 61, 90, 91, 29, 95]  # gaps > 24 h
    chunks: list[list[str]] = [[], [], []]
    index = 0
    for step, hour in enumerate(hours):
        for repeat in range(6):  # the same rule and entity many times within one batch
            chunk = chunks[step * 3 // len(hours)]
            when = BASE + timedelta(hours=hour, seconds=repeat)
            chunk.append(_sqli("203.0.113.77", when))
            chunk.append(_sqli(f"198.51.100.{repeat % 2}", when))
            chunk.append(_shadow(("CHU\\jdoe", "CHU\\asmith")[step % 2], when))
            for _ in range(4):
                chunk.append(_benign(index, when))
                index += 1
    chunks[1].extend(fixture_lines("lnx_sshd_brute_force_clinical_server"))
    chunks[2].extend(fixture_lines("lnx_sshd_brute_force_clinical_server"))
    return chunks


def _snapshot(establishment) -> list[tuple[Any, ...]]:
    """The establishment's alerts, its event ids replaced by the events' positions."""
    position = {
        pk: i
        for i, pk in enumerate(
            Event.objects.filter(establishment=establishment)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    }
    rows = []
    for alert in Alert.objects.filter(establishment=establishment).order_by("pk"):
        details = dict(alert.details)
        details["event_ids"] = [position[pk] for pk in details.get("event_ids", [])]
        rows.append(
            (
                alert.source,
                alert.rule_id,
                alert.title,
                alert.severity,
                alert.status,
                alert.group_key,
                alert.occurrences,
                alert.first_seen_at,
                alert.last_seen_at,
                alert.tags,
                alert.asset.hostname if alert.asset else "",
                details,
            )
        )
    return rows


def _ingest(establishment, chunks) -> list[dict[str, int]]:
    summaries = []
    for number, chunk in enumerate(chunks):
        summaries.append(services.ingest_lines(establishment, chunk).as_dict())
        if number == 0:  # an analyst closes one alert: its repeats open a new one
            alert = (
                Alert.objects.filter(establishment=establishment, rule_id=SQLI_RULE)
                .order_by("pk")
                .first()
            )
            Alert.objects.filter(pk=alert.pk).update(status=AlertStatus.CLOSED)
    return summaries


@pytest.fixture
def created(monkeypatch) -> list[int]:
    """The alerts forwarding was told about (once per new alert)."""
    calls: list[int] = []
    monkeypatch.setattr(forwarding, "queue_deliveries", lambda alert: calls.append(alert.pk))
    return calls


def test_batched_alerts_equal_the_per_match_alerts(
    establishment_a, establishment_b, monkeypatch, created
):
    monkeypatch.setattr(services, "BATCH_SIZE", 40)
    for establishment in (establishment_a, establishment_b):
        Asset.objects.create(
            establishment=establishment,
            kind="workstation",
            hostname="clin-cardio-01.chu-nord.local",
        )
    chunks = mixed_log()

    with monkeypatch.context() as patch:
        patch.setattr(services, "_raise_alerts", _per_match_reference)
        reference = _ingest(establishment_a, chunks)
    created_a = list(created)
    created.clear()
    batched = _ingest(establishment_b, chunks)

    assert batched == reference
    expected = _snapshot(establishment_a)
    assert _snapshot(establishment_b) == expected
    # Forwarding heard of each new alert once, in the same order, on both paths.
    assert created_a == list(
        Alert.objects.filter(establishment=establishment_a)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert created == list(
        Alert.objects.filter(establishment=establishment_b)
        .order_by("pk")
        .values_list("pk", flat=True)
    )

    # And explicitly: every SQL injection line counted once, split by entity and window.
    sqli = [row for row in expected if row[1] == SQLI_RULE]
    assert sum(row[6] for row in sqli) == 18 * 6 * 2
    by_entity: dict[str, list[int]] = {}
    for row in sqli:
        by_entity.setdefault(row[11]["entity"], []).append(row[6])
    assert set(by_entity) == {"203.0.113.77", "198.51.100.0", "198.51.100.1"}
    assert all(len(counts) > 1 for counts in by_entity.values())  # windows and the closure
    shadow = [row for row in expected if row[1] == SHADOW_RULE]
    assert sum(row[6] for row in shadow) == 18 * 6
    assert {row[10] for row in shadow} == {"clin-cardio-01.chu-nord.local"}
    assert sum(summary["matches"] for summary in batched) == sum(row[6] for row in expected)


def _signals() -> list[AlertSignal]:
    long_key = "x" * 301  # stored cut at 300 characters: never found again
    plan = [
        ("a", 0),
        ("a", 1),
        ("b", 2),
        ("a", 30),
        ("a", 3),
        ("", 4),
        ("", 4),
        ("b", 27),
        ("a", 31),
        (long_key, 5),
        (long_key, 5),
        ("b", 80),
        ("a", 29),
        ("b", 50),
    ]
    return [
        AlertSignal(
            title=f"Signal {key[:5]}",
            severity=30 + 10 * (hour % 3),
            rule_id="r1",
            group_key=key,
            tags=("attack.t1", "attack.t1"),
            details={"hour": hour},
            seen_at=BASE + timedelta(hours=hour),
        )
        for key, hour in plan
    ]


def test_raise_alerts_is_raise_alert_in_order(establishment_a, establishment_b, created):
    signals = _signals()
    assets = {
        e.pk: Asset.objects.create(establishment=e, hostname="pacs01", kind="server")
        for e in (establishment_a, establishment_b)
    }
    one_by_one = [
        raise_alert(
            establishment=establishment_a,
            source="detection",
            title=s.title,
            severity=s.severity,
            rule_id=s.rule_id,
            group_key=s.group_key,
            tags=s.tags,
            details=s.details,
            seen_at=s.seen_at,
            asset=assets[establishment_a.pk],
        )
        for s in signals
    ]
    created_a = list(created)
    created.clear()
    b_signals = [
        AlertSignal(**{**s.__dict__, "asset_id": assets[establishment_b.pk].pk}) for s in signals
    ]
    batched = raise_alerts(
        establishment=establishment_b, source="detection", signals=b_signals[:6]
    ) + raise_alerts(establishment=establishment_b, source="detection", signals=b_signals[6:])

    def snapshot(establishment):
        return [
            (
                a.title,
                a.severity,
                a.group_key,
                a.occurrences,
                a.first_seen_at,
                a.last_seen_at,
                a.tags,
                a.details,
                a.asset.hostname,
            )
            for a in Alert.objects.filter(establishment=establishment).order_by("pk")
        ]

    assert snapshot(establishment_b) == snapshot(establishment_a)
    order_a = list(Alert.objects.filter(establishment=establishment_a).order_by("pk"))
    order_b = list(Alert.objects.filter(establishment=establishment_b).order_by("pk"))
    assert [order_a.index(a) for a in one_by_one] == [
        order_b.index(a) for a in batched
    ]  # each signal joined the same alert
    assert len(created_a) == len(created) == len(order_b)
    assert raise_alerts(establishment=establishment_b, source="detection", signals=[]) == []


def test_raise_alerts_refuses_an_asset_of_another_establishment(establishment_a, establishment_b):
    from django.core.exceptions import ValidationError

    other = Asset.objects.create(establishment=establishment_b, hostname="pacs01", kind="server")
    with pytest.raises(ValidationError):
        raise_alerts(
            establishment=establishment_a,
            source="detection",
            signals=[AlertSignal(title="x", asset_id=other.pk)],
        )
    assert not Alert.objects.exists()
