"""Repeats of a batch join their open alerts through the ORM's own SQL, built once per number
of group keys and kept: the same alerts as the ORM query each time (closed alerts, other
sources, other establishments and alerts last seen outside the window are not joined)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.core.choices import AlertStatus
from hygie.core.models import Alert
from hygie.core.services import alerts as service
from hygie.core.services.alerts import AlertSignal, raise_alerts

pytestmark = pytest.mark.django_db


def _signals(*keys: str, seen_at=None) -> list[AlertSignal]:  # type: ignore[no-untyped-def]
    return [AlertSignal(title=f"seen {key}", group_key=key, seen_at=seen_at) for key in keys]


def test_repeats_join_their_open_alerts_through_the_kept_sql(establishment_a, establishment_b):  # type: ignore[no-untyped-def]
    service._OPEN_ALERTS_SQL.clear()
    first = raise_alerts(establishment=establishment_a, source="intel", signals=_signals("a", "b"))
    assert service._OPEN_ALERTS_SQL  # built by the ORM, checked, kept
    other = raise_alerts(establishment=establishment_b, source="intel", signals=_signals("a"))
    other_source = raise_alerts(establishment=establishment_a, source="x", signals=_signals("a"))
    again = raise_alerts(establishment=establishment_a, source="intel", signals=_signals("a", "b"))
    assert [alert.pk for alert in again] == [alert.pk for alert in first]
    assert other[0].pk not in {alert.pk for alert in first} | {other_source[0].pk}
    assert {alert.pk: alert.occurrences for alert in Alert.objects.filter(source="intel")} == {
        first[0].pk: 2,
        first[1].pk: 2,
        other[0].pk: 1,
    }
    # a closed alert is not joined; one last seen before the window is not either
    Alert.objects.filter(pk=first[0].pk).update(status=AlertStatus.CLOSED)
    later = timezone.now() + timedelta(days=2)
    third = raise_alerts(
        establishment=establishment_a, source="intel", signals=_signals("a", seen_at=timezone.now())
    )
    assert third[0].pk not in {alert.pk for alert in first}
    fourth = raise_alerts(
        establishment=establishment_a, source="intel", signals=_signals("b", seen_at=later)
    )
    assert fourth[0].pk != first[1].pk
    # the kept SQL reads what the ORM's query reads
    since = timezone.now() - timedelta(days=1)
    kept = list(service._open_alerts_query(establishment_a, "intel", ["a", "b"], since))
    orm = Alert.objects.filter(
        establishment=establishment_a,
        source="intel",
        group_key__in=["a", "b"],
        status__in=service.OPEN_STATUSES,
        last_seen_at__gte=since,
    ).order_by("-last_seen_at")
    assert [(a.pk, a.details, a.last_seen_at) for a in kept] == [
        (a.pk, a.details, a.last_seen_at) for a in orm
    ]
