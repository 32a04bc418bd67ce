"""Fuzz targets of the detection engine: log lines, TCP framing, log files, Sigma rules."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .target import REPO_ROOT, Loaded, Seed, Target, package_files, shared_files

_DETECTION = ("hygie.detection",)
_FIXTURES = REPO_ROOT / "tests" / "fixtures" / "detection" / "healthcare"


def _fixture_lines(key: str) -> Iterator[Seed]:
    """The raw lines (``{"line": ...}``) or events of the healthcare pack's synthetic fixtures."""
    for path in sorted(_FIXTURES.glob("*/*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()[:3]):
            record = json.loads(line)
            value = record.get(key)
            if isinstance(value, str):
                yield f"{path.parent.name}-{path.stem}-{number}", value.encode()
            elif isinstance(value, dict):
                yield f"{path.parent.name}-{path.stem}-{number}", json.dumps(value).encode()


def _config() -> object:
    from hygie.detection.engine.parsers import ParserConfig, ShiftTable

    shifts = ShiftTable.from_mapping(
        {"mon-fri": ["07:00-21:00"], "sat": ["21:00-07:00"]}, ZoneInfo("Europe/Paris")
    )
    return ParserConfig(
        reference_time=datetime(2026, 11, 28, 12, tzinfo=UTC),
        local_timezone=ZoneInfo("Europe/Paris"),
        shift_table=shifts,
    )


def _syslog() -> Loaded:
    from hygie.detection.engine.parsers import parse_syslog

    config = _config()
    return (lambda data: parse_syslog(data, config)), ()  # type: ignore[arg-type]


def _syslog_5424() -> Loaded:
    from hygie.detection.engine.parsers import parse_syslog

    config = _config()
    # The PRI and version are fixed so that every input reaches the RFC 5424 parser.
    return (lambda data: parse_syslog(b"<165>1 " + data, config)), ()  # type: ignore[arg-type]


def _log_line() -> Loaded:
    from hygie.detection.engine.parsers import detect_and_parse

    config = _config()
    return (lambda data: detect_and_parse(data, config)), ()  # type: ignore[arg-type]


def _hl7() -> Loaded:
    from hygie.detection.engine.parsers import parse_hl7

    return parse_hl7, ()


def _fhir() -> Loaded:
    from hygie.detection.engine.parsers import parse_json_line

    return parse_json_line, ()


def _framing() -> Loaded:
    from hygie.detection.engine.parsers import FrameState, detect_and_parse, split_frames

    def feed(data: bytes) -> None:
        """Byte 0 sets the read size, byte 1 the frame limit (small, so that the truncation
        paths are reached); the rest is the stream, handed over read by read as a listener
        does. The splitter's documented bounds are checked on every call."""
        if len(data) < 2:
            return
        read_size, limit, stream = data[0] + 1, data[1] + 1, data[2:]
        remainder, state = b"", FrameState()
        for start in range(0, len(stream), read_size):
            result = split_frames(remainder + stream[start : start + read_size], state, limit)
            assert all(len(frame) <= limit for frame in result.frames), "frame over the limit"
            assert len(result.remainder) <= limit + 12, "remainder grows past the limit"
            for frame in result.frames:
                detect_and_parse(frame)
            remainder, state = result.remainder, result.state

    return feed, ()


def _json_events() -> Loaded:
    from hygie.detection.engine import read_json

    return (lambda data: list(read_json(io.BytesIO(data)))), ()


def _csv_events() -> Loaded:
    from hygie.detection.engine import SigmaEngineError, read_csv

    return (lambda data: list(read_csv(io.BytesIO(data), "fuzz.csv"))), (SigmaEngineError,)


def _evtx() -> Loaded:
    """The reader every EVTX file from outside goes through: the native parser in a child
    process, one chunk at a time, with a time limit well under libFuzzer's per-input one."""
    import os
    import tempfile

    from hygie.detection.evtx_isolated import read_evtx_isolated

    path = Path(tempfile.gettempdir()) / f"hygie-fuzz-{os.getpid()}.evtx"

    def run(data: bytes) -> list[object]:
        path.write_bytes(data)
        try:
            return list(read_evtx_isolated(path, chunk_seconds=1))
        finally:
            path.unlink()

    return run, ()


def _sigma() -> Loaded:
    from hygie.detection.engine import (
        DetectionEngine,
        DetectionSession,
        RuleSource,
        SigmaEngineError,
        default_catalog,
        load_rule_pack,
    )

    catalog = default_catalog()  # parsed once: the engine would read it per pack

    events = [
        {
            "EventID": 4625,
            "Channel": "Security",
            "TargetUserName": "admin",
            "CommandLine": "vssadmin delete shadows /all",
            "Image": "C:\\Windows\\cmd.exe",
        },
        {
            "event.module": "ehr_audit",
            "user.name": "dr.martin",
            "event.action": "read",
            "@timestamp": "2026-11-28T03:00:00Z",
            "source.ip": "10.0.0.12",
        },
    ]

    def compile_and_match(data: bytes) -> None:
        """A rule file from outside is loaded, compiled, and run on two events."""
        pack = load_rule_pack([RuleSource("fuzz.yml", data)])
        for problem in pack.problems:
            str(problem)
        session = DetectionSession(DetectionEngine(pack, catalog=catalog))
        for number, event in enumerate(events):
            session.process(event, origin=number)
        session.finish()

    return compile_and_match, (SigmaEngineError,)


def _evtx_seeds() -> Iterator[Seed]:
    yield from shared_files("*.evtx", under="sigma", max_bytes=128 * 1024)


def _sigma_seeds() -> Iterator[Seed]:
    yield from package_files("hygie/detection/rules/healthcare", "*.yml")
    yield from shared_files("*.yml", under="sigma")


TARGETS = (
    Target(
        "syslog_rfc3164",
        "parse_syslog: BSD syslog lines, with or without <PRI>",
        _syslog,
        _DETECTION,
        lambda: _fixture_lines("line"),
    ),
    Target(
        "syslog_rfc5424",
        "parse_syslog: RFC 5424 header, structured data, message",
        _syslog_5424,
        _DETECTION,
    ),
    Target(
        "syslog_framing",
        "split_frames (octet counting and LF) read by read, then parsing",
        _framing,
        _DETECTION,
    ),
    Target(
        "log_line",
        "detect_and_parse: format recognition (syslog, access log, HL7, JSON)",
        _log_line,
        _DETECTION,
        lambda: _fixture_lines("line"),
    ),
    Target(
        "hl7_msh",
        "parse_hl7: an HL7 v2 message's MSH segment",
        _hl7,
        _DETECTION,
        lambda: shared_files("*.hl7", under="hl7v2"),
    ),
    Target(
        "fhir_audit_event", "parse_json_line: FHIR AuditEvent and JSON events", _fhir, _DETECTION
    ),
    Target(
        "json_events",
        "read_json: JSON lines and concatenated documents (evtx_dump)",
        _json_events,
        _DETECTION,
        lambda: _fixture_lines("event"),
    ),
    Target("csv_events", "read_csv: CSV log exports with a header row", _csv_events, _DETECTION),
    Target(
        "evtx", "read_evtx: Windows EVTX files", _evtx, _DETECTION, _evtx_seeds, max_len=128 * 1024
    ),
    Target(
        "sigma_rules",
        "load_rule_pack + DetectionEngine: Sigma rule YAML",
        _sigma,
        (*_DETECTION, "sigma", "hygie.lib"),
        _sigma_seeds,
    ),
)
