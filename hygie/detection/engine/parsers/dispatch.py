"""``detect_and_parse``: recognise a line's format, parse it, and say which log source it is.

Recognition looks at the first characters only (``{`` JSON, ``<`` syslog PRI, ``MSH`` HL7,
``host ident user [`` access log, a BSD or RFC 3339 timestamp for plain syslog files), so a
line costs one parser, never a trial of all of them. It never raises on input.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..events import normalise_event
from ..rule_pack import LogSourceSpec
from . import fhir, hl7, linux_auth, syslog, web
from .base import (
    DEFAULT_CONFIG,
    ERROR_FIELD,
    ORIGINAL_FIELD,
    ParsedEvent,
    ParserConfig,
    join_errors,
    raw_event,
    to_text,
)
from .shifts import add_outside_shift

# Log sources Hygie's own collectors (DICOM, HL7 listeners, EHR audit) write as
# ``event.module``; such JSON events are routed to ``product: hygie, service: <module>``.
HYGIE_SERVICES = frozenset({"ehr_audit", "dicom", "hl7"})
HYGIE_PRODUCT = "hygie"


def detect_and_parse(line: str | bytes, config: ParserConfig = DEFAULT_CONFIG) -> ParsedEvent:
    """Parse one line of any supported format into a normalised event with its log source."""
    text, cut = to_text(line, config.max_line_chars)
    head = text.lstrip()
    if head.startswith("{"):
        parsed = _json_line(text, cut)
    elif head.startswith("<") or _looks_like_syslog_file(head):
        parsed = _syslog(text, cut, config)
    elif hl7.is_hl7(head):
        parsed = _hl7(text, cut)
    elif web.looks_like_access_log(head):
        parsed = _access_log(text, cut)
    else:
        parsed = raw_event(text, "unknown", join_errors(cut, "unrecognised log format"))
    return _with_shift(parsed, config)


def parse_syslog(line: str | bytes, config: ParserConfig = DEFAULT_CONFIG) -> ParsedEvent:
    """RFC 5424 or RFC 3164 (with or without ``<PRI>``, as in /var/log files)."""
    text, cut = to_text(line, config.max_line_chars)
    return _with_shift(_syslog(text, cut, config), config)


def parse_access_log(line: str | bytes, config: ParserConfig = DEFAULT_CONFIG) -> ParsedEvent:
    """One Combined or Common Log Format line."""
    text, cut = to_text(line, config.max_line_chars)
    return _with_shift(_access_log(text, cut), config)


def parse_hl7(line: str | bytes, config: ParserConfig = DEFAULT_CONFIG) -> ParsedEvent:
    """An HL7 v2 message (segments separated by CR or LF); only its MSH segment is kept."""
    text, cut = to_text(line, config.max_line_chars)
    return _with_shift(_hl7(text, cut), config)


def parse_json_line(line: str | bytes, config: ParserConfig = DEFAULT_CONFIG) -> ParsedEvent:
    """A JSON object: FHIR AuditEvent, Windows event (engine's reader shape) or ECS-like JSON."""
    text, cut = to_text(line, config.max_line_chars)
    return _with_shift(_json_line(text, cut), config)


def parse_document(
    document: Mapping[str, Any], original: str, config: ParserConfig = DEFAULT_CONFIG
) -> ParsedEvent:
    """An already decoded JSON object (e.g. from the HTTP bulk endpoint) and its raw text."""
    return _with_shift(_document(document, original, None), config)


def _syslog(text: str, cut: str | None, config: ParserConfig) -> ParsedEvent:
    event: dict[str, Any] = {ORIGINAL_FIELD: text, "event.module": "syslog"}
    start = syslog.parse_pri(text, event)
    error: str | None
    if start is not None and _is_rfc5424(text, start):
        parser = "rfc5424"
        error = syslog.parse_rfc5424(text, start, event)
    elif start is None and text.startswith("<"):
        parser = "rfc3164"
        error = "invalid syslog PRI"
        event["message"] = text
    else:
        parser = "rfc3164"
        error = syslog.parse_rfc3164(text, start or 0, event, config, _reference(config))
    logsource = linux_auth.enrich_and_route(event)
    return _finish(event, logsource, parser, join_errors(cut, error))


def _access_log(text: str, cut: str | None) -> ParsedEvent:
    event: dict[str, Any] = {ORIGINAL_FIELD: text, "event.module": "webserver"}
    error = web.parse_access_log(text, event)
    if error is not None:
        event["message"] = text
        return _finish(event, None, "access_log", join_errors(cut, error))
    return _finish(event, web.logsource(event), "access_log", cut)


def _hl7(text: str, cut: str | None) -> ParsedEvent:
    segment = hl7.msh_segment(text.lstrip())
    event: dict[str, Any] = {ORIGINAL_FIELD: segment, "message": segment}
    if not hl7.is_hl7(segment):
        return _finish(event, None, "hl7", join_errors(cut, "not an HL7 v2 MSH segment"))
    return _finish(event, hl7.HL7, "hl7", join_errors(cut, hl7.parse_msh(segment, event)))


def _json_line(text: str, cut: str | None) -> ParsedEvent:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return raw_event(text, "json", join_errors(cut, "invalid JSON"))
    if not isinstance(document, dict):
        return raw_event(text, "json", join_errors(cut, "JSON document is not an object"))
    return _document(document, text, cut)


def _document(document: Mapping[str, Any], original: str, cut: str | None) -> ParsedEvent:
    if fhir.is_audit_event(document):
        event: dict[str, Any] = {ORIGINAL_FIELD: original}
        error = fhir.parse_audit_event(document, event)
        return _finish(event, fhir.EHR_AUDIT, "fhir_audit_event", join_errors(cut, error))
    try:
        event = normalise_event(document)
    except RecursionError:
        return raw_event(original, "json", join_errors(cut, "JSON nested too deeply"))
    event[ORIGINAL_FIELD] = original
    logsource = None
    module = event.get("event.module")
    if isinstance(module, str) and module in HYGIE_SERVICES:
        logsource = LogSourceSpec(product=HYGIE_PRODUCT, service=module)
    parser = "windows" if "Channel" in event and "EventID" in event else "json"
    return _finish(event, logsource, parser, cut)


def _with_shift(parsed: ParsedEvent, config: ParserConfig) -> ParsedEvent:
    if config.shift_table is not None:
        add_outside_shift(parsed.event, config.shift_table)
    return parsed


def _finish(
    event: dict[str, Any], logsource: LogSourceSpec | None, parser: str, error: str | None
) -> ParsedEvent:
    if error is not None:
        event[ERROR_FIELD] = error
    event.setdefault("message", event.get(ORIGINAL_FIELD, ""))
    return ParsedEvent(event, logsource, parser, error)


def _reference(config: ParserConfig) -> datetime:
    reference = config.reference_time or datetime.now(UTC)
    if reference.tzinfo is None:
        reference = reference.replace(tzinfo=config.local_timezone)
    return reference


def _is_rfc5424(text: str, start: int) -> bool:
    """RFC 5424 puts a version (1, later maybe 2..99) right after the PRI; RFC 3164 does not."""
    version, separator, _ = text[start : start + 4].partition(" ")
    return bool(separator) and version.isdigit() and version[0] != "0"


def _looks_like_syslog_file(head: str) -> bool:
    """``Nov 28 10:00:00 host …`` or ``2026-11-28T10:00:00+01:00 host …`` (rsyslog files)."""
    if len(head) > 16 and head[:3].isalpha() and head[3] == " " and head[6] == " ":
        return head[9] == ":" and head[12] == ":"
    return len(head) > 20 and head[:4].isdigit() and head[4] == "-" and head[10] == "T"
