"""How legal periods are counted. See docs/regulatory-clocks.md for the sources of each rule.

- Periods in hours (GDPR art. 33(1): 72 h; NIS2 art. 23(4)(a)-(b): 24 h and 72 h) are elapsed
  time. The arithmetic is done in UTC: adding hours to a local wall-clock time would make 72 h
  across a DST change last 71 or 73 real hours.
- Periods in days (HIPAA 164.404(b), 164.408, 164.410: "calendar days") are counted on the
  calendar of the establishment's timezone: the local date of discovery plus N days. The deadline
  is that whole local date, which ends at the next local midnight (23 h or 25 h after the previous
  one on DST days).
- Periods in months (NIS2 art. 23(4)(d): one month) end on the same day number of the following
  month, or on its last day when that day does not exist (31 January → 28/29 February), as in
  Regulation (EEC, Euratom) No 1182/71 art. 3(2)(c).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hygie.response.engine.choices import DeadlineKind, ObligationId
from hygie.response.engine.text import LocalizedText, language_of

# A rule given as plain text is the same in both languages (tests, tools).
RuleText = str | LocalizedText


def _localized(rule: RuleText) -> LocalizedText:
    return rule if isinstance(rule, LocalizedText) else LocalizedText.same(rule)


def hours_after(start: datetime, hours: int) -> datetime:
    """The UTC instant exactly ``hours`` hours of elapsed time after ``start``."""
    return start.astimezone(UTC) + timedelta(hours=hours)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar date in ``zone`` at ``instant``."""
    return instant.astimezone(zone).date()


def calendar_days_after(start: datetime, days: int, zone: ZoneInfo) -> date:
    """The local date ``days`` calendar days after the local date of ``start``."""
    return local_date(start, zone) + timedelta(days=days)


def calendar_months_after(day: date, months: int) -> date:
    """The same day number ``months`` later, or the last day of that month when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def days_after_end_of_year(year: int, days: int) -> date:
    """``days`` days after 31 December of ``year`` (HIPAA 164.408(c): 60 → 1 March, 29 Feb in a
    leap year)."""
    return date(year, 12, 31) + timedelta(days=days)


def end_of_local_day(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` ends in ``zone``: the next local midnight."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)


def utc_text(instant: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the second: how the JSON output writes instants."""
    return instant.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Deadline:
    """When an obligation is due, in the form its legal period is expressed in.

    - ``instant``: ``at`` is a UTC instant (hour-counted periods).
    - ``date``: ``on`` is a local calendar date; ``ends_at`` is when that date ends, in UTC.
    - ``immediate`` / ``without_undue_delay``: no fixed period; ``at``/``on`` are empty.
    - ``relative``: due ``period`` after the moment ``relative_to`` is actually met; ``on`` and
      ``ends_at`` give the latest date, reached if that obligation is met at its own deadline.
    ``rule`` says in words how the deadline was counted, with its legal source (English, the
    stable wording of the JSON output); ``wording`` holds it in French and English.
    """

    kind: DeadlineKind
    rule: str
    at: datetime | None = None
    on: date | None = None
    ends_at: datetime | None = None
    relative_to: ObligationId | None = None
    period: str | None = None  # ISO 8601 duration of the legal period: PT72H, P60D, P1M
    wording: LocalizedText | None = None

    def rule_in(self, language: str | None) -> str:
        """How the deadline was counted, in ``language`` (fr or en)."""
        return self.wording.get(language) if self.wording is not None else self.rule

    @classmethod
    def instant(cls, at: datetime, period: str, rule: RuleText) -> Deadline:
        wording = _localized(rule)
        return cls(
            DeadlineKind.INSTANT, wording.en, at=at.astimezone(UTC), period=period, wording=wording
        )

    @classmethod
    def on_date(cls, on: date, zone: ZoneInfo, period: str, rule: RuleText) -> Deadline:
        wording = _localized(rule)
        return cls(
            DeadlineKind.DATE,
            wording.en,
            on=on,
            ends_at=end_of_local_day(on, zone),
            period=period,
            wording=wording,
        )

    @classmethod
    def immediate(cls, rule: RuleText) -> Deadline:
        wording = _localized(rule)
        return cls(DeadlineKind.IMMEDIATE, wording.en, wording=wording)

    @classmethod
    def without_undue_delay(cls, rule: RuleText) -> Deadline:
        wording = _localized(rule)
        return cls(DeadlineKind.WITHOUT_UNDUE_DELAY, wording.en, wording=wording)

    @classmethod
    def relative(
        cls, relative_to: ObligationId, period: str, latest: date, zone: ZoneInfo, rule: RuleText
    ) -> Deadline:
        wording = _localized(rule)
        return cls(
            DeadlineKind.RELATIVE,
            wording.en,
            on=latest,
            ends_at=end_of_local_day(latest, zone),
            relative_to=relative_to,
            period=period,
            wording=wording,
        )

    @property
    def latest_instant(self) -> datetime | None:
        """The last instant at which the obligation can still be met, when one is fixed."""
        return self.at if self.at is not None else self.ends_at

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "at": utc_text(self.at) if self.at else None,
            "date": self.on.isoformat() if self.on else None,
            "ends_at": utc_text(self.ends_at) if self.ends_at else None,
            "relative_to": self.relative_to.value if self.relative_to else None,
            "period": self.period,
            "rule": self.rule,
        }

    def describe(self, zone: ZoneInfo, language: str | None = "en") -> str:
        """A short human rendering, with local time next to UTC for instants."""
        french = language_of(language) == "fr"
        if self.kind is DeadlineKind.INSTANT and self.at is not None:
            local = self.at.astimezone(zone)
            where = "heure locale" if french else "local"
            return f"{utc_text(self.at)} ({local:%Y-%m-%d %H:%M %Z} {where})"
        if self.kind is DeadlineKind.DATE and self.on is not None:
            return f"{self.on.isoformat()} ({'date locale' if french else 'local date'})"
        if self.kind is DeadlineKind.RELATIVE and self.relative_to is not None:
            if french:
                latest = f", au plus tard le {self.on.isoformat()}" if self.on else ""
                return f"{self.period} après l'envoi de {self.relative_to.value}{latest}"
            latest = f", at the latest {self.on.isoformat()}" if self.on else ""
            return f"{self.period} after {self.relative_to.value} is sent{latest}"
        if french:
            return {
                DeadlineKind.IMMEDIATE: "sans délai",
                DeadlineKind.WITHOUT_UNDUE_DELAY: "dans les meilleurs délais",
            }.get(self.kind, self.kind.value)
        return self.kind.value.replace("_", " ")
