"""The detection engine: a rule pack compiled once, run on event dicts one at a time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hygie.lib.errors import Location

from .buckets import Bucket, BucketRule, build_bucket
from .errors import RuleProblem, SigmaEngineError
from .expressions import Expr, rename_fields
from .logsources import LogSourceCatalog, ResolvedSource, default_catalog, explicit_source
from .rule_pack import LoadedRule, LogSourceSpec, RuleInfo, RulePack
from .translation import translate_rule

# Explicit log sources come from callers; past this many distinct ones buckets are not cached,
# so hostile input cannot grow the engine without bound.
MAX_EXPLICIT_BUCKETS = 256


@dataclass(frozen=True)
class EngineConfig:
    """Settings of one engine; ``placeholders`` gives the values of ``|expand`` placeholders."""

    placeholders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    use_hyperscan: bool = True
    timestamp_fields: tuple[str, ...] = ("TimeCreated", "@timestamp", "timestamp", "UtcTime")
    max_correlation_groups: int = 100_000


@dataclass(frozen=True)
class CompiledRule:
    """A rule translated into an expression, with its position in the engine."""

    index: int
    info: RuleInfo
    expr: Expr
    emits: bool


class DetectionEngine:
    """Matches events against a rule pack.

    Rules are grouped by log source into buckets, each compiled on first use, so a hunt over
    Sysmon logs never pays for the Security or PowerShell rules.
    """

    def __init__(
        self,
        pack: RulePack,
        config: EngineConfig | None = None,
        catalog: LogSourceCatalog | None = None,
    ) -> None:
        self.config = config or EngineConfig()
        self.catalog = catalog or default_catalog()
        self.pack = pack
        problems = list(pack.problems)
        notes: list[RuleProblem] = []
        compiled: list[CompiledRule] = []
        for loaded in pack.rules:
            rule = self._compile(loaded, len(compiled), problems, notes)
            if rule is not None:
                compiled.append(rule)
        self.rules: tuple[CompiledRule, ...] = tuple(compiled)
        self.problems: tuple[RuleProblem, ...] = tuple(problems)
        self.notes: tuple[RuleProblem, ...] = tuple(notes)
        self._buckets: dict[tuple[str, ...], Bucket] = {}
        self._explicit: dict[LogSourceSpec, Bucket] = {}

    def _compile(
        self,
        loaded: LoadedRule,
        index: int,
        problems: list[RuleProblem],
        notes: list[RuleProblem],
    ) -> CompiledRule | None:
        info = loaded.info
        where = Location(info.source, info.line)
        try:
            translation = translate_rule(loaded.sigma, self.config.placeholders, loaded.conditions)
        except SigmaEngineError as error:
            problems.append(RuleProblem(where, error.message, info.id, info.title))
            return None
        except RecursionError:
            problems.append(RuleProblem(where, "condition nested too deeply", info.id, info.title))
            return None
        for note in translation.notes:
            notes.append(RuleProblem(where, note, info.id, info.title))
        if not self.catalog.is_routable(info.logsource):
            reason = "no Windows event carries this log source; the rule cannot fire"
            notes.append(RuleProblem(where, reason, info.id, info.title))
        return CompiledRule(index, info, translation.expr, loaded.emits)

    @property
    def valid_count(self) -> int:
        return len(self.rules) + len(self.pack.correlations)

    def matching_rules(
        self, event: Mapping[str, Any], logsource: LogSourceSpec | None = None
    ) -> list[CompiledRule]:
        """Every rule (emitting or only correlated) that matches the event."""
        bucket = self._bucket(event, logsource)
        if bucket is None or not bucket.size:
            return []
        rules = self.rules
        return [rules[index] for index in bucket.matching(event)]

    def match(
        self, event: Mapping[str, Any], logsource: LogSourceSpec | None = None
    ) -> list[RuleInfo]:
        """The emitting rules that match the event (what a user sees as detections)."""
        return [rule.info for rule in self.matching_rules(event, logsource) if rule.emits]

    def _bucket(self, event: Mapping[str, Any], logsource: LogSourceSpec | None) -> Bucket | None:
        if logsource is not None:
            bucket = self._explicit.get(logsource)
            if bucket is None:
                bucket = self._build(explicit_source(logsource))
                if len(self._explicit) < MAX_EXPLICIT_BUCKETS:
                    self._explicit[logsource] = bucket
            return bucket
        key = self.catalog.route_key(event)
        bucket = self._buckets.get(key or ())
        if bucket is None:
            # An event without a recognised log source only meets rules that name none.
            resolved = ResolvedSource(None, None) if key is None else self.catalog.resolve(key)
            bucket = self._buckets[key or ()] = self._build(resolved)
        return bucket

    def prepared_routes(self) -> list[tuple[str, ...] | LogSourceSpec]:
        """The log sources whose buckets are built so far (``prepare`` builds them again)."""
        return [*self._buckets, *self._explicit]

    def prepare(self, route: tuple[str, ...] | LogSourceSpec) -> None:
        """Build a log source's bucket now rather than on its first event (e.g. before forking
        workers, which then share it instead of each building its own)."""
        if isinstance(route, LogSourceSpec):
            self._bucket({}, route)
        elif route not in self._buckets:
            resolved = self.catalog.resolve(route) if route else ResolvedSource(None, None)
            self._buckets[route] = self._build(resolved)

    def forget_buckets(self) -> None:
        """Drop the built buckets (they hold closures: a copy to pickle must not have them)."""
        self._buckets = {}
        self._explicit = {}

    def _build(self, resolved: ResolvedSource) -> Bucket:
        members: list[BucketRule] = []
        for rule in self.rules:
            mapping = resolved.field_mapping_for(rule.info.logsource)
            if mapping is not None:
                members.append(BucketRule(rule.index, rename_fields(rule.expr, mapping)))
        return build_bucket(members, self.config.use_hyperscan)
