"""What extractors hand to the detector: a text, the structured units inside it, nested inputs."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from hygie.privacy.engine.fields import PHIField
from hygie.privacy.engine.model import EntityType


@dataclass(frozen=True)
class Segment:
    """A structured unit of the document text: an HL7 component, a JSON string, a CSV cell...

    ``start``/``end`` index ``ExtractedDocument.text``. ``hint`` is what the structure says the
    value is (PID-5 is a person name, FHIR ``birthDate`` a date of birth); ``context`` carries
    neighbouring labels (a column header, an identifier ``system``) for context scoring.
    ``declared``: a field map (engine/fields) says the field holds PHI, so a non-empty value is
    a finding even when it does not look like ``hint`` (an area code alone, a licence number).
    ``mapped``: the field map entry behind ``hint``, whose HIPAA and French categories a finding
    of that entity here takes (None: the hint is the extractor's own guess, or there is none).
    """

    start: int
    end: int
    path: str
    hint: EntityType | None = None
    context: str = ""
    column: str | None = None
    declared: bool = False
    mapped: PHIField | None = None


class Locator(Protocol):
    """Finds the structural path (and table column) of an offset not covered by a segment."""

    def locate(self, offset: int) -> tuple[str, str | None]: ...


@dataclass(frozen=True)
class Child:
    """A nested input: an archive member or an e-mail attachment.

    ``problem`` says why a member could not even be read (encrypted, corrupt): it is then listed
    as skipped instead of scanned.
    """

    name: str
    data: bytes
    problem: str | None = None


@dataclass(frozen=True)
class ExtractedDocument:
    """The text to scan plus its structure.

    ``is_stored_text``: the text is the file as stored (decoded), so line/column are meaningful.
    ``hits_need_segment``: pattern hits outside every segment are markup (JSON keys, HL7
    separators) and are dropped. ``free_text``: prose worth the optional NER pass.
    """

    format: str
    text: str
    segments: Sequence[Segment] = ()
    is_stored_text: bool = True
    hits_need_segment: bool = False
    free_text: bool = False
    separators: str = ""  # a hit containing one of these spans two fields: dropped
    # Sorted spans that hold codes, not data (XML code/codeSystem/root attributes): hits inside
    # them are dropped, so a SNOMED code is not read as a card number.
    opaque: Sequence[tuple[int, int]] = ()
    # Where the optional NER pass reads when ``free_text`` (empty: the whole text).
    prose: Sequence[tuple[int, int]] = ()
    locator: Locator | None = None
    total_rows: dict[str, int] = field(default_factory=dict)  # per table, for column verdicts
    children: Iterator[Child] = field(default_factory=lambda: iter(()))

    def without_field_semantics(self) -> ExtractedDocument:
        """The same document with every segment's paths and borders but no hint: what a
        structure-blind scanner would know (``ScanConfig.field_semantics=False``)."""
        bare = [replace(s, hint=None, declared=False, mapped=None) for s in self.segments]
        return replace(self, segments=bare)


class SegmentIndex:
    """Finds the segment holding a span by bisection (segments are sorted, non-overlapping)."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self._segments = sorted(segments, key=lambda s: s.start)
        self._starts = [s.start for s in self._segments]

    def containing(self, start: int, end: int) -> Segment | None:
        index = bisect.bisect_right(self._starts, start) - 1
        if index < 0:
            return None
        segment = self._segments[index]
        return segment if end <= segment.end else None


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineIndex:
    """1-based line and column (code points) of an offset; CR, LF and CRLF end lines (SARIF)."""

    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]  # offset of each line

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


class ByteToChar:
    """Maps UTF-8 byte offsets to character offsets, cheaply when offsets mostly increase."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._byte = 0
        self._char = 0

    def __call__(self, offset: int) -> int:
        if offset < self._byte:  # rare: restart from the beginning
            self._byte = self._char = 0
        # Offsets given here fall on character boundaries, so the slice decodes cleanly.
        self._char += len(self._data[self._byte : offset].decode("utf-8", "replace"))
        self._byte = offset
        return self._char
