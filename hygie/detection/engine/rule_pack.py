"""Load a Sigma rule pack with pySigma, keeping every valid rule and reporting every invalid one.

Nothing is dropped silently (peers.md §10: Chainsaw's "339 not loaded"): a file that is not YAML,
a document pySigma rejects, a condition that does not parse, a correlation that refers to an
unknown rule or a value the compiler cannot use all end up in ``RulePack.problems`` with a file,
a line and a reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.exceptions import (
    SigmaConditionError,
    SigmaCorrelationRuleError,
    SigmaError,
    SigmaRuleLocation,
)
from sigma.filters import SigmaFilter
from sigma.rule import SigmaRule

from hygie.lib.documents import DocumentError, Limits, load_yaml_all
from hygie.lib.errors import Location
from hygie.lib.severity import Severity

from .errors import RuleProblem

# A SigmaHQ rule is a few kB; anything far bigger is a mistake or an attack on the YAML parser.
MAX_RULE_FILE_BYTES = 1024 * 1024
# A Sigma detection nests a few levels; SigmaHQ's largest rule has a few thousand values. Aliases,
# which turn a 500-byte file into gigabytes ("billion laughs"), are refused by the loader.
RULE_LIMITS = Limits(
    max_bytes=MAX_RULE_FILE_BYTES, max_depth=32, max_nodes=100_000, max_documents=1_000
)
_QUOTED = re.compile(r"'([^'\n]{2,200})'")


@dataclass(frozen=True)
class RuleSource:
    """One rule file's content and the name it is reported under (usually its path)."""

    name: str
    text: str | bytes


@dataclass(frozen=True)
class LogSourceSpec:
    """A rule's log source; ``None`` means the rule does not constrain that attribute."""

    product: str | None = None
    category: str | None = None
    service: str | None = None


@dataclass(frozen=True)
class RuleInfo:
    """What a match reports about the rule that fired."""

    id: str
    title: str
    level: Severity | None
    source: str
    line: int
    tags: tuple[str, ...] = ()
    logsource: LogSourceSpec = field(default_factory=LogSourceSpec)
    is_correlation: bool = False
    description: str = ""  # the rule's own words on what it detects (shown to analysts)


@dataclass(frozen=True)
class LoadedRule:
    """A detection rule pySigma accepted; ``emits`` is False for rules only correlations use."""

    info: RuleInfo
    sigma: SigmaRule
    emits: bool = True
    # The condition trees pySigma parsed while checking the rule, so that translating it does
    # not parse them again (parsing is a tenth of loading a pack). Not pickled: a pickled rule
    # translates from ``sigma``.
    conditions: tuple[Any, ...] | None = field(default=None, compare=False, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "conditions": None}


@dataclass(frozen=True)
class LoadedCorrelation:
    """A correlation rule whose referenced rules all resolved."""

    info: RuleInfo
    sigma: SigmaCorrelationRule
    emits: bool = True


@dataclass(frozen=True)
class RulePack:
    """Every rule of a pack that loaded, and a problem for every one that did not."""

    rules: tuple[LoadedRule, ...]
    correlations: tuple[LoadedCorrelation, ...]
    problems: tuple[RuleProblem, ...]
    files: int

    @property
    def valid_count(self) -> int:
        return len(self.rules) + len(self.correlations)

    @property
    def loaded(self) -> tuple[LoadedRule | LoadedCorrelation, ...]:
        """Every rule that loaded, detection rules first, then correlations."""
        return (*self.rules, *self.correlations)


def load_rule_pack(sources: Iterable[RuleSource]) -> RulePack:
    """Parse every source; return the valid rules and a located problem for each invalid one."""
    problems: list[RuleProblem] = []
    parsed: list[tuple[SigmaRule | SigmaCorrelationRule, RuleSource, str]] = []
    filters: list[SigmaFilter] = []
    files = 0
    for source in sources:
        files += 1
        text = _decode(source, problems)
        if text is None:
            continue
        collection = _parse_file(source, text, problems)
        if collection is None:
            continue
        filters.extend(collection.filters)
        for error in collection.errors:
            if not _belongs_to_a_rule(error, collection):
                problems.append(_problem(source.name, text, error))
        for rule in collection.rules:
            if rule.errors:
                problems.extend(_problem(source.name, text, e, rule) for e in rule.errors)
            else:
                parsed.append((rule, source, text))
    return _assemble(parsed, filters, problems, files)


def _decode(source: RuleSource, problems: list[RuleProblem]) -> str | None:
    raw = source.text
    if len(raw) > MAX_RULE_FILE_BYTES:
        reason = f"file is larger than {MAX_RULE_FILE_BYTES} bytes"
        problems.append(RuleProblem(Location(source.name), reason))
        return None
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        reason = f"not UTF-8 (byte {error.start})"
        problems.append(RuleProblem(Location(source.name), reason))
        return None


def _parse_file(
    source: RuleSource, text: str, problems: list[RuleProblem]
) -> SigmaCollection | None:
    try:
        documents = [document.data for document in load_yaml_all(text, source.name, RULE_LIMITS)]
    except DocumentError as error:
        problems.extend(
            RuleProblem(problem.location, f"invalid YAML: {problem.message}")
            for problem in error.problems
        )
        return None
    # Recursion in pySigma on a hostile document must not take the whole pack down.
    try:
        if not all(doc is None or isinstance(doc, dict) for doc in documents):
            raise SigmaError("a rule document must be a YAML mapping")
        for document in documents:
            if document is not None:
                for section in ("detection", "filter"):
                    if section in document:
                        _check_names(document[section], section)
                        document[section] = _spec_modifier_names(document[section], 0)
        return SigmaCollection.from_dicts(
            documents,
            collect_errors=True,
            source=SigmaRuleLocation(Path(source.name)),
            collect_filters=True,
            resolve_references=False,
        )
    except (SigmaError, RecursionError, TypeError, AttributeError, KeyError) as error:
        problems.append(RuleProblem(Location(source.name, 1), _reason(error)))
        return None


def _check_names(section: Any, name: str) -> None:
    """Detection names are text; YAML reads unquoted on/off/yes/no as booleans and digits as
    numbers, on which pySigma's condition parser raises TypeError."""
    if isinstance(section, dict):
        for key in section:
            if not isinstance(key, str):
                raise SigmaError(
                    f"{name} name {key!r} is not text (quote it: YAML reads "
                    "on, off, yes, no and numbers as values)"
                )


# Modifier names of the specification that pySigma spells differently.
_MODIFIER_ALIASES = {"utf16le": "wide"}


def _spec_modifier_names(node: Any, depth: int) -> Any:
    """The detection with the specification's modifier names mapped onto pySigma's."""
    if depth > 64:
        return node
    if isinstance(node, dict):
        renamed: dict[Any, Any] = {}
        for key, value in node.items():
            if isinstance(key, str) and "|" in key:
                head, *modifiers = key.split("|")
                key = "|".join([head, *(_MODIFIER_ALIASES.get(m, m) for m in modifiers)])
            renamed[key] = _spec_modifier_names(value, depth + 1)
        return renamed
    if isinstance(node, list):
        return [_spec_modifier_names(item, depth + 1) for item in node]
    return node


def _belongs_to_a_rule(error: SigmaError, collection: SigmaCollection) -> bool:
    return any(error in rule.errors for rule in collection.rules)


def _assemble(
    parsed: Sequence[tuple[SigmaRule | SigmaCorrelationRule, RuleSource, str]],
    filters: Sequence[SigmaFilter],
    problems: list[RuleProblem],
    files: int,
) -> RulePack:
    detection: list[tuple[SigmaRule, RuleSource, str]] = []
    trees: dict[int, tuple[Any, ...]] = {}
    correlation: list[tuple[SigmaCorrelationRule, RuleSource, str]] = []
    for rule, source, text in parsed:
        if isinstance(rule, SigmaCorrelationRule):
            correlation.append((rule, source, text))
            continue
        try:
            for sigma_filter in filters:
                applied = sigma_filter.apply_on_rule(rule)
                assert isinstance(applied, SigmaRule)
                rule = applied
            parsed_trees = []
            for condition in rule.detection.parsed_condition:
                if not isinstance(condition.condition, str):  # pySigma would raise TypeError
                    raise SigmaConditionError("condition must be a string expression")
                parsed_trees.append(condition.parse())
            trees[id(rule)] = tuple(parsed_trees)
        except (SigmaError, RecursionError, TypeError) as error:  # TypeError: see _parse_file
            problems.append(_problem(source.name, text, error, rule))
            continue
        detection.append((rule, source, text))

    members: list[SigmaRule | SigmaCorrelationRule | SigmaFilter] = [r for r, _, _ in detection]
    members.extend(r for r, _, _ in correlation)
    collection = SigmaCollection(
        init_rules=members,
        resolve_references=False,
    )
    good_correlations: list[tuple[SigmaCorrelationRule, RuleSource, str]] = []
    for rule, source, text in correlation:
        try:
            _check_references_are_names(rule)
            rule.resolve_rule_references(collection)
        except SigmaError as error:
            problems.append(_problem(source.name, text, error, rule))
            continue
        good_correlations.append((rule, source, text))

    rules = tuple(
        LoadedRule(_info(r, s, t), r, emits=r._output, conditions=trees[id(r)])
        for r, s, t in detection
    )
    correlations = tuple(
        LoadedCorrelation(_info(r, s, t), r, emits=r._output) for r, s, t in good_correlations
    )
    return RulePack(rules, correlations, tuple(problems), files)


def _check_references_are_names(rule: SigmaCorrelationRule) -> None:
    """A correlation names its rules by id or name; pySigma looks anything else up as None and
    then fails with an AttributeError (e.g. ``rules: [{name: field}]`` written as a mapping)."""
    for reference in rule.rules or ():
        if not isinstance(reference.reference, str):
            raise SigmaCorrelationRuleError(
                "correlation rules: each entry must be a rule id or name, "
                f"not a {type(reference.reference).__name__}"
            )


def _info(rule: SigmaRule | SigmaCorrelationRule, source: RuleSource, text: str) -> RuleInfo:
    level = Severity.from_label(rule.level.name) if rule.level is not None else None
    if isinstance(rule, SigmaRule):
        ls = rule.logsource
        logsource = LogSourceSpec(ls.product, ls.category, ls.service)
    else:
        logsource = LogSourceSpec()
    rule_id = str(rule.id) if rule.id is not None else f"{source.name}#{rule.title}"
    return RuleInfo(
        id=rule_id,
        title=str(rule.title),
        level=level,
        source=source.name,
        line=_title_line(text, rule.title),
        tags=tuple(str(tag) for tag in rule.tags),
        logsource=logsource,
        is_correlation=isinstance(rule, SigmaCorrelationRule),
        description=" ".join(str(getattr(rule, "description", None) or "").split())[:2000],
    )


def _problem(
    name: str,
    text: str,
    error: BaseException,
    rule: SigmaRule | SigmaCorrelationRule | None = None,
) -> RuleProblem:
    reason = _reason(error)
    line = _locate(text, reason, rule)
    rule_id = str(rule.id) if rule is not None and rule.id is not None else None
    title = str(rule.title) if rule is not None and rule.title is not None else None
    return RuleProblem(Location(name, line), reason, rule_id, title)


def _reason(error: BaseException) -> str:
    # pySigma appends " in <absolute path>" to its messages; the location is reported separately.
    message = error.args[0] if error.args else type(error).__name__
    return str(message).strip() or type(error).__name__


def _locate(text: str, reason: str, rule: SigmaRule | SigmaCorrelationRule | None) -> int:
    """Best line for a problem: pySigma rarely knows one, so look for what the reason quotes."""
    source = getattr(rule, "source", None)
    if source is not None and source.line is not None:
        return int(source.line)
    start = _title_line(text, rule.title) if rule is not None and rule.title else 1
    lines = text.splitlines()
    for quoted in _QUOTED.findall(reason):
        for number in range(start, len(lines) + 1):
            if quoted in lines[number - 1]:
                return number
    for keyword in ("condition", "detection", "logsource", "correlation", "level", "status"):
        if keyword in reason.lower():
            for number in range(start, len(lines) + 1):
                if lines[number - 1].lstrip().startswith(keyword + ":"):
                    return number
    return start


def _title_line(text: str, title: object) -> int:
    # A hostile or careless rule may have any YAML value as its title.
    title = str(title) if title is not None else ""
    if title:
        for number, line in enumerate(text.splitlines(), start=1):
            if line.startswith("title:") and title in line:
                return number
    return 1
