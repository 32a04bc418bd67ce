"""JSON, NDJSON and FHIR (R4) resources, with a JSON pointer and an exact span for every value.

``json.loads`` forgets positions, so a small tokenizer walks the stored text: every string and
number becomes a segment over its characters in the file, addressed by its RFC 6901 pointer
(plain JSON) or its FHIRPath (FHIR: ``Patient.telecom[0].value``). The FHIR field map
(engine/fields/fhir.yml: HumanName, ContactPoint, Address, Identifier, birthDate, deceased[x] of
Patient, RelatedPerson, Practitioner, Person, Coverage) says which values are PHI.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from hygie.lib.errors import Location
from hygie.privacy.engine.document import ExtractedDocument, LineIndex, Segment
from hygie.privacy.engine.errors import ExtractionError
from hygie.privacy.engine.extract.hints import field_for_label
from hygie.privacy.engine.extract.text import decode_text
from hygie.privacy.engine.fields import PHIField, fhir_map
from hygie.privacy.engine.model import EntityType as E

MAX_DEPTH = 256
_TOKEN = re.compile(
    r'[ \t\r\n]*(?:"((?:[^"\\\x00-\x1f]|\\.)*)"'
    r"|(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}\[\]:,]))"
)
_TRAILING_SPACE = re.compile(r"[ \t\r\n]*")

# Parser states
_VALUE, _VALUE_OR_CLOSE, _KEY, _KEY_OR_CLOSE, _COLON, _COMMA_OR_CLOSE, _END = range(7)


@dataclass(frozen=True)
class _Scalar:
    parts: tuple[str, ...]
    start: int
    end: int
    is_string: bool


def _key(raw: str) -> str:
    return json.loads(f'"{raw}"') if "\\" in raw else raw


def _problem(text: str, pos: int, what: str) -> ExtractionError:
    line, column = LineIndex(text).position(pos)
    return ExtractionError(
        f"invalid JSON at line {line}, column {column}: {what}", Location(None, line, column)
    )


def scalars(
    text: str, start: int = 0, end: int | None = None, prefix: tuple[str, ...] = ()
) -> list[_Scalar]:
    """Every string and number of one JSON value in ``text[start:end]``, with its path."""
    stop = len(text) if end is None else end
    frames: list[list[object]] = []  # [is_object, key or index]
    out: list[_Scalar] = []
    state, pos = _VALUE, start

    def after_value() -> int:
        if not frames:
            return _END
        return _COMMA_OR_CLOSE

    def path() -> tuple[str, ...]:
        return prefix + tuple(str(frame[1]) for frame in frames)

    while True:
        match = _TOKEN.match(text, pos, stop)
        if match is None:
            tail = _TRAILING_SPACE.match(text, pos, stop)
            if state == _END and tail is not None and tail.end() == stop:
                return out
            raise _problem(text, pos, "unexpected character" if pos < stop else "truncated")
        string, number, literal, punct = match.groups()
        token_start = (
            match.start(1) if string is not None else match.end() - len(match.group().lstrip())
        )
        pos = match.end()
        if state in (_VALUE, _VALUE_OR_CLOSE):
            if punct == "]" and state == _VALUE_OR_CLOSE:
                frames.pop()
                state = after_value()
            elif punct in ("{", "["):
                if len(frames) >= MAX_DEPTH:
                    raise _problem(text, token_start, "nesting too deep")
                frames.append([punct == "{", "" if punct == "{" else 0])
                state = _KEY_OR_CLOSE if punct == "{" else _VALUE_OR_CLOSE
            elif string is not None or number is not None:
                value_end = match.end(1) if string is not None else pos
                out.append(_Scalar(path(), token_start, value_end, string is not None))
                state = after_value()
            elif literal is not None:
                state = after_value()
            else:
                raise _problem(text, token_start, "a value was expected")
        elif state in (_KEY, _KEY_OR_CLOSE):
            if punct == "}" and state == _KEY_OR_CLOSE:
                frames.pop()
                state = after_value()
            elif string is not None:
                frames[-1][1] = _key(string)
                state = _COLON
            else:
                raise _problem(text, token_start, "an object key was expected")
        elif state == _COLON:
            if punct != ":":
                raise _problem(text, token_start, "':' was expected")
            state = _VALUE
        elif state == _COMMA_OR_CLOSE:
            is_object = frames[-1][0]
            if punct == ",":
                if is_object:
                    state = _KEY
                else:
                    frames[-1][1] = int(str(frames[-1][1])) + 1
                    state = _VALUE
            elif (punct == "}" and is_object) or (punct == "]" and not is_object):
                frames.pop()
                state = after_value()
            else:
                raise _problem(text, token_start, "',' or a closing bracket was expected")
        else:
            raise _problem(text, token_start, "data after the end of the document")


def _pointer(parts: tuple[str, ...]) -> str:
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _fhirpath(parts: tuple[str, ...], types: dict[int, str]) -> str:
    """``Patient.telecom[0].value``; in a Bundle, ``Bundle.entry[2].resource.ofType(Patient)...``
    (``types``: the resourceType of the object at each depth of ``parts``)."""
    out = types.get(0, "")
    for depth, part in enumerate(parts, start=1):
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
        if depth in types and depth < len(parts):
            out += f".ofType({types[depth]})"
    return out


def _fhir_field(
    parts: tuple[str, ...], depth: int, resource: str | None, system: str
) -> tuple[E | None, bool, PHIField | None]:
    """(hint, declared, map entry) of a FHIR value: the field map (engine/fields/fhir.yml)
    first, then the hints that hold in any resource (a telecom, an identifier with a known
    system)."""
    fields = fhir_map()
    element = ".".join(p for p in parts[depth:] if not p.isdigit())
    phi = fields.element(resource, element)
    key = parts[-1]
    if key == "value" and "identifier" in parts:
        by_system = fields.system(system)
        if by_system is not None:
            return by_system.entity, phi is not None, by_system
    if phi is not None:
        return phi.entity, True, phi
    if key == "value" and "telecom" in parts:
        # The structural rule tells phone (FR/US) from e-mail by value: no map entry, so the
        # finding takes its entity's default categories.
        return E.US_PHONE, False, None
    if key == "birthDate":
        return E.DATE_OF_BIRTH, False, None
    return None, False, None


def _segments(text: str, found: list[_Scalar], prefix: int = 0) -> tuple[list[Segment], bool]:
    """Segments of the scalars; ``prefix`` leading parts name the line of an NDJSON file."""
    strings = {s.parts: text[s.start : s.end] for s in found if s.is_string}
    is_fhir = any(p[-1] == "resourceType" for p in strings)
    segments = []
    for scalar in found:
        parts = scalar.parts
        if not parts or scalar.start == scalar.end:
            continue
        system = strings.get(parts[:-1] + ("system",), "") if parts[-1] == "value" else ""
        head = f"{parts[0]}#" if prefix else ""
        body = parts[prefix:]
        if is_fhir:
            types = {
                depth: kind
                for depth in range(len(body))
                if (kind := strings.get(parts[: prefix + depth] + ("resourceType",))) is not None
            }
            depth = max(types, default=0)
            hint, declared, mapped = _fhir_field(body, depth, types.get(depth), system)
            path = head + _fhirpath(body, types)
        else:
            label = parts[-1] if not parts[-1].isdigit() else (parts[-2] if len(parts) > 1 else "")
            mapped = field_for_label(label)
            hint, declared = (mapped.entity if mapped is not None else None), False
            path = head + _pointer(body)
        segments.append(
            Segment(scalar.start, scalar.end, path, hint, system, declared=declared, mapped=mapped)
        )
    return segments, is_fhir


def extract_json(data: bytes) -> ExtractedDocument:
    text = decode_text(data)
    segments, is_fhir = _segments(text, scalars(text))
    return ExtractedDocument("fhir" if is_fhir else "json", text, segments, hits_need_segment=True)


def extract_ndjson(data: bytes) -> ExtractedDocument:
    text = decode_text(data)
    found: list[_Scalar] = []
    for number, line in enumerate(re.finditer(r"[^\n]*\n?", text), start=1):
        content_end = line.start() + len(line.group().rstrip("\r\n"))
        if line.group().strip():
            found.extend(scalars(text, line.start(), content_end, (f"line {number}",)))
    segments, is_fhir = _segments(text, found, prefix=1)
    return ExtractedDocument(
        "fhir-ndjson" if is_fhir else "ndjson", text, segments, hits_need_segment=True
    )
