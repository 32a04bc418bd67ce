"""HL7 v2 messages: every component and subcomponent with its path (``PID-5.1``) and span.

The field separator and encoding characters are read from MSH, as the standard requires. Data
types that hold people (XPN, XCN), addresses (XAD), phones (XTN), identifiers (CX), birth dates
and SSNs become hints, so a surname in PID-5 is found although no regex knows surnames.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from hygie.privacy.engine.document import ExtractedDocument, Segment
from hygie.privacy.engine.errors import ExtractionError
from hygie.privacy.engine.extract.text import decode_text
from hygie.privacy.engine.model import EntityType as E

_SEGMENT = re.compile(r"[^\r\n]+")

# Fields by HL7 data type (v2.5-v2.8 numbering). Listed as text to stay readable in diffs.
# XPN: person name.
_XPN = frozenset(
    "PID-5 PID-6 PID-9 NK1-2 NK1-30 GT1-3 GT1-4 IN1-16 IN2-7 MRG-7 PRD-2 CTD-2 STF-3 CON-24".split()
)
# XCN: person name with an identifier first (practitioners, staff, contacts).
_XCN = frozenset(
    """EVN-5 PD1-4 PV1-7 PV1-8 PV1-9 PV1-17 PV1-52 PV2-13 ROL-4 OBX-16 OBR-10 OBR-16 OBR-28
    ORC-10 ORC-11 ORC-12 TXA-5 TXA-9 TXA-10 TXA-22 PR1-8 PR1-11 PR1-12 DG1-16 RXE-13 RXO-14
    AIP-3 PDA-5 PDA-8 ACC-7 SCH-12 SCH-16 SCH-20 NTE-5 FT1-20 FT1-24 PRT-5 RF1-20 RXD-10
    RXA-10""".split()
)
# XAD: address.
_XAD = frozenset(
    "PID-11 NK1-4 NK1-32 GT1-5 IN1-19 PRD-3 CTD-3 ROL-11 STF-11 SCH-14 SCH-18 PRT-14".split()
)
# XTN: telephone number or e-mail.
_XTN = frozenset("PID-13 PID-14 NK1-5 NK1-6 NK1-31 GT1-6 GT1-7 ROL-12 PRD-5 CTD-5 STF-10".split())
_DOB = frozenset("PID-7 NK1-16 GT1-8 IN1-18".split())
_SSN = frozenset("PID-19 NK1-37 GT1-12 IN2-2".split())
# CX and other identifier fields whose first component is the number (PID-20 is the driver's
# licence, IN2-6/8/10/61 Medicare, Medicaid, military and member numbers, DB1-3 disability id).
_CX = frozenset(
    """PID-2 PID-3 PID-4 PID-18 PID-20 PV1-5 MRG-1 MRG-3 NK1-33 GT1-2 IN1-49 IN2-6 IN2-8
    IN2-10 IN2-61 DB1-3""".split()
)

# (data type, component, subcomponent or 0 for any) → hint
# The family name (FN) is "surname & own surname prefix & own surname & partner prefix &
# partner surname": subcomponents 1, 3 and 5 are names, 2 and 4 are prefixes ("van", "de").
_PERSON_PARTS = {
    ("XPN", 1, 1),
    ("XPN", 1, 3),
    ("XPN", 1, 5),
    ("XPN", 2, 0),
    ("XPN", 3, 0),
    ("XCN", 2, 1),
    ("XCN", 2, 3),
    ("XCN", 2, 5),
    ("XCN", 3, 0),
    ("XCN", 4, 0),
}
_ADDRESS_PARTS = {("XAD", 1, 0), ("XAD", 2, 0), ("XAD", 3, 0)}  # street, other, city


_HINTED_SEGMENTS = frozenset(
    f.split("-")[0] for group in (_XPN, _XCN, _XAD, _XTN, _DOB, _SSN, _CX) for f in group
)


def _field_type(field: str) -> str | None:
    for name, fields in (
        ("XPN", _XPN),
        ("XCN", _XCN),
        ("XAD", _XAD),
        ("XTN", _XTN),
        ("DOB", _DOB),
        ("SSN", _SSN),
        ("CX", _CX),
    ):
        if field in fields:
            return name
    return None


def _hint(kind: str | None, component: int, sub: int, context: str) -> E | None:
    if kind is None:
        return None
    if (kind, component, sub) in _PERSON_PARTS or (kind, component, 0) in _PERSON_PARTS:
        return E.PERSON
    if (kind, component, 0) in _ADDRESS_PARTS:
        return E.ADDRESS
    if kind == "XAD" and component == 5:
        return E.POSTAL_CODE
    if kind == "XTN" and component in (1, 4, 12):
        return E.EMAIL if component == 4 else E.US_PHONE
    if kind == "DOB" and component == 1:
        return E.DATE_OF_BIRTH
    if kind == "SSN" and component == 1:
        return E.US_SSN
    if kind == "CX" and component == 1:
        type_code = context.rsplit(" ", 1)[-1].upper()
        if type_code == "SS":
            return E.US_SSN
        if type_code == "NPI":
            return E.US_NPI
        return E.MRN
    return None


def _split(text: str, start: int, end: int, sep: str) -> list[tuple[int, int]]:
    spans, pos = [], start
    while True:
        found = text.find(sep, pos, end)
        if found < 0:
            spans.append((pos, end))
            return spans
        spans.append((pos, found))
        pos = found + 1


@dataclass(frozen=True)
class _Separators:
    field: str
    component: str
    repetition: str
    subcomponent: str

    @property
    def all(self) -> str:
        return self.field + self.component + self.repetition + self.subcomponent


def _leaves(
    text: str, name: str, label: str, field_number: int, span: tuple[int, int], seps: _Separators
) -> Iterator[Segment]:
    """Segments for every non-empty component/subcomponent of one field."""
    kind = _field_type(f"{name}-{field_number}")
    repetitions = _split(text, *span, seps.repetition)
    for rep_index, (r_start, r_end) in enumerate(repetitions, start=1):
        components = _split(text, r_start, r_end, seps.component)
        context = ""
        if kind == "CX" and len(components) >= 4:
            c4 = components[3]
            c5 = components[4] if len(components) >= 5 else (r_end, r_end)
            context = f"{text[c4[0] : c4[1]]} {text[c5[0] : c5[1]]}"
        for comp_index, (c_start, c_end) in enumerate(components, start=1):
            subs = _split(text, c_start, c_end, seps.subcomponent)
            for sub_index, (s_start, s_end) in enumerate(subs, start=1):
                if s_start == s_end:
                    continue
                path = f"{label}-{field_number}"
                if len(repetitions) > 1:
                    path += f"({rep_index})"
                if len(components) > 1 or len(subs) > 1:
                    path += f".{comp_index}"
                if len(subs) > 1:
                    path += f".{sub_index}"
                yield Segment(
                    s_start, s_end, path, _hint(kind, comp_index, sub_index, context), context
                )


def _fields(
    text: str, start: int, end: int, seps: _Separators
) -> Iterator[tuple[int, tuple[int, int]]]:
    """(field number, span) of one segment; MSH-1/MSH-2 (the separators) are skipped."""
    name = text[start : start + 3]
    header = name in ("MSH", "FHS", "BHS")
    for number, span in enumerate(_split(text, start, end, seps.field)[1:], start=1):
        if header and number == 1:
            continue
        yield (number + 1 if header else number), span


@dataclass(frozen=True)
class _HL7Locator:
    """Path of a hit in a field without hints, computed only when a hit lands there."""

    text: str
    starts: list[int]
    labels: list[str]
    seps: _Separators

    def locate(self, offset: int) -> tuple[str, str | None]:
        index = bisect.bisect_right(self.starts, offset) - 1
        if index < 0:
            return "", None
        start = self.starts[index]
        end = _line_end(self.text, start)
        name = self.text[start : start + 3]
        for number, span in _fields(self.text, start, end, self.seps):
            if span[0] <= offset <= span[1]:
                for leaf in _leaves(self.text, name, self.labels[index], number, span, self.seps):
                    if leaf.start <= offset <= leaf.end:
                        return leaf.path, None
                return f"{self.labels[index]}-{number}", None
        return self.labels[index], None


def _line_end(text: str, start: int) -> int:
    match = _SEGMENT.match(text, start)
    return match.end() if match else start


def extract_hl7(data: bytes) -> ExtractedDocument:
    return hl7_document(decode_text(data))


@dataclass(frozen=True)
class HL7Layout:
    """The separators MSH declares (a later block of a streamed file has no MSH of its own)."""

    separators: _Separators


def hl7_layout(text: str) -> HL7Layout:
    """The separators read from the first MSH (or FHS/BHS) segment of ``text``."""
    head = text.lstrip("\ufeff \t\r\n")
    if not head.startswith(("MSH", "FHS", "BHS")) or len(head) < 8:
        raise ExtractionError("not an HL7 v2 message (no MSH segment)")
    offset = text.index(head[:3])
    encoding = text[offset + 4 : offset + 8]
    seps = _Separators(text[offset + 3], encoding[0], encoding[1], encoding[3])
    if seps.field.isalnum() or len(set(encoding[:4])) < 4:
        raise ExtractionError("HL7 MSH segment has invalid separators")
    return HL7Layout(seps)


def count_segments(text: str, seen: dict[str, int]) -> None:
    """Add the segments of ``text`` to ``seen`` (by name): labels number repeated segments."""
    for match in _SEGMENT.finditer(text):
        name = text[match.start() : match.start() + 3]
        seen[name] = seen.get(name, 0) + 1


def hl7_document(
    text: str, layout: HL7Layout | None = None, seen: dict[str, int] | None = None
) -> ExtractedDocument:
    """The segments of ``text``; ``layout`` and ``seen`` (segments before this text, by name)
    are given for a later block of a streamed file."""
    if layout is None:
        layout = hl7_layout(text)
        offset = text.index(text.lstrip("\ufeff \t\r\n")[:3])
    else:
        offset = 0
    seps = layout.separators
    segments: list[Segment] = []
    starts: list[int] = []
    labels: list[str] = []
    seen = dict(seen or {})
    for match in _SEGMENT.finditer(text, offset):
        seg_start, seg_end = match.span()
        name = text[seg_start : seg_start + 3]
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name}[{seen[name]}]"
        starts.append(seg_start)
        labels.append(label)
        if name not in _HINTED_SEGMENTS:
            continue
        for number, span in _fields(text, seg_start, seg_end, seps):
            if span[0] != span[1] and _field_type(f"{name}-{number}") is not None:
                segments.extend(_leaves(text, name, label, number, span, seps))
    # Fields without hints get no segments (HL7 feeds are dense); the locator names them on
    # demand, and hits spanning a separator are dropped.
    return ExtractedDocument(
        "hl7v2",
        text,
        segments,
        locator=_HL7Locator(text, starts, labels, seps),
        separators=seps.all + "\r\n",
    )
