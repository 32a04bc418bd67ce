"""Date filters of the lists: a bare date in an "until" filter covers the whole day (Python 3.11
reads "2026-03-10" as a date-time at midnight, which dropped that day)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone

from hygie.core.views.generic import form_moment


def test_bare_date_is_start_or_end_of_the_local_day(settings):
    with timezone.override("Europe/Paris"):
        start = form_moment("2026-03-10")
        end = form_moment("2026-03-10", end_of_day=True)
    assert start == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 3, 10, 22, 59, 59, 999999, tzinfo=UTC)


def test_date_time_and_garbage():
    with timezone.override("Europe/Paris"):
        assert form_moment("2026-03-10T08:30") == datetime(2026, 3, 10, 7, 30, tzinfo=UTC)
        assert form_moment("2026-03-10T08:30", end_of_day=True) == datetime(
            2026, 3, 10, 7, 30, tzinfo=UTC
        )
        assert form_moment("") is None
        assert form_moment("yesterday") is None
        assert form_moment("2026-13-45") is None
