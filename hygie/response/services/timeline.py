"""The incident's timeline (main courante): every service records what it changed here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone, translation

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
    text: str | Callable[[], str],
    *,
    kind: str = TimelineKind.AUTO,
    at: datetime | None = None,
    author: User | None = None,
) -> TimelineEntry:
    """Append one entry; ``author`` defaults to the user acting in the current context.

    ``text`` is the entry, or a function writing it in the active language: it is then written
    in each interface language and every reader sees their own (decision 0025).

    Every change to an incident's record writes an entry here (comments, which do not, are
    covered by ``signals.touch_incident``), so moving ``updated_at`` here lets
    ``?updated_since=`` pull every changed incident incrementally.
    """
    now = touch(incident)
    if author is None:
        author = context.current().signed_in_user
    texts: dict[str, str] = {}
    if callable(text):
        texts = in_each_language(text)
        text = text()
    return TimelineEntry.objects.create(
        incident=incident, text=text, texts=texts, kind=kind, at=at or now, author=author
    )


def in_each_language(write: Callable[[], str]) -> dict[str, str]:
    """``write()`` in each interface language: {"fr": …, "en": …}."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(write())
    return texts
