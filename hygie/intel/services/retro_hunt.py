"""Retro-hunt: new indicators matched against the stored events of the last days.

Stored events are read through ``hygie.core.registries.stored_events`` (detection registers
its store), as the same observable fields the live matching sees. What is found is recorded as
live hits are (``matching.record``: sightings with source ``retro-hunt``, grouped alerts,
counts), once: an event already recorded as a sighting of the indicator is skipped, so a hunt
can run again. ``HYGIE_INTEL_RETRO_HUNT_DAYS`` (environment, default 30) sets how far back.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from hygie.core.models import Establishment
from hygie.core.models.jobs import Job, JobStatus
from hygie.core.registries import count_stored_events, stored_events
from hygie.intel.engine.matcher import Hit
from hygie.intel.models import Indicator
from hygie.intel.services.matching import ROW_FIELDS, compile_rows, matchable, record

DEFAULT_DAYS = 30
MAX_DAYS = 366
FLUSH_EVERY = 5000  # events between two progress reports (and writes of what was found)
RECENT_KIND = "intel.retro_hunt_recent"
FIRST_RECENT_WINDOW = timedelta(days=1)  # the first periodic hunt looks this far back


def default_days() -> int:
    """``HYGIE_INTEL_RETRO_HUNT_DAYS`` (1–366), else 30."""
    raw = os.environ.get("HYGIE_INTEL_RETRO_HUNT_DAYS", "").strip()
    if raw.isdecimal() and raw.isascii():
        return max(1, min(int(raw), MAX_DAYS))
    return DEFAULT_DAYS


def hunt(
    establishment: Establishment,
    *,
    indicator_ids: Sequence[int] | None = None,
    created_since: datetime | None = None,
    days: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    check: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Match the chosen active indicators (by id, or created since a moment, else all) against
    the events stored in the last ``days``; returns counts (no values). ``check`` is called
    between two slices of events (a job's ``check_cancelled``: what was found is kept)."""
    rows = matchable(establishment.pk)
    if indicator_ids is not None:
        rows = rows.filter(pk__in=[int(pk) for pk in indicator_ids])
    if created_since is not None:
        rows = rows.filter(created_at__gte=created_since)
    matcher, ids = compile_rows(rows.values_list(*ROW_FIELDS).iterator(chunk_size=20_000))
    result = {"indicators": len(matcher), "events": 0, "sightings": 0, "sighted": 0}
    if not len(matcher):
        return result
    span = max(1, min(int(days or default_days()), MAX_DAYS))
    since = timezone.now() - timedelta(days=span)
    total = count_stored_events(establishment, since)
    sighted: set[int] = set()
    pending: list[tuple[int, datetime, Hit]] = []

    def flush() -> None:
        if pending:
            found = record(
                establishment,
                ids,
                pending,
                source="retro-hunt",
                skip_known=True,
                check_validity=False,
            )
            result["sightings"] += found["sightings"]
            sighted.update(found["indicator_ids"])
            pending.clear()
        if progress is not None:
            progress(result["events"], max(total, result["events"]))

    match = matcher.match_event
    for event_id, received_at, fields in stored_events(establishment, since):
        result["events"] += 1
        for found_hit in match(fields):
            pending.append((event_id, received_at, found_hit))
        if result["events"] % FLUSH_EVERY == 0:
            flush()
            if check is not None:
                check()
    flush()
    result["sighted"] = len(sighted)
    return result


def hunt_recent(now: datetime | None = None) -> dict[str, int]:
    """Every establishment's indicators created since the last successful periodic hunt
    began (the first time: the last day), hunted in the stored events."""
    moment = now or timezone.now()
    last = (
        Job.objects.filter(kind=RECENT_KIND, status=JobStatus.SUCCEEDED)
        .exclude(started_at=None)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
    )
    since = last if last is not None else moment - FIRST_RECENT_WINDOW
    totals: dict[str, Any] = {"establishments": 0, "indicators": 0, "sightings": 0}
    establishment_ids = (
        matchable_everywhere()
        .filter(created_at__gte=since)
        .values_list("establishment_id", flat=True)
    ).distinct()
    for establishment in Establishment.objects.filter(pk__in=list(establishment_ids)):
        found = hunt(establishment, created_since=since)
        totals["establishments"] += 1
        totals["indicators"] += found["indicators"]
        totals["sightings"] += found["sightings"]
    return totals


def matchable_everywhere() -> Any:
    return Indicator.objects.filter(is_active=True, to_ids=True, revoked=False)
