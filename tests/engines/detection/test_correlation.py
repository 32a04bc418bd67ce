"""Correlation rules (sigma-correlation-rules-specification.md) over event streams."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hygie.detection.engine import (
    DetectionEngine,
    DetectionSession,
    EngineConfig,
    RuleSource,
    load_rule_pack,
)

from .helpers import TEST_SOURCE

BASE = """
title: failed logon
id: 30000000-0000-4000-8000-000000000001
name: failed_logon
logsource: {product: test}
detection:
    sel: {outcome: failure}
    condition: sel
level: low
---
title: successful logon
id: 30000000-0000-4000-8000-000000000002
name: successful_logon
logsource: {product: test}
detection:
    sel: {outcome: success}
    condition: sel
level: low
---
title: recon
id: 30000000-0000-4000-8000-000000000003
name: recon
logsource: {product: test}
detection:
    sel: {cmd: whoami}
    condition: sel
level: low
"""

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def correlation(body: str, title: str = "corr", generate: bool = False) -> str:
    return (
        f"title: {title}\nid: 40000000-0000-4000-8000-00000000000{len(title) % 10}\n"
        f"correlation:\n{body}\n    generate: {str(generate).lower()}\nlevel: high\n"
    )


def session_for(*texts: str, **config: object) -> DetectionSession:
    pack = load_rule_pack([RuleSource(f"c{n}.yml", t) for n, t in enumerate(texts)])
    assert not pack.problems, [str(p) for p in pack.problems]
    return DetectionSession(DetectionEngine(pack, EngineConfig(**config)))  # type: ignore[arg-type]


def feed(session: DetectionSession, events: list[tuple[int, dict]]):  # noqa: ANN201
    """Events at (seconds after T0, fields); returns (rule titles, correlation matches)."""
    titles, matches = [], []
    for n, (seconds, fields) in enumerate(events):
        event = {"@timestamp": (T0 + timedelta(seconds=seconds)).isoformat(), **fields}
        result = session.process(event, origin=n, logsource=TEST_SOURCE)
        titles.extend(rule.title for rule in result.rules)
        matches.extend(result.correlations)
    matches.extend(session.finish())
    return titles, matches


EVENT_COUNT = """    type: event_count
    rules: [failed_logon]
    group-by: [user]
    timespan: 10m
    condition: {gte: 3}"""


def test_event_count_fires_once_per_group_within_timespan() -> None:
    session = session_for(BASE, correlation(EVENT_COUNT))
    fail = {"outcome": "failure"}
    _, matches = feed(
        session,
        [
            (0, {**fail, "user": "bob"}),
            (60, {**fail, "user": "bob"}),
            (61, {**fail, "user": "eve"}),
            (120, {**fail, "user": "bob"}),
            (130, {**fail, "user": "eve"}),
        ],
    )
    assert len(matches) == 1
    (match,) = matches
    assert match.group == (("user", "bob"),)
    assert match.value == 3
    assert match.origins == (0, 1, 3)
    assert match.first_at == T0 and match.last_at == T0 + timedelta(seconds=120)


def test_event_count_outside_timespan_does_not_fire() -> None:
    session = session_for(BASE, correlation(EVENT_COUNT))
    fail = {"outcome": "failure", "user": "bob"}
    _, matches = feed(session, [(0, fail), (400, fail), (800, fail), (1300, fail)])
    assert not matches
    _, matches = feed(session, [(2000, fail), (2400, fail), (2500, fail)])
    assert len(matches) == 1


def test_referenced_rules_are_hidden_unless_generate() -> None:
    hidden = session_for(BASE, correlation(EVENT_COUNT))
    titles, _ = feed(hidden, [(0, {"outcome": "failure", "user": "a"})])
    assert "failed logon" not in titles
    shown = session_for(BASE, correlation(EVENT_COUNT, generate=True))
    titles, _ = feed(shown, [(0, {"outcome": "failure", "user": "a"})])
    assert "failed logon" in titles


def test_value_count() -> None:
    body = """    type: value_count
    rules: [failed_logon]
    group-by: [host]
    timespan: 1h
    condition: {field: user, gt: 2}"""
    session = session_for(BASE, correlation(body))
    events = [
        (n * 10, {"outcome": "failure", "host": "h1", "user": u})
        for n, u in enumerate(["a", "a", "b", "b", "c"])
    ]
    _, matches = feed(session, events)
    assert len(matches) == 1
    assert matches[0].value == 3
    assert matches[0].group == (("host", "h1"),)


def test_event_count_lower_than_is_judged_when_the_window_closes() -> None:
    body = """    type: event_count
    rules: [successful_logon]
    group-by: [user]
    timespan: 1h
    condition: {lt: 2}"""
    session = session_for(BASE, correlation(body))
    ok = {"outcome": "success"}
    _, matches = feed(
        session,
        [
            (0, {**ok, "user": "rare"}),
            (0, {**ok, "user": "busy"}),
            (10, {**ok, "user": "busy"}),
        ],
    )
    assert [m.group for m in matches] == [(("user", "rare"),)]


def test_temporal_any_order() -> None:
    body = """    type: temporal
    rules: [recon, failed_logon]
    group-by: [user]
    timespan: 5m"""
    session = session_for(BASE, correlation(body))
    _, matches = feed(
        session,
        [
            (0, {"outcome": "failure", "user": "bob"}),
            (10, {"cmd": "whoami", "user": "eve"}),
            (20, {"cmd": "whoami", "user": "bob"}),
        ],
    )
    assert [m.group for m in matches] == [(("user", "bob"),)]


def test_temporal_outside_timespan() -> None:
    body = """    type: temporal
    rules: [recon, failed_logon]
    group-by: [user]
    timespan: 5m"""
    session = session_for(BASE, correlation(body))
    _, matches = feed(
        session,
        [
            (0, {"outcome": "failure", "user": "bob"}),
            (400, {"cmd": "whoami", "user": "bob"}),
        ],
    )
    assert not matches


def test_temporal_ordered_requires_the_order() -> None:
    body = """    type: temporal_ordered
    rules: [failed_logon, successful_logon]
    group-by: [user]
    timespan: 1h"""
    session = session_for(BASE, correlation(body))
    _, wrong_order = feed(
        session,
        [
            (0, {"outcome": "success", "user": "bob"}),
            (10, {"outcome": "failure", "user": "bob"}),
        ],
    )
    assert not wrong_order
    session = session_for(BASE, correlation(body))
    _, right_order = feed(
        session,
        [
            (0, {"outcome": "failure", "user": "bob"}),
            (10, {"outcome": "success", "user": "bob"}),
        ],
    )
    assert len(right_order) == 1


def test_aliases_group_different_field_names() -> None:
    body = """    type: temporal
    rules: [recon, failed_logon]
    aliases:
        account:
            recon: SubjectUserName
            failed_logon: TargetUserName
    group-by: [account]
    timespan: 5m"""
    session = session_for(BASE, correlation(body))
    _, matches = feed(
        session,
        [
            (0, {"outcome": "failure", "TargetUserName": "bob"}),
            (5, {"cmd": "whoami", "SubjectUserName": "bob"}),
        ],
    )
    assert [m.group for m in matches] == [(("account", "bob"),)]


def test_chained_correlation() -> None:
    many = """    type: event_count
    rules: [failed_logon]
    group-by: [user]
    timespan: 10m
    condition: {gte: 2}"""
    first = correlation(many, title="many_failures").replace(
        "correlation:", "name: many_failures\ncorrelation:"
    )
    then = """    type: temporal_ordered
    rules: [many_failures, successful_logon]
    group-by: [user]
    timespan: 1h"""
    session = session_for(BASE, first, correlation(then, title="brute force success"))
    _, matches = feed(
        session,
        [
            (0, {"outcome": "failure", "user": "bob"}),
            (1, {"outcome": "failure", "user": "bob"}),
            (30, {"outcome": "success", "user": "bob"}),
        ],
    )
    # The inner correlation only feeds the outer one (no "generate"), so only the outer shows.
    assert [m.rule.title for m in matches] == ["brute force success"]
    assert matches[0].group == (("user", "bob"),)


def test_value_sum_and_avg() -> None:
    for kind, threshold, expected in (("value_sum", 250, 300.0), ("value_avg", 90, 100.0)):
        body = f"""    type: {kind}
    rules: [successful_logon]
    group-by: [user]
    timespan: 1h
    condition: {{field: bytes, gt: {threshold}}}"""
        session = session_for(BASE, correlation(body))
        events = [(n, {"outcome": "success", "user": "u", "bytes": 100}) for n in range(3)]
        _, matches = feed(session, events)
        assert [m.value for m in matches] == [expected]


def test_memory_is_bounded_by_max_groups() -> None:
    session = session_for(BASE, correlation(EVENT_COUNT), max_correlation_groups=100)
    events = [(n, {"outcome": "failure", "user": f"user{n}"}) for n in range(5000)]
    feed(session, events[:-1])
    states = session.correlator._states
    assert all(len(state.groups) <= 100 for state in states)


def test_events_without_timestamp_are_counted_not_correlated() -> None:
    session = session_for(BASE, correlation(EVENT_COUNT))
    for _ in range(5):
        session.process({"outcome": "failure", "user": "bob"}, logsource=TEST_SOURCE)
    assert session.correlator.skipped == 5
    assert not session.finish()


def test_temporal_extended_condition() -> None:
    body = """    type: temporal
    group-by: [user]
    timespan: 5m
    condition: recon and not successful_logon"""
    session = session_for(BASE, correlation(body))
    _, matches = feed(
        session,
        [
            (0, {"cmd": "whoami", "user": "bob"}),
            (1, {"outcome": "success", "user": "eve"}),
            (2, {"cmd": "whoami", "user": "eve"}),
        ],
    )
    assert [m.group for m in matches] == [(("user", "bob"),)]


def test_value_percentile() -> None:
    body = """    type: value_percentile
    rules: [successful_logon]
    group-by: [user]
    timespan: 1h
    condition: {field: bytes, percentile: 90, gt: 50}"""
    session = session_for(BASE, correlation(body))
    events = [(n, {"outcome": "success", "user": "u", "bytes": n * 10}) for n in range(10)]
    _, matches = feed(session, events)
    assert [m.value for m in matches] == [90.0]


def test_sigma_filter_applies_to_its_rules() -> None:
    sigma_filter = """
title: admins are expected
id: 50000000-0000-4000-8000-000000000001
logsource: {product: test}
filter:
    rules: [30000000-0000-4000-8000-000000000003]
    selection: {user: admin}
    condition: not selection
"""
    session = session_for(BASE, sigma_filter)
    titles, _ = feed(
        session, [(0, {"cmd": "whoami", "user": "admin"}), (1, {"cmd": "whoami", "user": "bob"})]
    )
    assert titles == ["recon"]
