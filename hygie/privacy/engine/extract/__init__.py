"""Structure-aware extractors: bytes in, ``ExtractedDocument`` out. No paths, no I/O."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from hygie.privacy.engine.document import ExtractedDocument
from hygie.privacy.engine.errors import ExtractionError
from hygie.privacy.engine.extract.archive import extract_zip
from hygie.privacy.engine.extract.dicom import extract_dicom
from hygie.privacy.engine.extract.hl7 import extract_hl7
from hygie.privacy.engine.extract.jsonfmt import extract_json, extract_ndjson
from hygie.privacy.engine.extract.mail import extract_eml
from hygie.privacy.engine.extract.office import extract_docx, extract_pdf
from hygie.privacy.engine.extract.table import extract_csv, extract_xlsx
from hygie.privacy.engine.extract.text import extract_text
from hygie.privacy.engine.extract.xmlfmt import extract_xml
from hygie.privacy.engine.model import ArchiveLimits

FORMATS = (
    "text",
    "csv",
    "json",
    "ndjson",
    "xml",
    "hl7v2",
    "dicom",
    "pdf",
    "docx",
    "xlsx",
    "eml",
    "zip",
)
_MAIL_HEADER = re.compile(
    rb"^(?:Received|From|Return-Path|MIME-Version|Message-ID|Delivered-To|X-[\w-]+):", re.I
)


def _zip_kind(data: bytes, extension: str) -> str:
    if extension in ("docx", "xlsx", "xlsm"):
        return "docx" if extension == "docx" else "xlsx"
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist()[:2000])
    except Exception:  # noqa: BLE001 - hostile input: any failure means "a broken ZIP"
        return "zip"  # the ZIP extractor reports the corruption
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return "zip"


def sniff_format(data: bytes, name: str = "") -> str:
    """The extractor to use, from magic bytes first, then the file extension."""
    lower = name.lower()
    extension = lower.rsplit(".", 1)[-1] if "." in lower.rsplit("/", 1)[-1] else ""
    if data[128:132] == b"DICM" or extension in ("dcm", "dicom"):
        return "dicom"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data, extension)
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if (
        extension in ("hl7", "hl7v2")
        or head.startswith((b"MSH", b"FHS", b"BHS"))
        and head[3:4] in (b"|", b"^")
    ):
        return "hl7v2"
    if extension in ("ndjson", "jsonl"):
        return "ndjson"
    if extension == "json" or head[:1] in (b"{", b"["):
        return "json"
    if extension in ("xml", "ccda", "cda") or head.startswith(b"<"):
        return "xml"
    if extension == "eml" or (
        _MAIL_HEADER.match(head) and b"\n\n" in data[:65536].replace(b"\r\n", b"\n")
    ):
        return "eml"
    if extension in ("csv", "tsv"):
        return "csv"
    return "text"


def extract(
    data: bytes, name: str = "", limits: ArchiveLimits | None = None, format: str | None = None
) -> ExtractedDocument:
    """Extract ``data`` in the given (or sniffed) format; every failure is an ExtractionError.

    Third-party parsers (pypdf, python-docx/lxml, openpyxl, pydicom, zlib, the e-mail package)
    signal corrupt or hostile input through dozens of exception types, MemoryError and
    RecursionError included: whatever the type, it means "this file cannot be read", never a
    crash of the scan. Only the exception's type is kept: its message may quote the content.
    """
    bounds = limits or ArchiveLimits()
    kind = format or sniff_format(data, name)
    readers: dict[str, Callable[[], ExtractedDocument]] = {
        "text": lambda: extract_text(data),
        "csv": lambda: extract_csv(data, name),
        "json": lambda: extract_json(data),
        "ndjson": lambda: extract_ndjson(data),
        "xml": lambda: extract_xml(data),
        "hl7v2": lambda: extract_hl7(data),
        "dicom": lambda: extract_dicom(data),
        "pdf": lambda: extract_pdf(data),
        "docx": lambda: extract_docx(data, bounds),
        "xlsx": lambda: extract_xlsx(data, bounds),
        "eml": lambda: extract_eml(data),
        "zip": lambda: extract_zip(data, bounds),
    }
    reader = readers.get(kind)
    if reader is None:
        raise ExtractionError(f"unknown format {kind!r}")
    try:
        return reader()
    except ExtractionError:
        raise
    except MemoryError:
        raise ExtractionError(f"{kind} content needs more memory than allowed") from None
    except RecursionError:
        raise ExtractionError(f"{kind} structure nested too deeply") from None
    except Exception as error:  # noqa: BLE001 - see the docstring
        raise ExtractionError(f"unreadable {kind} content ({type(error).__name__})") from None


__all__ = ["FORMATS", "extract", "sniff_format"]
