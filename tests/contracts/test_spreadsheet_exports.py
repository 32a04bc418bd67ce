"""Every CSV or XLSX Hygie writes goes through hygie.lib.spreadsheet (CSV injection, issue 9)."""

import re
from pathlib import Path

import hygie

ROOT = Path(hygie.__file__).resolve().parent
ONE_WRITER = ROOT / "lib" / "spreadsheet.py"
RAW_CSV = re.compile(r"\bcsv\.(writer|DictWriter)\s*\(")
XLSX = re.compile(r"\b(Workbook|WriteOnlyCell)\s*\(")


def _sources():
    return sorted(path for path in ROOT.rglob("*.py") if path != ONE_WRITER)


def test_no_module_writes_csv_without_the_neutralising_writer():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if RAW_CSV.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "use hygie.lib.spreadsheet.csv_writer instead of csv.writer"


def test_every_xlsx_writer_passes_its_cells_through_spreadsheet_cell():
    offenders = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if XLSX.search(text := path.read_text(encoding="utf-8")) and "spreadsheet_cell" not in text
    ]
    assert offenders == []
