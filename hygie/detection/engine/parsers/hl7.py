"""HL7 v2 message headers (MSH): who sent a message, from which facility, of which type.

Only the MSH segment is read and kept, even in ``event.original``: the rest of a message
(PID, OBX…) is patient data, and detection needs none of it (design §5: PHI stays out of
logs and event stores unless a user with the right role asks).
"""

from __future__ import annotations

from typing import Any

from ..rule_pack import LogSourceSpec
from .base import utc_iso
from .syslog import parse_rfc3339

HL7 = LogSourceSpec(product="hygie", service="hl7")
# MSH-n is at index n - 1 once the segment is split on its field separator (MSH-1 is the
# separator itself, so it has no slot of its own).
_FIELDS = {
    3: "hl7.sending_application",
    4: "hl7.sending_facility",
    5: "hl7.receiving_application",
    6: "hl7.receiving_facility",
    10: "hl7.message_control_id",
    11: "hl7.processing_id",
    12: "hl7.version",
}


def is_hl7(text: str) -> bool:
    return text.startswith("MSH") and len(text) > 8 and not text[3].isalnum()


def msh_segment(text: str) -> str:
    """The MSH segment alone (segments end with CR; files often use LF or CRLF)."""
    end = len(text)
    for terminator in ("\r", "\n"):
        position = text.find(terminator)
        if 0 <= position < end:
            end = position
    return text[:end]


def parse_msh(segment: str, event: dict[str, Any]) -> str | None:
    separator = segment[3]
    encoding = segment[4:8]
    component = encoding[0] if encoding else "^"
    fields = segment.split(separator)
    event["event.module"] = "hl7"
    event["event.category"] = "network"
    event["event.action"] = "hl7_message"
    for index, name in _FIELDS.items():
        if index - 1 < len(fields) and fields[index - 1]:
            # Facility and application are HD types (namespace^universal id^type): the
            # namespace is what sites configure; the whole value stays in <name>.full.
            value = fields[index - 1]
            first = value.split(component, 1)[0]
            event[name] = first or value
            if first != value:
                event[f"{name}.full"] = value
    if len(fields) > 8 and fields[8]:
        parts = fields[8].split(component)
        event["hl7.message_type"] = "^".join(parts[:2])
        event["hl7.message_code"] = parts[0]
        if len(parts) > 1:
            event["hl7.trigger_event"] = parts[1]
    if len(fields) > 6 and fields[6]:
        moment = _hl7_time(fields[6].split(component, 1)[0])
        if moment is not None:
            event["@timestamp"] = moment
    return None if len(fields) > 8 else "MSH segment too short"


def _hl7_time(text: str) -> str | None:
    """HL7 DTM ``YYYYMMDDHHMM[SS[.S+]][+/-ZZZZ]`` to ISO 8601 UTC; None when unreadable."""
    digits = text[:14]
    zone = ""
    for sign in ("+", "-"):
        position = text.find(sign)
        if position > 0:
            zone = text[position : position + 5]
    if len(digits) < 12 or not digits[:12].isdigit():
        return None
    seconds = digits[12:14] if len(digits) >= 14 and digits[12:14].isdigit() else "00"
    offset = f"{zone[:3]}:{zone[3:5]}" if len(zone) == 5 and zone[1:].isdigit() else "Z"
    stamp = (
        f"{digits[0:4]}-{digits[4:6]}-{digits[6:8]}T{digits[8:10]}:{digits[10:12]}:{seconds}"
        f"{offset}"
    )
    moment = parse_rfc3339(stamp)
    return utc_iso(moment) if moment is not None else None
