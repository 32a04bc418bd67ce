"""Cells for files a spreadsheet opens (CSV, XLSX): text is never run as a formula.

Every CSV or XLSX Hygie writes goes through this module (``csv_writer`` / ``spreadsheet_cell``),
the one place that applies the OWASP "CSV injection" rule: a text cell whose first character
is ``=``, ``+``, ``-``, ``@``, a tab or a carriage return — also after leading whitespace, and
also in the full-width forms spreadsheet programs normalise (``＝ ＋ － ＠``) — gets a leading
apostrophe, so Excel, LibreOffice and Google Sheets show it as text instead of evaluating it
(``=HYPERLINK(...)`` exfiltration, ``@SUM``, DDE).

Numbers stay numbers: an ``int``, ``float`` or ``Decimal`` value is written as is (``-1`` as
a number cannot run anything), while the *text* ``"-1"`` is neutralised, because a text field
(a name, a comment, a log line) must never be trusted to be "really" a number. Pure: no Django.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

# First characters a spreadsheet treats as the start of a formula (OWASP), with their
# full-width forms (U+FF1D, U+FF0B, U+FF0D, U+FF20) that some programs fold to ASCII.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")
ESCAPE = "'"


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula (after any leading whitespace)."""
    if not text:
        return False
    if text[0] in FORMULA_TRIGGERS:  # tab and carriage return count before being stripped
        return True
    stripped = text.lstrip()
    return bool(stripped) and stripped[0] in FORMULA_TRIGGERS


def neutralise(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it."""
    return ESCAPE + text if starts_like_formula(text) else text


def unneutralise(text: str) -> str:
    """Undo ``neutralise`` (importing a file Hygie exported); other text is left alone."""
    if text.startswith(ESCAPE) and starts_like_formula(text[1:]):
        return text[1:]
    return text


def spreadsheet_cell(value: Any) -> str | int | float | Decimal:
    """A value ready for a CSV or XLSX cell: numbers as numbers, everything else safe text.

    Lists and tuples become space-separated text; dates ISO 8601; ``None`` an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)  # True / False, as text: a spreadsheet must not turn it into 1 / 0
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, (list, tuple)):
        return neutralise(" ".join(str(item) for item in value))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return neutralise(str(value))


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeCSVWriter:
    """``csv.writer`` whose every cell goes through ``spreadsheet_cell``."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream: _Writable, **options: Any) -> SafeCSVWriter:
    """The CSV writer for every export (options as for ``csv.writer``)."""
    return SafeCSVWriter(stream, **options)
