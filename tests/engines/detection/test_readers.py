"""Readers: JSON lines, concatenated pretty JSON, EVTX; bad records reported, never fatal."""

from __future__ import annotations

import io
import json
from pathlib import Path

from hygie.detection.engine import normalise_event, read_evtx, read_json

WINDOWS_DOC = {
    "Event": {
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon"}},
            "EventID": {"#text": 1, "#attributes": {"Qualifiers": 0}},
            "TimeCreated": {"#attributes": {"SystemTime": "2025-11-27T07:40:10Z"}},
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Security": {"#attributes": {"UserID": "S-1-5-18"}},
        },
        "EventData": {"Image": "C:\\x.exe", "Threat Name": "EICAR", "Nested": {"#text": "v"}},
    }
}


def test_windows_event_is_flattened_to_sigma_names() -> None:
    event = normalise_event(WINDOWS_DOC)
    assert event["EventID"] == 1
    assert event["Channel"] == "Microsoft-Windows-Sysmon/Operational"
    assert event["Provider_Name"] == "Microsoft-Windows-Sysmon"
    assert event["Security_UserID"] == "S-1-5-18"
    assert event["TimeCreated"] == "2025-11-27T07:40:10Z"
    assert event["Image"] == "C:\\x.exe"
    assert event["ThreatName"] == "EICAR"
    assert event["Nested"] == "v"


def test_other_json_is_flattened_with_dots() -> None:
    event = normalise_event({"process": {"command_line": "x", "args": ["a"]}, "n": 1})
    assert event == {"process.command_line": "x", "process.args": ["a"], "n": 1}


def test_json_lines_with_a_bad_line() -> None:
    data = b'{"a": 1}\n{broken\n\n{"a": 2}\n'
    records = list(read_json(io.BytesIO(data)))
    assert [r.event for r in records if r.event] == [{"a": 1}, {"a": 2}]
    (bad,) = [r for r in records if r.error]
    assert bad.origin == 2
    assert [r.origin for r in records if r.event] == [1, 4]


def test_pretty_printed_concatenated_documents() -> None:
    text = json.dumps({"a": 1}, indent=2) + "\n" + json.dumps({"a": 2}, indent=2) + "\n"
    text += '{"a": 3}{"a": 4}\n'
    records = list(read_json(io.StringIO(text)))
    assert [r.event["a"] for r in records if r.event] == [1, 2, 3, 4]
    assert records[1].origin == 4  # the line where the second document opens


def test_unterminated_document_and_non_objects() -> None:
    records = list(read_json(io.BytesIO(b'[1, {"a": 1}]\n"text"\n{"a":\n')))
    assert [r.event for r in records if r.event] == [{"a": 1}]
    assert len([r for r in records if r.error]) == 3


def test_oversized_document_is_cut() -> None:
    lines = ['{"a": [\n'] + ['"xxxxxxxxxx",\n'] * 2000
    records = list(read_json(lines, max_document_chars=10_000))
    assert records and all(r.error for r in records)


def test_invalid_utf8_does_not_crash() -> None:
    records = list(read_json(io.BytesIO(b'{"a": "\xff"}\n')))
    assert records[0].event == {"a": "\ufffd"}


def test_evtx_file(sigma_root: Path) -> None:
    path = next((sigma_root / "regression_data").rglob("*.evtx"))
    with path.open("rb") as handle:
        records = list(read_evtx(handle))
    assert records
    assert all(r.error is None for r in records)
    assert all("EventID" in r.event and "Channel" in r.event for r in records if r.event)
    assert all(r.origin > 0 for r in records)
    assert [r.event for r in read_evtx(str(path))] == [r.event for r in records]


def test_garbage_evtx_is_reported() -> None:
    records = list(read_evtx(io.BytesIO(b"ElfFile\x00" + b"\x00" * 5000)))
    assert not [r for r in records if r.event]
    records = list(read_evtx(io.BytesIO(b"not evtx at all")))
    assert records and all(r.error for r in records)


def test_deeply_nested_json_is_an_error_not_a_crash() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000 + b"\n" + b'{"a": 1}\n'
    records = list(read_json(io.BytesIO(deep)))
    assert records[0].error is not None
    assert records[-1].event == {"a": 1}
