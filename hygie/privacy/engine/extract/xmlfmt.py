"""XML and HL7 C-CDA documents through expat, with element paths and exact spans.

Hostile input: DOCTYPE entity declarations are refused (billion laughs, external entities), so
nothing is expanded or fetched. C-CDA structure (patient/name/given, birthTime, addr, telecom,
id roots such as SSN or NPI OIDs) becomes hints.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from xml.parsers import expat

from hygie.lib.errors import Location
from hygie.privacy.engine.document import ByteToChar, ExtractedDocument, Segment
from hygie.privacy.engine.errors import ExtractionError
from hygie.privacy.engine.extract.hints import hint_for_label
from hygie.privacy.engine.extract.text import decode_text
from hygie.privacy.engine.model import EntityType as E

MAX_DEPTH = 512
_PERSON_PARENTS = frozenset(
    {
        "patient",
        "assignedPerson",
        "guardianPerson",
        "relatedPerson",
        "associatedPerson",
        "informationRecipient",
        "intendedRecipient",
        "maintainingPerson",
        "healthCareFacility",
    }
)
# Attributes that hold codes and identifiers of concepts or templates, never patient data.
_CODE_ATTRIBUTES = frozenset(
    {
        "code",
        "codeSystem",
        "codeSystemName",
        "codeSystemVersion",
        "root",
        "classCode",
        "moodCode",
        "typeCode",
        "templateId",
        "unit",
        "mediaType",
        "determinerCode",
        "contextControlCode",
        "xsi:type",
        "type",
        "ID",
        "IDREF",
        "version",
        "assigningAuthorityName",
    }
)
_ID_ROOTS = (
    ("2.16.840.1.113883.4.1", E.US_SSN),
    ("2.16.840.1.113883.4.6", E.US_NPI),
    ("1.2.250.1.213.1.4.", E.FR_INS),
    ("1.2.250.1.71.4.2.1", E.FR_RPPS),
)


class _Refused(Exception):
    """Raised inside expat callbacks; turned into an ExtractionError outside."""


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1].rsplit(":", 1)[-1]


def _text_hint(stack: list[str], is_cda: bool) -> E | None:
    element = stack[-1]
    parent = stack[-2] if len(stack) > 1 else ""
    if is_cda:
        if element in ("given", "family") and parent == "name":
            return E.PERSON
        if element == "name" and parent in _PERSON_PARENTS:
            return E.PERSON
        if element in ("streetAddressLine", "houseNumber", "streetName", "city"):
            return E.ADDRESS
        if element == "postalCode":
            return E.POSTAL_CODE
        return None
    return hint_for_label(element)


def _attribute_hint(
    stack: list[str], name: str, attrs: dict[str, str], is_cda: bool
) -> tuple[E | None, str]:
    element = stack[-1]
    if not is_cda:
        hint = hint_for_label(name)
        if hint is None and name == "value":  # <dob value="..."/>: the element names the value
            hint = hint_for_label(element)
        return hint, ""
    if element == "birthTime" and name == "value":
        return E.DATE_OF_BIRTH, ""
    if element == "telecom" and name == "value":
        value = attrs.get("value", "")
        return (E.EMAIL if value.startswith("mailto:") else E.US_PHONE), ""
    if element == "id" and name == "extension":
        root = attrs.get("root", "")
        for marker, entity in _ID_ROOTS:
            if root.startswith(marker):
                return entity, root
        if "patientRole" in stack[-3:]:
            return E.MRN, root
    return None, attrs.get("root", "")


def extract_xml(data: bytes) -> ExtractedDocument:
    text = decode_text(data)
    raw = text.encode("utf-8")
    is_ascii = len(raw) == len(text)
    is_cda = "urn:hl7-org:v3" in text[:4096] and "ClinicalDocument" in text[:4096]
    parser = expat.ParserCreate(encoding="utf-8", namespace_separator=" ")
    parser.buffer_text = True
    segments: list[Segment] = []
    stack: list[str] = []
    element_starts: list[int] = []
    element_paths: list[str] = []
    opaque: list[tuple[int, int]] = []
    to_char = _char_offsets(raw, is_ascii)

    def refuse_entities(*_args: object) -> None:
        raise _Refused("XML entity declarations are not allowed")

    def on_start(name: str, attrs: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise _Refused("XML nesting too deep")
        stack.append(_local(name))
        tag_start = parser.CurrentByteIndex
        element_starts.append(to_char(tag_start))
        element_paths.append("/" + "/".join(stack))
        for attr_name, value in attrs.items():
            local = _local(attr_name)
            if local in _CODE_ATTRIBUTES and value:
                span = _attribute_span(raw, tag_start, raw.find(b">", tag_start), local)
                if span is not None:
                    opaque.append((to_char(span[0]), to_char(span[1])))
                continue
            hint, context = _attribute_hint(stack, local, attrs, is_cda)
            if hint is None or not value.strip():
                continue  # a hit in another attribute is located through element_starts
            span = _attribute_span(raw, tag_start, raw.find(b">", tag_start), local)
            if span is not None:
                segments.append(
                    Segment(
                        to_char(span[0]),
                        to_char(span[1]),
                        f"{element_paths[-1]}/@{local}",
                        hint,
                        context,
                    )
                )

    def on_end(_name: str) -> None:
        stack.pop()

    def on_text(content: str) -> None:
        if not content.strip() or not stack:
            return
        # With buffer_text, expat reports the text when the next markup starts: the index is
        # the end of the stored text, which began right after the previous markup.
        end_byte = parser.CurrentByteIndex
        start_byte = raw.rfind(b">", 0, end_byte) + 1
        segments.append(
            Segment(
                to_char(start_byte),
                to_char(end_byte),
                "/" + "/".join(stack),
                _text_hint(stack, is_cda),
            )
        )

    parser.StartElementHandler = on_start
    parser.EndElementHandler = on_end
    parser.CharacterDataHandler = on_text
    parser.EntityDeclHandler = refuse_entities
    parser.ExternalEntityRefHandler = refuse_entities  # type: ignore[assignment]
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(raw, True)
    except _Refused as error:
        raise ExtractionError(str(error)) from error
    except expat.ExpatError as error:
        raise ExtractionError(
            f"invalid XML at line {error.lineno}, column {error.offset + 1}: "
            f"{expat.ErrorString(error.code)}",
            Location(None, error.lineno, error.offset + 1),
        ) from error
    segments.sort(key=lambda s: s.start)
    return ExtractedDocument(
        "ccda" if is_cda else "xml",
        text,
        segments,
        free_text=True,
        opaque=opaque,
        # NER reads narrative text nodes only, never the markup.
        prose=[(s.start, s.end) for s in segments if s.hint is None and s.end - s.start >= 15],
        locator=_ElementLocator(text, element_starts, element_paths),
    )


@dataclass(frozen=True)
class _ElementLocator:
    """Path of a hit outside text segments: the element whose start tag precedes it."""

    text: str
    starts: list[int]
    paths: list[str]

    def locate(self, offset: int) -> tuple[str, str | None]:
        index = bisect.bisect_right(self.starts, offset) - 1
        if index < 0:
            return "", None
        tag_end = self.text.find(">", self.starts[index])
        if offset < tag_end:  # inside the start tag: name the attribute
            match = _ATTRIBUTE_BEFORE.search(self.text, self.starts[index], offset)
            if match is not None:
                return f"{self.paths[index]}/@{_local(match.group(1))}", None
        return self.paths[index], None


_ATTRIBUTE_BEFORE = re.compile(r"([\w:.-]+)\s*=\s*[\"'][^\"']*$")


def _attribute_span(raw: bytes, tag_start: int, tag_end: int, name: str) -> tuple[int, int] | None:
    pattern = re.compile(rb"[\s:]" + re.escape(name.encode()) + rb"\s*=\s*([\"'])")
    match = pattern.search(raw, tag_start, tag_end if tag_end > 0 else len(raw))
    if match is None:
        return None
    quote = match.group(1)
    end = raw.find(quote, match.end())
    return (match.end(), end) if end >= 0 else None


def _char_offsets(raw: bytes, is_ascii: bool) -> Callable[[int], int]:
    if is_ascii:
        return lambda offset: offset
    return ByteToChar(raw)
