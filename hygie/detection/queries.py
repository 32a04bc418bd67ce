"""Read helpers shared by the detection pages and API: the fields a rule tests, an event's fields
with the matched ones marked, the alerts an event fed, the rule library as rows.

Everything here reads through ``visible_to(user)`` or takes an object the caller already read
that way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.db import models
from django.db.models import Count, Max, Min, Q
from django.db.models.functions import Coalesce, Trunc
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hygie.core.models import Alert, Establishment, User
from hygie.core.registries import Series
from hygie.detection import services
from hygie.detection.engine import (
    DetectionEngine,
    DetectionSession,
    LogSourceSpec,
    RuleInfo,
    RuleProblem,
)
from hygie.detection.models import Event
from hygie.detection.prepare import IP_FIELDS
from hygie.lib.ipsearch import IpQuery

MAX_LINKED_EVENTS = 100
MAX_CANDIDATE_ALERTS = 500


@dataclass(frozen=True)
class FieldRow:
    name: str
    value: str
    is_matched: bool


@dataclass(frozen=True)
class RuleRow:
    info: RuleInfo
    level: str
    is_enabled: bool | None  # None when no establishment was chosen

    @property
    def logsource(self) -> dict[str, str | None]:
        spec = self.info.logsource
        return {"product": spec.product, "service": spec.service, "category": spec.category}


def rule_fields(rule_id: str) -> tuple[str, ...]:
    """The field names the rule's detection tests (empty for unknown or correlation rules)."""
    return services._rule_fields(services.rule_engine()).get(rule_id, ())


def rule_description(rule_id: str) -> str:
    """The rule's description as its file gives it ("" for an unknown rule)."""
    return _descriptions(services.rule_engine()).get(rule_id, "")


@lru_cache(maxsize=1)
def _descriptions(engine: DetectionEngine) -> dict[str, str]:
    return {loaded.info.id: loaded.info.description for loaded in engine.pack.loaded}


def _text(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)


def field_rows(event: Event, matched: Iterable[str]) -> list[FieldRow]:
    """The event's normalised fields, matched ones first, each flagged."""
    wanted = set(matched)
    rows = [
        FieldRow(str(name), _text(value), name in wanted)
        for name, value in (event.fields or {}).items()
    ]
    rows.sort(key=lambda row: (not row.is_matched, row.name))
    return rows


def matching_rules(event: Event) -> list[tuple[RuleInfo, tuple[str, ...]]]:
    """The rules that match this stored event today, with the event fields each one tests."""
    if not event.fields:
        return []
    spec = None
    if event.service or event.category:
        spec = LogSourceSpec(
            product=event.product or None,
            category=event.category or None,
            service=event.service or None,
        )
    result = DetectionSession(services.rule_engine()).process(event.fields, logsource=spec)
    return [
        (rule, tuple(name for name in rule_fields(rule.id) if name in event.fields))
        for rule in result.rules
    ]


def alerts_for_event(event: Event, user: User | None) -> list[Alert]:
    """Detection alerts of the event's establishment that list this event among their events.

    A repeat counted on an open alert adds no event id, so an event that only repeated an
    alert is not listed here (``matching_rules`` still shows the rules it matches).
    """
    candidates = (
        Alert.objects.visible_to(user)
        .filter(
            establishment_id=event.establishment_id,
            source=services.ALERT_SOURCE,
            last_seen_at__gte=_earliest(event),
        )
        .order_by("-last_seen_at")[:MAX_CANDIDATE_ALERTS]
    )
    return [
        alert for alert in candidates if event.pk in ((alert.details or {}).get("event_ids") or [])
    ]


def _earliest(event: Event) -> Any:
    # An alert is seen at its events' occurrence time (or when stored); it cannot be older than
    # the earliest of the two, give or take clock skew in the logs.
    moments = [m for m in (event.occurred_at, event.received_at) if m is not None]
    return min(moments) - timedelta(days=1)


def alert_events(alert: Alert, user: User | None) -> list[Event]:
    """The stored events an alert lists, as far as the user may see them (pruned ones are gone)."""
    ids = [i for i in (alert.details or {}).get("event_ids") or [] if isinstance(i, int)]
    return list(
        Event.objects.visible_to(user)
        .filter(pk__in=ids[:MAX_LINKED_EVENTS], establishment_id=alert.establishment_id)
        .select_related("asset")
        .order_by("received_at", "pk")
    )


def events_of_rule(
    user: User | None, rule_id: str, establishment_id: int | None = None
) -> set[int]:
    """Ids of the events listed by the user's alerts of one rule (the "rule" search filter)."""
    alerts = Alert.objects.visible_to(user).filter(source=services.ALERT_SOURCE, rule_id=rule_id)
    if establishment_id is not None:
        alerts = alerts.filter(establishment_id=establishment_id)
    ids: set[int] = set()
    for details in alerts.order_by("-last_seen_at").values_list("details", flat=True)[:1000]:
        ids.update(i for i in (details or {}).get("event_ids") or [] if isinstance(i, int))
    return ids


def filter_by_rule(queryset: models.QuerySet, user: User | None, rule_id: str) -> models.QuerySet:
    return queryset.filter(pk__in=events_of_rule(user, rule_id))


def ip_condition(query: IpQuery, field: str | None = None) -> Q:
    """Events whose address fields (``IP_FIELDS``, or only ``field``) hold the address, or an
    address with the prefix."""
    condition = Q()
    for name in (field,) if field else IP_FIELDS:
        if query.exact:
            condition |= Q(**{f"fields__{name}": query.text})
        else:
            condition |= Q(**{f"fields__{name}__startswith": query.sql_prefix})
    return condition


def filter_by_ip(queryset: models.QuerySet, query: IpQuery) -> models.QuerySet:
    return queryset.filter(ip_condition(query))


def rule_rows(establishment: Establishment | None) -> list[RuleRow]:
    """Every loaded rule that raises alerts, by title, with its status for the establishment."""
    disabled = services.disabled_rule_ids(establishment) if establishment else frozenset()
    engine = services.rule_engine()
    rows = [
        RuleRow(
            loaded.info,
            loaded.info.level.label if loaded.info.level is not None else "",
            loaded.info.id not in disabled if establishment else None,
        )
        for loaded in engine.pack.loaded
        if loaded.emits
    ]
    rows.sort(key=lambda row: (row.info.title.lower(), row.info.id))
    return rows


def known_rule_ids() -> set[str]:
    engine = services.rule_engine()
    return {loaded.info.id for loaded in engine.pack.loaded}


def rule_problems(pack: str | None = None) -> list[RuleProblem]:
    """Rules that failed to load, optionally only those of one imported pack."""
    problems = list(services.rule_engine().problems)
    if pack:
        prefix = f"imported/{pack}/"
        problems = [p for p in problems if (p.location.file or "").startswith(prefix)]
    return problems


def pack_summaries() -> list[dict[str, Any]]:
    """Each imported pack with its rule and problem counts."""
    engine = services.rule_engine()
    summaries = []
    for name in services.imported_pack_names():
        prefix = f"imported/{name}/"
        rules = sum(1 for loaded in engine.pack.loaded if loaded.info.source.startswith(prefix))
        problems = sum(1 for p in engine.problems if (p.location.file or "").startswith(prefix))
        summaries.append({"name": name, "rules": rules, "problems": problems})
    return summaries


# --- the events histogram ------------------------------------------------------------------------

HOURLY_UP_TO = timedelta(hours=48)  # longer ranges are counted per day
MAX_HISTOGRAM_DAYS = 92  # a longer range shows its last 92 days (the list still has them all)


def _bucket_starts(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    starts, moment = [], start
    while moment <= end:
        starts.append(moment)
        moment += step
    return starts


def event_histogram(
    queryset: models.QuerySet[Event], since: datetime | None, until: datetime | None
) -> Series | None:
    """The filtered events per hour (spans up to 48 hours) or per day, by the time the event
    happened (its log's time, else its reception: an imported file's events all arrive at
    once), in two queries (the span, then the counts).

    ``since``/``until`` (the reception filters) bound the span when given. None when no event
    matches. Buckets are in the active time zone; empty ones count 0.
    """
    moments = queryset.order_by().annotate(moment=Coalesce("occurred_at", "received_at"))
    bounds = moments.aggregate(first=Min("moment"), last=Max("moment"))
    if bounds["first"] is None:
        return None
    first = max(bounds["first"], since) if since else bounds["first"]
    last = min(bounds["last"], until) if until else bounds["last"]
    start, end = timezone.localtime(first), timezone.localtime(max(last, first))
    hourly = end - start <= HOURLY_UP_TO
    if hourly:
        step, kind = timedelta(hours=1), "hour"
        start = start.replace(minute=0, second=0, microsecond=0)
    else:
        step, kind = timedelta(days=1), "day"
        start = max(start, end - timedelta(days=MAX_HISTOGRAM_DAYS - 1))
        start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    starts = _bucket_starts(start, end, step)
    counts = {
        timezone.localtime(row["bucket"]): row["total"]
        for row in moments.filter(moment__gte=start, moment__lte=end)
        .annotate(bucket=Trunc("moment", kind, tzinfo=timezone.get_current_timezone()))
        .values("bucket")
        .annotate(total=Count("pk"))
    }
    values = [counts.get(moment, 0) for moment in starts]
    if hourly:
        labels = [formats.date_format(m, "SHORT_DATETIME_FORMAT") for m in starts]
        title = _("Events per hour")
    else:
        labels = [formats.date_format(m, "SHORT_DATE_FORMAT") for m in starts]
        title = _("Events per day")
    return Series(
        title=title,
        description=_(
            "Events matching the filters by the time they happened, from %(start)s to %(end)s."
        )
        % {"start": labels[0], "end": labels[-1]},
        labels=labels,
        values={_("Events"): values},
    )
