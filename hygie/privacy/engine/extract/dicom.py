"""DICOM headers (pydicom): every text element with its tag; pixel data is never read."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from typing import Any

from hygie.privacy.engine.document import ExtractedDocument
from hygie.privacy.engine.errors import ExtractionError
from hygie.privacy.engine.extract.rebuilt import TextBuilder
from hygie.privacy.engine.model import EntityType as E

_TEXT_VRS = frozenset(
    {"PN", "LO", "SH", "DA", "DT", "AS", "ST", "LT", "UT", "AE", "UC", "CS", "IS", "UR"}
)
_TAG_HINTS = {
    0x00100030: E.DATE_OF_BIRTH,  # PatientBirthDate
    0x00100020: E.MRN,  # PatientID
    0x00101000: E.MRN,  # OtherPatientIDs
    0x00101040: E.ADDRESS,  # PatientAddress
    0x00102154: E.US_PHONE,  # PatientTelephoneNumbers
    0x00080090: E.PERSON,  # ReferringPhysicianName (PN anyway)
}
MAX_SEQUENCE_DEPTH = 8
MAX_ELEMENTS = 100_000


def _elements(dataset: Any, depth: int = 0) -> Iterator[Any]:
    for element in dataset:
        if element.VR == "SQ":
            if depth < MAX_SEQUENCE_DEPTH:
                for item in element.value:
                    yield from _elements(item, depth + 1)
        elif element.VR in _TEXT_VRS:
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
        for count, element in enumerate(_elements(dataset)):
            if count >= MAX_ELEMENTS:
                raise ExtractionError("DICOM header has too many elements")
            values = element.value if element.VM > 1 else [element.value]
            hint = E.PERSON if element.VR == "PN" else _TAG_HINTS.get(int(element.tag))
            if hint is None and element.VR == "DA":
                hint = E.DATE
            tag = f"({element.tag.group:04X},{element.tag.element:04X}) {element.keyword}".strip()
            for value in values:
                text = str(value).replace("^", " ").strip() if element.VR == "PN" else str(value)
                builder.add(text.strip(), tag, hint, element.keyword or "")
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
