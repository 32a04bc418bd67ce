"""CSV logs (exports of SIEMs, EHR access logs, firewall reports): a header row, one event a row.

The header names the fields (dotted names such as ``user.name`` are kept as they are); each
row becomes a flat event of its non-empty cells. A row that cannot be read (wrong number of
cells, a cell over the size limit, broken quoting) is yielded with an ``error`` and its raw
text, never dropped. A file whose header cannot name the fields raises ``SigmaEngineError``
with the line: without a header there is nothing to map the cells to.

Bounded: a cell is at most 128 KiB (the csv module's limit), a header at most ``MAX_COLUMNS``
columns, a record at most ``MAX_RECORD_LINES`` physical lines (an unclosed quote cannot swallow
the file).
Error messages name rows and columns, never cell values.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from hygie.lib.errors import Location

from .errors import SigmaEngineError

MAX_COLUMNS = 1000
MAX_RECORD_LINES = 100
DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class CSVRecord:
    """One row: its first line number, the event (None when unreadable), error, raw text."""

    origin: int
    event: dict[str, str] | None
    error: str | None
    raw: str


def _decode(raw: bytes | str, encoding: list[str]) -> str:
    if isinstance(raw, str):
        return raw
    if encoding[0] == "utf-8":
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            encoding[0] = "cp1252"  # Excel's "CSV" on Windows; from here on
    return raw.decode("cp1252", "replace")


class _Lines:
    """Decoded lines for the csv module, remembering those of the current record."""

    def __init__(self, lines: Iterable[bytes | str], name: str) -> None:
        self._lines = iter(lines)
        self._encoding = ["utf-8"]
        self.number = 0
        self.current: list[str] = []
        self.name = name

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if len(self.current) >= MAX_RECORD_LINES:
            raise _RecordTooLong
        text = _decode(next(self._lines), self._encoding)
        if self.number == 0:
            text = text.removeprefix("\ufeff")
        self.number += 1
        self.current.append(text)
        return text


class _RecordTooLong(Exception):
    pass


def _delimiter(header: str) -> str:
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(lines: Iterable[bytes | str], name: str = "<csv>") -> Iterator[CSVRecord]:
    """Rows of a CSV file with a header row (``,``, ``;``, tab or ``|`` separated)."""
    source = _Lines(lines, name)
    header_line = ""
    for text in source:
        if text.strip():
            header_line = text
            break
        source.current = []  # blank lines before the header are not one long record
    if not header_line:
        return
    header_number = source.number
    source.current = []
    delimiter = _delimiter(header_line)
    try:
        columns = next(csv.reader([header_line], delimiter=delimiter))
    except csv.Error as error:
        raise SigmaEngineError(
            f"unreadable CSV header: {error}", Location(name, header_number)
        ) from None
    columns = _check_header(columns, Location(name, header_number))
    reader = csv.reader(source, delimiter=delimiter)
    while True:
        start = source.number + 1
        source.current = []
        try:
            cells = next(reader)
        except StopIteration:
            return
        except _RecordTooLong:
            yield CSVRecord(
                start,
                None,
                f"record longer than {MAX_RECORD_LINES} lines (unclosed quote?)",
                "".join(source.current),
            )
            reader = csv.reader(source, delimiter=delimiter)  # start afresh
            continue
        except csv.Error as error:
            yield CSVRecord(start, None, f"unreadable CSV row: {error}", "".join(source.current))
            continue
        raw = "".join(source.current).rstrip("\r\n")
        if not cells or (len(cells) == 1 and not cells[0].strip()):
            continue  # blank line
        if len(cells) != len(columns):
            yield CSVRecord(
                start,
                None,
                f"row has {len(cells)} cells, the header has {len(columns)} columns",
                raw,
            )
            continue
        event = {column: cell for column, cell in zip(columns, cells, strict=True) if cell != ""}
        yield CSVRecord(start, event, None, raw)


def _check_header(columns: list[str], where: Location) -> list[str]:
    names = [column.strip() for column in columns]
    if len(names) > MAX_COLUMNS:
        raise SigmaEngineError(f"CSV header has more than {MAX_COLUMNS} columns", where)
    seen: set[str] = set()
    for index, column in enumerate(names, start=1):
        if not column:
            raise SigmaEngineError(f"CSV header: column {index} has no name", where)
        if len(column) > 200:
            raise SigmaEngineError(f"CSV header: column {index} name is too long", where)
        if column in seen:
            raise SigmaEngineError(f"CSV header: column {index} repeats a name", where)
        seen.add(column)
    return names
