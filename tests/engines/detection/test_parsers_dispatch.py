"""detect_and_parse: format recognition, limits, shift tables, and a fuzz that it never fails."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.detection.engine import DetectionEngine, DetectionSession, RuleSource, load_rule_pack
from hygie.detection.engine.parsers import (
    ParserConfig,
    ShiftTable,
    ShiftTableError,
    detect_and_parse,
)

WINDOWS = {
    "Event": {
        "System": {
            "EventID": 1,
            "Channel": "Microsoft-Windows-Sysmon/Operational",
            "Computer": "CLIN-01",
            "TimeCreated": {"#attributes": {"SystemTime": "2026-11-24T02:30:00.000Z"}},
        },
        "EventData": {"Image": "C:\\Windows\\System32\\vssadmin.exe", "CommandLine": "x"},
    }
}


@pytest.mark.parametrize(
    ("line", "parser"),
    [
        ("<13>1 - h a - - - m", "rfc5424"),
        ("<13>Nov 28 10:00:00 h a: m", "rfc3164"),
        ("Nov 28 10:00:00 h a: m", "rfc3164"),
        ('Nov 28 10:00:00 h a: user [admin] "x" 1', "rfc3164"),  # not an access log
        ('1.2.3.4 - - [28/Nov/2026:10:00:00 +0000] "GET / HTTP/1.1" 200 1', "access_log"),
        ("MSH|^~\\&|A|B|C|D|20261128||ADT^A01|1|P|2.5", "hl7"),
        ('{"resourceType": "AuditEvent", "recorded": "2026-11-28T10:00:00Z"}', "fhir_audit_event"),
        (json.dumps(WINDOWS), "windows"),
        ('{"a": {"b": 1}}', "json"),
        ("free text", "unknown"),
        ("", "unknown"),
    ],
)
def test_recognition(line: str, parser: str) -> None:
    parsed = detect_and_parse(line)
    assert parsed.parser == parser
    assert parsed.event["event.original"] == line


def test_windows_json_reuses_the_engine_flattening() -> None:
    parsed = detect_and_parse(json.dumps(WINDOWS))
    assert parsed.logsource is None  # the engine routes Windows events by Channel/EventID
    assert parsed.event["Image"].endswith("vssadmin.exe")
    assert parsed.event["TimeCreated"] == "2026-11-24T02:30:00.000Z"


def test_json_from_hygie_collectors_is_routed_by_module() -> None:
    parsed = detect_and_parse('{"event": {"module": "dicom"}, "dicom": {"command": "C-FIND"}}')
    assert parsed.logsource is not None
    assert (parsed.logsource.product, parsed.logsource.service) == ("hygie", "dicom")
    assert parsed.event["dicom.command"] == "C-FIND"
    other = detect_and_parse('{"event": {"module": "something-else"}}')
    assert other.logsource is None


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "unrecognised log format"),
        ("{}" + "x", "invalid JSON"),
        ('"just a string"', "unrecognised log format"),
        ("[" * 100_000, "unrecognised log format"),
        ("{" * 10_000 + "}" * 10_000, "invalid JSON"),
        ('{"a":' + "[" * 100_000, "invalid JSON"),
    ],
)
def test_unparseable_lines_are_kept_with_an_error(line: str, error: str) -> None:
    parsed = detect_and_parse(line)
    assert parsed.error is not None and error in parsed.error
    assert parsed.event["error.message"] == parsed.error
    assert parsed.event["event.original"] == line[: ParserConfig().max_line_chars]


def test_deeply_nested_json_is_cut_not_recursed() -> None:
    nested = '{"a":' * 200 + "1" + "}" * 200
    parsed = detect_and_parse(nested)
    assert parsed.error is None and parsed.event["event.original"] == nested


def test_long_lines_are_cut_and_say_so() -> None:
    config = ParserConfig(max_line_chars=100)
    parsed = detect_and_parse("<13>Nov 28 10:00:00 h a: " + "x" * 1000, config)
    assert parsed.error is not None and "cut" in parsed.error
    assert len(parsed.event["event.original"]) == 100
    assert parsed.event["host.name"] == "h"
    parsed = detect_and_parse(b"\xff" * 10_000_000, config)
    assert len(parsed.event["event.original"]) == 100


PARIS = ZoneInfo("Europe/Paris")
SHIFTS = ShiftTable.from_mapping(
    {"mon-fri": ["07:00-20:00"], "sat": ["08:00-13:00"], "sun": ["21:00-07:00"]}, PARIS
)


@pytest.mark.parametrize(
    ("moment", "covered"),
    [
        (datetime(2026, 11, 24, 9, 0, tzinfo=UTC), True),  # Tue 10:00 Paris
        (datetime(2026, 11, 24, 19, 30, tzinfo=UTC), False),  # Tue 20:30 Paris
        (datetime(2026, 11, 28, 11, 59, tzinfo=UTC), True),  # Sat 12:59
        (datetime(2026, 11, 28, 12, 0, tzinfo=UTC), False),  # Sat 13:00
        (datetime(2026, 11, 29, 21, 0, tzinfo=UTC), True),  # Sun 22:00, night shift
        (datetime(2026, 11, 30, 5, 0, tzinfo=UTC), True),  # Mon 06:00, Sunday night overflow
        (datetime(2026, 7, 6, 5, 30, tzinfo=UTC), True),  # Mon 07:30 summer time (UTC+2)
        (datetime(2026, 7, 6, 4, 30, tzinfo=UTC), True),  # Mon 06:30 summer: night overflow
        (datetime(2026, 7, 7, 4, 30, tzinfo=UTC), False),  # Tue 06:30 summer
    ],
)
def test_shift_table(moment: datetime, covered: bool) -> None:
    assert SHIFTS.covers(moment) is covered


def test_outside_shift_field_drives_a_rule() -> None:
    config = ParserConfig(shift_table=SHIFTS)
    night = detect_and_parse(json.dumps(WINDOWS), config)
    assert night.event["event.outside_shift"] is True
    rule = """
title: off shift
id: 0b7f1d9e-8a55-4b6e-a5c4-7c1f7e0a2b33
status: test
logsource: {product: windows, category: process_creation}
detection:
    selection: {event.outside_shift: true}
    condition: selection
level: low
"""
    session = DetectionSession(DetectionEngine(load_rule_pack([RuleSource("r.yml", rule)])))
    assert len(session.process(night.event).rules) == 1
    day = json.loads(json.dumps(WINDOWS))
    day["Event"]["System"]["TimeCreated"]["#attributes"]["SystemTime"] = "2026-11-24T09:00:00Z"
    assert session.process(detect_and_parse(json.dumps(day), config).event).rules == ()
    assert "event.outside_shift" not in detect_and_parse("no timestamp", config).event


@pytest.mark.parametrize(
    "spec", [{"monday": ["07:00-19:00"]}, {"mon": ["7-19"]}, {"mon": ["07:00-25:00"]}]
)
def test_bad_shift_tables_are_rejected(spec: dict[str, list[str]]) -> None:
    with pytest.raises(ShiftTableError):
        ShiftTable.from_mapping(spec)


PREFIXES = st.sampled_from(
    ["", "<13>", "<34>1 ", "<165>1 2003-10-11T22:14:15.003Z ", "Nov 28 10:00:00 ", "{", "MSH|",
     '1.2.3.4 - - [', "2026-11-28T10:00:00Z h sshd[1]: ", "Nov 28 10:00:00 h sudo: ",
     '{"resourceType": "AuditEvent", ']
)  # fmt: skip
REFERENCE = ParserConfig(reference_time=datetime(2026, 11, 28, tzinfo=UTC), shift_table=SHIFTS)


@settings(max_examples=400, deadline=None)
@given(PREFIXES, st.text(max_size=300))
def test_fuzz_text_never_raises(prefix: str, rest: str) -> None:
    parsed = detect_and_parse(prefix + rest, REFERENCE)
    assert isinstance(parsed.event["event.original"], str)
    assert (parsed.error is None) == ("error.message" not in parsed.event)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_bytes_never_raise(data: bytes) -> None:
    parsed = detect_and_parse(data, REFERENCE)
    assert isinstance(parsed.event["event.original"], str)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.text(max_size=8), children, max_size=4)
        ),
        max_leaves=30,
    )
)
def test_fuzz_audit_event_shapes_never_raise(value: object) -> None:
    document = {
        "resourceType": "AuditEvent",
        "agent": value,
        "entity": value,
        "recorded": value,
        "subtype": value,
        "purposeOfEvent": value,
        "source": value,
        "type": value,
    }
    parsed = detect_and_parse(json.dumps(document), REFERENCE)
    assert parsed.parser == "fhir_audit_event"
