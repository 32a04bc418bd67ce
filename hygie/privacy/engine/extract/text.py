"""Decoding bytes to text (UTF-8, UTF-16 with BOM, Windows-1252) and plain-text extraction."""

from __future__ import annotations

import codecs

from hygie.privacy.engine.document import ExtractedDocument
from hygie.privacy.engine.errors import ExtractionError

_SAMPLE = 8192
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13))


def looks_binary(data: bytes) -> bool:
    sample = data[:_SAMPLE]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return bool(sample) and controls / len(sample) > 0.05


def decode_text(data: bytes) -> str:
    """Decode as UTF-8 (BOM allowed), UTF-16 with BOM, else Windows-1252; refuse binary data."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ExtractionError("invalid UTF-16 text") from error
    if looks_binary(data):
        raise ExtractionError("binary content in a file read as text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Legacy exports from French hospital software are often Windows-1252.
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ExtractionError("text is neither UTF-8 nor Windows-1252") from error


def extract_text(data: bytes) -> ExtractedDocument:
    return ExtractedDocument("text", decode_text(data), free_text=True)
