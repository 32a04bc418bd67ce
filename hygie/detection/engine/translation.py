"""Translate a pySigma rule (modifiers already applied by pySigma) into the engine's expressions.

pySigma does the hard, well-tested part of the specification: YAML, modifiers (base64offset,
utf16, windash, all, ...), selections, ``1 of``/``all of``/``them`` and patterns. This module
turns its postprocessed condition tree into ``expressions`` nodes, case-folding plain strings
once here so that matching never has to.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sigma.conditions import (
    ConditionAND,
    ConditionFieldEqualsValueExpression,
    ConditionNOT,
    ConditionOR,
    ConditionValueExpression,
)
from sigma.exceptions import SigmaError
from sigma.rule import SigmaRule
from sigma.types import (
    Placeholder,
    SigmaBool,
    SigmaCasedString,
    SigmaCIDRExpression,
    SigmaCompareExpression,
    SigmaExists,
    SigmaExpansion,
    SigmaFieldReference,
    SigmaNull,
    SigmaNumber,
    SigmaRegularExpression,
    SigmaRegularExpressionFlag,
    SigmaString,
    SigmaTimestampPart,
    SpecialChars,
)

from .errors import SigmaEngineError
from .expressions import (
    BoolTest,
    CIDRTest,
    CompareTest,
    Const,
    ExistsTest,
    Expr,
    FieldRefTest,
    FieldTest,
    NullTest,
    NumberTest,
    RegexTest,
    StringPart,
    StringTest,
    TimePartTest,
    ValueTest,
    Wildcard,
    make_and,
    make_not,
    make_or,
)

_REGEX_FLAGS = {
    SigmaRegularExpressionFlag.IGNORECASE: re.IGNORECASE,
    SigmaRegularExpressionFlag.MULTILINE: re.MULTILINE,
    SigmaRegularExpressionFlag.DOTALL: re.DOTALL,
}
# pySigma bounds its own placeholder expansion at 200 values; a product of several placeholders
# in one value is bounded here the same way.
MAX_PLACEHOLDER_EXPANSIONS = 200


@dataclass(frozen=True)
class Translation:
    """A rule's expression and the notes worth telling the user (e.g. unset placeholders)."""

    expr: Expr
    notes: tuple[str, ...]


def translate_rule(
    rule: SigmaRule,
    placeholders: Mapping[str, Sequence[str]],
    conditions: Sequence[Any] | None = None,
) -> Translation:
    """The rule's conditions (OR-ed when the rule lists several) as one expression.

    ``conditions``: the rule's condition trees when already parsed (``LoadedRule.conditions``).
    """
    translator = _Translator(placeholders)
    try:
        trees = (
            list(conditions)
            if conditions is not None
            else [condition.parse() for condition in rule.detection.parsed_condition]
        )
    except SigmaError as error:
        reason = error.args[0] if error.args else error
        raise SigmaEngineError(f"invalid condition: {reason}") from None
    expr = make_or([translator.node(tree) for tree in trees])
    return Translation(expr, tuple(dict.fromkeys(translator.notes)))


class _Translator:
    def __init__(self, placeholders: Mapping[str, Sequence[str]]) -> None:
        self.placeholders = placeholders
        self.notes: list[str] = []

    def node(self, tree: object) -> Expr:
        if isinstance(tree, ConditionAND):
            return make_and([self.node(arg) for arg in tree.args])
        if isinstance(tree, ConditionOR):
            return make_or([self.node(arg) for arg in tree.args])
        if isinstance(tree, ConditionNOT):
            return make_not(self.node(tree.args[0]))
        if isinstance(tree, ConditionFieldEqualsValueExpression):
            return self.value(tree.field, tree.value)
        if isinstance(tree, ConditionValueExpression):
            return self.value(None, tree.value)
        if tree is None:
            # pySigma yields None for an empty selection, which matches nothing.
            return Const(False)
        raise SigmaEngineError(f"unsupported condition element {type(tree).__name__}")

    def value(self, field: str | None, value: object) -> Expr:
        if isinstance(value, SigmaExpansion):
            return make_or([self.value(field, v) for v in value.values])
        if isinstance(value, SigmaString) and value.contains_placeholder():
            return self.placeholder(field, value)
        return FieldTest(field, self.test(field, value))

    def test(self, field: str | None, value: object) -> ValueTest:
        # Order matters: SigmaCasedString is a SigmaString, SigmaTimestampPart a SigmaNumber.
        if isinstance(value, SigmaCasedString):
            return StringTest(_parts(value, lower=False, keyword=field is None), cased=True)
        if isinstance(value, SigmaString):
            return StringTest(_parts(value, lower=True, keyword=field is None))
        if isinstance(value, SigmaTimestampPart):
            return TimePartTest(value.timestamp_part.name.lower(), int(value.number))
        if isinstance(value, SigmaNumber):
            if field is None:  # a keyword number is found in text, like a keyword string
                return StringTest((Wildcard.MANY, str(value.number).lower(), Wildcard.MANY))
            return NumberTest(str(value.number).lower())
        if isinstance(value, SigmaBool):
            return BoolTest(bool(value.boolean))
        if isinstance(value, SigmaNull):
            return NullTest()
        if isinstance(value, SigmaExists):
            return ExistsTest(bool(value.exists))
        if isinstance(value, SigmaRegularExpression):
            return _regex(value)
        if isinstance(value, SigmaCIDRExpression):
            return CIDRTest(value.network)
        if isinstance(value, SigmaCompareExpression):
            return CompareTest(value.op.name.lower(), float(value.number.number))
        if isinstance(value, SigmaFieldReference):
            return FieldRefTest(value.field, value.starts_with, value.ends_with)
        raise SigmaEngineError(f"unsupported value type {type(value).__name__}")

    def placeholder(self, field: str | None, value: SigmaString) -> Expr:
        names = [p.name for p in value.s if isinstance(p, Placeholder)]
        missing = [name for name in names if name not in self.placeholders]
        if missing:
            # Unknown site data (e.g. %Admins_Workstations%) must not widen the rule into a
            # wildcard: the value matches nothing and the user is told why.
            self.notes.append(f"placeholder %{missing[0]}% has no configured values")
            return Const(False)
        choices = [tuple(self.placeholders[name]) for name in names]
        combinations = itertools.islice(itertools.product(*choices), MAX_PLACEHOLDER_EXPANSIONS + 1)
        expanded: list[Expr] = []
        for count, combination in enumerate(combinations):
            if count == MAX_PLACEHOLDER_EXPANSIONS:
                raise SigmaEngineError("placeholder expansion exceeds 200 values")
            replacement = iter(combination)
            text = SigmaString()
            for part in value.s:
                if isinstance(part, Placeholder):
                    text = text + SigmaString(next(replacement))
                else:
                    text = text + part
            expanded.append(FieldTest(field, self.test(field, text)))
        return make_or(expanded)


def _parts(value: SigmaString, *, lower: bool, keyword: bool) -> tuple[StringPart, ...]:
    parts: list[StringPart] = []
    for part in value.s:
        if isinstance(part, str):
            text = part.lower() if lower else part
            if parts and isinstance(parts[-1], str):
                parts[-1] = parts[-1] + text
            else:
                parts.append(text)
        elif part is SpecialChars.WILDCARD_MULTI:
            if not (parts and parts[-1] is Wildcard.MANY):
                parts.append(Wildcard.MANY)
        elif part is SpecialChars.WILDCARD_SINGLE:
            parts.append(Wildcard.ONE)
    if keyword:
        # A keyword is found anywhere in a value, as every Sigma backend reads it.
        if not parts or parts[0] is not Wildcard.MANY:
            parts.insert(0, Wildcard.MANY)
        if parts[-1] is not Wildcard.MANY:
            parts.append(Wildcard.MANY)
    return tuple(parts)


def _regex(value: SigmaRegularExpression) -> RegexTest:
    pattern = value.regexp.to_plain()
    flags = 0
    for flag in value.flags:
        flags |= _REGEX_FLAGS[flag]
    try:
        re.compile(pattern, flags)
    except re.error as error:
        raise SigmaEngineError(f"invalid regular expression: {error}") from None
    return RegexTest(pattern, flags)
