"""Stored events read back as observable fields (``hygie.core.registries.event_history``), for
modules that look for something in past events without importing detection (the intel
module's retro-hunt)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime

from hygie.core.models import Establishment
from hygie.core.registries import EventHistory
from hygie.detection.models import Event
from hygie.detection.prepare import ORIGINAL_FIELD, observable_fields

CHUNK = 2000


def _stored(establishment: Establishment, since: datetime):  # type: ignore[no-untyped-def]
    return Event.objects.filter(establishment=establishment, received_at__gte=since)


def read(
    establishment: Establishment, since: datetime
) -> Iterator[tuple[int, datetime, Mapping[str, str]]]:
    rows = (
        _stored(establishment, since)
        .order_by("received_at", "pk")
        .values_list("pk", "received_at", "fields", "raw")
    )
    for pk, received_at, fields, raw in rows.iterator(chunk_size=CHUNK):
        found = observable_fields(fields) if isinstance(fields, dict) else {}
        if not found and raw:
            found = observable_fields({ORIGINAL_FIELD: raw})
        if found:
            yield pk, received_at, found


def count(establishment: Establishment, since: datetime) -> int:
    return _stored(establishment, since).count()


HISTORY = EventHistory(read=read, count=count)
