"""HL7 v2 messages: every component and subcomponent with its path (``PID-5.1``) and span.

The field separator and encoding characters are read from MSH, as the standard requires. The field
map (engine/fields/hl7v2.yml: segment fields, their HL7 v2.5.1 data types XPN, XCN, XAD, XTN, CX,
DLN, TS, ST, and OBX-5 typed by OBX-2) says which components hold PHI: they become declared hints,
so a surname in PID-5 or an area code alone in PID-14.6 is found although no regex knows it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from hygie.privacy.engine.document import ExtractedDocument, Segment
from hygie.privacy.engine.errors import ExtractionError
from hygie.privacy.engine.extract.text import decode_text
from hygie.privacy.engine.fields import HL7Field, hl7_map

_SEGMENT = re.compile(r"[^\r\n]+")


def _field_type(name: str, number: int, obx_type: str) -> tuple[HL7Field | None, str | None]:
    """The map's entry for ``name``-``number`` and its data type (OBX-5: the one OBX-2 names)."""
    fields = hl7_map()
    if name == "OBX" and number == fields.obx_value_field:
        return None, fields.obx_value_types.get(obx_type)
    entry = fields.fields.get(f"{name}-{number}")
    return (entry, entry.datatype) if entry is not None else (None, None)


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
    text: str,
    label: str,
    field_number: int,
    span: tuple[int, int],
    seps: _Separators,
    entry: HL7Field | None = None,
    datatype: str | None = None,
) -> Iterator[Segment]:
    """Segments for every non-empty component/subcomponent of one field; those the field map
    (engine/fields/hl7v2.yml) names as PHI carry their entity and are declared."""
    fields = hl7_map() if datatype is not None else None
    repetitions = _split(text, *span, seps.repetition)
    for rep_index, (r_start, r_end) in enumerate(repetitions, start=1):
        components = _split(text, r_start, r_end, seps.component)
        context = type_code = ""
        if datatype == "CX" and len(components) >= 4:
            c4 = components[3]
            c5 = components[4] if len(components) >= 5 else (r_end, r_end)
            type_code = text[c5[0] : c5[1]].strip().upper()
            context = f"{text[c4[0] : c4[1]]} {type_code}"
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
                phi = None
                if fields is not None and datatype is not None:
                    phi = fields.component(entry, datatype, comp_index, sub_index, type_code)
                if phi is None:
                    yield Segment(s_start, s_end, path, None, context)
                else:
                    yield Segment(
                        s_start, s_end, path, phi.entity, context, declared=True, mapped=phi
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
        for number, span in _fields(self.text, start, end, self.seps):
            if span[0] <= offset <= span[1]:
                for leaf in _leaves(self.text, self.labels[index], number, span, self.seps):
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
    mapped, obx_type_field = hl7_map().segments, hl7_map().obx_type_field
    for match in _SEGMENT.finditer(text, offset):
        seg_start, seg_end = match.span()
        name = text[seg_start : seg_start + 3]
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name}[{seen[name]}]"
        starts.append(seg_start)
        labels.append(label)
        if name not in mapped:
            continue
        obx_type = ""
        for number, span in _fields(text, seg_start, seg_end, seps):
            if name == "OBX" and number == obx_type_field:
                obx_type = text[span[0] : span[1]].split(seps.component, 1)[0].strip().upper()
            if span[0] != span[1]:
                entry, datatype = _field_type(name, number, obx_type)
                if datatype is not None:
                    segments.extend(_leaves(text, label, number, span, seps, entry, datatype))
    # Fields without hints get no segments (HL7 feeds are dense); the locator names them on
    # demand, and hits spanning a separator are dropped.
    return ExtractedDocument(
        "hl7v2",
        text,
        segments,
        locator=_HL7Locator(text, starts, labels, seps),
        separators=seps.all + "\r\n",
    )
