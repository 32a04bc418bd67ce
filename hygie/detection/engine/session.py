"""One event stream through an engine: rule matches and the correlations they complete."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .correlation import CorrelationMatch, Correlator
from .detector import CompiledRule, DetectionEngine
from .rule_pack import LogSourceSpec, RuleInfo


@dataclass(frozen=True)
class EventResult:
    """What one event produced: the rules it matched and the correlations it completed."""

    rules: tuple[RuleInfo, ...]
    correlations: tuple[CorrelationMatch, ...]


_NOTHING = EventResult((), ())


class DetectionSession:
    """Stateful companion of a (stateless) engine for one stream; feed events in time order."""

    def __init__(self, engine: DetectionEngine) -> None:
        self.engine = engine
        pack = engine.pack
        rule_ids = {id(loaded.sigma): loaded.info.id for loaded in pack.rules}
        rule_ids.update({id(loaded.sigma): loaded.info.id for loaded in pack.correlations})
        self.correlator = Correlator(
            [(loaded.info, loaded.sigma) for loaded in pack.correlations],
            rule_ids,
            engine.config.timestamp_fields,
            engine.config.max_correlation_groups,
        )
        self._watched = self.correlator.watched_rules
        self._emitting_correlations = frozenset(
            loaded.info.id for loaded in pack.correlations if loaded.emits
        )

    def process(
        self,
        event: Mapping[str, Any],
        origin: object = None,
        logsource: LogSourceSpec | None = None,
    ) -> EventResult:
        return self.process_matched(self.engine.matching_rules(event, logsource), event, origin)

    @property
    def watched(self) -> frozenset[str]:
        """Ids of the rules correlations refer to: only events they match need to be kept."""
        return self._watched

    def process_matched(
        self, matched: list[CompiledRule], event: Mapping[str, Any], origin: object = None
    ) -> EventResult:
        """``process`` for an event whose matching rules are already known (found by
        ``engine.matching_rules``, maybe in another process). ``event`` is only read when one
        of them is ``watched``."""
        if not matched:
            return _NOTHING
        rules = tuple(rule.info for rule in matched if rule.emits)
        correlations: list[CorrelationMatch] = []
        if self._watched:
            for rule in matched:
                if rule.info.id in self._watched:
                    correlations.extend(self.correlator.observe(rule.info.id, event, origin))
        return EventResult(rules, self._visible(correlations))

    def finish(self) -> tuple[CorrelationMatch, ...]:
        """End of stream: correlations whose window was still open."""
        return self._visible(self.correlator.flush())

    def _visible(self, matches: list[CorrelationMatch]) -> tuple[CorrelationMatch, ...]:
        return tuple(m for m in matches if m.rule.id in self._emitting_correlations)
