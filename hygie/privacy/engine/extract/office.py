"""PDF text layer (pypdf) and DOCX (python-docx): the text users see, page by page."""

from __future__ import annotations

import io
import zipfile

from hygie.privacy.engine.document import ExtractedDocument
from hygie.privacy.engine.errors import ExtractionError
from hygie.privacy.engine.extract.archive import check_zip_limits
from hygie.privacy.engine.extract.rebuilt import TextBuilder
from hygie.privacy.engine.model import ArchiveLimits

MAX_PDF_PAGES = 5_000


def extract_pdf(data: bytes) -> ExtractedDocument:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError as error:
        raise ExtractionError("reading PDF needs pypdf") from error
    builder = TextBuilder()
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise ExtractionError("encrypted PDF")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise ExtractionError(f"PDF has more than {MAX_PDF_PAGES} pages")
        for number, page in enumerate(reader.pages, start=1):
            builder.add(page.extract_text() or "", f"page {number}")
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        OSError,
        RecursionError,
        AttributeError,
        IndexError,
        ZeroDivisionError,
    ) as error:
        # pypdf surfaces corrupt files through many exception types; all mean "unreadable".
        raise ExtractionError("unreadable PDF") from error
    return ExtractedDocument(
        "pdf", builder.text, builder.segments, is_stored_text=False, free_text=True
    )


def extract_docx(data: bytes, limits: ArchiveLimits) -> ExtractedDocument:
    check_zip_limits(data, limits)
    try:
        import docx
    except ImportError as error:
        raise ExtractionError("reading DOCX needs python-docx") from error
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ExtractionError("unreadable DOCX document") from error
    builder = TextBuilder()
    for number, paragraph in enumerate(document.paragraphs, start=1):
        builder.add(paragraph.text, f"paragraph {number}")
    for t_number, table in enumerate(document.tables, start=1):
        for r_number, row in enumerate(table.rows, start=1):
            for c_number, cell in enumerate(row.cells, start=1):
                builder.add(cell.text, f"table {t_number} row {r_number} cell {c_number}")
    for section in document.sections:
        for part, name in ((section.header, "header"), (section.footer, "footer")):
            for paragraph in part.paragraphs:
                builder.add(paragraph.text, name)
    return ExtractedDocument(
        "docx", builder.text, builder.segments, is_stored_text=False, free_text=True
    )
