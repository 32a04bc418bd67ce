"""Vendor version strings, compared token by token.

Medical-device vendors rarely use semantic versioning: "VA20A" (letters for the major line,
digits, a letter suffix), "R2.1.3 SP2" (a release prefix and a service pack), "9.33.1",
"V2.1.0.5", "10.2(1)", "1.3.1 Build 13". A version is split into runs of digits and runs of
letters (separators ``. - _ ( ) +`` and spaces only split); runs are compared pairwise, numbers
numerically and words case-insensitively. Pre-release words (alpha, beta, rc, pre, dev,
snapshot) sort before the release they precede; any other extra run sorts after ("2.1 SP1" >
"2.1"). A leading "v"/"version" before a digit is dropped ("V2.1" = "2.1").

Two versions are *comparable* only when they have the same shape up to their first difference:
at that position both runs are numbers or both are words. Otherwise the comparison is
``None`` (the caller turns it into "needs review", never a guess). The rule that decided is
recorded by :func:`scheme` ("semver", "dotted-numeric", "vendor-tokens").

Wildcards: a trailing ``x``/``X``/``*`` segment ("12.x", "2.2.x.x") makes the version a prefix;
:class:`Version` keeps the prefix and ``wildcard=True``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_RUN = re.compile(r"\d+|[^\W\d_]+", re.UNICODE)
_PREFIX = re.compile(r"^\s*(?:version|ver\.?|v)\s*(?=\d)", re.IGNORECASE)
_WILDCARD_TAIL = re.compile(r"(?:[.\s_-]*(?:x|\*))+\s*$", re.IGNORECASE)
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-.]+)?$")
_DOTTED = re.compile(r"^\d+(?:\.\d+)*$")
PRE_RELEASE = frozenset({"alpha", "a", "beta", "b", "rc", "pre", "preview", "dev", "snapshot"})
MAX_VERSION_LENGTH = 200

Token = int | str


@dataclass(frozen=True)
class Version:
    """A parsed version: its text, its runs, and whether it ends in a wildcard."""

    text: str
    tokens: tuple[Token, ...]
    wildcard: bool = False

    def __str__(self) -> str:
        return self.text


def _tokens(text: str) -> tuple[Token, ...]:
    runs: list[Token] = []
    for run in _RUN.findall(text):
        # isdecimal, not isdigit: "¹" is a digit that int() refuses (found by the fuzzer).
        runs.append(int(run) if run.isdecimal() else run.casefold())
    return tuple(runs)


@lru_cache(maxsize=262144)
def parse_version(text: str) -> Version | None:
    """The version in ``text``, or ``None`` when it holds no digit or letter run (or is too
    long to be a version)."""
    clean = " ".join(str(text).split())
    if not clean or len(clean) > MAX_VERSION_LENGTH:
        return None
    # The patterns only apply to a text starting with "v" or ending with a wildcard ("clean"
    # has no space at either end): most versions skip them (a full NVD set has many).
    body = _PREFIX.sub("", clean) if clean[0] in "vV" else clean
    wildcard = False
    if body in {"*", "x", "X"}:
        return Version(clean, (), True)
    stripped = _WILDCARD_TAIL.sub("", body) if body[-1] in "xX*" else body
    if stripped != body and stripped and (stripped[-1].isdigit() or stripped[-1] in ".-_ "):
        wildcard, body = True, stripped.rstrip(".-_ ")
    tokens = _tokens(body)
    if not tokens:
        return None
    return Version(clean, tokens, wildcard)


def scheme(text: str) -> str:
    """The comparison rule a version string follows."""
    body = _PREFIX.sub("", " ".join(str(text).split()))
    if _SEMVER.match(body):
        return "semver"
    if _DOTTED.match(body):
        return "dotted-numeric"
    return "vendor-tokens"


def _is_pre(token: Token) -> bool:
    return isinstance(token, str) and token in PRE_RELEASE


def compare_tokens(left: tuple[Token, ...], right: tuple[Token, ...]) -> int | None:
    """-1, 0 or 1; ``None`` when the shapes differ at the first difference."""
    for a, b in zip(left, right, strict=False):
        if a == b:
            continue
        if isinstance(a, int) and isinstance(b, int):
            return -1 if a < b else 1
        if isinstance(a, str) and isinstance(b, str):
            if _is_pre(a) != _is_pre(b):
                return -1 if _is_pre(a) else 1
            return -1 if a < b else 1
        # A pre-release word against a number: "2.0 rc1" < "2.0.1"
        if _is_pre(a):
            return -1
        if _is_pre(b):
            return 1
        return None
    if len(left) == len(right):
        return 0
    if len(left) > len(right):
        return -1 if _is_pre(left[len(right)]) else 1
    return 1 if _is_pre(right[len(left)]) else -1


def compare(left: Version, right: Version) -> int | None:
    """Compare two versions; a wildcard side compares as its prefix (equal when the other
    starts with it)."""
    if left.wildcard and right.tokens[: len(left.tokens)] == left.tokens:
        return 0
    if right.wildcard and left.tokens[: len(right.tokens)] == right.tokens:
        return 0
    return compare_tokens(left.tokens, right.tokens)


def same_version(left: str, right: str) -> bool:
    """Whether two version strings name the same version (token equality, so "V2.1" = "2.1",
    "10.2(1)" = "10.2.1")."""
    a, b = parse_version(left), parse_version(right)
    if a is None or b is None:
        return " ".join(left.split()).casefold() == " ".join(right.split()).casefold()
    if a.wildcard or b.wildcard:
        return compare(a, b) == 0
    return a.tokens == b.tokens
