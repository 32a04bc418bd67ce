"""Fuzz targets of the PHI discovery engine: one per extractor, and the whole scan.

Each extractor target calls the public ``extract(data, name, format=...)`` with its format
forced, so every input reaches that extractor. DOCX and XLSX inputs not starting with ``PK``
are read as the archive's member texts (split on ``PART_SEPARATOR``) and zipped uncompressed,
so mutations reach the XML parts instead of dying on a CRC check.

``HYGIE_FUZZ_STRICT=1`` also reports an ``ExtractionError`` that ``extract``'s catch-all made of
an exception raised in Hygie's own code (not a third-party parser's): bugs the wrapping hides.
"""

from __future__ import annotations

import io
import os
import traceback
import zipfile
from collections.abc import Callable, Iterator

from .target import REPO_ROOT, Loaded, Seed, Target, shared_files

PART_SEPARATOR = b"\n\x00--part--\x00\n"
_PRIVACY = ("hygie.privacy",)
_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "privacy"
_STRICT = os.environ.get("HYGIE_FUZZ_STRICT") == "1"


def _builders() -> object:
    from tests.engines.privacy import builders

    return builders


def _fixtures(*suffixes: str) -> Iterator[Seed]:
    for path in sorted(_FIXTURES.glob("*.in")):
        if path.name.removesuffix(".in").endswith(suffixes):
            yield path.name, path.read_bytes()


def _members(archive: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        return [(info.filename, opened.read(info)) for info in opened.infolist()]


def _parts_seed(archive: bytes) -> bytes:
    return PART_SEPARATOR.join(data for _, data in _members(archive))


def _rezip(names: list[str], data: bytes) -> bytes:
    """Member texts in ``data`` under the template's names (missing ones left out)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, part in zip(names, data.split(PART_SEPARATOR), strict=False):
            archive.writestr(name, part)
    return buffer.getvalue()


def _extractor(
    kind: str, name: str, template: Callable[[], bytes] | None = None, modules: tuple[str, ...] = ()
) -> Callable[[], Loaded]:
    def load() -> Loaded:
        for module in modules:  # lazily imported by the extractor: import under coverage now
            __import__(module)
        from hygie.privacy.engine import ExtractionError, PrivacyEngineError, extract

        names = [member for member, _ in _members(template())] if template else []

        def parse(data: bytes) -> object:
            if names and not data.startswith(b"PK"):
                data = _rezip(names, data)
            try:
                return extract(data, name, format=kind)
            except ExtractionError as error:
                _raise_own_bug(error)
                raise

        return parse, (PrivacyEngineError,)

    return load


def _raise_own_bug(error: BaseException) -> None:
    """In strict mode, re-raise what ``extract``'s catch-all turned into "unreadable content"
    when it was raised by Hygie's own code (an extractor converting a specific error on purpose
    gives its own message and is left alone)."""
    cause = error.__cause__
    wrapped = "content (" in str(error)
    if _STRICT and wrapped and cause is not None and cause.__traceback__ is not None:
        frames = traceback.extract_tb(cause.__traceback__)
        if frames and "/hygie/" in frames[-1].filename:
            raise cause


_SCAN_NAMES = (
    "",
    "notes.txt",
    "export.csv",
    "data.json",
    "data.ndjson",
    "cda.xml",
    "msg.hl7",
    "image.dcm",
    "report.pdf",
    "report.docx",
    "book.xlsx",
    "mail.eml",
    "bundle.zip",
)


def _scan() -> Loaded:
    import docx  # noqa: F401  (the extractors import these lazily)
    import openpyxl  # noqa: F401
    import pydicom  # noqa: F401
    import pypdf  # noqa: F401

    from hygie.privacy.engine import PHIDetector, PrivacyEngineError, ScanConfig, scan_bytes

    detector = PHIDetector(ScanConfig(hmac_key=b"fuzzing-key-not-secret-0123456789"))

    def scan(data: bytes) -> object:
        """Byte 0 picks the file name (and so the sniffed format); the rest is the file."""
        if not data:
            return None
        return scan_bytes(detector, data[1:], _SCAN_NAMES[data[0] % len(_SCAN_NAMES)])

    return scan, (PrivacyEngineError,)


_STREAM_KINDS = ("text", "csv", "hl7v2")


def _stream() -> Loaded:
    from hygie.privacy.engine import PHIDetector, PrivacyEngineError, ScanConfig
    from hygie.privacy.engine.stream import FindingBound, StreamScanner

    detector = PHIDetector(ScanConfig(hmac_key=b"fuzzing-key-not-secret-0123456789"))

    def scan(data: bytes) -> object:
        """Byte 0 picks the format, byte 1 the read size; the smallest blocks the scanner
        allows (1 KiB) so that inputs of a few KiB cross several block borders."""
        if len(data) < 2:
            return None
        kind, read = _STREAM_KINDS[data[0] % len(_STREAM_KINDS)], data[1] * 16 + 1
        scanner = StreamScanner(detector, kind, "fuzz", block_chars=1024, overlap_chars=0)
        kept = FindingBound(100)
        for start in range(2, len(data), read):
            kept.add(scanner.feed(data[start : start + read]))
        kept.add(scanner.close())
        return scanner.result(kept)

    return scan, (PrivacyEngineError,)


def _stream_seeds() -> Iterator[Seed]:
    for name, data in _fixtures(".txt", ".csv", ".hl7"):
        kind = {"txt": 0, "csv": 1, "hl7": 2}[name.removesuffix(".in").rsplit(".", 1)[-1]]
        yield name, bytes([kind, 7]) + data * (3000 // len(data) + 1)


def _binary(builder: str) -> Callable[[], Iterator[Seed]]:
    def seeds() -> Iterator[Seed]:
        yield builder, getattr(_builders(), builder)()

    return seeds


def _office_seeds(builder: str) -> Callable[[], Iterator[Seed]]:
    def seeds() -> Iterator[Seed]:
        archive = getattr(_builders(), builder)()
        yield f"{builder}.zip", archive
        yield f"{builder}.parts", _parts_seed(archive)

    return seeds


def _zip_seeds() -> Iterator[Seed]:
    b = _builders()
    yield "nested.zip", b.nested_zip_bytes()  # type: ignore[attr-defined]
    yield (
        "stored.zip",
        b.zip_bytes(  # type: ignore[attr-defined]
            {"a/note.txt": b"Patient ROUSSEL", "b.csv": b"nom;nir\nX;1\n"}, zipfile.ZIP_STORED
        ),
    )


def _scan_seeds() -> Iterator[Seed]:
    for name, data in _fixtures(""):
        kind = name.removesuffix(".in").rsplit(".", 1)[-1]
        index = next((i for i, n in enumerate(_SCAN_NAMES) if n.endswith("." + kind)), 0)
        yield name, bytes([index]) + data
    b = _builders()
    for case, build in b.BINARY_CASES.items():  # type: ignore[attr-defined]
        index = next(
            (
                i
                for i, n in enumerate(_SCAN_NAMES)
                if n and n.rsplit(".", 1)[-1] == case.rsplit(".", 1)[-1]
            ),
            0,
        )
        yield case, bytes([index]) + build()


def _text_seeds(
    *suffixes: str, shared: tuple[str, str] | None = None
) -> Callable[[], Iterator[Seed]]:
    def seeds() -> Iterator[Seed]:
        yield from _fixtures(*suffixes)
        if shared is not None:
            yield from shared_files(shared[0], under=shared[1])

    return seeds


def _docx_template() -> bytes:
    return _builders().docx_bytes()  # type: ignore[attr-defined, no-any-return]


def _xlsx_template() -> bytes:
    return _builders().xlsx_bytes()  # type: ignore[attr-defined, no-any-return]


TARGETS = (
    Target(
        "extract_text",
        "extract(format='text'): encodings of plain text",
        _extractor("text", "notes.txt"),
        _PRIVACY,
        _text_seeds(".txt"),
    ),
    Target(
        "extract_csv",
        "extract(format='csv'): CSV/TSV tables, header hints",
        _extractor("csv", "export.csv"),
        _PRIVACY,
        _text_seeds(".csv"),
    ),
    Target(
        "extract_json",
        "extract(format='json'): JSON and FHIR resources",
        _extractor("json", "data.json"),
        _PRIVACY,
        _text_seeds(".json", shared=("*.json", "hl7v2")),
    ),
    Target(
        "extract_ndjson",
        "extract(format='ndjson'): FHIR bulk export lines",
        _extractor("ndjson", "data.ndjson"),
        _PRIVACY,
        _text_seeds(".ndjson"),
    ),
    Target(
        "extract_xml",
        "extract(format='xml'): XML and C-CDA documents",
        _extractor("xml", "cda.xml"),
        (*_PRIVACY, "lxml"),
        _text_seeds(".xml", shared=("*.ccda", "ccda")),
    ),
    Target(
        "extract_hl7",
        "extract(format='hl7v2'): HL7 v2 messages and batches",
        _extractor("hl7v2", "msg.hl7"),
        _PRIVACY,
        _text_seeds(".hl7", shared=("*.hl7", "hl7v2")),
    ),
    Target(
        "extract_dicom",
        "extract(format='dicom'): DICOM headers (pydicom)",
        _extractor("dicom", "image.dcm", modules=("pydicom",)),
        (*_PRIVACY, "pydicom"),
        _binary("dicom_bytes"),
    ),
    Target(
        "extract_pdf",
        "extract(format='pdf'): PDF text layer (pypdf)",
        _extractor("pdf", "report.pdf", modules=("pypdf",)),
        (*_PRIVACY, "pypdf"),
        _binary("pdf_bytes"),
    ),
    Target(
        "extract_docx",
        "extract(format='docx'): Word documents (python-docx)",
        _extractor("docx", "report.docx", _docx_template, ("docx",)),
        (*_PRIVACY, "docx"),
        _office_seeds("docx_bytes"),
    ),
    Target(
        "extract_xlsx",
        "extract(format='xlsx'): Excel workbooks (openpyxl)",
        _extractor("xlsx", "book.xlsx", _xlsx_template, ("openpyxl",)),
        (*_PRIVACY, "openpyxl"),
        _office_seeds("xlsx_bytes"),
    ),
    Target(
        "extract_eml",
        "extract(format='eml'): e-mail with attachments",
        _extractor("eml", "mail.eml"),
        (*_PRIVACY, "email"),
        _text_seeds(".eml"),
    ),
    Target(
        "extract_zip",
        "extract(format='zip'): archives and their limits",
        _extractor("zip", "bundle.zip"),
        (*_PRIVACY, "zipfile"),
        _zip_seeds,
    ),
    Target(
        "phi_stream",
        "StreamScanner: text, CSV and HL7 scanned block by block across borders",
        _stream,
        _PRIVACY,
        _stream_seeds,
    ),
    Target(
        "phi_scan",
        "scan_bytes: sniffing, extraction, detection, nested members",
        _scan,
        _PRIVACY,
        _scan_seeds,
        max_len=128 * 1024,
    ),
)
