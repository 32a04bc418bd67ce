"""Period counting: hours as elapsed time in UTC, days and months on the local calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hygie.response.engine import (
    Deadline,
    DeadlineKind,
    ObligationId,
    calendar_days_after,
    calendar_months_after,
    days_after_end_of_year,
    end_of_local_day,
    hours_after,
    local_date,
)

from .factories import NEW_YORK, PARIS


@pytest.mark.parametrize(
    ("start", "hours", "expected_utc", "expected_local"),
    [
        # Paris spring forward, 29 March 2026 02:00 CET → 03:00 CEST: the local clock shows 73 h.
        (
            datetime(2026, 3, 28, 12, 0, tzinfo=PARIS),
            72,
            datetime(2026, 3, 31, 11, 0, tzinfo=UTC),
            datetime(2026, 3, 31, 13, 0),
        ),
        # Paris fall back, 25 October 2026 03:00 CEST → 02:00 CET: the local clock shows 71 h.
        (
            datetime(2026, 10, 24, 12, 0, tzinfo=PARIS),
            72,
            datetime(2026, 10, 27, 10, 0, tzinfo=UTC),
            datetime(2026, 10, 27, 11, 0),
        ),
        # New York spring forward, 8 March 2026 02:00 EST → 03:00 EDT.
        (
            datetime(2026, 3, 7, 20, 0, tzinfo=NEW_YORK),
            72,
            datetime(2026, 3, 11, 1, 0, tzinfo=UTC),
            datetime(2026, 3, 10, 21, 0),
        ),
        # New York fall back, 1 November 2026 02:00 EDT → 01:00 EST.
        (
            datetime(2026, 10, 31, 20, 0, tzinfo=NEW_YORK),
            72,
            datetime(2026, 11, 4, 0, 0, tzinfo=UTC),
            datetime(2026, 11, 3, 19, 0),
        ),
        # 24 h across the Paris spring change: 01:30 CET + 24 h is 02:30 CEST the next day.
        (
            datetime(2026, 3, 29, 1, 30, tzinfo=PARIS),
            24,
            datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
            datetime(2026, 3, 30, 2, 30),
        ),
    ],
)
def test_hours_are_elapsed_time_across_dst(
    start: datetime, hours: int, expected_utc: datetime, expected_local: datetime
) -> None:
    deadline = hours_after(start, hours)
    assert deadline == expected_utc
    assert deadline.tzinfo is UTC
    assert deadline - start == timedelta(hours=hours)
    zone = start.tzinfo
    assert deadline.astimezone(zone).replace(tzinfo=None) == expected_local


def test_hours_after_the_ambiguous_fall_back_hour_respects_fold() -> None:
    # 01:30 happens twice in New York on 1 Nov 2026; fold=1 is the second (EST) one.
    first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
    second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)
    assert hours_after(second, 72) - hours_after(first, 72) == timedelta(hours=1)


def test_local_wall_clock_arithmetic_would_be_wrong() -> None:
    # The trap the engine avoids: adding hours to an aware local datetime adds wall-clock time.
    start = datetime(2026, 3, 28, 12, 0, tzinfo=PARIS)
    naive_way = start + timedelta(hours=72)
    assert naive_way.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=71)
    assert hours_after(start, 72) - start == timedelta(hours=72)


@pytest.mark.parametrize(
    ("start", "zone", "days", "expected"),
    [
        # 60 calendar days across the Paris spring change.
        (datetime(2026, 3, 1, 10, 0, tzinfo=PARIS), PARIS, 60, date(2026, 4, 30)),
        # Across the New York fall-back change; the date is the same whatever the hour.
        (datetime(2026, 10, 15, 23, 30, tzinfo=NEW_YORK), NEW_YORK, 60, date(2026, 12, 14)),
        # The local date counts, not the UTC one: 23:30 in New York is already tomorrow in UTC.
        (datetime(2026, 3, 10, 3, 30, tzinfo=UTC), NEW_YORK, 60, date(2026, 5, 8)),
        # 00:30 in Paris on 1 Jan is still 31 Dec in UTC.
        (datetime(2025, 12, 31, 23, 30, tzinfo=UTC), PARIS, 60, date(2026, 3, 2)),
        # Over February in a leap year and in a common year.
        (datetime(2028, 1, 15, 12, 0, tzinfo=NEW_YORK), NEW_YORK, 60, date(2028, 3, 15)),
        (datetime(2027, 1, 15, 12, 0, tzinfo=NEW_YORK), NEW_YORK, 60, date(2027, 3, 16)),
        # From 29 February.
        (datetime(2028, 2, 29, 12, 0, tzinfo=NEW_YORK), NEW_YORK, 60, date(2028, 4, 29)),
        # Over the end of a year.
        (datetime(2026, 12, 31, 22, 0, tzinfo=PARIS), PARIS, 60, date(2027, 3, 1)),
    ],
)
def test_calendar_days_count_on_the_local_calendar(
    start: datetime, zone: object, days: int, expected: date
) -> None:
    assert calendar_days_after(start, days, zone) == expected  # type: ignore[arg-type]


def test_local_date_of_an_instant() -> None:
    instant = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert local_date(instant, PARIS) == date(2026, 3, 29)
    assert local_date(instant, NEW_YORK) == date(2026, 3, 28)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),  # shorter month: its last day
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2028, 1, 29), 1, date(2028, 2, 29)),
        (date(2027, 1, 29), 1, date(2027, 2, 28)),
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 4, 30), 1, date(2026, 5, 30)),  # not "end of month to end of month"
        (date(2026, 12, 15), 1, date(2027, 1, 15)),  # over the year end
        (date(2026, 12, 31), 2, date(2027, 2, 28)),
        (date(2026, 5, 10), 12, date(2027, 5, 10)),
    ],
)
def test_calendar_months(start: date, months: int, expected: date) -> None:
    assert calendar_months_after(start, months) == expected


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2026, date(2027, 3, 1)),  # 2027 is a common year: 31 Jan + 28 Feb = 59 days, then 1 March
        (2027, date(2028, 2, 29)),  # 2028 is a leap year: 29 February
        (2028, date(2029, 3, 1)),  # discovered in a leap year, reported in a common one
        (2099, date(2100, 3, 1)),  # 2100 is not a leap year (divisible by 100, not by 400)
        (2399, date(2400, 2, 29)),  # 2400 is
    ],
)
def test_sixty_days_after_the_end_of_the_calendar_year(year: int, expected: date) -> None:
    assert days_after_end_of_year(year, 60) == expected


@pytest.mark.parametrize(
    ("day", "zone", "expected", "length"),
    [
        (date(2026, 6, 10), PARIS, datetime(2026, 6, 10, 22, 0, tzinfo=UTC), 24),
        # The spring-forward day lasts 23 h, the fall-back day 25 h: the end is the next midnight.
        (date(2026, 3, 29), PARIS, datetime(2026, 3, 29, 22, 0, tzinfo=UTC), 23),
        (date(2026, 10, 25), PARIS, datetime(2026, 10, 25, 23, 0, tzinfo=UTC), 25),
        (date(2026, 3, 8), NEW_YORK, datetime(2026, 3, 9, 4, 0, tzinfo=UTC), 23),
        (date(2026, 11, 1), NEW_YORK, datetime(2026, 11, 2, 5, 0, tzinfo=UTC), 25),
    ],
)
def test_end_of_local_day(day: date, zone: object, expected: datetime, length: int) -> None:
    end = end_of_local_day(day, zone)  # type: ignore[arg-type]
    assert end == expected
    previous = end_of_local_day(day - timedelta(days=1), zone)  # type: ignore[arg-type]
    assert end - previous == timedelta(hours=length)


def test_deadline_serialisation() -> None:
    instant = Deadline.instant(datetime(2026, 3, 29, 1, 30, 15, 999, tzinfo=PARIS), "PT72H", "r")
    assert instant.to_dict() == {
        "kind": "instant",
        "at": "2026-03-29T00:30:15Z",
        "date": None,
        "ends_at": None,
        "relative_to": None,
        "period": "PT72H",
        "rule": "r",
    }
    on = Deadline.on_date(date(2026, 12, 31), NEW_YORK, "P60D", "r").to_dict()
    assert (on["kind"], on["date"], on["ends_at"]) == ("date", "2026-12-31", "2027-01-01T05:00:00Z")
    relative = Deadline.relative(
        ObligationId.NIS2_NOTIFICATION, "P1M", date(2026, 5, 1), PARIS, "r"
    ).to_dict()
    assert relative["relative_to"] == "nis2_notification"
    assert relative["ends_at"] == "2026-05-01T22:00:00Z"
    assert Deadline.immediate("r").kind is DeadlineKind.IMMEDIATE
    assert Deadline.without_undue_delay("r").latest_instant is None


def test_deadline_description_shows_local_time() -> None:
    instant = Deadline.instant(datetime(2026, 3, 30, 0, 30, tzinfo=UTC), "PT24H", "r")
    assert instant.describe(PARIS) == "2026-03-30T00:30:00Z (2026-03-30 02:30 CEST local)"
    assert Deadline.immediate("r").describe(PARIS) == "immediate"
    assert Deadline.without_undue_delay("r").describe(PARIS) == "without undue delay"
