"""The incident's timeline (main courante): every service records what it changed here."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from hygie.core import context
from hygie.response.choices import TimelineKind
from hygie.response.models import Incident, TimelineEntry

if TYPE_CHECKING:
    from hygie.core.models import User


def touch(incident: Incident | int) -> datetime:
    """Move the incident's ``updated_at`` (an update query: no signals, no re-assessment)."""
    now = timezone.now()
    pk = incident if isinstance(incident, int) else incident.pk
    Incident.objects.filter(pk=pk).update(updated_at=now)
    return now


def add_entry(
    incident: Incident,
    text: str,
    *,
    kind: str = TimelineKind.AUTO,
    at: datetime | None = None,
    author: User | None = None,
) -> TimelineEntry:
    """Append one entry; ``author`` defaults to the user acting in the current context.

    Every change to an incident's record writes an entry here (comments, which do not, are
    covered by ``signals.touch_incident``), so moving ``updated_at`` here lets
    ``?updated_since=`` pull every changed incident incrementally.
    """
    now = touch(incident)
    if author is None:
        author = context.current().signed_in_user
    return TimelineEntry.objects.create(
        incident=incident, text=text, kind=kind, at=at or now, author=author
    )
