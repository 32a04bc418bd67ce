"""Retention by size: at most ``HYGIE_EVENT_RETENTION_MAX_EVENTS`` stored events (0 = no limit).

Applied by the daily prune job after retention by age. The oldest events (by reception, then
id) go first, in batches, so a large backlog never holds one huge delete transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from hygie.detection.models import Event

DELETE_BATCH = 10_000


def max_events() -> int:
    return max(0, int(getattr(settings, "HYGIE_EVENT_RETENTION_MAX_EVENTS", 0) or 0))


def prune_to_max_events(limit: int | None = None, batch: int = DELETE_BATCH) -> int:
    """Delete the oldest events beyond ``limit`` (default: the setting); return how many."""
    limit = max_events() if limit is None else limit
    if limit <= 0:
        return 0
    deleted = 0
    excess = Event.objects.count() - limit
    while excess > 0:
        ids = list(
            Event.objects.order_by("received_at", "pk").values_list("pk", flat=True)[
                : min(batch, excess)
            ]
        )
        if not ids:
            break
        with transaction.atomic():
            count, _per_model = Event.objects.filter(pk__in=ids).delete()
        deleted += count
        excess -= len(ids)
    return deleted
