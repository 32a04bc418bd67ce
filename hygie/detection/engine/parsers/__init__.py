"""Log parsers: one line (or one TCP frame) in, one normalised event out, never an exception.

Every event is a flat dict with ECS-style dotted names (``@timestamp``, ``host.name``,
``source.ip``, ``user.name``, ``event.action``…), the raw text in ``event.original`` and, when
the line could not be read, ``error.message``. ``ParsedEvent.logsource`` is the Sigma log
source to pass to ``DetectionSession.process``.

    parsed = detect_and_parse(line, ParserConfig(local_timezone=ZoneInfo("Europe/Paris")))
    session.process(parsed.event, logsource=parsed.logsource)
"""

from .base import MAX_LINE_CHARS, ParsedEvent, ParserConfig
from .dispatch import (
    HYGIE_PRODUCT,
    HYGIE_SERVICES,
    detect_and_parse,
    parse_access_log,
    parse_document,
    parse_hl7,
    parse_json_line,
    parse_syslog,
)
from .framing import MAX_FRAME_BYTES, Frames, FrameState, split_frames
from .shifts import OUTSIDE_SHIFT_FIELD, ShiftTable, ShiftTableError, add_outside_shift

__all__ = [
    "HYGIE_PRODUCT",
    "HYGIE_SERVICES",
    "MAX_FRAME_BYTES",
    "MAX_LINE_CHARS",
    "OUTSIDE_SHIFT_FIELD",
    "FrameState",
    "Frames",
    "ParsedEvent",
    "ParserConfig",
    "ShiftTable",
    "ShiftTableError",
    "add_outside_shift",
    "detect_and_parse",
    "parse_access_log",
    "parse_document",
    "parse_hl7",
    "parse_json_line",
    "parse_syslog",
    "split_frames",
]
