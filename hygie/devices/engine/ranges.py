"""Version ranges: the ``vers:`` specification and the free-text ranges of real advisories.

``vers:generic/>=1.0|<2.0`` (https://github.com/package-url/purl-spec, VERS): constraints
separated by ``|``, each a comparator (``=`` by default, ``!=``, ``<``, ``<=``, ``>``, ``>=``)
and a version; ``vers:all/*`` is every version. Legacy ranges found in CSAF
``product_version_range`` and ``product_version`` names are read into the same constraints:
``<= 2.3.6``, ``< 3.0``, ``>= 2.0``, ``>= 1.3.4 | < 1.5.3``, ``3.0|3.1``, ``all versions``,
``prior to 4.1``, ``before V2.1``, ``2.3.6 and below``, ``4.0 and later``,
``versions 3.0 through 3.4``, ``12.x``.

Containment follows the vers algorithm: equalities first, then the comparators in the order
given pair into intervals (a lower bound opens one, the next upper bound closes it; an upper
bound with no open lower bound starts at minus infinity, a lower bound left open goes to plus
infinity). When the bounds name several version lines (the letters before the first number
differ: ``<= U61 | <= L81``), a bound applies only to versions of its line.

Anything else (dates such as ``< May 2018``, prose, a comparator in the middle of a text) is a
:class:`Range` with a ``problem``: the matcher reports such a product as ``needs_review`` with the
reason, never as a silent match or miss. :func:`contains` also answers ``None`` (with why) when a
device's version cannot be compared with a bound.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from hygie.devices.engine.texts import Text, gettext_noop, text
from hygie.devices.engine.versions import Version, compare, parse_version

OPERATORS = ("<=", ">=", "!=", "==", "<", ">", "=")
MAX_RANGE_LENGTH = 500
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = re.compile(
    rf"\b(?:{_MONTHS})\b|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b|\b\d{{4}}-\d{{2}}-\d{{2}}\b",
    re.IGNORECASE,
)
# Words that make a text prose rather than a version (a version may hold "SP", "Build",
# "Service Pack", "Update", "Patch", "R", "Rev"...).
_PROSE = frozenset(
    (
        "with without running shipped option options model models module modules and or "
        "only unsupported such as all any every between through thru to from since until "
        "before after prior earlier later older newer below above higher lower up including "
        "excluding except versions distributed global us u.s. systems operating windows "
        "affected not see the of for on in if"
    ).split()
)
_ALL = re.compile(r"^(?:all(?:\s+versions?)?|any(?:\s+versions?)?|every\s+version|\*)$", re.I)
_VERSION_WORD = r"(?:versions?|ver\.?|releases?|firmware|software|fw|sw)"
_LOWER_THAN = re.compile(
    rf"^(?:{_VERSION_WORD}\s+)?(?:prior\s+to|before|earlier\s+than|older\s+than|lower\s+than|"
    rf"below|up\s+to\s+but\s+not\s+including)\s+(?:{_VERSION_WORD}\s+)?(?P<v>.+)$",
    re.I,
)
_UP_TO = re.compile(
    rf"^(?:{_VERSION_WORD}\s+)?(?:up\s+to(?:\s+and\s+including)?|through|until)\s+"
    rf"(?:{_VERSION_WORD}\s+)?(?P<v>.+)$",
    re.I,
)
_AND_BELOW = re.compile(
    rf"^(?:{_VERSION_WORD}\s+)?(?P<v>.+?)\s+(?:and|or|&)\s+(?:all\s+)?(?:prior|below|earlier|"
    rf"older|lower|before)(?:\s+{_VERSION_WORD})?$",
    re.I,
)
_AND_ABOVE = re.compile(
    rf"^(?:{_VERSION_WORD}\s+)?(?P<v>.+?)\s+(?:and|or|&)\s+(?:all\s+)?(?:later|above|newer|"
    rf"higher|after|greater)(?:\s+{_VERSION_WORD})?$",
    re.I,
)
_THROUGH = re.compile(
    rf"^(?:from\s+)?(?:{_VERSION_WORD}\s+)?(?P<a>\S+(?:\s+\S+)?)\s+(?:through|thru|to|-|–)\s+"
    rf"(?:{_VERSION_WORD}\s+)?(?P<b>\S+(?:\s+\S+)?)$",
    re.I,
)
_LEADING_WORD = re.compile(rf"^{_VERSION_WORD}\s+(?=\S*\d)", re.I)


@dataclass(frozen=True)
class Constraint:
    op: str  # = != < <= > >=
    version: Version

    def __str__(self) -> str:
        return f"{self.op}{self.version.text}"


@dataclass(frozen=True)
class Range:
    """A parsed range: its text, how it was read ("vers", "legacy", "exact", "all"), its
    constraints, and the reason it cannot be used (then it needs review): ``problem`` in
    English, ``reason`` the same as a translatable :class:`Text`."""

    text: str
    kind: str
    constraints: tuple[Constraint, ...] = ()
    problem: str = ""
    scheme: str = ""
    families: frozenset[str] = field(default_factory=frozenset)
    reason: Text | None = None

    @property
    def is_all(self) -> bool:
        return self.kind == "all"

    @property
    def is_exact(self) -> bool:
        return (
            not self.problem
            and len(self.constraints) == 1
            and self.constraints[0].op == "="
            and not self.constraints[0].version.wildcard
        )

    def describe(self) -> str:
        if self.is_all:
            return "all versions"
        return " | ".join(str(c) for c in self.constraints) or self.text


def _family(version: Version) -> str:
    """The letters before the first number ("U" of "U61", "" of "2.1")."""
    for token in version.tokens:
        if isinstance(token, int):
            return ""
        return token
    return ""


def _bad(text: str, kind: str, problem: Text) -> Range:
    return Range(text=text, kind=kind, problem=str(problem), reason=problem)


_NOT_A_VERSION = gettext_noop("%(value)r is not a version")


def _version_value(value_text: str) -> tuple[Version | None, Text | None]:
    value = _LEADING_WORD.sub("", value_text.strip().strip(",;")).strip()
    if not value:
        return None, text(gettext_noop("no version after the comparator"))
    if _DATE.search(value):
        return None, text(gettext_noop("%(value)r is a date, not a version"), value=value)
    words = [w.casefold().strip("().,") for w in value.split()]
    if any(w in _PROSE for w in words) or len(words) > 4:
        return None, text(gettext_noop("%(value)r is a description, not a version"), value=value)
    if any(op in value for op in ("<", ">", "=")):
        return None, text(gettext_noop("%(value)r holds a comparator inside"), value=value)
    version = parse_version(value)
    if version is None:
        return None, text(_NOT_A_VERSION, value=value)
    if version.tokens and not any(isinstance(t, int) for t in version.tokens):
        # "K", "D25" are versions of some vendors; a single letter run is accepted as one.
        if len(words) > 1:
            return None, text(_NOT_A_VERSION, value=value)
    return version, None


def _legacy_part(part: str) -> tuple[list[Constraint], Text | None]:
    clean = " ".join(part.split())
    if not clean:
        return [], text(gettext_noop("an empty alternative"))
    for op in OPERATORS:
        if clean.startswith(op):
            version, problem = _version_value(clean[len(op) :])
            if version is None:
                return [], problem
            return [Constraint("=" if op == "==" else op, version)], None
    if any(op in clean for op in ("<", ">")):
        return [], text(gettext_noop("%(text)r has a comparator in the middle"), text=clean)
    for pattern, op in ((_LOWER_THAN, "<"), (_UP_TO, "<="), (_AND_BELOW, "<="), (_AND_ABOVE, ">=")):
        found = pattern.match(clean)
        if found:
            version, problem = _version_value(found.group("v"))
            if version is None:
                return [], problem
            return [Constraint(op, version)], None
    found = _THROUGH.match(clean)
    if found:
        low, problem = _version_value(found.group("a"))
        high, problem_high = _version_value(found.group("b"))
        if low is None or high is None:
            return [], problem or problem_high
        return [Constraint(">=", low), Constraint("<=", high)], None
    version, problem = _version_value(clean)
    if version is None:
        return [], problem
    return [Constraint("=", version)], None


def _finish(text: str, kind: str, constraints: list[Constraint], scheme: str = "") -> Range:
    families = frozenset(_family(c.version) for c in constraints if c.op not in ("=", "!="))
    return Range(
        text=text,
        kind=kind,
        constraints=tuple(constraints),
        scheme=scheme,
        families=families if len(families) > 1 else frozenset(),
    )


def parse_vers(text: str) -> Range:
    """A ``vers:<scheme>/<constraints>`` string."""
    body = text.strip()[5:]
    scheme, slash, rest = body.partition("/")
    scheme = scheme.strip().casefold()
    if not slash or not scheme:
        return _bad(
            text, "vers", Text(gettext_noop("a vers range needs vers:<scheme>/<constraints>"))
        )
    rest = rest.strip()
    if rest == "*" or scheme == "all":
        if rest != "*":
            return _bad(text, "vers", Text(gettext_noop("vers:all must be vers:all/*")))
        return Range(text=text, kind="all", scheme=scheme)
    constraints: list[Constraint] = []
    for raw in rest.split("|"):
        item = unquote(raw.strip())
        if not item:
            return _bad(text, "vers", Text(gettext_noop("an empty vers constraint")))
        op = next((o for o in OPERATORS if item.startswith(o)), "=")
        value = item[len(op) :] if item.startswith(op) else item
        version = parse_version(value)
        if version is None or not value.strip():
            return _bad(text, "vers", Text(_NOT_A_VERSION, (("value", value.strip()),)))
        constraints.append(Constraint("=" if op == "==" else op, version))
    return _finish(text, "vers", constraints, scheme)


def parse_range(text: str) -> Range:
    """Parse a ``product_version_range`` name (``vers:`` or legacy free text)."""
    raw = str(text)
    clean = " ".join(raw.split())
    if not clean:
        return _bad(raw, "legacy", Text(gettext_noop("an empty range")))
    if len(clean) > MAX_RANGE_LENGTH:
        return _bad(clean[:80], "legacy", Text(gettext_noop("the range is too long")))
    if clean.casefold().startswith("vers:"):
        return parse_vers(clean)
    if _ALL.match(clean):
        return Range(text=clean, kind="all")
    constraints: list[Constraint] = []
    for part in clean.split("|"):
        found, problem = _legacy_part(part)
        if problem is not None:
            return _bad(clean, "legacy", problem)
        constraints.extend(found)
    return _finish(clean, "legacy", constraints)


def parse_product_version(text: str) -> Range:
    """A ``product_version`` name: one exact version, or (against the specification, but found
    in real advisories) alternatives or a range, read like a range; prose needs review."""
    clean = " ".join(str(text).split())
    if clean.casefold().startswith("vers:") or _ALL.match(clean):
        return parse_range(clean)
    parsed = parse_range(clean)
    if parsed.reason is not None:
        return _bad(clean, "exact", parsed.reason)
    if parsed.is_exact:
        return Range(text=clean, kind="exact", constraints=parsed.constraints)
    return parsed


def _holds(op: str, order: int) -> bool:
    return {
        "=": order == 0,
        "!=": order != 0,
        "<": order < 0,
        "<=": order <= 0,
        ">": order > 0,
        ">=": order >= 0,
    }[op]


def contains(rng: Range, version_text: str) -> tuple[bool | None, str]:
    """Whether the version is in the range: True, False, or None (needs review), with why."""
    decided, why = contains_text(rng, version_text)
    return decided, str(why)


# Shared with the matcher's own messages (one msgid, one translation).
VERSION_UNREADABLE = gettext_noop("the device's version %(version)r cannot be read")


def contains_text(rng: Range, version_text: str) -> tuple[bool | None, Text]:
    """:func:`contains` with the reason as a translatable :class:`Text`."""
    if rng.problem:
        return None, text(
            gettext_noop("the range %(range)r cannot be read: %(problem)s"),
            range=rng.text,
            problem=rng.reason or rng.problem,
        )
    if rng.is_all:
        return True, text(gettext_noop("%(range)r covers all versions"), range=rng.text)
    version = parse_version(version_text)
    if version is None:
        return None, text(VERSION_UNREADABLE, version=version_text)
    constraints = list(rng.constraints)
    if rng.families:
        family = _family(version)
        constraints = [
            c for c in constraints if c.op in ("=", "!=") or _family(c.version) == family
        ]
        if not constraints:
            return False, text(
                gettext_noop("%(version)s belongs to none of the version lines of %(range)s"),
                version=version.text,
                range=rng.describe(),
            )
    unknown: list[str] = []
    for constraint in constraints:
        if constraint.op in ("=", "!="):
            found = compare(version, constraint.version)
            if found is None:
                unknown.append(constraint.version.text)
                continue
            if constraint.op == "=" and found == 0:
                return True, text(
                    gettext_noop("%(version)s equals %(other)s"),
                    version=version.text,
                    other=constraint.version.text,
                )
            if constraint.op == "!=" and found == 0:
                return False, text(
                    gettext_noop("%(version)s is excluded by %(constraint)s"),
                    version=version.text,
                    constraint=str(constraint),
                )
    bounds = [c for c in constraints if c.op not in ("=", "!=")]
    intervals: list[tuple[Constraint | None, Constraint | None]] = []
    low: Constraint | None = None
    for bound in bounds:
        if bound.op in (">", ">="):
            if low is not None:
                intervals.append((low, None))
            low = bound
        else:
            intervals.append((low, bound))
            low = None
    if low is not None:
        intervals.append((low, None))
    for start, end in intervals:
        inside = True
        undecided: list[str] = []
        for edge in (start, end):
            if edge is None:
                continue
            found = compare(version, edge.version)
            if found is None:
                undecided.append(edge.version.text)
            elif not _holds(edge.op, found):
                inside = False
        if inside and undecided:
            unknown.extend(undecided)
        elif inside:
            span: Text | str
            if start is not None and end is not None:
                span = text(gettext_noop("%(low)s and %(high)s"), low=str(start), high=str(end))
            else:
                span = str(start or end)
            return True, text(
                gettext_noop("%(version)s is within %(span)s"), version=version.text, span=span
            )
    if unknown:
        return None, text(
            gettext_noop(
                "version %(version)r cannot be compared with %(others)s (different version shapes)"
            ),
            version=version.text,
            others=", ".join(repr(u) for u in sorted(set(unknown))),
        )
    return False, text(
        gettext_noop("%(version)s is outside %(range)s"),
        version=version.text,
        range=rng.describe(),
    )
