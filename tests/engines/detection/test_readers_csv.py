"""CSV log reader: header row, one event a row, bad rows reported instead of dropped."""

from __future__ import annotations

import io

import pytest

from hygie.detection.engine import SigmaEngineError, read_csv
from hygie.detection.engine.readers_csv import MAX_RECORD_LINES


def test_blank_lines_before_the_header_are_skipped_however_many() -> None:
    """Found by fuzzing: more than MAX_RECORD_LINES blank lines before the header raised the
    reader's private _RecordTooLong instead of being skipped."""
    data = b"\n" * (MAX_RECORD_LINES + 20) + b"user.name,event.action\ndr.martin,read\n"
    records = list(read_csv(io.BytesIO(data), "export.csv"))
    assert [(r.origin, r.event, r.error) for r in records] == [
        (MAX_RECORD_LINES + 22, {"user.name": "dr.martin", "event.action": "read"}, None)
    ]


def test_an_unclosed_quote_is_one_bad_record_then_reading_goes_on() -> None:
    data = 'a;b\n1;"open\n' + "x\n" * (MAX_RECORD_LINES + 5) + "2;3\n"
    records = list(read_csv(data.splitlines(keepends=True), "x.csv"))
    assert records[0].event is None and "longer than" in (records[0].error or "")
    assert records[-1].event == {"a": "2", "b": "3"}


def test_a_header_with_a_repeated_column_is_refused_with_its_line() -> None:
    with pytest.raises(SigmaEngineError, match="x.csv:2: CSV header: column 2 repeats a name"):
        list(read_csv(["\n", "a,a\n", "1,2\n"], "x.csv"))
