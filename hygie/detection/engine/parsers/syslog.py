"""RFC 5424 and RFC 3164 (BSD) syslog messages, transport framing already removed.

Both parsers read the header with anchored, quantifier-bounded regexes and plain string
splitting; the free-text MSG is never matched by a regex here, so no input can make them slow.
Timestamps repeat from line to line (a busy host writes many lines per second), so their
conversion to UTC text is memoised in small bounded caches (pure functions of their arguments).
A header that does not follow the RFC still gives an event: the RFCs themselves say a relay
must treat what it cannot read as message text (RFC 3164 §4.3.3).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

from .base import ParserConfig, utc_iso

FACILITIES = (
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
    "authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1",
    "local2", "local3", "local4", "local5", "local6", "local7",
)  # fmt: skip
SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")

_PRI = re.compile(r"<(\d{1,3})>")
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})\Z"
)
_BSD_TIME = re.compile(r"([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) ")
_TAG = re.compile(r"([^\s:\[\]]{1,48})(?:\[([^\]\s]{1,32})\])?: ?")
_MONTHS = {m: n for n, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
)}  # fmt: skip
_SD_NAME = re.compile(r'[^ =\]"]{0,64}')  # at most 64 characters before `` =]"`` or the end
NILVALUE = "-"
_RFC3339_MAX_CHARS = 35  # 2026-11-28T10:00:00.123456789+01:00: longer cannot match
_TIME_CACHE = 4096
_WEEK = timedelta(days=7)


def _pri_fields(value: int) -> dict[str, Any]:
    facility, severity = divmod(value, 8)
    return {
        "log.syslog.priority": value,
        "log.syslog.facility.code": facility,
        "log.syslog.facility.name": FACILITIES[facility],
        "log.syslog.severity.code": severity,
        "log.syslog.severity.name": SEVERITIES[severity],
    }


# "<34>" → (where the rest starts, the fields): one dict lookup for every valid PRI.
_PRI_TABLE = {f"<{value}>": (len(f"<{value}>"), _pri_fields(value)) for value in range(192)}


def parse_pri(text: str, event: dict[str, Any]) -> int | None:
    """Read ``<PRI>`` into facility and severity; return where the rest starts, or None."""
    if not text.startswith("<"):
        return None
    close = text.find(">", 1, 5)
    if close > 0:
        known = _PRI_TABLE.get(text[: close + 1])
        if known is not None:
            event.update(known[1])
            return known[0]
    return _parse_pri_slowly(text, event)


def _parse_pri_slowly(text: str, event: dict[str, Any]) -> int | None:
    """What ``parse_pri`` does outside its table (leading zeros, non-ASCII digits, junk)."""
    match = _PRI.match(text)
    if match is None:
        return None
    value = int(match.group(1))
    if value > 191 or (len(match.group(1)) > 1 and match.group(1)[0] == "0"):
        return None
    event.update(_pri_fields(value))
    return match.end()


def parse_rfc3339(text: str) -> datetime | None:
    """An RFC 3339 timestamp as RFC 5424 §6.2.3 allows it (at most 6 fraction digits)."""
    match = _RFC3339.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if fraction is not None and len(fraction) > 6:
        return None
    try:
        if zone == "Z":
            tz: timezone = UTC
        else:
            sign = -1 if zone[0] == "-" else 1
            offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6]))
            tz = timezone(sign * offset)
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second),
            int((fraction or "0").ljust(6, "0")), tzinfo=tz,
        )  # fmt: skip
    except ValueError:
        return None


@lru_cache(maxsize=_TIME_CACHE)
def _rfc3339_utc_cached(stamp: str) -> str | None:
    moment = parse_rfc3339(stamp)
    return None if moment is None else utc_iso(moment)


def rfc3339_utc(stamp: str) -> str | None:
    """``utc_iso(parse_rfc3339(stamp))``, or None when the stamp is not RFC 3339; memoised."""
    if len(stamp) > _RFC3339_MAX_CHARS:
        return None  # also keeps long junk out of the cache
    return _rfc3339_utc_cached(stamp)


def parse_rfc5424(text: str, start: int, event: dict[str, Any]) -> str | None:
    """The part after ``<PRI>`` of an RFC 5424 message; returns an error or None."""
    parts = text[start:].split(" ", 6)
    if len(parts) < 7 or not parts[0].isdigit() or parts[0][0] == "0" or len(parts[0]) > 2:
        event["message"] = text[start:]
        return "not an RFC 5424 header"
    version, stamp, host, app, procid, msgid, rest = parts
    event["log.syslog.version"] = version
    error = None
    if stamp != NILVALUE:
        utc = rfc3339_utc(stamp)
        if utc is None:
            error = "invalid RFC 5424 timestamp"
        else:
            event["@timestamp"] = utc
    _set(event, "host.name", host, 255)
    _set(event, "log.syslog.appname", app, 48)
    _set(event, "process.name", app, 48)
    _set(event, "log.syslog.procid", procid, 128)
    if procid.isdigit() and len(procid) <= 10:
        event["process.pid"] = int(procid)
    _set(event, "log.syslog.msgid", msgid, 32)
    sd_error, message = _structured_data(rest, event)
    # RFC 5424 §6.4: a UTF-8 MSG starts with a BOM; it is framing, not text. MSG is optional.
    event["message"] = "" if message is None else message.removeprefix("\ufeff")
    return error or sd_error


def _set(event: dict[str, Any], name: str, value: str, limit: int) -> None:
    if value and value != NILVALUE:
        event[name] = value[:limit]


def _structured_data(rest: str, event: dict[str, Any]) -> tuple[str | None, str | None]:
    """Parse STRUCTURED-DATA into ``log.syslog.structured_data.<SD-ID>.<PARAM>`` fields.

    A hand-written scanner rather than a regex: values hold escaped quotes and brackets
    (``\\"``, ``\\]``, ``\\\\``), which regexes handle slowly on hostile input.
    """
    if rest.startswith(NILVALUE):
        return None, _after_sd(rest, 1)
    if not rest.startswith("["):
        return "invalid RFC 5424 structured data", rest
    position, length = 0, len(rest)
    while position < length and rest[position] == "[":
        position, sd_id = _name(rest, position + 1)
        if not sd_id:
            return "invalid RFC 5424 structured data", rest
        prefix = f"log.syslog.structured_data.{sd_id}"
        while position < length and rest[position] == " ":
            position, name = _name(rest, position + 1)
            if not name or rest[position : position + 2] != '="':
                return "invalid RFC 5424 structured data", rest
            position, value = _quoted(rest, position + 2)
            if value is None:
                return "invalid RFC 5424 structured data", rest
            _add_param(event, f"{prefix}.{name}", value)
        if position >= length or rest[position] != "]":
            return "invalid RFC 5424 structured data", rest
        position += 1
    return None, _after_sd(rest, position)


def _after_sd(rest: str, position: int) -> str | None:
    if position >= len(rest):
        return None
    if rest[position] != " ":
        return rest[position:]
    return rest[position + 1 :]


def _name(text: str, position: int) -> tuple[int, str]:
    """An SD-NAME (1 to 32 printable characters other than ``= ]"``)."""
    match = _SD_NAME.match(text, position)
    if match is None or position > len(text):  # never None: {0,64} matches the empty name
        return position, ""
    return match.end(), match.group()


def _quoted(text: str, position: int) -> tuple[int, str | None]:
    """A PARAM-VALUE up to its closing quote, with RFC 5424's three escapes undone."""
    end = text.find('"', position)
    if end < 0:
        return max(position, len(text)), None
    value = text[position:end]
    if "\\" not in value:
        return end + 1, value  # the usual case: nothing escaped
    out: list[str] = []
    length = len(text)
    while position < length:
        char = text[position]
        if char == "\\" and position + 1 < length and text[position + 1] in '"\\]':
            out.append(text[position + 1])
            position += 2
            continue
        if char == '"':
            return position + 1, "".join(out)
        out.append(char)
        position += 1
    return position, None


def _add_param(event: dict[str, Any], name: str, value: str) -> None:
    # A parameter may repeat (RFC 5424 §6.3.3, e.g. several origin ip=); keep every value.
    previous = event.get(name)
    if previous is None:
        event[name] = value
    elif isinstance(previous, list):
        previous.append(value)
    else:
        event[name] = [previous, value]


def parse_rfc3164(
    text: str, start: int, event: dict[str, Any], config: ParserConfig, reference: datetime
) -> str | None:
    """The part after ``<PRI>`` (or the whole line of a log file) of a BSD syslog message.

    Accepts the classic ``Mmm dd hh:mm:ss host`` header and the RFC 3339 one rsyslog writes
    by default on current Linux. Without a readable header, everything is the message.
    """
    rest = text[start:]
    header = _BSD_TIME.match(rest)
    if header is not None:
        utc = _bsd_utc(header.groups(), config.local_timezone, reference)
        if utc is not None:
            event["@timestamp"] = utc
        rest = rest[header.end() :]
    else:
        stamp, separator, after = rest.partition(" ")
        utc = rfc3339_utc(stamp) if separator else None
        if utc is None:
            event["message"] = rest
            return None
        event["@timestamp"] = utc
        rest = after
    host, separator, after = rest.partition(" ")
    if not separator or not host or len(host) > 255:
        event["message"] = rest
        return None
    event["host.name"] = host
    rest = after
    tag = _TAG.match(rest)
    if tag is not None:
        event["log.syslog.appname"] = event["process.name"] = tag.group(1)
        pid = tag.group(2)
        if pid is not None:
            event["log.syslog.procid"] = pid
            if pid.isdigit() and len(pid) <= 10:
                event["process.pid"] = int(pid)
        rest = rest[tag.end() :]
    event["message"] = rest
    return None


def _bsd_utc(groups: tuple[str | Any, ...], zone: tzinfo, reference: datetime) -> str | None:
    """``utc_iso(_bsd_time(...))``: the same choice of year, from memoised candidates."""
    limit = reference + _WEEK
    try:
        candidates = _bsd_candidates(groups, zone, reference.astimezone(zone).year)
    except TypeError:  # a tzinfo that cannot be hashed: no memo, the plain search
        moment = _bsd_time(groups, ParserConfig(local_timezone=zone), reference)
        return None if moment is None else utc_iso(moment)
    for moment, utc in candidates:
        if moment <= limit:
            return utc
    return None


@lru_cache(maxsize=_TIME_CACHE)
def _bsd_candidates(
    groups: tuple[str | Any, ...], zone: tzinfo, local_year: int
) -> tuple[tuple[datetime, str], ...]:
    """Every valid reading of a yearless timestamp that ``_bsd_time`` tries, in its order."""
    month_name, day, hour, minute, second = groups
    month = _MONTHS.get(month_name)
    if month is None:
        return ()
    candidates = []
    for year in range(local_year + 1, local_year - 8, -1):
        try:
            moment = datetime(
                year, month, int(day), int(hour), int(minute), int(second), tzinfo=zone
            )
        except ValueError:
            continue
        candidates.append((moment, utc_iso(moment)))
    return tuple(candidates)


def _bsd_time(
    groups: tuple[str | Any, ...], config: ParserConfig, reference: datetime
) -> datetime | None:
    """A yearless timestamp placed in the year that puts it closest before ``reference``.

    A line from 31 December read on 1 January belongs to last year; a clock slightly ahead
    of ours (up to a week) is still this year.
    """
    month_name, day, hour, minute, second = groups
    month = _MONTHS.get(month_name)
    if month is None:
        return None
    local_reference = reference.astimezone(config.local_timezone)
    for year in range(local_reference.year + 1, local_reference.year - 8, -1):
        try:
            moment = datetime(
                year, month, int(day), int(hour), int(minute), int(second),
                tzinfo=config.local_timezone,
            )  # fmt: skip
        except ValueError:
            continue  # 29 February of a common year, or 31 November: try an earlier year
        if moment <= reference + timedelta(days=7):
            return moment
    return None
