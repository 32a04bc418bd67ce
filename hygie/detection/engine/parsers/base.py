"""The shape every parser returns, and the limits that keep hostile input harmless.

A parsed event is a flat ``{field: value}`` dict with ECS-style dotted names, the raw text in
``event.original`` and, when the line could not be (fully) read, ``error.message``. Nothing is
dropped: an unreadable line is still an event, so it is stored and can be searched later.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from ..rule_pack import LogSourceSpec
from .shifts import ShiftTable

# A syslog message over TCP is rarely above 8 KiB; 64 KiB leaves room for JSON audit events
# while keeping the work per line small. Longer input is cut, and the event says so.
MAX_LINE_CHARS = 64 * 1024

ERROR_FIELD = "error.message"
ORIGINAL_FIELD = "event.original"


@dataclass(frozen=True)
class ParserConfig:
    """Site settings the parsers need.

    ``reference_time`` anchors RFC 3164 timestamps, which carry no year (None: the current
    time, read once per call). ``local_timezone`` is the zone of timestamps written without
    one (RFC 3164, most Linux logs). ``shift_table``, when given, adds ``event.outside_shift``.
    """

    reference_time: datetime | None = None
    local_timezone: tzinfo = UTC
    max_line_chars: int = MAX_LINE_CHARS
    shift_table: ShiftTable | None = None


DEFAULT_CONFIG = ParserConfig()


@dataclass(frozen=True)
class ParsedEvent:
    """One normalised event, the Sigma log source it belongs to, and the parser that read it.

    ``logsource`` is handed to ``DetectionSession.process(event, logsource=...)``; None means
    the engine recognises the source itself (Windows events, by Channel and EventID) or that no
    log source is known (the event then only meets rules that name none).
    """

    event: dict[str, Any]
    logsource: LogSourceSpec | None
    parser: str
    error: str | None = field(default=None)


def to_text(raw: str | bytes, limit: int) -> tuple[str, str | None]:
    """The input as text, cut to ``limit`` characters; an error when it had to be cut."""
    if isinstance(raw, bytes):
        # Decode at most a little more than the limit: a hostile 1 GB line costs nothing more.
        text = raw[: limit * 4].decode("utf-8", "replace")
    else:
        text = raw
    text = text.rstrip("\r\n")
    if len(text) > limit:
        return text[:limit], f"line longer than {limit} characters, cut"
    return text, None


def utc_iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``: one spelling for every parser, sortable as text."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    text = moment.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def raw_event(text: str, parser: str, error: str | None) -> ParsedEvent:
    """An event holding only the raw line (and why nothing more could be read)."""
    event: dict[str, Any] = {ORIGINAL_FIELD: text, "message": text}
    if error is not None:
        event[ERROR_FIELD] = error
    return ParsedEvent(event, None, parser, error)


def join_errors(*errors: str | None) -> str | None:
    present = [e for e in errors if e]
    return "; ".join(present) if present else None


# Exactly the dotted quads ``ipaddress.IPv4Address`` accepts: four decimal octets of ASCII
# digits, each at most 255, without leading zeros.
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = re.compile(rf"{_OCTET}(?:\.{_OCTET}){{3}}")


def is_ip_address(text: str) -> bool:
    """Whether ``ipaddress.ip_address(text)`` accepts ``text``, at a fraction of its cost.

    IPv4 is checked by one bounded regex; anything with a colon (IPv6 always has one, an IPv4
    address never) goes to the standard library.
    """
    if ":" not in text:
        return _IPV4.fullmatch(text) is not None
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
