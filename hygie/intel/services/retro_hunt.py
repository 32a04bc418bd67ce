"""Retro-hunt: new indicators matched against the stored events of the last days.

Stored events are read through ``hygie.core.registries.stored_events`` (detection registers
its store), as the same observable fields the live matching sees. What is found is recorded as
live hits are (``matching.record``: sightings with source ``retro-hunt``, grouped alerts,
counts), once: an event already recorded as a sighting of the indicator is skipped, so a hunt
can run again. ``HYGIE_INTEL_RETRO_HUNT_DAYS`` (environment, default 30) sets how far back.

``start`` queues a hunt asked for by a person (the indicator page's "Search past events" button,
the indicators list, the API); ``run_now`` runs one in this process (``hygie intel retro-hunt``).
Both make a ``intel.retro_hunt`` job, so its progress shows as every job's does.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hygie.core.models import Establishment, User
from hygie.core.models.jobs import Job, JobStatus
from hygie.core.registries import count_stored_events, stored_events
from hygie.core.services.crud import check_establishment_allowed
from hygie.core.services.jobs import execute_job, start_job
from hygie.intel.engine.matcher import Hit
from hygie.intel.models import Indicator
from hygie.intel.roles import MANAGE
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


JOB_KIND = "intel.retro_hunt"  # registered in hygie.intel.jobs


def _arguments(
    establishment: Establishment, indicator_ids: Sequence[int] | None, days: int | None
) -> tuple[dict[str, Any], str, dict[str, Any]]:
    """The job's arguments and title, checked: the indicators belong to the establishment,
    ``days`` within 1–366."""
    if days is not None and not 1 <= int(days) <= MAX_DAYS:
        raise ValidationError({"days": _("From 1 to %(max)s days.") % {"max": MAX_DAYS}})
    span = int(days) if days is not None else default_days()
    arguments: dict[str, Any] = {"days": span}
    if indicator_ids is None:
        return arguments, gettext_noop("Retro-hunt over the last %(days)s day(s)"), {"days": span}
    chosen = sorted({int(pk) for pk in indicator_ids})
    if not chosen:
        raise ValidationError({"indicator_ids": _("Choose at least one indicator.")})
    found = set(
        Indicator.objects.filter(establishment=establishment, pk__in=chosen).values_list(
            "pk", flat=True
        )
    )
    missing = [pk for pk in chosen if pk not in found]
    if missing:
        raise ValidationError(
            {
                "indicator_ids": _("No indicator %(ids)s in this establishment.")
                % {"ids": ", ".join(str(pk) for pk in missing[:10])}
            }
        )
    arguments["indicator_ids"] = chosen
    if len(chosen) == 1:
        value = Indicator.objects.get(pk=chosen[0]).value
        title, params = (
            gettext_noop("Retro-hunt of %(value)s over %(days)s day(s)"),
            {
                "value": value[:120],
                "days": span,
            },
        )
    else:
        title = gettext_noop("Retro-hunt of %(count)s indicators over %(days)s day(s)")
        params = {"count": len(chosen), "days": span}
    return arguments, title, params


def start(
    user: User,
    establishment: Establishment,
    *,
    indicator_ids: Sequence[int] | None = None,
    days: int | None = None,
) -> Job:
    """Queue a retro-hunt of the establishment's chosen indicators (all active ones when none
    is named) in its events of the last ``days``; the job shows its progress."""
    if not user.can(MANAGE):
        raise PermissionDenied
    check_establishment_allowed(user, establishment.pk)
    arguments, title, params = _arguments(establishment, indicator_ids, days)
    return start_job(
        JOB_KIND, title, establishment=establishment, user=user, title_params=params, **arguments
    )


def run_now(
    establishment: Establishment,
    *,
    indicator_ids: Sequence[int] | None = None,
    days: int | None = None,
) -> Job:
    """Run a retro-hunt in this process (the command line: the platform acting), recorded as
    a job like a queued one; the finished job (its ``result`` holds the counts)."""
    arguments, title, params = _arguments(establishment, indicator_ids, days)
    with transaction.atomic():
        job = Job.objects.create(
            kind=JOB_KIND,
            title=(title % params)[:300],
            establishment=establishment,
            display_texts={"title": [title, params]},
        )
    execute_job(job.pk, arguments)
    job.refresh_from_db()
    return job
