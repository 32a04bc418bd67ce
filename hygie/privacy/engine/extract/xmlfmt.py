"""XML and HL7 C-CDA documents through expat, with element paths and exact spans.

Hostile input: DOCTYPE entity declarations are refused (billion laughs, external entities), so
nothing is expanded or fetched. The C-CDA field map (engine/fields/ccda.yml: names, birthTime, addr,
telecom, id roots such as SSN or NPI OIDs) gives hints; under recordTarget/patientRole, a guardian
or a header participant they are declared: a value there is a finding whatever its form.
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
from hygie.privacy.engine.extract.hints import field_for_label
from hygie.privacy.engine.extract.text import decode_text
from hygie.privacy.engine.fields import PHIField, ccda_map
from hygie.privacy.engine.model import EntityType as E

MAX_DEPTH = 512
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


class _Refused(Exception):
    """Raised inside expat callbacks; turned into an ExtractionError outside."""


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1].rsplit(":", 1)[-1]


def _declared(stack: list[str]) -> bool:
    scopes = ccda_map().declared_scopes
    return any(element in scopes for element in stack)


def _text_hint(stack: list[str], is_cda: bool) -> tuple[PHIField | None, bool]:
    """(map entry, declared) of a text node: the C-CDA field map, or the element name in plain
    XML (tabular.yml)."""
    if not is_cda:
        return field_for_label(stack[-1]), False
    parent = stack[-2] if len(stack) > 1 else ""
    phi = ccda_map().text_field(stack[-1], parent)
    if phi is None:
        return None, False
    return phi, _declared(stack)


def _attribute_hint(
    stack: list[str], name: str, attrs: dict[str, str], is_cda: bool
) -> tuple[E | None, str, bool, PHIField | None]:
    """(hint, context, declared, map entry) of an attribute value."""
    element = stack[-1]
    if not is_cda:
        phi = field_for_label(name)
        if phi is None and name == "value":  # <dob value="..."/>: the element names the value
            phi = field_for_label(element)
        return (phi.entity if phi is not None else None), "", False, phi
    fields = ccda_map()
    rule = fields.attributes.get(f"{element}@{name}")
    root = attrs.get("root", "")
    if rule is None:
        return None, root, False, None
    within, phi = rule
    if element == "id":
        by_root = fields.root(root)
        if by_root is not None:
            return by_root.entity, root, _declared(stack), by_root
        if within is not None and within not in stack[-3:]:
            return None, root, False, None
        return phi.entity, root, _declared(stack), phi
    if element == "telecom":
        value = attrs.get("value", "")
        # A mailto: in a telecom the map calls a phone: an e-mail, with the e-mail's categories
        # (the detector gives a map entry's categories only to a finding of the entry's entity).
        entity = E.EMAIL if value.startswith("mailto:") else phi.entity
        return entity, "", _declared(stack), phi
    return phi.entity, "", _declared(stack), phi


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
            hint, context, declared, mapped = _attribute_hint(stack, local, attrs, is_cda)
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
                        declared=declared,
                        mapped=mapped,
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
        mapped, declared = _text_hint(stack, is_cda)
        segments.append(
            Segment(
                to_char(start_byte),
                to_char(end_byte),
                "/" + "/".join(stack),
                mapped.entity if mapped is not None else None,
                declared=declared,
                mapped=mapped,
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
