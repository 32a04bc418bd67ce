"""Tables: CSV/TSV (offsets into the stored text) and XLSX (openpyxl, read-only).

Column headers become hints ("nom" → person name, from engine/fields/tabular.yml), so a column
of surnames is reported even though no pattern matches a bare surname, and findings carry their
column for column verdicts.
"""

from __future__ import annotations

import bisect
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from hygie.privacy.engine.document import ExtractedDocument, Segment
from hygie.privacy.engine.errors import ExtractionError
from hygie.privacy.engine.extract.archive import check_zip_limits
from hygie.privacy.engine.extract.hints import field_for_label, hint_for_label
from hygie.privacy.engine.extract.text import decode_text
from hygie.privacy.engine.model import ArchiveLimits

_DELIMITERS = (",", ";", "\t", "|")
_ROW_BREAK = re.compile(r"\r\n|\n|\r")
_QUOTE_OR_BREAK = re.compile(r'"|\r\n|\n|\r')
MAX_XLSX_CELLS = 5_000_000


def sniff_delimiter(text: str, name: str) -> str:
    if name.lower().endswith(".tsv"):
        return "\t"
    first = text[: text.find("\n")] if "\n" in text else text[:4096]
    return max(_DELIMITERS, key=first.count)


def row_starts(text: str) -> list[int]:
    """Offsets where rows begin; line breaks inside quoted cells do not start a row."""
    if '"' not in text:
        starts = [0] + [m.end() for m in _ROW_BREAK.finditer(text)]
    else:
        starts, quoted = [0], False
        for m in _QUOTE_OR_BREAK.finditer(text):
            if m.group() == '"':
                quoted = not quoted
            elif not quoted:
                starts.append(m.end())
    if starts and starts[-1] >= len(text):
        starts.pop()
    return starts


class _RowSplitter:
    def __init__(self, delimiter: str) -> None:
        d = re.escape(delimiter)
        self._cell = re.compile(rf'"((?:[^"]|"")*)"|([^{d}\r\n]*)')
        self.delimiter = delimiter

    def cells(self, text: str, start: int, end: int) -> list[tuple[int, int]]:
        """Content spans of the cells of one row (quotes excluded)."""
        spans: list[tuple[int, int]] = []
        pos = start
        while True:
            match = self._cell.match(text, pos, end)
            if match is None:  # stray quote inside an unquoted cell: take the rest of the row
                spans.append((pos, end))
                return spans
            group = 1 if match.group(1) is not None else 2
            spans.append(match.span(group))
            pos = match.end()
            if pos < end and text[pos] == self.delimiter:
                pos += 1
                continue
            return spans


@dataclass(frozen=True)
class _CSVLocator:
    text: str
    starts: list[int]
    splitter: _RowSplitter
    headers: tuple[str, ...]
    first_row: int = 0  # rows before this text (a block of a streamed file)

    def locate(self, offset: int) -> tuple[str, str | None]:
        row = bisect.bisect_right(self.starts, offset) - 1
        end = self.starts[row + 1] if row + 1 < len(self.starts) else len(self.text)
        number = self.first_row + row + 1
        for index, (cell_start, cell_end) in enumerate(
            self.splitter.cells(self.text, self.starts[row], end)
        ):
            if cell_start <= offset <= cell_end:
                column = _column_key("", index, self.headers)
                return f"row {number}, column {column}", column
        return f"row {number}", None


def _column_key(table: str, index: int, headers: tuple[str, ...]) -> str:
    label = headers[index] if index < len(headers) and headers[index] else ""
    number = f"{table}!{_letters(index)}" if table else str(index + 1)
    return f"{number} ({label})" if label else number


def _letters(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _is_header(cells: list[str]) -> bool:
    filled = [c for c in cells if c.strip()]
    if not filled:
        return False
    if any(hint_for_label(c) for c in filled):
        return True
    return all(not any(ch.isdigit() for ch in c) for c in filled)


@dataclass(frozen=True)
class CSVLayout:
    """What the first row of a table says: the delimiter and the headers (if it is a header)."""

    delimiter: str
    headers: tuple[str, ...]
    has_header: bool


def csv_layout(text: str, name: str) -> CSVLayout:
    """The layout of a table from its beginning (the first row is enough)."""
    delimiter = sniff_delimiter(text, name)
    starts = row_starts(text)
    if not starts:
        return CSVLayout(delimiter, (), False)
    end = starts[1] if len(starts) > 1 else len(text)
    first = [text[s:e] for s, e in _RowSplitter(delimiter).cells(text, starts[0], end)]
    has_header = _is_header(first)
    return CSVLayout(delimiter, tuple(c.strip() for c in first) if has_header else (), has_header)


def extract_csv(data: bytes, name: str) -> ExtractedDocument:
    text = decode_text(data)
    return csv_document(text, csv_layout(text, name))


def csv_document(text: str, layout: CSVLayout, first_row: int = 0) -> ExtractedDocument:
    """The table in ``text``, whose first row is row ``first_row`` of the file (0: the start,
    where the header is; more for a later block of a streamed file)."""
    splitter = _RowSplitter(layout.delimiter)
    starts = row_starts(text)
    if not starts:
        return ExtractedDocument("csv", text)
    ends = starts[1:] + [len(text)]
    headers = layout.headers
    hinted = {i: phi for i, label in enumerate(headers) if (phi := field_for_label(label))}
    segments: list[Segment] = []
    body = range(1 if layout.has_header and first_row == 0 else 0, len(starts))
    if hinted:
        for row in body:
            cells = splitter.cells(text, starts[row], ends[row])
            for index, phi in hinted.items():
                if index < len(cells) and cells[index][1] > cells[index][0]:
                    column = _column_key("", index, headers)
                    segments.append(
                        Segment(
                            *cells[index],
                            f"row {first_row + row + 1}, column {column}",
                            phi.entity,
                            headers[index],
                            column,
                            declared=True,
                            mapped=phi,
                        )
                    )
    return ExtractedDocument(
        "csv",
        text,
        segments,
        locator=_CSVLocator(text, starts, splitter, headers, first_row),
        total_rows={"": len(body)},
    )


def _cell_text(value: object) -> str:
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def extract_xlsx(data: bytes, limits: ArchiveLimits) -> ExtractedDocument:
    check_zip_limits(data, limits)
    try:
        import openpyxl
    except ImportError as error:
        raise ExtractionError("reading XLSX needs openpyxl") from error
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ExtractionError("unreadable XLSX workbook") from error
    parts: list[str] = []
    segments: list[Segment] = []
    total_rows: dict[str, int] = {}
    offset = 0
    for sheet_name, rows in _sheet_rows(book):
        headers: tuple[str, ...] = ()
        count = 0
        for row_number, row in enumerate(rows, start=1):
            cells = [_cell_text(value) if value is not None else "" for value in row]
            if row_number == 1 and _is_header(cells):
                headers = tuple(c.strip() for c in cells)
            else:
                count += 1
            mapped = [field_for_label(h) for h in headers]
            for index, cell in enumerate(cells):
                if cell and row_number > (1 if headers else 0):
                    phi = mapped[index] if index < len(mapped) else None
                    column = _column_key(sheet_name, index, headers)
                    segments.append(
                        Segment(
                            offset,
                            offset + len(cell),
                            f"{sheet_name}!{_letters(index)}{row_number}",
                            phi.entity if phi is not None else None,
                            headers[index] if index < len(headers) else "",
                            column,
                            declared=phi is not None,
                            mapped=phi,
                        )
                    )
                offset += len(cell) + 1
                parts.append(cell)
                parts.append("\t")
            if cells:
                parts[-1] = "\n"  # the row's last tab becomes the line break
            if len(segments) > MAX_XLSX_CELLS:
                raise ExtractionError("XLSX workbook has too many cells to scan")
        total_rows[sheet_name] = count
    book.close()
    return ExtractedDocument(
        "xlsx",
        "".join(parts),
        segments,
        is_stored_text=False,
        hits_need_segment=True,
        total_rows=total_rows,
    )


def _sheet_rows(book: object) -> Iterator[tuple[str, Iterator[tuple[object, ...]]]]:
    for sheet in getattr(book, "worksheets", []):
        yield str(sheet.title), sheet.iter_rows(values_only=True)
