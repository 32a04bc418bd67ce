"""Working shifts, so rules can ask "outside shift?" — something Sigma cannot express.

Sigma's time modifiers (``|hour``) compare one timestamp field with constants, in whatever
zone the timestamp is written, and cannot follow a weekly rota, a night shift crossing
midnight or daylight-saving time. So the site's shift table is configuration, and the
normaliser turns it into one boolean field, ``event.outside_shift``, that rules test.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from ..errors import SigmaEngineError
from ..predicates import parse_timestamp

OUTSIDE_SHIFT_FIELD = "event.outside_shift"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# The timestamp fields looked at, in order: parsers write @timestamp, Windows TimeCreated.
TIMESTAMP_FIELDS = ("@timestamp", "TimeCreated", "timestamp", "UtcTime")


class ShiftTableError(SigmaEngineError):
    """A shift table that cannot be read (bad day name or time)."""


@dataclass(frozen=True)
class ShiftTable:
    """Per weekday (0 = Monday), the covered periods as (start, end) minutes of the day.

    A period whose end is not after its start crosses midnight (a night shift 21:00-07:00
    covers the evening of its day and the morning of the next).
    """

    timezone: tzinfo
    periods: tuple[tuple[tuple[int, int], ...], ...]

    @classmethod
    def from_mapping(cls, spec: Mapping[str, Sequence[str]], timezone: tzinfo = UTC) -> ShiftTable:
        """``{"mon-fri": ["07:00-21:00"], "sat": ["08:00-13:00"]}``; days absent: no shift."""
        days: list[list[tuple[int, int]]] = [[] for _ in DAYS]
        for key, ranges in spec.items():
            for day in _days(key):
                for text in ranges:
                    days[day].append(_period(text))
        return cls(timezone, tuple(tuple(day) for day in days))

    def covers(self, moment: datetime) -> bool:
        """True when ``moment`` falls in a shift (its own day's, or last night's overflow)."""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        local = moment.astimezone(self.timezone)
        minute = local.hour * 60 + local.minute
        today = local.weekday()
        for start, end in self.periods[today]:
            if start < end and start <= minute < end:
                return True
            if start >= end and minute >= start:
                return True
        yesterday = (today - 1) % 7
        return any(start >= end and minute < end for start, end in self.periods[yesterday])


def add_outside_shift(event: dict[str, Any], table: ShiftTable) -> None:
    """Set ``event.outside_shift`` from the event's timestamp; leave it unset without one."""
    for name in TIMESTAMP_FIELDS:
        moment = parse_timestamp(event.get(name))
        if moment is not None:
            event[OUTSIDE_SHIFT_FIELD] = not table.covers(moment)
            return


def _days(key: str) -> list[int]:
    first, _, last = key.strip().lower().partition("-")
    if first not in DAYS or (last and last not in DAYS):
        raise ShiftTableError(f"unknown day {key!r} (use mon..sun or a range like mon-fri)")
    start = DAYS.index(first)
    end = DAYS.index(last) if last else start
    return [(start + offset) % 7 for offset in range((end - start) % 7 + 1)]


def _period(text: str) -> tuple[int, int]:
    start, separator, end = text.strip().partition("-")
    if not separator:
        raise ShiftTableError(f"shift {text!r} is not HH:MM-HH:MM")
    return _minutes(start), _minutes(end)


def _minutes(text: str) -> int:
    hours, separator, minutes = text.strip().partition(":")
    if not (separator and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ShiftTableError(f"time {text!r} is not HH:MM")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= 24 * 60:
        raise ShiftTableError(f"time {text!r} is out of range")
    return value % (24 * 60) if value == 24 * 60 else value
