"""Sending schedule: working hours, weekends, holidays, rate limit, determinism; tokens."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from hygie.awareness.engine import (
    AwarenessError,
    SendingWindow,
    is_valid_token,
    new_token,
    schedule,
)

PARIS = ZoneInfo("Europe/Paris")


def window(**changes: object) -> SendingWindow:
    base = dict(
        start=datetime(2026, 3, 6, 0, 0, tzinfo=PARIS),  # a Friday
        end=datetime(2026, 3, 10, 23, 0, tzinfo=PARIS),
        timezone="Europe/Paris",
        holidays=frozenset({date(2026, 3, 9)}),
        per_minute=5,
    )
    base.update(changes)
    return SendingWindow(**base)  # type: ignore[arg-type]


def test_spread_in_working_hours_under_the_rate() -> None:
    people = [f"user{i}@ch-exemple.fr" for i in range(3000)]
    plan = schedule(people, window(), seed="campaign-1")
    assert sorted(m.recipient for m in plan) == sorted(people)
    days = {m.send_at.date() for m in plan}
    assert days == {date(2026, 3, 6), date(2026, 3, 10)}  # weekend and holiday skipped
    assert all(time(9) <= m.send_at.astimezone(PARIS).time() < time(17) for m in plan)
    per_minute = Counter(m.send_at.replace(second=0) for m in plan)
    assert max(per_minute.values()) <= 5
    assert plan == schedule(people, window(), seed="campaign-1")
    assert plan != schedule(people, window(), seed="campaign-2")


def test_small_campaign_spreads_over_the_whole_window() -> None:
    plan = schedule(["a@x.fr", "b@x.fr"], window())
    assert {m.send_at.date() for m in plan} == {date(2026, 3, 6), date(2026, 3, 10)}


def test_dst_change_keeps_local_working_hours() -> None:
    start = datetime(2026, 3, 27, 0, 0, tzinfo=PARIS)  # DST starts on Sunday 29 March
    plan = schedule(
        [f"u{i}" for i in range(100)],
        window(start=start, end=datetime(2026, 3, 31, 0, 0, tzinfo=PARIS), holidays=frozenset()),
    )
    assert all(time(9) <= m.send_at.astimezone(PARIS).time() < time(17) for m in plan)


@pytest.mark.parametrize(
    "changes",
    [
        {"per_minute": 0},
        {"timezone": "Mars/Olympus"},
        {"end": datetime(2026, 3, 1, tzinfo=PARIS)},
        {"start": datetime(2026, 3, 6)},
        {"day_start": time(18), "day_end": time(8)},
    ],
)
def test_bad_windows_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(AwarenessError):
        schedule(["a@x.fr"], window(**changes))


def test_window_too_small_for_the_rate() -> None:
    tiny = window(end=datetime(2026, 3, 6, 9, 10, tzinfo=PARIS), per_minute=1)
    with pytest.raises(AwarenessError, match="holds 10 mails"):
        schedule([f"u{i}" for i in range(11)], tiny)


def test_tokens_are_unique_and_checked() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(is_valid_token(t) for t in tokens)
    for bad in ("", "short", "x" * 25, "a" * 23 + "/", "a" * 23 + "é", "' OR 1=1 --aaaaaaaaaaaaa"):
        assert not is_valid_token(bad)
