"""Multi-pattern matching: Hyperscan when installed, a pure ``re`` fallback otherwise.

Both backends return, per pattern, the leftmost-longest non-overlapping matches as
``(pattern_index, start, end)`` character offsets, so the detector downstream does not care which
one ran (patterns with ``leftmost_start=False`` get ``start == end`` from Hyperscan; their check
finds the start). Hyperscan scans once for every pattern (near I/O speed); ``re`` runs one pass per
pattern, which is correct but several times slower.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any, Protocol

from hygie.privacy.engine.document import ByteToChar
from hygie.privacy.engine.errors import ConfigError
from hygie.privacy.engine.model import Backend
from hygie.privacy.engine.patterns import PatternSpec

Hit = tuple[int, int, int]  # pattern index, start, end (character offsets)

_NAMED_GROUP = re.compile(r"\(\?P<\w+>")

_hs: Any
try:  # Hyperscan is an optional accelerator; its absence must never break a scan.
    import hyperscan as _hs
except ImportError:  # pragma: no cover - depends on the installation
    _hs = None


def hyperscan_available() -> bool:
    return _hs is not None


class Matcher(Protocol):
    backend: Backend

    def scan(self, text: str) -> list[Hit]: ...


def python_regex(spec: PatternSpec) -> re.Pattern[str]:
    flags = re.ASCII | (re.IGNORECASE if spec.caseless else 0)
    return re.compile(spec.regex, flags)


class RegexMatcher:
    """Pure-Python fallback: one ``finditer`` pass per pattern."""

    backend = Backend.RE

    def __init__(self, specs: Sequence[PatternSpec]) -> None:
        self._compiled = [python_regex(spec) for spec in specs]

    def scan(self, text: str) -> list[Hit]:
        hits: list[Hit] = []
        for index, pattern in enumerate(self._compiled):
            hits.extend((index, m.start(), m.end()) for m in pattern.finditer(text))
        return hits


class HyperscanMatcher:
    """Hyperscan block-mode databases (UTF-8, leftmost start) holding every pattern.

    The patterns are spread over two databases: Hyperscan's compile time grows faster than
    linearly with the pattern set (one database: ~4 s, two: ~3 s, eight: ~1.3 s), but each scan
    call has a fixed cost that dominates on short documents (a 400-byte note: 66 µs with eight
    databases, 30 µs with two), and the compiled databases are cached between runs
    (``compiled_databases``), so the compile is paid once per installation.
    """

    backend = Backend.HYPERSCAN
    DATABASES = 2

    def __init__(self, specs: Sequence[PatternSpec]) -> None:
        if _hs is None:
            raise ConfigError("the hyperscan backend was requested but hyperscan is not installed")
        self._end_only = frozenset(i for i, spec in enumerate(specs) if not spec.leftmost_start)
        # Patterns Hyperscan finds by their anchor: Python's regex takes the match from each start.
        self._anchored = {
            i: python_regex(spec) for i, spec in enumerate(specs) if spec.anchor is not None
        }
        self._databases: list[Any] = []
        for group in range(min(self.DATABASES, len(specs))):
            indices = tuple(range(group, len(specs), self.DATABASES))
            self._databases.append(
                _database(
                    tuple(
                        _NAMED_GROUP.sub("(?:", specs[i].anchor or specs[i].regex).encode()
                        for i in indices
                    ),
                    indices,
                    tuple(_flags(specs[i]) for i in indices),
                )
            )

    def scan(self, text: str) -> list[Hit]:
        # A lone surrogate (undecodable input kept by surrogateescape) is not valid UTF-8, on
        # which Hyperscan's offsets are undefined: it becomes one "?", so offsets still count
        # one byte per such character.
        data = text.encode("utf-8", "replace")
        raw: dict[tuple[int, int], int] = {}
        seen = raw.get
        end_only = self._end_only

        def on_match(pattern: int, start: int, end: int, _flags: int, _ctx: object) -> None:
            # Hyperscan reports every end offset; keep the longest match per (pattern, start).
            # (Called once per end offset, tens of times per note: kept to the bare minimum.)
            key = (pattern, end) if pattern in end_only else (pattern, start)
            if seen(key, -1) < end:
                raw[key] = end

        if data:
            for database in self._databases:
                database.scan(data, match_event_handler=on_match)
        anchored = self._anchored
        starts = sorted(key for key in raw if key[0] in anchored) if anchored else []
        for key in starts:
            del raw[key]
        hits = _leftmost_longest(raw)
        if len(data) != len(text):  # not pure ASCII: byte offsets become character offsets
            offsets = {o for _, s, e in hits for o in (s, e)} | {s for _, s in starts}
            table = _char_offsets(data, offsets)
            hits = [(p, table[s], table[e]) for p, s, e in hits]
            starts = [(p, table[s]) for p, s in starts]
        if starts:
            hits += _anchored_matches(text, starts, anchored)
            hits.sort()
        return hits


# Compiled databases of this process, serialized, by (expressions, ids, flags): every scan job,
# page or test that builds a detector would otherwise pay Hyperscan's ~1 s compile again.
# Each matcher gets its own deserialized copy (microseconds) with its own scratch space, so
# matchers used from different threads never share one.
_SERIALIZED: dict[tuple[tuple[bytes, ...], tuple[int, ...], tuple[int, ...]], bytes] = {}
_SERIALIZED_LOCK = threading.Lock()
_SERIALIZED_MAX = 64


DatabaseKey = tuple[tuple[bytes, ...], tuple[int, ...], tuple[int, ...]]


def compiled_databases() -> dict[DatabaseKey, bytes]:
    """The databases this process compiled or was given, serialized: what a cache may keep."""
    with _SERIALIZED_LOCK:
        return dict(_SERIALIZED)


def add_compiled_databases(databases: dict[DatabaseKey, bytes]) -> None:
    """Databases serialized by ``compiled_databases`` in an earlier run (from a trusted,
    authenticated cache): a matcher whose patterns are there skips the compile."""
    with _SERIALIZED_LOCK:
        _SERIALIZED.update(databases)


def _database(expressions: tuple[bytes, ...], ids: tuple[int, ...], flags: tuple[int, ...]) -> Any:
    key = (expressions, ids, flags)
    with _SERIALIZED_LOCK:
        serialized = _SERIALIZED.get(key)
    if serialized is not None:
        try:
            database = _hs.loadb(serialized, _hs.HS_MODE_BLOCK)
            database.scratch = _hs.Scratch(database)
            return database
        except _hs.error:  # built for another CPU or another Hyperscan: compile it again
            with _SERIALIZED_LOCK:
                _SERIALIZED.pop(key, None)
    database = _hs.Database(mode=_hs.HS_MODE_BLOCK)
    database.compile(
        expressions=list(expressions), ids=list(ids), elements=len(ids), flags=list(flags)
    )
    with _SERIALIZED_LOCK:
        if len(_SERIALIZED) >= _SERIALIZED_MAX:  # pattern sets are few; stay bounded anyway
            _SERIALIZED.clear()
        _SERIALIZED[key] = _hs.dumpb(database)
    return database


def _flags(spec: PatternSpec) -> int:
    flags: int = _hs.HS_FLAG_UTF8
    if spec.leftmost_start:
        flags |= _hs.HS_FLAG_SOM_LEFTMOST
    if spec.caseless:
        flags |= _hs.HS_FLAG_CASELESS
    return flags


def _anchored_matches(
    text: str, starts: list[tuple[int, int]], patterns: dict[int, re.Pattern[str]]
) -> list[Hit]:
    """From each (pattern, character start) an anchor found, in order, the pattern's own match,
    non-overlapping per pattern."""
    hits: list[Hit] = []
    last_end: dict[int, int] = {}
    for index, start in starts:
        if start < last_end.get(index, -1):
            continue
        match = patterns[index].match(text, start)
        if match is not None and match.end() > start:
            hits.append((index, start, match.end()))
            last_end[index] = match.end()
    return hits


def _leftmost_longest(raw: dict[tuple[int, int], int]) -> list[Hit]:
    """Per pattern, drop matches that overlap an earlier (leftmost, then longest) one."""
    hits: list[Hit] = []
    last_end: dict[int, int] = {}
    for (pattern, start), end in sorted(raw.items()):
        if start >= last_end.get(pattern, -1):
            hits.append((pattern, start, end))
            last_end[pattern] = end
    return hits


def _char_offsets(data: bytes, offsets: set[int]) -> dict[int, int]:
    """Character offset of each byte offset, converted in increasing order (one pass)."""
    convert = ByteToChar(data)
    return {offset: convert(offset) for offset in sorted(offsets)}


def build_matcher(specs: Sequence[PatternSpec], backend: Backend) -> Matcher:
    if backend is Backend.HYPERSCAN or (backend is Backend.AUTO and _hs is not None):
        return HyperscanMatcher(specs)
    return RegexMatcher(specs)
