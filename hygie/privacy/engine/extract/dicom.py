"""DICOM headers (pydicom): every text element with its tag; pixel data is never read.

The attributes of the PS3.15 Annex E confidentiality profile (engine/fields/dicom.yml) that hold a
name, a date, an identifier, an address or a phone are declared: a value there is a finding
whatever its form. Other person names (PN) and dates (DA) are hints.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from typing import Any

from hygie.privacy.engine.document import ExtractedDocument
from hygie.privacy.engine.errors import ExtractionError
from hygie.privacy.engine.extract.rebuilt import TextBuilder
from hygie.privacy.engine.fields import dicom_map
from hygie.privacy.engine.model import EntityType as E

_TEXT_VRS = frozenset(
    {"PN", "LO", "SH", "DA", "DT", "AS", "ST", "LT", "UT", "AE", "UC", "CS", "IS", "UR"}
)
# Value representations read only when the Annex E map declares the attribute (UIDs, times).
_DECLARED_VRS = frozenset({"UI", "TM"})
MAX_SEQUENCE_DEPTH = 8
MAX_ELEMENTS = 100_000


def _elements(dataset: Any, depth: int = 0) -> Iterator[Any]:
    annex = dicom_map()
    for element in dataset:
        if element.VR == "SQ":
            if depth < MAX_SEQUENCE_DEPTH:
                for item in element.value:
                    yield from _elements(item, depth + 1)
        elif element.VR in _TEXT_VRS:
            yield element
        elif element.VR in _DECLARED_VRS:
            attribute = annex.get(int(element.tag))
            if attribute is not None and attribute.phi is not None:
                yield element


def extract_dicom(data: bytes) -> ExtractedDocument:
    try:
        import pydicom
        from pydicom.errors import BytesLengthException, InvalidDicomError
    except ImportError as error:
        raise ExtractionError("reading DICOM needs pydicom") from error
    try:
        dataset = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
        builder = TextBuilder()
        annex = dicom_map()
        for count, element in enumerate(_elements(dataset)):
            if count >= MAX_ELEMENTS:
                raise ExtractionError("DICOM header has too many elements")
            values = element.value if element.VM > 1 else [element.value]
            attribute = annex.get(int(element.tag))
            mapped = attribute.phi if attribute is not None else None
            if mapped is not None:
                hint: E | None = mapped.entity
            else:
                hint = E.PERSON if element.VR == "PN" else E.DATE if element.VR == "DA" else None
            tag = f"({element.tag.group:04X},{element.tag.element:04X}) {element.keyword}".strip()
            for value in values:
                text = str(value).replace("^", " ").strip() if element.VR == "PN" else str(value)
                builder.add(
                    text.strip(),
                    tag,
                    hint,
                    element.keyword or "",
                    declared=mapped is not None,
                    mapped=mapped,
                )
    except InvalidDicomError as error:
        raise ExtractionError("not a DICOM file") from error
    except (
        ValueError,
        KeyError,
        TypeError,
        OSError,
        EOFError,
        AttributeError,
        NotImplementedError,
        OverflowError,
        struct.error,
        BytesLengthException,
    ) as error:
        # pydicom reports corrupt headers through many exception types; all mean "unreadable".
        raise ExtractionError("unreadable DICOM header") from error
    return ExtractedDocument(
        "dicom", builder.text, builder.segments, is_stored_text=False, hits_need_segment=True
    )
