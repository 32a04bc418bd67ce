"""The incident's timeline (main courante): every service records what it changed here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from hygie.core import context
from hygie.response.choices import TimelineKind
from hygie.response.models import Incident, TimelineEntry


def add_entry(incident: Incident, text: str, *, kind: str = TimelineKind.AUTO,
              at: datetime | None = None, author: Any = None) -> TimelineEntry:
    """Append one entry; ``author`` defaults to the user acting in the current context."""
    if author is None:
        user = context.current().user
        author = user if getattr(user, "is_authenticated", False) else None
    return TimelineEntry.objects.create(incident=incident, text=text, kind=kind,
                                        at=at or timezone.now(), author=author)
