"""A bucket: every rule that applies to one log source, compiled together to share work.

Compiling a bucket turns each rule's expression into a closure over the event and the set of
atoms the prefilter found, and works out for each rule a small set of atoms of which at least
one must hold for the rule to match (its triggers). Per event, only the rules triggered by a
fired atom are evaluated, plus the few rules no atom can vouch for (e.g. ``not filter`` alone).
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .expressions import (
    And,
    BoolTest,
    Const,
    Expr,
    FieldTest,
    Not,
    NumberTest,
    Or,
    RegexTest,
    StringTest,
    Wildcard,
)
from .predicates import field_predicate, keyword_predicate
from .prefilter import (
    END_TEXT,
    HYPERSCAN_AVAILABLE,
    START_TEXT,
    FieldScanner,
    FieldScannerBuilder,
    KeywordScanner,
    can_prefilter,
    hyperscan_pattern,
    on_match,
)

Evaluator = Callable[[Mapping[str, Any], set[int]], bool]

# Trigger choice: an equality on a field every event of the bucket shares (EventID, Channel)
# vouches for nothing, so it is expensive; a long literal substring is the best trigger.
_BROAD_FIELDS = frozenset({"EventID", "Channel", "Provider_Name"})
# The scanner name of keyword tests; not a valid Sigma field name, so it cannot collide.
KEYWORDS = "|keywords|"


@dataclass(frozen=True)
class BucketRule:
    """A rule as it enters a bucket: its position in the engine and its renamed expression."""

    index: int
    expr: Expr


class Bucket:
    """The compiled rules of one log source, ready to run on events."""

    __slots__ = ("scanners", "plan", "keywords", "evaluators", "triggers", "always", "size")

    def __init__(
        self,
        scanners: tuple[FieldScanner, ...],
        keywords: KeywordScanner | None,
        evaluators: dict[int, Evaluator],
        triggers: dict[int, tuple[int, ...]],
        always: tuple[int, ...],
    ) -> None:
        self.scanners = scanners
        self.plan = tuple((s.field, s, s.equal, s.database, s.simple) for s in scanners)
        self.keywords = keywords
        self.evaluators = evaluators
        self.triggers = triggers
        self.always = always
        self.size = len(evaluators)

    def matching(self, event: Mapping[str, Any]) -> list[int]:
        """Indexes (in engine order) of the rules of this bucket that match the event."""
        fired: set[int] = set()
        get = event.get
        # The per-field loop is the hottest code of the engine: the common case (a plain
        # string, no cased test) is inlined rather than a method call.
        for field, scanner, equal, database, simple in self.plan:
            value = get(field)
            if value is None:
                continue
            kind = value.__class__
            if simple and (kind is str or kind is int):
                lowered = value.lower() if kind is str else str(value)
                hits = equal.get(lowered)
                if hits:
                    fired.update(hits)
                if database is not None:
                    if START_TEXT in lowered or END_TEXT in lowered:
                        scanner.scan_exactly(lowered if kind is int else value, fired)
                    else:
                        database.scan(
                            (START_TEXT + lowered + END_TEXT).encode("utf-8", "surrogatepass"),
                            match_event_handler=on_match,
                            context=fired,
                        )
            else:
                scanner.scan(value, fired)
        if self.keywords is not None:
            self.keywords.scan_event(event.values(), fired)
        candidates: set[int] = set(self.always)
        triggers = self.triggers
        for atom in fired:
            rules = triggers.get(atom)
            if rules:
                candidates.update(rules)
        evaluators = self.evaluators
        return sorted(index for index in candidates if evaluators[index](event, fired))


def build_bucket(rules: Sequence[BucketRule], use_hyperscan: bool) -> Bucket:
    # Regexes hyperscan refuses cannot trigger rules; which they are is only learnt by
    # compiling, so the rare bucket that meets one is compiled again without it.
    refused: set[RegexTest] = set()
    while True:
        compiler = _BucketCompiler(use_hyperscan and HYPERSCAN_AVAILABLE, refused)
        triggers: dict[int, list[int]] = {}
        always: list[int] = []
        for rule in rules:
            need = compiler.need(rule.expr)
            if need is None:
                always.append(rule.index)
            else:
                for atom in need[0]:
                    triggers.setdefault(atom, []).append(rule.index)
        # Triggers first: a test with an inner wildcard that triggers no rule is then left out
        # of the hyperscan database and tested in Python, only when a rule using it is a
        # candidate.
        compiler.scan_patterns(triggers)
        evaluators = {rule.index: compiler.evaluator(rule.expr) for rule in rules}
        # A regex atom only triggers rules (their evaluators run the Python regex): one no rule
        # is triggered by is dropped uncompiled, with a scanner left with nothing to scan.
        newly_refused: list[RegexTest] = []
        for name, builder in list(compiler.fields.items()):
            newly_refused += builder.keep_regexes(triggers)
            if builder.is_empty():
                del compiler.fields[name]
        if not newly_refused:
            break
        refused.update(newly_refused)
    use = compiler.use_hyperscan
    keywords_builder = compiler.fields.pop(KEYWORDS, None)
    keywords = keywords_builder.build_keywords(use) if keywords_builder is not None else None
    scanners = tuple(builder.build(use) for builder in compiler.fields.values())
    trigger_map = {atom: tuple(rules) for atom, rules in triggers.items()}
    return Bucket(scanners, keywords, evaluators, trigger_map, tuple(always))


def _has_inner_wildcard(test: StringTest) -> bool:
    """Whether hyperscan needs more than literals for it: a ``?``, or a ``*`` between texts."""
    parts = test.parts
    start, end = 0, len(parts)
    while start < end and parts[start] is Wildcard.MANY:
        start += 1
    while end > start and parts[end - 1] is Wildcard.MANY:
        end -= 1
    return any(isinstance(part, Wildcard) for part in parts[start:end])


class _BucketCompiler:
    def __init__(self, use_hyperscan: bool, refused: Container[RegexTest] = ()) -> None:
        self.use_hyperscan = use_hyperscan
        self.refused = refused  # regexes hyperscan is known to refuse
        self.atoms: dict[FieldTest, int] = {}
        self.costs: dict[int, float] = {}
        self.fields: dict[str, FieldScannerBuilder] = {}
        self.regex_atoms: dict[FieldTest, int | None] = {}
        self.atom_count = 0  # one numbering for field atoms and regex prefilter atoms
        # Tests on a field with a wildcard inside (``a*b``, ``a?``): scanned by their field's
        # scanner only if they trigger a rule (``scan_patterns``); the others are tested in
        # Python by the rules that use them. A few such patterns are most of the cost of
        # compiling a database (SigmaHQ's ``*8???`` endings: 0.4 s for 24 of them), whereas
        # plain substrings, prefixes and suffixes compile fast by the thousand.
        self.patterns: dict[int, tuple[FieldScannerBuilder, StringTest]] = {}
        self.scanned_patterns: frozenset[int] | None = None

    def scan_patterns(self, atoms: Container[int]) -> None:
        """Scan the wildcard tests among ``atoms``; call once, after every ``need``."""
        scanned = [atom for atom in self.patterns if atom in atoms]
        for atom in scanned:
            builder, test = self.patterns[atom]
            builder.add_pattern(atom, test)
        self.scanned_patterns = frozenset(scanned)

    def scanned_atom(self, node: FieldTest) -> int | None:
        """The atom standing for this test in evaluators; None when it is tested in Python."""
        atom = self.atom(node)
        if atom is not None and atom in self.patterns:
            if self.scanned_patterns is None or atom not in self.scanned_patterns:
                return None
        return atom

    def atom(self, node: FieldTest) -> int | None:
        """The shared atom id of an indexable test (string, number, boolean on a field)."""
        if not isinstance(node.test, StringTest | NumberTest | BoolTest):
            return None
        if node.field is None and not isinstance(node.test, StringTest):
            return None
        atom = self.atoms.get(node)
        if atom is not None:
            return atom
        atom = self.atom_count
        self.atom_count += 1
        self.atoms[node] = atom
        # Keyword (fieldless) tests share one scanner run over every value of the event.
        name = node.field if node.field is not None else KEYWORDS
        builder = self.fields.get(name)
        if builder is None:
            builder = self.fields[name] = FieldScannerBuilder(name)
        test = node.test
        broad = 50.0 if node.field in _BROAD_FIELDS else 1.0
        if isinstance(test, NumberTest):
            builder.add_equal(atom, test.text, cased=False)
            self.costs[atom] = broad
        elif isinstance(test, BoolTest):
            builder.add_equal(atom, "true" if test.value else "false", cased=False)
            self.costs[atom] = broad
        elif test.literal is not None:
            builder.add_equal(atom, test.literal, cased=test.cased)
            self.costs[atom] = broad
        else:
            if node.field is not None and _has_inner_wildcard(test):
                self.patterns[atom] = (builder, test)
            else:
                builder.add_pattern(atom, test)
            longest = max((len(p) for p in test.parts if isinstance(p, str)), default=0)
            matches_all = hyperscan_pattern(test) is None
            self.costs[atom] = 100.0 if matches_all else 1.0 + 8.0 / (1 + longest)
        return atom

    def regex_trigger(self, node: FieldTest) -> int | None:
        """A prefilter atom that fires whenever a field's regex may match; None if unusable."""
        if node.field is None or not isinstance(node.test, RegexTest) or not self.use_hyperscan:
            return None
        if node in self.regex_atoms:
            return self.regex_atoms[node]
        atom: int | None = None
        if can_prefilter(node.test) and node.test not in self.refused:
            atom = self.atom_count
            self.atom_count += 1
            builder = self.fields.get(node.field)
            if builder is None:
                builder = self.fields[node.field] = FieldScannerBuilder(node.field)
            builder.add_regex_prefilter(atom, node.test)
            self.costs[atom] = 4.0
        self.regex_atoms[node] = atom
        return atom

    def evaluator(self, expr: Expr) -> Evaluator:
        if isinstance(expr, FieldTest):
            atom = self.scanned_atom(expr)
            if atom is not None:
                return lambda event, fired: atom in fired
            if expr.field is None:
                keyword = keyword_predicate(expr.test)
                return lambda event, fired: keyword(event)
            predicate = field_predicate(expr.field, expr.test)
            return lambda event, fired: predicate(event)
        if isinstance(expr, And):
            return self._and(expr.children)
        if isinstance(expr, Or):
            return self._or(expr.children)
        if isinstance(expr, Not):
            inner = self.evaluator(expr.child)
            return lambda event, fired: not inner(event, fired)
        constant = expr.value
        return lambda event, fired: constant

    def _split(self, children: Sequence[Expr]) -> tuple[frozenset[int], list[Evaluator]]:
        atoms: set[int] = set()
        others: list[Evaluator] = []
        for child in children:
            atom = self.scanned_atom(child) if isinstance(child, FieldTest) else None
            if atom is None:
                others.append(self.evaluator(child))
            else:
                atoms.add(atom)
        return frozenset(atoms), others

    def _and(self, children: Sequence[Expr]) -> Evaluator:
        # Set lookups first: they are nearly free and usually decide the answer.
        atoms, others = self._split(children)
        rest = tuple(others)

        def all_hold(event: Mapping[str, Any], fired: set[int]) -> bool:
            if atoms and not atoms.issubset(fired):
                return False
            for child in rest:
                if not child(event, fired):
                    return False
            return True

        return all_hold

    def _or(self, children: Sequence[Expr]) -> Evaluator:
        atoms, others = self._split(children)
        rest = tuple(others)

        def any_holds(event: Mapping[str, Any], fired: set[int]) -> bool:
            if atoms and not atoms.isdisjoint(fired):
                return True
            for child in rest:
                if child(event, fired):
                    return True
            return False

        return any_holds

    def need(self, expr: Expr) -> tuple[frozenset[int], float] | None:
        """Atoms of which one must hold whenever ``expr`` does, with their cost; None if none."""
        if isinstance(expr, FieldTest):
            atom = self.atom(expr)
            if atom is None:
                atom = self.regex_trigger(expr)
            return None if atom is None else (frozenset((atom,)), self.costs[atom])
        if isinstance(expr, And):
            options = [n for n in (self.need(c) for c in expr.children) if n is not None]
            return min(options, key=lambda option: option[1]) if options else None
        if isinstance(expr, Or):
            union: set[int] = set()
            cost = 0.0
            for child in expr.children:
                option = self.need(child)
                if option is None:
                    return None
                union |= option[0]
                cost += option[1]
            return frozenset(union), cost
        if isinstance(expr, Const) and not expr.value:
            return frozenset(), 0.0
        return None
