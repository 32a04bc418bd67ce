"""Indicators of compromise matched against the establishment's own events.

* ``observe`` is the intel module's event observer (``hygie.core.registries.event_observers``):
  detection hands it each stored batch's observable fields (addresses, hosts, URLs, hashes,
  file names, user agents, mail addresses, the message), already picked out during preparation;
  the compiled ``IndicatorMatcher`` of the establishment finds the indicators among them.
* ``lookup`` answers ``hygie.core.registries.indicator_lookups`` (awareness's reported-mail
  triage) from the same matcher, without writing.
* ``record`` turns hits into sightings (event id, matched value, field name: no patient data),
  one grouped core alert per indicator (source ``intel``, its context and TLP) and the
  indicator's sighting count and last sighting; the retro-hunt uses it too.

The matcher of an establishment is compiled once and kept in the process; it is rebuilt when
its indicators change: at once when they are saved or deleted in this process (signals), and
otherwise when a signature (count, latest change, highest id of the matchable indicators)
differs, checked at most every ``CHECK_SECONDS`` — never per batch. The signature reads every
indicator row: with a million of them it costs about a second, so the interval grows with the
query's own time (at most 1/``CHECK_SHARE`` of the time goes to checking, up to
``MAX_CHECK_SECONDS``); an indicator added by another process meanwhile is matched from the next
check on, and the periodic retro-hunt sights the events it missed.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, Field, Max, Q
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from hygie.core.choices import SeverityChoice
from hygie.core.models import Establishment
from hygie.core.registries import IndicatorMatch
from hygie.core.services.alerts import AlertSignal, raise_alerts
from hygie.intel.engine.matcher import Hit, IndicatorMatcher
from hygie.intel.engine.model import TLP, IndicatorType
from hygie.intel.engine.model import Indicator as EngineIndicator
from hygie.intel.models import Indicator, IndicatorSource, Sighting
from hygie.lib.memory import settle_if_large

logger = logging.getLogger("hygie.intel.matching")

SOURCE = "intel"  # core alerts' source
RULE_ID = "intel:indicator"
CHECK_SECONDS = 10.0  # at most one signature query per establishment in this interval
CHECK_SHARE = 50  # ... or in 50 times the last query's duration, when that is longer
MAX_CHECK_SECONDS = 300.0
MAX_EVENT_IDS = 100  # event ids linked by one alert signal (the alert keeps up to 500)
_KINDS = {kind.value: kind for kind in IndicatorType}
_TLPS = {level.value: level for level in TLP}


def matchable(establishment_id: int) -> Any:
    """The indicators detection matches: active (valid, not revoked, not aged out), for IDS."""
    return Indicator.objects.filter(
        establishment_id=establishment_id, is_active=True, to_ids=True, revoked=False
    )


@dataclass
class Compiled:
    """One establishment's compiled indicators, and how to find their rows again."""

    signature: tuple[Any, ...]
    matcher: IndicatorMatcher
    ids: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, value) → pk
    checked: float = 0.0
    generation: int = 0
    interval: float = CHECK_SECONDS  # until the next signature query


_compiled: dict[int, Compiled] = {}
_lock = threading.Lock()
_generation = 0  # bumped when an indicator is saved or deleted in this process
_context_generation = 0  # ... or one of its sources


def _changed(**_kwargs: Any) -> None:
    global _generation, _context_generation
    _generation += 1
    _context_generation += 1


def _sources_changed(**_kwargs: Any) -> None:
    global _context_generation
    _context_generation += 1


post_save.connect(_changed, sender=Indicator, dispatch_uid="hygie-intel-matcher-save")
post_delete.connect(_changed, sender=Indicator, dispatch_uid="hygie-intel-matcher-delete")
post_save.connect(_sources_changed, sender=IndicatorSource, dispatch_uid="hygie-intel-source-save")
post_delete.connect(
    _sources_changed, sender=IndicatorSource, dispatch_uid="hygie-intel-source-delete"
)


def _signature(establishment_id: int) -> tuple[Any, ...]:
    found = Indicator.objects.filter(establishment_id=establishment_id).aggregate(
        count=Count("pk", filter=Q(is_active=True, to_ids=True, revoked=False)),
        changed=Max("updated_at"),
        top=Max("pk"),
    )
    return (found["count"], found["changed"], found["top"])


def engine_rows(rows: Iterable[tuple[Any, ...]]) -> tuple[list[EngineIndicator], dict]:
    """Engine indicators from ``(pk, kind, value, tlp, confidence, valid_from, valid_until)``
    rows (values are stored normalised: nothing is parsed again), and their ids by key."""
    indicators: list[EngineIndicator] = []
    ids: dict[tuple[str, str], int] = {}
    for pk, kind, value, tlp, confidence, valid_from, valid_until in rows:
        type_ = _KINDS.get(kind)
        if type_ is None:
            continue
        if type_ is IndicatorType.CIDR:
            try:
                ipaddress.ip_network(value)
            except ValueError:
                continue  # a damaged row must not stop the others from being matched
        indicators.append(
            EngineIndicator(
                type=type_,
                value=value,
                tlp=_TLPS.get(tlp, TLP.AMBER),
                confidence=confidence,
                valid_from=valid_from,
                valid_until=valid_until,
            )
        )
        ids[(kind, value)] = pk
    return indicators, ids


ROW_FIELDS = ("pk", "kind", "value", "tlp", "confidence", "valid_from", "valid_until")


def compile_rows(rows: Iterable[tuple[Any, ...]]) -> tuple[IndicatorMatcher, dict]:
    indicators, ids = engine_rows(rows)
    return IndicatorMatcher(indicators), ids


# A compiled matcher of many indicators is millions of objects the garbage collector would
# traverse at each full collection for as long as it is kept (at 1,000,000 indicators, about a
# second each time, while events are being matched): a large one is kept out of its reach once
# built (``hygie.lib.memory.settle_if_large``; the matcher holds no reference cycle).


def _build(establishment_id: int, signature: tuple[Any, ...], generation: int) -> Compiled:
    started = time.perf_counter()
    rows = matchable(establishment_id).values_list(*ROW_FIELDS).iterator(chunk_size=20_000)
    matcher, ids = compile_rows(rows)
    settle_if_large(len(matcher))
    logger.info(
        "indicator matcher of establishment %s: %d indicators compiled in %.1f s (%s)",
        establishment_id,
        len(matcher),
        time.perf_counter() - started,
        matcher.backend,
    )
    return Compiled(signature, matcher, ids, time.monotonic(), generation)


def matcher_for(establishment_id: int) -> Compiled:
    """The establishment's compiled matcher, rebuilt when its indicators changed."""
    compiled = _compiled.get(establishment_id)
    now = time.monotonic()
    if (
        compiled is not None
        and compiled.generation == _generation
        and now - compiled.checked < compiled.interval
    ):
        return compiled
    with _lock:
        compiled = _compiled.get(establishment_id)
        generation = _generation
        started = time.monotonic()
        signature = _signature(establishment_id)
        checked = time.monotonic()
        interval = min(max(CHECK_SECONDS, CHECK_SHARE * (checked - started)), MAX_CHECK_SECONDS)
        if compiled is None or compiled.signature != signature:
            compiled = _build(establishment_id, signature, generation)
            _compiled[establishment_id] = compiled
        else:
            compiled.checked, compiled.generation = checked, generation
        compiled.interval = interval
        return compiled


def forget() -> None:
    """Drop every compiled matcher (tests, or after a bulk change made elsewhere)."""
    with _lock:
        _compiled.clear()
        _contexts.clear()


def _valid(indicator: EngineIndicator, moment: datetime) -> bool:
    if indicator.valid_from is not None and moment < indicator.valid_from:
        return False
    return indicator.valid_until is None or moment < indicator.valid_until


# -- the event observer and the lookup ---------------------------------------------------------


def observe(establishment: Establishment, events: Sequence[tuple[int, Mapping[str, str]]]) -> None:
    """Detection's event observer: match a stored batch and record what was seen."""
    compiled = matcher_for(establishment.pk)
    if not len(compiled.matcher):
        return
    # Each distinct value of the batch matched once; no query unless something is found.
    found = compiled.matcher.match_batch([fields for _event_id, fields in events])
    if found:
        now = timezone.now()
        record(
            establishment,
            compiled.ids,
            [(events[position][0], now, hit) for position, hit in found],
        )


# Observable kinds of ``IndicatorMatch`` → the field name the matcher is given (any name works;
# these read well in hits).
_LOOKUP_FIELDS = {"ip": "ip", "domain": "domain", "url": "url", "hash": "hash", "email": "email"}


def lookup(
    establishment: Establishment, observables: Sequence[tuple[str, str]]
) -> list[IndicatorMatch]:
    """``indicator_lookups`` entry: the observables that are known active indicators."""
    try:
        compiled = matcher_for(establishment.pk)
    except Exception:  # noqa: BLE001 - the contract: [] when the store is unavailable
        logger.warning("indicator lookup: the indicator store is unavailable")
        return []
    if not len(compiled.matcher):
        return []
    now = timezone.now()
    pairs: list[tuple[str, str, int, EngineIndicator]] = []
    for kind, value in observables:
        if not isinstance(value, str) or not value:
            continue
        for hit in compiled.matcher.match_event({_LOOKUP_FIELDS.get(kind, kind): value}):
            pk = compiled.ids.get((hit.indicator.type.value, hit.indicator.value))
            if pk is not None and _valid(hit.indicator, now):
                pairs.append((kind, value, pk, hit.indicator))
    if not pairs:
        return []
    sources: dict[int, str] = {}
    for indicator_id, name in (
        IndicatorSource.objects.filter(indicator_id__in={pk for _k, _v, pk, _i in pairs})
        .order_by("-imported_at")
        .values_list("indicator_id", "source_name")
    ):
        sources.setdefault(indicator_id, name)
    answer: list[IndicatorMatch] = []
    seen: set[tuple[str, str, int]] = set()
    for kind, value, pk, indicator in pairs:
        if (kind, value, pk) in seen:
            continue
        seen.add((kind, value, pk))
        answer.append(
            IndicatorMatch(
                kind=kind,
                value=value,
                indicator=str(pk),
                tlp=indicator.tlp.value,
                confidence=indicator.confidence,
                source=sources.get(pk, ""),
            )
        )
    return answer


# -- recording hits --------------------------------------------------------------------------


def severity_for(confidence: int | None) -> int:
    if confidence is None:
        return SeverityChoice.MEDIUM
    if confidence >= 75:
        return SeverityChoice.HIGH
    if confidence >= 40:
        return SeverityChoice.MEDIUM
    return SeverityChoice.LOW


def _techniques(kill_chain: object) -> list[str]:
    tags = []
    for ref in kill_chain if isinstance(kill_chain, list) else ():
        technique = ref.get("technique") if isinstance(ref, dict) else None
        if isinstance(technique, str) and technique[:1] in ("T", "t"):
            tags.append(f"attack.{technique.lower()}")
    return tags


# What an alert says of a sighted indicator (value, kind, TLP, confidence, description, ATT&CK
# techniques, source names), kept per indicator for ``CHECK_SECONDS``: an indicator is sighted
# batch after batch while a campaign lasts, and reading it (joined with its sources) was a
# query per batch. Dropped at once when an indicator or a source is saved or deleted in this
# process; a change made by another process shows within ``CHECK_SECONDS``, as for the matcher.
CONTEXT_FIELDS = ("pk", "kind", "value", "tlp", "confidence", "description", "kill_chain")
MAX_CONTEXTS = 10_000
_contexts: dict[tuple[int, int], tuple[float, int, dict[str, Any], list[str]]] = {}


def _indicator_contexts(
    establishment: Establishment, pks: Iterable[int]
) -> dict[int, tuple[dict[str, Any], list[str]]]:
    """``pk → (row of CONTEXT_FIELDS, sorted source names)`` of the establishment's indicators
    among ``pks`` (a deleted one, or one of another establishment, is left out)."""
    now, generation = time.monotonic(), _context_generation
    found: dict[int, tuple[dict[str, Any], list[str]]] = {}
    missing: list[int] = []
    for pk in pks:
        known = _contexts.get((establishment.pk, pk))
        if known is not None and known[0] > now and known[1] == generation:
            found[pk] = (known[2], known[3])
        else:
            missing.append(pk)
    if not missing:
        return found
    rows: dict[int, dict[str, Any]] = {}
    names: dict[int, set[str]] = {}
    for value_row in Indicator.objects.filter(pk__in=missing, establishment=establishment).values(
        *CONTEXT_FIELDS, "sources__source_name"
    ):
        name = value_row.pop("sources__source_name")
        rows.setdefault(value_row["pk"], value_row)
        if name is not None:
            names.setdefault(value_row["pk"], set()).add(name)
    if len(_contexts) + len(rows) > MAX_CONTEXTS:
        _contexts.clear()  # bounded memory, whatever the number of indicators sighted
    expires = now + CHECK_SECONDS
    for pk, row in rows.items():
        sorted_names = sorted(names.get(pk, ()))
        found[pk] = (row, sorted_names)
        _contexts[(establishment.pk, pk)] = (expires, generation, row, sorted_names)
    return found


def record(
    establishment: Establishment,
    ids: Mapping[tuple[str, str], int],
    hits: Sequence[tuple[int, datetime, Hit]],
    *,
    source: str = "detection",
    skip_known: bool = False,
    check_validity: bool = True,
) -> dict[str, Any]:
    """Sightings, one alert signal per indicator (grouped with its open alert) and the
    indicators' counts for ``(event id, seen at, hit)`` triples. ``skip_known`` leaves out
    events already recorded as sightings of the indicator (the retro-hunt may run again);
    ``check_validity`` leaves out events seen outside the indicator's validity window (the
    retro-hunt, looking for the past of an indicator just published, does not)."""
    by_indicator: dict[int, dict[int, tuple[datetime, Hit]]] = {}
    for event_id, seen_at, hit in hits:
        if check_validity and not _valid(hit.indicator, seen_at):
            continue
        pk = ids.get((hit.indicator.type.value, hit.indicator.value))
        if pk is not None:
            by_indicator.setdefault(pk, {}).setdefault(event_id, (seen_at, hit))
    if skip_known and by_indicator:
        for indicator_id, event_ref in Sighting.objects.filter(
            indicator_id__in=list(by_indicator), event_ref__startswith="event:"
        ).values_list("indicator_id", "event_ref"):
            known = by_indicator.get(indicator_id)
            if known is not None:
                known.pop(_event_id(event_ref), None)
        by_indicator = {pk: seen for pk, seen in by_indicator.items() if seen}
    if not by_indicator:
        return {"sightings": 0, "indicator_ids": []}
    contexts = _indicator_contexts(establishment, by_indicator)
    tlp_labels = dict(Indicator._meta.get_field("tlp").flatchoices)
    signals: list[AlertSignal] = []
    order: list[int] = []
    for pk, seen in by_indicator.items():
        context = contexts.get(pk)
        if context is None:
            continue
        row, names = context
        last = max(at for at, _hit in seen.values())
        hit_fields = sorted({hit.field for _at, hit in seen.values()})
        tlp_label = str(tlp_labels.get(row["tlp"], row["tlp"]))
        signals.append(
            AlertSignal(
                title=(
                    f"Threat-intelligence indicator seen: {row['value']} "
                    f"({row['kind']}, {tlp_label})"
                ),
                severity=severity_for(row["confidence"]),
                rule_id=RULE_ID,
                description=row["description"][:2000],
                group_key=f"intel:{pk}",
                tags=_techniques(row["kill_chain"]),
                details={
                    "indicator": pk,
                    "kind": row["kind"],
                    "value": row["value"],
                    "tlp": row["tlp"],
                    "confidence": row["confidence"],
                    "sources": names[:10],
                    "seen_by": source,
                    "matched_fields": hit_fields[:20],
                    "event_ids": sorted(seen)[:MAX_EVENT_IDS],
                },
                seen_at=last,
            )
        )
        order.append(pk)
    alerts = raise_alerts(establishment=establishment, source=SOURCE, signals=signals)
    alert_of = dict(zip(order, alerts, strict=True))
    created_at = timezone.now()
    sightings = [
        (
            pk,
            at,
            source,
            f"event:{event_id}",
            hit.value[:2048],
            {"field": hit.field[:100], "how": hit.how},
            alert.pk if (alert := alert_of.get(pk)) is not None else None,
            created_at,
        )
        for pk in order
        for event_id, (at, hit) in by_indicator[pk].items()
    ]
    _insert_sightings(sightings)
    # The indicators' counts and first/last sightings: one statement run per indicator
    # (``executemany``; the ORM's ``update`` costs more to build than to run), relative to
    # the stored values so that concurrent writers add up. ``updated_at`` is left alone: a
    # sighting is no change of the indicator (nor of the matcher's signature).
    ops = connection.ops
    least, greatest = ("MIN", "MAX") if connection.vendor == "sqlite" else ("LEAST", "GREATEST")
    table = ops.quote_name(Indicator._meta.db_table)
    count, first_seen, last_seen, pk_column = (
        ops.quote_name(str(getattr(Indicator._meta.get_field(name), "column", name)))
        for name in ("sighting_count", "first_seen_at", "last_seen_at", "id")
    )
    sql = (
        f"UPDATE {table} SET {count} = {count} + %s, "  # noqa: S608 - names quoted, values bound
        f"{first_seen} = {least}(COALESCE({first_seen}, %s), %s), "
        f"{last_seen} = {greatest}(COALESCE({last_seen}, %s), %s) "
        f"WHERE {pk_column} = %s"
    )
    params: list[tuple[Any, ...]] = []
    for pk in order:
        seen_times = [at for at, _hit in by_indicator[pk].values()]
        first_at = ops.adapt_datetimefield_value(min(seen_times))
        last_at = ops.adapt_datetimefield_value(max(seen_times))
        params.append((len(seen_times), first_at, first_at, last_at, last_at, pk))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return {"sightings": len(sightings), "indicator_ids": order}


# The columns ``record`` writes a sighting with, in order (every column of the model but its id).
SIGHTING_FIELDS = (
    "indicator",
    "at",
    "source",
    "event_ref",
    "observed_value",
    "context",
    "alert",
    "created_at",
)


def _concrete(model: Any, name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise TypeError(f"{model.__name__}.{name} is no column")
    return field


def _insert_sightings(rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert sightings (values in ``SIGHTING_FIELDS`` order) with one statement run per row
    (``executemany``), each value prepared by its model field as ``bulk_create`` would; the
    ORM built the same statement anew each batch, for a few rows (no signals either way)."""
    if not rows:
        return
    fields = [_concrete(Sighting, name) for name in SIGHTING_FIELDS]
    ops = connection.ops
    columns = ", ".join(ops.quote_name(str(getattr(field, "column", ""))) for field in fields)
    sql = (
        f"INSERT INTO {ops.quote_name(Sighting._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    # Each distinct value prepared once: a batch's sightings share their times, indicators,
    # alerts and source; values that cannot be keys (the JSON context) are prepared each time.
    prepared: dict[tuple[int, Any], Any] = {}
    params = []
    for row in rows:
        values = []
        for column, (model_field, value) in enumerate(zip(fields, row, strict=True)):
            if isinstance(value, (dict, list)):
                values.append(model_field.get_db_prep_save(value, connection))
                continue
            key = (column, value)
            found = prepared.get(key, prepared)
            if found is prepared:
                found = prepared[key] = model_field.get_db_prep_save(value, connection)
            values.append(found)
        params.append(tuple(values))
    with connection.cursor() as cursor:
        for start in range(0, len(params), 1000):
            cursor.executemany(sql, params[start : start + 1000])


def _event_id(event_ref: str) -> int:
    try:
        return int(event_ref.removeprefix("event:"))
    except ValueError:
        return -1
