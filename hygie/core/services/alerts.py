"""Raising and triaging alerts: the one way every module reports something a person must see.

Modules call ``raise_alert``; repeats of the same signal (same establishment, source and
``group_key``) within a window update the open alert instead of flooding the triage screen:
one alert with its occurrences, linking what each repeat saw (``event_ids`` and any other
``*_ids`` list of its details).
A module raising many at once (detection stores a batch of events with its rule matches) calls
``raise_alerts``: the same result as one ``raise_alert`` per signal, in order, with one query
for the open alerts of the batch and one update per alert repeated.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.core.choices import AlertStatus, SeverityChoice
from hygie.core.models import Alert, Asset, Establishment, User
from hygie.core.roles import TRIAGE_ALERTS
from hygie.core.services import crud

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DEFAULT_GROUPING_WINDOW = timedelta(hours=24)

# Alerts in these states are still being worked on, so a repeat joins them.
OPEN_STATUSES = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED)
# A repeat links what it saw: lists of ids in its details (``event_ids``, any ``*_ids``) are
# added to the open alert's, without duplicates, up to this many (the details stay small).
MAX_LINKED_IDS = 500


def _link_ids(alert: Alert, details: dict[str, Any] | None) -> bool:
    """Add the repeat's ``*_ids`` lists to the alert's details; True when something was added."""
    if not details:
        return False
    changed = False
    merged = dict(alert.details or {})
    for key, ids in details.items():
        if not key.endswith("_ids") or not isinstance(ids, list):
            continue
        known = merged.get(key)
        if not isinstance(known, list):
            known = []
        room = MAX_LINKED_IDS - len(known)
        if room <= 0:
            continue
        present = set(known)
        added = [i for i in dict.fromkeys(ids) if i not in present][:room]
        if added:
            merged[key] = [*known, *added]
            changed = True
    if changed:
        alert.details = merged
    return changed


def raise_alert(
    *,
    establishment: Establishment,
    source: str,
    title: str,
    severity: int = SeverityChoice.MEDIUM,
    rule_id: str = "",
    description: str = "",
    asset: Asset | None = None,
    group_key: str = "",
    tags: Iterable[str] = (),
    details: dict[str, Any] | None = None,
    seen_at: datetime | None = None,
    window: timedelta = DEFAULT_GROUPING_WINDOW,
) -> Alert:
    """Create an alert, or count a repeat on the open alert with the same ``group_key``.

    ``title``, ``description`` and ``details`` must not contain patient data: describe the
    pattern (rule, counts, host), not the record.
    """
    seen_at = seen_at or timezone.now()
    if asset is not None and asset.establishment_id != establishment.pk:
        raise ValidationError(_("The asset belongs to another establishment."))
    with transaction.atomic():
        if group_key:
            existing = (
                Alert.objects.select_for_update()
                .filter(
                    establishment=establishment,
                    source=source,
                    group_key=group_key,
                    status__in=OPEN_STATUSES,
                    last_seen_at__gte=seen_at - window,
                )
                .order_by("-last_seen_at")
                .first()
            )
            if existing is not None:
                return _count_repeat(existing, severity, seen_at, details)
        alert = Alert(
            establishment=establishment,
            source=source,
            rule_id=rule_id,
            title=title[:300],
            description=description,
            severity=severity,
            asset=asset,
            group_key=group_key[:300],
            tags=sorted(set(tags)),
            details=details or {},
            first_seen_at=seen_at,
            last_seen_at=seen_at,
        )
        alert.full_clean()
        alert.save()
    return alert


@dataclass(frozen=True)
class AlertSignal:
    """One ``raise_alert`` call for ``raise_alerts``: its arguments but the establishment and
    source (shared by the batch), with the asset given by id."""

    title: str
    severity: int = SeverityChoice.MEDIUM
    rule_id: str = ""
    description: str = ""
    asset_id: int | None = None
    group_key: str = ""
    tags: Iterable[str] = ()
    details: dict[str, Any] | None = None
    seen_at: datetime | None = None


REPEAT_FIELDS = ("occurrences", "last_seen_at", "severity", "details", "updated_at")
KEYS_PER_QUERY = 500  # group keys per query for the open alerts (SQLite's parameter limit)


def raise_alerts(
    *,
    establishment: Establishment,
    source: str,
    signals: Sequence[AlertSignal],
    window: timedelta = DEFAULT_GROUPING_WINDOW,
) -> list[Alert]:
    """Raise ``signals`` as ``raise_alert`` would one after the other, in order; return the
    alert each one created or joined (as it is once the whole batch is counted).

    The same alerts, occurrence counts, first/last seen times, severities and details as the
    calls one by one (a repeat joins the open alert with the same ``group_key`` last seen
    within ``window`` of it, the latest one; repeats add only their ``*_ids`` lists to the
    details), but the open alerts are
    read with one query per 500 group keys and each alert repeated is written once, with its
    repeats summed. New alerts are saved one by one, in order, so ``post_save`` receivers
    (audit, forwarding) see each creation once, as with ``raise_alert``. An asset that does
    not exist (any more) is left out; one of another establishment refuses the whole batch
    (``ValidationError``, nothing raised).
    """
    if not signals:
        return []
    now = timezone.now()
    seen = [signal.seen_at or now for signal in signals]
    with transaction.atomic():
        assets = _assets(establishment, {s.asset_id for s in signals if s.asset_id})
        open_alerts = _open_alerts(establishment, source, signals, seen, window)
        repeated: dict[int, Alert] = {}
        raised: list[Alert] = []
        for signal, seen_at in zip(signals, seen, strict=True):
            if signal.group_key:
                candidates = [
                    alert
                    for alert in open_alerts.get(signal.group_key, ())
                    if alert.last_seen_at >= seen_at - window
                ]
                if candidates:
                    alert = max(candidates, key=_last_seen)  # the first of the latest, as
                    alert.occurrences += 1  # order_by("-last_seen_at")
                    alert.last_seen_at = max(alert.last_seen_at, seen_at)
                    alert.severity = max(alert.severity, signal.severity)
                    _link_ids(alert, signal.details)
                    repeated[alert.pk] = alert
                    raised.append(alert)
                    continue
            alert = Alert(
                establishment=establishment,
                source=source,
                rule_id=signal.rule_id,
                title=signal.title[:300],
                description=signal.description,
                severity=signal.severity,
                asset=assets.get(signal.asset_id) if signal.asset_id else None,
                group_key=signal.group_key[:300],
                tags=sorted(set(signal.tags)),
                details=signal.details or {},
                first_seen_at=seen_at,
                last_seen_at=seen_at,
            )
            alert.full_clean()
            alert.save()
            # Found again by a later signal only under the key it was stored with, as in
            # the database (a key longer than 300 characters never groups).
            open_alerts.setdefault(alert.group_key, []).append(alert)
            raised.append(alert)
        if repeated:
            _write_repeats(list(repeated.values()))
    return raised


def _column(name: str) -> str:
    """The database column of one of Alert's concrete fields."""
    column = getattr(Alert._meta.get_field(name), "column", None)
    if not isinstance(column, str):
        raise TypeError(f"Alert.{name} has no column")
    return column


def _write_repeats(alerts: list[Alert]) -> None:
    """Write the counted repeats with one statement run per alert (``executemany``): a noisy
    rule repeats in every batch, and the ORM's ``update`` (or ``bulk_update``'s ``CASE``) costs
    more to build than to run. No signals, as ``_count_repeat``: a repeat is not a human change
    worth an audit entry."""
    updated_at = timezone.now()
    ops = connection.ops
    columns = [_column(name) for name in REPEAT_FIELDS]
    assignments = ", ".join(f"{ops.quote_name(column)} = %s" for column in columns)
    sql = (
        f"UPDATE {ops.quote_name(Alert._meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {ops.quote_name(_column('id'))} = %s"
    )
    details_field = Alert._meta.get_field("details")
    rows = []
    for alert in alerts:
        alert.updated_at = updated_at
        rows.append(
            (
                alert.occurrences,
                ops.adapt_datetimefield_value(alert.last_seen_at),
                alert.severity,
                details_field.get_db_prep_save(alert.details, connection),
                ops.adapt_datetimefield_value(updated_at),
                alert.pk,
            )
        )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _last_seen(alert: Alert) -> datetime:
    return alert.last_seen_at


def _assets(establishment: Establishment, ids: set[int]) -> dict[int, Asset]:
    if not ids:
        return {}
    assets = {asset.pk: asset for asset in Asset.objects.filter(pk__in=ids)}
    if any(asset.establishment_id != establishment.pk for asset in assets.values()):
        raise ValidationError(_("The asset belongs to another establishment."))
    return assets


def _open_alerts(
    establishment: Establishment,
    source: str,
    signals: Sequence[AlertSignal],
    seen: list[datetime],
    window: timedelta,
) -> dict[str, list[Alert]]:
    """The open alerts any signal may join (group key → alerts, latest first)."""
    earliest: dict[str, datetime] = {}
    for signal, seen_at in zip(signals, seen, strict=True):
        if signal.group_key:
            known = earliest.get(signal.group_key)
            earliest[signal.group_key] = seen_at if known is None else min(known, seen_at)
    found: dict[str, list[Alert]] = {}
    keys = sorted(earliest)
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        since = min(earliest[key] for key in chunk) - window
        for alert in _open_alerts_query(establishment, source, chunk, since):
            found.setdefault(alert.group_key, []).append(alert)
    return found


# The open-alerts query's SQL by (database, number of group keys): a module raising alerts
# batch after batch (detection, intel) ran the same query each time, and building it through
# the ORM cost about ten times running it (~1.3 ms a batch). The SQL is the ORM's own, kept
# only when the parameters it was built with are the ones given here, in order.
_OPEN_ALERTS_SQL: dict[tuple[str, str, int], str] = {}


def _open_alerts_query(
    establishment: Establishment, source: str, chunk: list[str], since: datetime
) -> Iterable[Alert]:
    params = [  # in the order the ORM writes them (keyword arguments sorted by name)
        establishment.pk,
        *chunk,
        Alert._meta.get_field("last_seen_at").get_db_prep_value(since, connection),
        source,
        *OPEN_STATUSES,
    ]
    key = (connection.alias, connection.vendor, len(chunk))
    sql = _OPEN_ALERTS_SQL.get(key)
    if sql is None:
        queryset = (
            Alert.objects.select_for_update()
            .filter(
                establishment=establishment,
                source=source,
                group_key__in=chunk,
                status__in=OPEN_STATUSES,
                last_seen_at__gte=since,
            )
            .order_by("-last_seen_at")
        )
        sql, built_with = queryset.query.sql_with_params()
        if list(built_with) != params:
            return queryset
        _OPEN_ALERTS_SQL[key] = sql
    return Alert.objects.raw(sql, params)


def _count_repeat(
    alert: Alert, severity: int, seen_at: datetime, details: dict[str, Any] | None = None
) -> Alert:
    # A queryset update on purpose: a noisy rule may repeat thousands of times a day, and
    # each repeat is not a human change worth an audit entry (the creation is audited).
    alert.occurrences += 1
    alert.last_seen_at = max(alert.last_seen_at, seen_at)
    alert.severity = max(alert.severity, severity)
    _link_ids(alert, details)
    Alert.objects.filter(pk=alert.pk).update(
        occurrences=alert.occurrences,
        last_seen_at=alert.last_seen_at,
        severity=alert.severity,
        details=alert.details,
        updated_at=timezone.now(),
    )
    return alert


def _require_triage(user: User) -> None:
    if not user.can(TRIAGE_ALERTS):
        raise PermissionDenied(_("You may not triage alerts."))


def change_alert_status(alert: Alert, user: User, status: str) -> Alert:
    """Move an alert to another triage state (audited through the model signals)."""
    _require_triage(user)
    if status not in AlertStatus.values:
        raise ValidationError(_("Unknown alert status."))
    if alert.status == status:
        return alert
    return crud.save_instance(alert, user, status=status)


def assignable_users(alert: Alert) -> list[User]:
    """Active users who can see the alert's establishment and may triage it."""
    candidates = (
        User.objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(has_all_establishments=True)
            | Q(establishments=alert.establishment_id)
        )
        .distinct()
        .order_by("username")
    )
    return [candidate for candidate in candidates if candidate.can(TRIAGE_ALERTS)]


def assign_alert(alert: Alert, user: User, assignee: User | None) -> Alert:
    """Give the alert to someone who can work on it (``None`` unassigns it)."""
    _require_triage(user)
    if assignee is not None and assignee not in assignable_users(alert):
        raise ValidationError(_("This user cannot work on alerts of this establishment."))
    if alert.assignee_id == (assignee.pk if assignee else None):
        return alert
    return crud.save_instance(alert, user, assignee=assignee)


def alert_counts(queryset: QuerySet[Alert]) -> dict[str, list[tuple[Any, StrOrPromise, int]]]:
    """Counts of a (scoped) alert queryset by status and by severity, for the triage screen."""
    by_status = _count_by(queryset, "status")
    by_severity = _count_by(queryset, "severity")
    return {
        "status": [(value, label, by_status.get(value, 0)) for value, label in AlertStatus.choices],
        "severity": [
            (value, label, by_severity.get(value, 0))
            for value, label in reversed(SeverityChoice.choices)
        ],
    }


def _count_by(queryset: QuerySet[Alert], field: str) -> dict[Any, int]:
    rows = queryset.order_by().values(field).annotate(total=Count("pk"))
    return {row[field]: row["total"] for row in rows}
