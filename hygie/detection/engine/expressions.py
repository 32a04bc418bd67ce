"""The engine's own condition tree: what a rule tests, independent of pySigma and of log sources.

Rules are translated once into these frozen, hashable nodes. Equal tests in different rules are
equal objects, which is how the matcher shares one test (and one hyperscan pattern) between all
the rules that use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from ipaddress import IPv4Network, IPv6Network


class Wildcard(Enum):
    """Sigma's two wildcards inside a string value."""

    MANY = "*"
    ONE = "?"


StringPart = str | Wildcard


@dataclass(frozen=True)
class StringTest:
    """A Sigma string with wildcards; ``parts`` are lower-cased unless ``cased``."""

    parts: tuple[StringPart, ...]
    cased: bool = False

    @property
    def literal(self) -> str | None:
        """The whole value when it has no wildcard (an equality test), else None."""
        if all(isinstance(part, str) for part in self.parts):
            return "".join(part for part in self.parts if isinstance(part, str))
        return None


@dataclass(frozen=True)
class NumberTest:
    """Equality with a number, compared on its text so that 4688 and "4688" both match."""

    text: str


@dataclass(frozen=True)
class BoolTest:
    value: bool


@dataclass(frozen=True)
class NullTest:
    """The field is absent or null."""


@dataclass(frozen=True)
class ExistsTest:
    expected: bool


@dataclass(frozen=True)
class RegexTest:
    """Python ``re`` search (not anchored), with Sigma's i/m/s flags already folded into flags."""

    pattern: str
    flags: int


@dataclass(frozen=True)
class CIDRTest:
    network: IPv4Network | IPv6Network


@dataclass(frozen=True)
class CompareTest:
    """Numeric comparison; ``op`` is one of lt, lte, gt, gte, neq."""

    op: str
    number: float


@dataclass(frozen=True)
class FieldRefTest:
    """Compare with another field of the same event (case-insensitive, like plain strings)."""

    other: str
    starts_with: bool = False
    ends_with: bool = False


@dataclass(frozen=True)
class TimePartTest:
    """A part (minute, hour, day, week, month, year) of a timestamp field equals a number."""

    part: str
    number: int


ValueTest = (
    StringTest
    | NumberTest
    | BoolTest
    | NullTest
    | ExistsTest
    | RegexTest
    | CIDRTest
    | CompareTest
    | FieldRefTest
    | TimePartTest
)


@dataclass(frozen=True)
class FieldTest:
    """One test on one field; ``field`` None is a keyword search over every value of the event."""

    field: str | None
    test: ValueTest


@dataclass(frozen=True)
class And:
    children: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    child: Expr


@dataclass(frozen=True)
class Const:
    """A constant; False stands for a value that can never match (e.g. an unset placeholder)."""

    value: bool


Expr = FieldTest | And | Or | Not | Const


def make_and(children: list[Expr]) -> Expr:
    """Flattened conjunction with constants folded away."""
    flat: list[Expr] = []
    for child in children:
        if isinstance(child, And):
            flat.extend(child.children)
        elif isinstance(child, Const):
            if not child.value:
                return Const(False)
        else:
            flat.append(child)
    if not flat:
        return Const(True)
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def make_or(children: list[Expr]) -> Expr:
    """Flattened disjunction with constants folded away."""
    flat: list[Expr] = []
    for child in children:
        if isinstance(child, Or):
            flat.extend(child.children)
        elif isinstance(child, Const):
            if child.value:
                return Const(True)
        else:
            flat.append(child)
    if not flat:
        return Const(False)
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def make_not(child: Expr) -> Expr:
    if isinstance(child, Const):
        return Const(not child.value)
    if isinstance(child, Not):
        return child.child
    return Not(child)


def rename_fields(expr: Expr, mapping: dict[str, str]) -> Expr:
    """The same tree with field names translated (a log source's field mapping)."""
    if not mapping:
        return expr
    if isinstance(expr, FieldTest):
        test = expr.test
        if isinstance(test, FieldRefTest) and test.other in mapping:
            test = FieldRefTest(mapping[test.other], test.starts_with, test.ends_with)
        name = mapping.get(expr.field, expr.field) if expr.field is not None else None
        return FieldTest(name, test)
    if isinstance(expr, And):
        return And(tuple(rename_fields(c, mapping) for c in expr.children))
    if isinstance(expr, Or):
        return Or(tuple(rename_fields(c, mapping) for c in expr.children))
    if isinstance(expr, Not):
        return Not(rename_fields(expr.child, mapping))
    return expr
