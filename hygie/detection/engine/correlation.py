"""Sigma correlation rules over a stream of rule matches, in bounded memory.

A correlator is fed, in time order, every (rule, event) match of the rules correlations refer
to. It keeps per group (the ``group-by`` values) only what the correlation type needs: the last
N timestamps for ``event_count >= N``, one timestamp per distinct value for ``value_count``,
the last time each rule fired for ``temporal``. Groups are evicted least-recently-used past
``max_groups``, entries per group past ``MAX_ENTRIES_PER_GROUP``, so memory never depends on
the size of the log.

Conditions that can only grow (``gt``, ``gte``) fire as soon as they hold, over a window
sliding with each event. Others (``lt``, ``lte``, ``eq``, ``neq``; sums, averages,
percentiles) are judged when the window closes: when an event of the group arrives after
``timespan`` has elapsed since the window opened, or at the end of the stream (``flush``).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sigma.correlations import (
    CorrelationConditionAND,
    CorrelationConditionNOT,
    CorrelationConditionOR,
    SigmaCorrelationRule,
    SigmaCorrelationType,
    SigmaExtendedCorrelationCondition,
    SigmaRuleReference,
)

from .predicates import parse_timestamp
from .rule_pack import RuleInfo

MAX_ENTRIES_PER_GROUP = 10_000
MAX_ORIGINS = 20

_OPS: dict[str, Callable[[float, float], bool]] = {
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "eq": lambda a, b: a == b,
    "neq": lambda a, b: a != b,
}


@dataclass(frozen=True)
class CorrelationMatch:
    """A correlation that held for one group over one window."""

    rule: RuleInfo
    group: tuple[tuple[str, str | None], ...]
    first_at: datetime
    last_at: datetime
    value: float
    origins: tuple[object, ...]


@dataclass
class _Group:
    opened: float
    newest: float
    times: deque[tuple[float, object]] = field(default_factory=deque)
    values: OrderedDict[str, float] = field(default_factory=OrderedDict)
    numbers: deque[tuple[float, float]] = field(default_factory=deque)
    rules_seen: dict[str, tuple[float, object]] = field(default_factory=dict)
    chain: list[float | None] = field(default_factory=list)


class _Correlation:
    """State and logic of one correlation rule."""

    def __init__(
        self,
        info: RuleInfo,
        rule: SigmaCorrelationRule,
        rule_ids: Mapping[int, str],
        max_groups: int,
    ) -> None:
        self.info = info
        self.kind = rule.type
        self.timespan = float(rule.timespan.seconds)
        self.group_by = tuple(rule.group_by or ())
        self.max_groups = max_groups
        # referenced_rules: the rules list, or the rules an extended condition names.
        references = list(rule.referenced_rules)
        self.referenced = tuple(rule_ids[id(ref.rule)] for ref in references)
        by_reference = {ref.reference: rule_ids[id(ref.rule)] for ref in references}
        # alias -> {rule id -> field name in that rule's events}
        self.aliases: dict[str, dict[str, str]] = {}
        for alias in rule.aliases:
            self.aliases[alias.alias] = {
                by_reference.get(ref.reference, ref.reference): name
                for ref, name in alias.mapping.items()
            }
        condition = rule.condition
        self.extended: Any = None
        self.fields: tuple[str, ...]
        self.percentile: int | None = None
        if isinstance(condition, SigmaExtendedCorrelationCondition):
            self.extended = condition._parsed
            self.op, self.count, self.fields = "gte", 1.0, ()
        else:
            self.op = condition.op.name.lower()
            self.count = float(condition.count)
            ref = condition.fieldref
            self.fields = tuple(ref) if isinstance(ref, list) else ((ref,) if ref else ())
            self.percentile = condition.percentile
        self.by_reference = by_reference
        self.eager = self.kind in (
            SigmaCorrelationType.TEMPORAL,
            SigmaCorrelationType.TEMPORAL_ORDERED,
        ) or (
            self.kind in (SigmaCorrelationType.EVENT_COUNT, SigmaCorrelationType.VALUE_COUNT)
            and self.op in ("gt", "gte")
        )
        self.groups: OrderedDict[tuple[str | None, ...], _Group] = OrderedDict()

    def group_key(self, rule_id: str, event: Mapping[str, Any]) -> tuple[str | None, ...]:
        values: list[str | None] = []
        for name in self.group_by:
            source = self.aliases.get(name, {}).get(rule_id, name)
            value = event.get(source)
            values.append(None if value is None else str(value))
        return tuple(values)

    def observe(
        self, rule_id: str, event: Mapping[str, Any], at: float, origin: object
    ) -> list[CorrelationMatch]:
        key = self.group_key(rule_id, event)
        fired: list[CorrelationMatch] = []
        group = self.groups.get(key)
        if group is not None and not self.eager and at - group.opened > self.timespan:
            # The group's window closed before this event: judge it, start a new one.
            match = self._judge(key, group)
            if match is not None:
                fired.append(match)
            del self.groups[key]
            group = None
        if group is None:
            group = _Group(opened=at, newest=at, chain=[None] * len(self.referenced))
            self.groups[key] = group
            if len(self.groups) > self.max_groups:
                self.groups.popitem(last=False)
        else:
            self.groups.move_to_end(key)
        group.newest = max(group.newest, at)
        self._add(group, rule_id, event, at, origin)
        if self.eager:
            match = self._eager_match(key, group, rule_id, at)
            if match is not None:
                del self.groups[key]
                fired.append(match)
        return fired

    def _add(
        self, group: _Group, rule_id: str, event: Mapping[str, Any], at: float, origin: object
    ) -> None:
        horizon = group.newest - self.timespan
        if self.kind in (SigmaCorrelationType.TEMPORAL, SigmaCorrelationType.TEMPORAL_ORDERED):
            group.rules_seen[rule_id] = (at, origin)
            return
        group.times.append((at, origin))
        while group.times and (
            group.times[0][0] < horizon or len(group.times) > MAX_ENTRIES_PER_GROUP
        ):
            group.times.popleft()
        if self.kind is SigmaCorrelationType.EVENT_COUNT and self.eager:
            # "at least N events" only ever needs the newest N.
            while len(group.times) > max(int(self.count) + 1, 1):
                group.times.popleft()
        if self.kind is SigmaCorrelationType.VALUE_COUNT:
            value = tuple(str(event.get(name)) for name in self.fields)
            text = "\x1f".join(value)
            group.values[text] = at
            group.values.move_to_end(text)
            while group.values and (
                next(iter(group.values.values())) < horizon
                or len(group.values) > MAX_ENTRIES_PER_GROUP
            ):
                group.values.popitem(last=False)
        elif self.fields:
            number = _number(event.get(self.fields[0]))
            if number is not None:
                group.numbers.append((at, number))
                while group.numbers and (
                    group.numbers[0][0] < horizon or len(group.numbers) > MAX_ENTRIES_PER_GROUP
                ):
                    group.numbers.popleft()

    def _eager_match(
        self, key: tuple[str | None, ...], group: _Group, rule_id: str, at: float
    ) -> CorrelationMatch | None:
        if self.kind is SigmaCorrelationType.TEMPORAL_ORDERED:
            return self._ordered(key, group, rule_id, at)
        if self.kind is SigmaCorrelationType.TEMPORAL:
            horizon = at - self.timespan
            stale = [r for r, (t, _) in group.rules_seen.items() if t < horizon]
            for seen_rule in stale:
                del group.rules_seen[seen_rule]
            present = set(group.rules_seen)
            if self.extended is not None:
                holds = _extended(self.extended, present, self.by_reference)
            else:
                holds = _OPS[self.op](float(len(present & set(self.referenced))), self.count)
            if not holds:
                return None
            seen = sorted(group.rules_seen.values(), key=lambda item: item[0])
            return self._match(key, seen, float(len(present)))
        value = self._value(group)
        if _OPS[self.op](value, self.count):
            return self._match(key, list(group.times), value)
        return None

    def _ordered(
        self, key: tuple[str | None, ...], group: _Group, rule_id: str, at: float
    ) -> CorrelationMatch | None:
        # chain[i]: start time of the latest sequence matching rules 0..i in order.
        chain = group.chain
        for position in range(len(self.referenced) - 1, -1, -1):
            if self.referenced[position] != rule_id:
                continue
            if position == 0:
                chain[0] = at
            else:
                start = chain[position - 1]
                previous = chain[position]
                if start is not None and at - start <= self.timespan:
                    chain[position] = start if previous is None else max(previous, start)
        last = chain[-1] if chain else None
        if last is not None and at - last <= self.timespan:
            seen = sorted(group.rules_seen.values(), key=lambda item: item[0])
            return self._match(key, seen, float(len(self.referenced)))
        return None

    def _value(self, group: _Group) -> float:
        kind = self.kind
        if kind is SigmaCorrelationType.EVENT_COUNT:
            return float(len(group.times))
        if kind is SigmaCorrelationType.VALUE_COUNT:
            return float(len(group.values))
        numbers = sorted(n for _, n in group.numbers)
        if not numbers:
            return float("nan")
        if kind is SigmaCorrelationType.VALUE_SUM:
            return float(sum(numbers))
        if kind is SigmaCorrelationType.VALUE_AVG:
            return float(sum(numbers)) / len(numbers)
        rank = 50 if kind is SigmaCorrelationType.VALUE_MEDIAN else (self.percentile or 50)
        return numbers[min(len(numbers) - 1, int(len(numbers) * rank / 100))]

    def _judge(self, key: tuple[str | None, ...], group: _Group) -> CorrelationMatch | None:
        value = self._value(group)
        if value != value or not _OPS[self.op](value, self.count):  # NaN: nothing to judge
            return None
        return self._match(key, list(group.times), value)

    def _match(
        self, key: tuple[str | None, ...], seen: Sequence[tuple[float, object]], value: float
    ) -> CorrelationMatch:
        times = [t for t, _ in seen] or [0.0]
        return CorrelationMatch(
            rule=self.info,
            group=tuple(zip(self.group_by, key, strict=True)),
            first_at=datetime.fromtimestamp(min(times), tz=UTC),
            last_at=datetime.fromtimestamp(max(times), tz=UTC),
            value=value,
            origins=tuple(origin for _, origin in seen[-MAX_ORIGINS:]),
        )

    def flush(self) -> list[CorrelationMatch]:
        matches: list[CorrelationMatch] = []
        if not self.eager:
            for key, group in self.groups.items():
                match = self._judge(key, group)
                if match is not None:
                    matches.append(match)
        self.groups.clear()
        return matches


class Correlator:
    """Runs every correlation of a pack over the rule matches of one event stream."""

    def __init__(
        self,
        correlations: Sequence[tuple[RuleInfo, SigmaCorrelationRule]],
        rule_ids: Mapping[int, str],
        timestamp_fields: Sequence[str],
        max_groups: int,
    ) -> None:
        self.timestamp_fields = tuple(timestamp_fields)
        self.skipped = 0
        self._by_rule: dict[str, list[_Correlation]] = {}
        for info, rule in correlations:
            state = _Correlation(info, rule, rule_ids, max_groups)
            for referenced in dict.fromkeys(state.referenced):
                self._by_rule.setdefault(referenced, []).append(state)
        self._states = [s for states in self._by_rule.values() for s in states]

    @property
    def watched_rules(self) -> frozenset[str]:
        """Ids of the rules whose matches this correlator needs to see."""
        return frozenset(self._by_rule)

    def observe(
        self, rule_id: str, event: Mapping[str, Any], origin: object
    ) -> list[CorrelationMatch]:
        """Feed one match; return the correlations it completes (chained ones included)."""
        states = self._by_rule.get(rule_id)
        if not states:
            return []
        at = self._timestamp(event)
        if at is None:
            self.skipped += 1
            return []
        matches: list[CorrelationMatch] = []
        for state in states:
            matches.extend(state.observe(rule_id, event, at, origin))
        for match in list(matches):
            matches.extend(self._chain(match, at))
        return matches

    def _chain(self, match: CorrelationMatch, at: float) -> list[CorrelationMatch]:
        """A correlation firing is itself an event for correlations that refer to it."""
        if match.rule.id not in self._by_rule:
            return []
        pseudo: dict[str, Any] = {name: value for name, value in match.group}
        pseudo[self.timestamp_fields[0] if self.timestamp_fields else "timestamp"] = (
            match.last_at.isoformat()
        )
        return self.observe(match.rule.id, pseudo, match.origins[-1] if match.origins else None)

    def flush(self) -> list[CorrelationMatch]:
        """Judge every open window (end of stream)."""
        matches: list[CorrelationMatch] = []
        for state in dict.fromkeys(self._states):
            matches.extend(state.flush())
        return matches

    def _timestamp(self, event: Mapping[str, Any]) -> float | None:
        for name in self.timestamp_fields:
            value = event.get(name)
            if value is None:
                continue
            if isinstance(value, int | float) and not isinstance(value, bool):
                return float(value)
            moment = parse_timestamp(value)
            if moment is not None:
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=UTC)
                return moment.timestamp()
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value))
    except ValueError:
        return None


def _extended(node: Any, present: set[str], by_reference: Mapping[str, str]) -> bool:
    if isinstance(node, SigmaRuleReference):
        return by_reference.get(node.reference, node.reference) in present
    if isinstance(node, CorrelationConditionAND):
        return all(_extended(arg, present, by_reference) for arg in node.args)
    if isinstance(node, CorrelationConditionOR):
        return any(_extended(arg, present, by_reference) for arg in node.args)
    if isinstance(node, CorrelationConditionNOT):
        return not _extended(node.args[0], present, by_reference)
    return False
