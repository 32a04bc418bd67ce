"""One scan per field value for every rule's string tests on that field.

For each field a bucket of rules tests, equality tests go into a dictionary and wildcard tests
into one hyperscan database, so a value is looked up and scanned once whatever the number of
rules. The result is the set of test ids ("atoms") that hold for the event; rules then only
read that set. Without hyperscan the same atoms are evaluated in plain Python: slower, same
answers.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Container
from typing import Any

from .expressions import RegexTest, StringTest, Wildcard
from .predicates import TextPredicate, text_matcher, texts

hyperscan: Any
try:
    import hyperscan
except ImportError:  # pragma: no cover - exercised when the wheel is unavailable
    hyperscan = None

HYPERSCAN_AVAILABLE = hyperscan is not None

# Hyperscan databases compiled in this process, serialized, by a digest of what they were
# compiled from (b"" when hyperscan refused the patterns). Compiling is most of the cost of a
# bucket (seconds for SigmaHQ's Windows rules): the same patterns compile once per process, and
# a caller may persist this mapping (``hygie hunt``'s authenticated rule cache) and hand it back
# to a later process, which then compiles nothing. Only hand in bytes you wrote yourself:
# hyperscan trusts a serialized database.
COMPILED_DATABASES: dict[bytes, bytes] = {}

# One UTF-8 encoded character, for Sigma's "?" in a byte-oriented hyperscan pattern. Never the
# start or end sentinel (START, END below): "ab?*" must not match "ab" by taking the end for its
# third character (values holding a sentinel byte are matched in Python, see has_sentinel).
_MULTIBYTE = rb"[\xc0-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf7][\x80-\xbf]{3}"
_ONE_CHAR = rb"(?:[\x02-\x7f]|" + _MULTIBYTE + rb")"
# Keyword tests scan all values of an event joined by this separator, in one hyperscan call;
# their wildcards must then not cross it.
SEPARATOR = "\x1e"
_ONE_CHAR_IN_VALUE = rb"(?:[\x02-\x1d\x1f-\x7f]|" + _MULTIBYTE + rb")"
_MANY_IN_VALUE = rb"[^\x1e]*"
# Escaped in the pattern text: hyperscan patterns are C strings, a raw NUL would end them.
START, END = rb"\x01", rb"\x00"
START_TEXT, END_TEXT = "\x01", "\x00"


def framed(text: str) -> bytes:
    """A value as hyperscan scans it: between the start and end sentinels."""
    return (START_TEXT + text + END_TEXT).encode("utf-8", "surrogatepass")


def has_sentinel(text: str) -> bool:
    """Values holding a sentinel would fake an anchor; they are matched exactly in Python."""
    return START_TEXT in text or END_TEXT in text


_SAFE_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def hyperscan_pattern(test: StringTest, *, joined: bool = False) -> bytes | None:
    """The hyperscan regex for a wildcard string test, or None if it matches every value.

    ``joined``: the pattern runs over values joined by SEPARATOR (keyword tests).
    """
    many, one = (_MANY_IN_VALUE, _ONE_CHAR_IN_VALUE) if joined else (b".*", _ONE_CHAR)
    parts = list(test.parts)
    anchored_start = not (parts and parts[0] is Wildcard.MANY)
    anchored_end = not (parts and parts[-1] is Wildcard.MANY)
    while parts and parts[0] is Wildcard.MANY:
        parts.pop(0)
    while parts and parts[-1] is Wildcard.MANY:
        parts.pop()
    if not parts:
        return None
    # Anchors are sentinel bytes around the scanned value rather than \A and \z: hyperscan
    # compiles a thousand "endswith" patterns 40 times faster as plain literals.
    out = [START] if anchored_start else []
    for part in parts:
        if part is Wildcard.MANY:
            out.append(many)
        elif part is Wildcard.ONE:
            out.append(one)
        else:
            for byte in str(part).encode("utf-8", "surrogatepass"):
                out.append(bytes((byte,)) if byte in _SAFE_BYTES else b"\\x%02x" % byte)
    if anchored_end:
        out.append(END)
    return b"".join(out)


def regex_flags(test: RegexTest) -> int:
    """Hyperscan flags for a regex prefilter: a superset of the Python regex's matches."""
    flags = (
        hyperscan.HS_FLAG_PREFILTER
        | hyperscan.HS_FLAG_SINGLEMATCH
        | hyperscan.HS_FLAG_UTF8
        | hyperscan.HS_FLAG_UCP
    )
    if test.flags & re.IGNORECASE:
        flags |= hyperscan.HS_FLAG_CASELESS
    if test.flags & re.MULTILINE:
        flags |= hyperscan.HS_FLAG_MULTILINE
    if test.flags & re.DOTALL:
        flags |= hyperscan.HS_FLAG_DOTALL
    return int(flags)


def can_prefilter(test: RegexTest) -> bool:
    """Whether hyperscan may vouch for this regex (it must then never miss a match).

    Only the checks that need no compiling: whether hyperscan accepts the pattern is learnt
    when a bucket's regexes compile together (``FieldScannerBuilder.keep_regexes``), so a
    regex no rule ends up triggered by is never compiled. ``{,n}`` means {0,n} to Python but
    is literal text to PCRE, so it is left to Python.
    """
    if hyperscan is None or "{," in test.pattern or "\x00" in test.pattern:
        return False
    try:
        test.pattern.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def compile_database(expressions: list[bytes], ids: list[int], flags: list[int]) -> Any:
    """A block-mode database of these patterns, or None when hyperscan refuses them.

    Looked up in (and added to) ``COMPILED_DATABASES`` first.
    """
    digest = hashlib.sha256()
    for expression, atom, flag in zip(expressions, ids, flags, strict=True):
        digest.update(b"%d:%d:%d:" % (atom, flag, len(expression)))
        digest.update(expression)
    key = digest.digest()
    serialized = COMPILED_DATABASES.get(key)
    if serialized is not None:
        if not serialized:
            return None
        try:
            database = hyperscan.loadb(serialized, hyperscan.HS_MODE_BLOCK)
            database.scratch = hyperscan.Scratch(database)
        except hyperscan.error:
            pass  # built for another CPU or hyperscan release: compile it again
        else:
            return database
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        database.compile(expressions=expressions, ids=ids, elements=len(expressions), flags=flags)
    except hyperscan.error:
        COMPILED_DATABASES[key] = b""
        return None
    COMPILED_DATABASES[key] = hyperscan.dumpb(database)
    return database


def on_match(pattern_id: int, start: int, end: int, flags: int, fired: set[int]) -> None:
    fired.add(pattern_id)


class FieldScanner:
    """Finds, for one field's value, every atom (test id) of the bucket that holds."""

    __slots__ = (
        "field",
        "equal",
        "equal_cased",
        "database",
        "database_cased",
        "slow",
        "simple",
        "exact",
        "regex_database",
    )

    def __init__(
        self,
        field: str,
        equal: dict[str, tuple[int, ...]],
        equal_cased: dict[str, tuple[int, ...]],
        database: Any,
        database_cased: Any,
        slow: tuple[tuple[int, TextPredicate, bool], ...],
        exact: tuple[tuple[int, TextPredicate, bool], ...] = (),
        regex_database: Any = None,
    ) -> None:
        self.field = field
        self.exact = exact
        self.regex_database = regex_database
        self.equal = equal
        self.equal_cased = equal_cased
        self.database = database
        self.database_cased = database_cased
        self.slow = slow
        # Simple scanners (no cased or Python-only tests) get an inlined fast path per event.
        self.simple = (
            not equal_cased and database_cased is None and not slow and regex_database is None
        )

    def scan(self, value: Any, fired: set[int]) -> None:
        for text in (value,) if isinstance(value, str) else texts(value):
            lowered = text.lower()
            hits = self.equal.get(lowered)
            if hits:
                fired.update(hits)
            if self.equal_cased:
                hits = self.equal_cased.get(text)
                if hits:
                    fired.update(hits)
            if self.database is not None or self.database_cased is not None:
                if has_sentinel(text):
                    self.scan_exactly(text, fired)
                else:
                    self.scan_databases(text, lowered, fired)
            for atom, match, cased in self.slow:
                if match(text if cased else lowered):
                    fired.add(atom)
            if self.regex_database is not None:
                # UTF-8 mode needs valid UTF-8: a lone surrogate becomes U+FFFD here only.
                self.regex_database.scan(
                    text.encode("utf-8", "replace"), match_event_handler=on_match, context=fired
                )

    def scan_databases(self, text: str, lowered: str, fired: set[int]) -> None:
        if self.database is not None:
            self.database.scan(framed(lowered), match_event_handler=on_match, context=fired)
        if self.database_cased is not None:
            self.database_cased.scan(framed(text), match_event_handler=on_match, context=fired)

    def scan_exactly(self, text: str, fired: set[int]) -> None:
        """The hyperscan patterns' tests, evaluated in Python (for a value with a sentinel)."""
        lowered = text.lower()
        for atom, match, cased in self.exact:
            if match(text if cased else lowered):
                fired.add(atom)


class KeywordScanner:
    """Keyword (fieldless) tests: every value of the event, joined, in one scan."""

    __slots__ = ("database", "database_cased", "slow", "exact")

    def __init__(
        self,
        database: Any,
        database_cased: Any,
        slow: tuple[tuple[int, TextPredicate, bool], ...],
        exact: tuple[tuple[int, TextPredicate, bool], ...],
    ) -> None:
        self.database = database
        self.database_cased = database_cased
        self.slow = slow
        self.exact = exact

    def scan_event(self, values: Any, fired: set[int]) -> None:
        parts: list[str] = []
        for value in values:
            kind = value.__class__
            if kind is str:
                parts.append(value)
            elif kind is int:
                parts.append(str(value))
            elif value is not None:
                parts.extend(texts(value))
        joined = SEPARATOR.join(parts)
        if joined.count(SEPARATOR) != len(parts) - 1:
            # A value holds the separator itself: evaluate every keyword test in Python.
            for atom, match, cased in self.exact:
                if any(match(text if cased else text.lower()) for text in parts):
                    fired.add(atom)
            return
        lowered = joined.lower()
        if self.database is not None:
            self.database.scan(
                lowered.encode("utf-8", "surrogatepass"),
                match_event_handler=on_match,
                context=fired,
            )
        if self.database_cased is not None:
            self.database_cased.scan(
                joined.encode("utf-8", "surrogatepass"),
                match_event_handler=on_match,
                context=fired,
            )
        for atom, match, cased in self.slow:
            if any(match(text if cased else text.lower()) for text in parts):
                fired.add(atom)


class FieldScannerBuilder:
    """Collects a field's atoms while a bucket's rules compile, then builds its scanner."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.equal: dict[str, list[int]] = {}
        self.equal_cased: dict[str, list[int]] = {}
        self.patterns: list[tuple[int, StringTest]] = []
        self.regexes: list[tuple[int, RegexTest]] = []
        self.regex_database: Any = None  # compiled by keep_regexes

    def add_equal(self, atom: int, text: str, *, cased: bool) -> None:
        (self.equal_cased if cased else self.equal).setdefault(text, []).append(atom)

    def add_pattern(self, atom: int, test: StringTest) -> None:
        self.patterns.append((atom, test))

    def add_regex_prefilter(self, atom: int, test: RegexTest) -> None:
        """A trigger-only atom: fired when the regex may match (Python then decides)."""
        self.regexes.append((atom, test))

    def keep_regexes(self, atoms: Container[int]) -> list[RegexTest]:
        """Keep only the regex atoms in ``atoms`` (those some rule is triggered by); return
        those hyperscan refuses (none when they compile together, the usual case)."""
        self.regexes = [(atom, test) for atom, test in self.regexes if atom in atoms]
        self.regex_database = self._regex_database()
        if not self.regexes or self.regex_database is not None:
            return []
        refused = [test for _, test in self.regexes if _regex_set([(0, test)]) is None]
        if not refused:
            raise hyperscan.error("hyperscan refused regexes it accepted one by one")
        return refused

    def is_empty(self) -> bool:
        return not (self.equal or self.equal_cased or self.patterns or self.regexes)

    def _databases(
        self, use_hyperscan: bool, joined: bool
    ) -> tuple[Any, Any, tuple[tuple[int, TextPredicate, bool], ...]]:
        slow: list[tuple[int, TextPredicate, bool]] = []
        compiled: dict[bool, list[tuple[int, bytes, StringTest]]] = {False: [], True: []}
        for atom, test in self.patterns:
            pattern = None
            if use_hyperscan and HYPERSCAN_AVAILABLE:
                pattern = hyperscan_pattern(test, joined=joined)
            if pattern is None:
                slow.append((atom, text_matcher(test), test.cased))
            else:
                compiled[test.cased].append((atom, pattern, test))
        databases = {cased: _database(items, slow, cased) for cased, items in compiled.items()}
        return databases[False], databases[True], tuple(slow)

    def build_keywords(self, use_hyperscan: bool) -> KeywordScanner:
        exact = tuple((atom, text_matcher(test), test.cased) for atom, test in self.patterns)
        return KeywordScanner(*self._databases(use_hyperscan, joined=True), exact)

    def build(self, use_hyperscan: bool) -> FieldScanner:
        database, database_cased, slow = self._databases(use_hyperscan, joined=False)
        return FieldScanner(
            self.field,
            {k: tuple(v) for k, v in self.equal.items()},
            {k: tuple(v) for k, v in self.equal_cased.items()},
            database,
            database_cased,
            slow,
            tuple((atom, text_matcher(test), test.cased) for atom, test in self.patterns),
            self.regex_database if self.regex_database is not None else self._regex_database(),
        )

    def _regex_database(self) -> Any:
        if not self.regexes or hyperscan is None:
            return None
        return _regex_set(self.regexes)


def _regex_set(regexes: list[tuple[int, RegexTest]]) -> Any:
    """One database of these regexes (None if hyperscan refuses them)."""
    return compile_database(
        [test.pattern.encode("utf-8") for _, test in regexes],
        [atom for atom, _ in regexes],
        [regex_flags(test) for _, test in regexes],
    )


def _database(
    items: list[tuple[int, bytes, StringTest]],
    slow: list[tuple[int, TextPredicate, bool]],
    cased: bool,
) -> Any:
    if not items or hyperscan is None:
        return None
    flags = int(hyperscan.HS_FLAG_DOTALL | hyperscan.HS_FLAG_SINGLEMATCH)
    database = compile_database(
        [pattern for _, pattern, _ in items], [atom for atom, _, _ in items], [flags] * len(items)
    )
    if database is None:
        # A pattern hyperscan refuses must not lose the rule: evaluate these in Python.
        slow.extend((atom, text_matcher(test), cased) for atom, _, test in items)
    return database
