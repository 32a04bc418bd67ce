"""Scanning a large text, CSV or HL7 input block by block, with memory bounded by the block.

Pure: the caller reads the file and ``feed``s bytes; findings come back as each block is done.

Blocks end on a line (HL7, text) or on a row (CSV, quote-aware) so no segment or cell is cut.
Each block is detected inside a *window* that also holds the last lines of the previous block
and the first characters of the next one: a value, a context word ("NIR :") or an INS OID that
straddles a border is seen as in a whole-file scan. Only findings that start inside the block
are kept, so none is reported twice. Offsets, lines, columns, CSV row numbers and HL7 segment
labels ("PID[3]") are those of the whole file.

Decoding follows ``extract.text.decode_text``: UTF-8 (BOM allowed), UTF-16 with a BOM, else
Windows-1252, binary refused; the choice is made on the first 8 KiB, and a stream that stops
being valid UTF-8 further on goes on as Windows-1252 from that chunk (a whole-file decode would
have re-read the beginning as Windows-1252 too: only non-ASCII characters before that point
can differ, and only in findings' masked samples).
"""

from __future__ import annotations

import codecs
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from hygie.privacy.engine.detector import PHIDetector
from hygie.privacy.engine.document import ExtractedDocument
from hygie.privacy.engine.errors import ExtractionError
from hygie.privacy.engine.extract.hl7 import HL7Layout, count_segments, hl7_document, hl7_layout
from hygie.privacy.engine.extract.table import CSVLayout, csv_document, csv_layout, row_starts
from hygie.privacy.engine.extract.text import looks_binary
from hygie.privacy.engine.model import (
    ColumnVerdict,
    DocumentResult,
    EntityType,
    Finding,
    FindingLocation,
)

STREAMABLE_FORMATS = frozenset({"text", "csv", "hl7v2"})
_SAMPLE = 8192  # as looks_binary


class _Decoder:
    """Incremental ``decode_text``."""

    def __init__(self) -> None:
        self._head = b""
        self._decoder: codecs.IncrementalDecoder | None = None
        self._fallback_allowed = True

    def decode(self, data: bytes, final: bool = False) -> str:
        if self._decoder is None:
            self._head += data
            if len(self._head) < _SAMPLE and not final:
                return ""
            data, self._head = self._start(self._head), b""
        state = self._decoder.getstate() if self._decoder is not None else (b"", 0)
        assert self._decoder is not None
        try:
            return self._decoder.decode(data, final)
        except UnicodeDecodeError:
            if not self._fallback_allowed:
                raise ExtractionError("invalid UTF-16 text") from None
        # Legacy exports from French hospital software are often Windows-1252.
        self._fallback_allowed = False
        self._decoder = codecs.getincrementaldecoder("cp1252")()
        try:
            return self._decoder.decode(state[0] + data, final)
        except UnicodeDecodeError:
            raise ExtractionError("text is neither UTF-8 nor Windows-1252") from None

    def _start(self, head: bytes) -> bytes:
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self._decoder = codecs.getincrementaldecoder("utf-16")()
            self._fallback_allowed = False
            return head
        if head.startswith(codecs.BOM_UTF8):
            head = head[len(codecs.BOM_UTF8) :]
        if looks_binary(head):
            raise ExtractionError("binary content in a file read as text")
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        return head


def _line_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


@dataclass(frozen=True)
class _Position:
    """Where a piece of the whole text starts: offset, 1-based line, column offset (0-based)."""

    offset: int = 0
    line: int = 1
    column: int = 0

    def after(self, text: str) -> _Position:
        breaks = _line_breaks(text)
        if not breaks:
            return _Position(self.offset + len(text), self.line, self.column + len(text))
        last = max(text.rfind("\n"), text.rfind("\r"))
        return _Position(self.offset + len(text), self.line + breaks, len(text) - last - 1)


def _break_at_or_after(text: str, start: int) -> int:
    """Index just after the first line break at or after ``start`` (-1 if none)."""
    found = [i for i in (text.find("\n", start), text.find("\r", start)) if i >= 0]
    if not found:
        return -1
    index = min(found)
    if text[index] == "\r" and text[index + 1 : index + 2] == "\n":
        index += 1
    return index + 1


def _last_break_before(text: str, end: int) -> int:
    """Index just after the last line break before ``end`` (a CR LF is never split); -1."""
    index = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end))
    if index < 0:
        return -1
    if text[index] == "\r" and text[index + 1 : index + 2] == "\n":
        index += 1
    return index + 1


class _Format:
    """How one format cuts blocks, numbers rows and builds a window's document."""

    name = "text"

    def start(self, text: str, name: str) -> None:
        """Learn the layout from the beginning of the input."""

    def cut(self, text: str, limit: int) -> int:
        """Where the first block of ``text`` (longer than ``limit``) ends."""
        cut = _last_break_before(text, limit)
        if cut <= 0:  # one line longer than the block: cut it (columns stay right)
            cut = limit + 1 if text[limit - 1 : limit + 1] == "\r\n" else limit
        return cut

    def tail_start(self, block: str, overlap: int) -> int:
        """Where the context carried into the next window starts (a line or row start)."""
        if len(block) <= overlap:
            return 0
        start = _break_at_or_after(block, len(block) - overlap)
        return start if start >= 0 else len(block) - overlap

    def state_after(self, state: Any, text: str) -> Any:
        return state

    def document(self, text: str, state: Any, first: bool) -> ExtractedDocument:
        return ExtractedDocument("text", text, free_text=True)


class _CSVFormat(_Format):
    name = "csv"

    def __init__(self) -> None:
        self.layout: CSVLayout | None = None

    def start(self, text: str, name: str) -> None:
        self.layout = csv_layout(text, name)

    def cut(self, text: str, limit: int) -> int:
        starts = row_starts(text[:limit])
        if len(starts) > 1:
            return starts[-1]
        return super().cut(text, limit)  # one row longer than a block

    def tail_start(self, block: str, overlap: int) -> int:
        # Rows, not lines: a tail starting inside a quoted cell would invert the quoting.
        starts = row_starts(block)
        for start in starts:
            if start >= len(block) - overlap:
                return start
        return len(block)

    def state_after(self, state: Any, text: str) -> Any:
        return int(state) + len(row_starts(text))

    def document(self, text: str, state: Any, first: bool) -> ExtractedDocument:
        assert self.layout is not None
        return csv_document(text, self.layout, int(state))


class _HL7Format(_Format):
    name = "hl7v2"

    def __init__(self) -> None:
        self.layout: HL7Layout | None = None

    def start(self, text: str, name: str) -> None:
        self.layout = hl7_layout(text)

    def tail_start(self, block: str, overlap: int) -> int:
        if len(block) <= overlap:
            return 0
        start = _break_at_or_after(block, len(block) - overlap)
        return start if start >= 0 else len(block)

    def state_after(self, state: Any, text: str) -> Any:
        seen = dict(state or {})
        count_segments(text, seen)
        return seen

    def document(self, text: str, state: Any, first: bool) -> ExtractedDocument:
        if first:
            return hl7_document(text)
        return hl7_document(text, self.layout, state)


_FORMATS = {"text": _Format, "csv": _CSVFormat, "hl7v2": _HL7Format}
_INITIAL_STATE: dict[str, Any] = {"text": None, "csv": 0, "hl7v2": None}


@dataclass
class _Block:
    text: str
    position: _Position
    state: Any


class StreamScanner:
    """Scans one text, CSV or HL7 input fed in chunks; ``feed``/``close`` return its findings.

    Memory: about two blocks of text plus one window's parse, whatever the input's size.
    """

    def __init__(
        self,
        detector: PHIDetector,
        kind: str,
        name: str = "",
        *,
        block_chars: int | None = None,
        overlap_chars: int | None = None,
    ) -> None:
        if kind not in STREAMABLE_FORMATS:
            raise ExtractionError(f"{kind} input cannot be scanned as a stream")
        config = detector.config
        self._detector = detector
        self._kind = kind
        self._name = name
        self._format = _FORMATS[kind]()
        self._block_chars = max(block_chars or config.stream_block_chars, 1024)
        overlap = config.stream_overlap_chars if overlap_chars is None else overlap_chars
        # Wide enough for the longest context the detector reads before a value (INS markers).
        self._overlap = max(overlap, 4 * config.context_window + 512)
        self._decoder = _Decoder()
        self._pending = ""
        self._current: _Block | None = None
        self._tail = ""
        self._tail_position = _Position()
        self._tail_state: Any = _INITIAL_STATE[kind]
        self._next_position = _Position()
        self._next_state: Any = _INITIAL_STATE[kind]
        self._started = False
        self._bytes = 0
        self._rows = 0
        self._columns: Counter[tuple[str, EntityType]] = Counter()
        self._closed = False

    # -- feeding -------------------------------------------------------------------------------
    def feed(self, data: bytes) -> list[Finding]:
        if self._closed:
            raise ExtractionError("stream already closed")
        self._bytes += len(data)
        self._pending += self._decoder.decode(data)
        out: list[Finding] = []
        while len(self._pending) > self._block_chars + self._overlap:
            out += self._next_block(self._format_cut())
        return out

    def close(self) -> list[Finding]:
        if self._closed:
            return []
        self._pending += self._decoder.decode(b"", final=True)
        self._closed = True
        out: list[Finding] = []
        while len(self._pending) > self._block_chars:
            out += self._next_block(self._format_cut())
        if self._pending or not self._started:
            out += self._next_block(len(self._pending))
        if self._current is not None:
            out += self._process(self._current, "")
            self._current = None
        return out

    def result(self, kept: FindingBound) -> DocumentResult:
        """The file's result: the findings ``kept`` holds, the column verdicts of all."""
        total = max(self._rows - (1 if self._has_header() else 0), 0)
        columns = tuple(
            ColumnVerdict("", column, entity, rows, max(total, rows))
            for (column, entity), rows in sorted(self._columns.items(), key=lambda i: str(i[0]))
        )
        return DocumentResult(
            self._kind,
            tuple(kept.kept),
            columns,
            (),
            self._bytes,
            kept.omitted_by_entity(),
            omitted_categories=kept.omitted_by_category(),
        )

    # -- blocks --------------------------------------------------------------------------------
    def _has_header(self) -> bool:
        layout = getattr(self._format, "layout", None)
        return isinstance(layout, CSVLayout) and layout.has_header

    def _format_cut(self) -> int:
        if not self._started:
            self._format.start(self._pending[: self._block_chars], self._name)
            self._started = True
        return self._format.cut(self._pending, self._block_chars)

    def _next_block(self, cut: int) -> list[Finding]:
        if not self._started:
            self._format.start(self._pending, self._name)
            self._started = True
        text, self._pending = self._pending[:cut], self._pending[cut:]
        out: list[Finding] = []
        if self._current is not None:  # done now that its lookahead (this block) is known
            out = self._process(self._current, text[: self._overlap])
        self._current = _Block(text, self._next_position, self._next_state)
        return out

    def _process(self, block: _Block, head: str) -> list[Finding]:
        first = block.position.offset == 0
        window = self._tail + block.text + head
        start_in_window = len(self._tail)
        window_position = self._tail_position if self._tail else block.position
        window_state = self._tail_state if self._tail else block.state
        document = self._format.document(window, window_state, first)
        del window
        findings = self._detector.detect(document)
        end_in_window = start_in_window + len(block.text)
        out = [
            _shift(f, window_position)
            for f in findings
            if start_in_window <= f.start < end_in_window
        ]
        del document, findings
        for finding in out:
            if finding.table_column:
                self._columns[(finding.table_column, finding.entity)] += 1
        # What the next window carries: the end of this block, from a line or row start.
        tail_start = self._format.tail_start(block.text, self._overlap)
        before_tail = block.text[:tail_start]
        self._tail = block.text[tail_start:]
        self._tail_position = block.position.after(before_tail)
        self._tail_state = self._format.state_after(block.state, before_tail)
        self._next_position = self._tail_position.after(self._tail)
        self._next_state = self._format.state_after(self._tail_state, self._tail)
        if self._kind == "csv":
            self._rows = int(self._next_state)
        return out


def _shift(finding: Finding, position: _Position) -> Finding:
    """A window's finding placed in the whole text (built directly: ``replace`` is slow)."""
    if position.offset == 0 and position.line == 1 and position.column == 0:
        return finding
    location = finding.location
    if location.line is not None:
        shift = position.column if location.line == 1 else 0
        location = FindingLocation(
            location.member,
            location.path,
            location.line + position.line - 1,
            None if location.column is None else location.column + shift,
            None if location.end_column is None else location.end_column + shift,
        )
    return Finding(
        finding.entity,
        finding.detector,
        finding.confidence,
        finding.is_validated,
        finding.masked,
        finding.value_hash,
        location,
        finding.start + position.offset,
        finding.end + position.offset,
        finding.hipaa_identifier,
        finding.fr_category,
        finding.table_column,
    )


class FindingBound:
    """Keeps the first ``max_kept`` findings of a file and counts the others by entity type."""

    def __init__(self, max_kept: int) -> None:
        self.max_kept = max_kept
        self.kept: list[Finding] = []
        self.omitted: Counter[EntityType] = Counter()
        self.omitted_categories: Counter[tuple[str, str]] = Counter()

    def add(self, findings: Iterable[Finding], sink: Any = None) -> None:
        for finding in findings:
            if sink is not None:
                sink(finding)
            if len(self.kept) < self.max_kept:
                self.kept.append(finding)
            else:
                self.omitted[finding.entity] += 1
                self.omitted_categories[(finding.hipaa_identifier, finding.fr_category)] += 1

    def omitted_by_entity(self) -> tuple[tuple[EntityType, int], ...]:
        return tuple(sorted(self.omitted.items()))

    def omitted_by_category(self) -> tuple[tuple[str, str, int], ...]:
        return tuple(sorted((h, fr, n) for (h, fr), n in self.omitted_categories.items()))

    def apply(self, result: DocumentResult) -> DocumentResult:
        """``result`` with only the kept findings (the others counted)."""
        kept = tuple(self.kept)
        if (  # nothing was left out, before or here (the usual case): no copy
            not self.omitted
            and not result.omitted
            and not result.omitted_categories
            and kept == result.findings  # the same objects: compared by identity first
        ):
            return result
        return replace(
            result,
            findings=kept,
            omitted=self.omitted_by_entity(),
            omitted_categories=self.omitted_by_category(),
        )


def bound_findings(max_kept: int) -> FindingBound:
    return FindingBound(max_kept)
