"""Campaign scheduling (spread sending over a window, under a rate limit) and recipient tokens.

Deterministic: the same recipients, window and seed give the same schedule, so a plan shown to
the trainer is the plan the task runner follows. Sending times fall in working hours of the
establishment's time zone (``zoneinfo``), skipping weekends and holidays when asked, with at most
``per_minute`` mails in any calendar minute.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .errors import AwarenessError

TOKEN_BYTES = 18  # 144 bits: unguessable, and 24 URL-safe characters
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{24}$")
MAX_RECIPIENTS = 200_000


def new_token() -> str:
    """A fresh recipient token (URL-safe, 144 random bits from ``secrets``)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_valid_token(value: str) -> bool:
    """Format check before any database lookup: anything else is refused cheaply."""
    return bool(_TOKEN.match(value))


@dataclass(frozen=True)
class SendingWindow:
    start: datetime  # timezone-aware
    end: datetime
    timezone: str = "Europe/Paris"
    day_start: time = time(9, 0)
    day_end: time = time(17, 0)
    skip_weekends: bool = True
    holidays: frozenset[date] = frozenset()
    per_minute: int = 30


@dataclass(frozen=True)
class ScheduledMail:
    recipient: str
    send_at: datetime  # aware, in the window's time zone


def _minutes(window: SendingWindow) -> list[datetime]:
    """Every allowed sending minute of the window, in order."""
    try:
        zone = ZoneInfo(window.timezone)
    except (KeyError, ValueError) as error:
        raise AwarenessError("unknown time zone") from error
    if window.start.tzinfo is None or window.end.tzinfo is None:
        raise AwarenessError("the sending window needs time-zone-aware start and end")
    if window.end <= window.start:
        raise AwarenessError("the sending window ends before it starts")
    if window.day_end <= window.day_start:
        raise AwarenessError("the working day ends before it starts")
    start = window.start.astimezone(zone)
    end = window.end.astimezone(zone)
    minutes: list[datetime] = []
    day = start.date()
    while day <= end.date():
        if not (window.skip_weekends and day.weekday() >= 5) and day not in window.holidays:
            moment = datetime.combine(day, window.day_start, zone)
            stop = datetime.combine(day, window.day_end, zone)
            while moment < stop:
                if start <= moment < end:
                    minutes.append(moment)
                moment += timedelta(minutes=1)
        day += timedelta(days=1)
    return minutes


def schedule(
    recipients: Sequence[str], window: SendingWindow, seed: str = ""
) -> tuple[ScheduledMail, ...]:
    """Spread ``recipients`` evenly over the window's working minutes, ``per_minute`` at most.

    The order of recipients is shuffled deterministically from ``seed`` (so colleagues sitting
    side by side do not receive the lure in the same minute and warn each other). Raises when
    the window cannot hold them all at the rate limit.
    """
    if window.per_minute < 1:
        raise AwarenessError("the rate limit must be at least one mail per minute")
    if len(recipients) > MAX_RECIPIENTS:
        raise AwarenessError("too many recipients for one campaign")
    if not recipients:
        return ()
    minutes = _minutes(window)
    capacity = len(minutes) * window.per_minute
    if capacity < len(recipients):
        raise AwarenessError(
            f"the window holds {capacity} mails at this rate, for {len(recipients)} recipients"
        )
    order = sorted(recipients, key=lambda r: hashlib.sha256(f"{seed}\x00{r}".encode()).hexdigest())
    count = len(order)
    slots = len(minutes)
    planned: list[ScheduledMail] = []
    used: dict[int, int] = {}
    for index, recipient in enumerate(order):
        slot = index * slots // count
        while used.get(slot, 0) >= window.per_minute:
            slot += 1
        used[slot] = used.get(slot, 0) + 1
        # spread within the minute too, so a rate of 30/min is one mail every 2 seconds
        offset = (used[slot] - 1) * 60 // window.per_minute
        planned.append(ScheduledMail(recipient, minutes[slot] + timedelta(seconds=offset)))
    return tuple(planned)
