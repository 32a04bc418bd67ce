"""Web server access logs in the Combined (and Common) Log Format, as Apache and nginx write.

Fields get ECS names (``url.original``, ``http.response.status_code``…) and, because SigmaHQ's
``webserver`` rules use the W3C names of its taxonomy, the same values under those names too
(``cs-method``, ``c-uri``, ``cs-uri-query``, ``sc-status``, ``c-useragent``…).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from urllib.parse import unquote_plus

from ..rule_pack import LogSourceSpec
from .base import is_ip_address, utc_iso

WEBSERVER = LogSourceSpec(product="webserver", category="webserver")
# The server is told by the line's layout when only one server writes it by default: Apache's
# ``vhost_combined`` starts with ``vhost:port``; nginx's default ``main`` format adds a quoted
# ``$http_x_forwarded_for`` after the user agent. Plain Combined/Common lines may be either.
APACHE = LogSourceSpec(product="apache", category="webserver")
NGINX = LogSourceSpec(product="nginx", category="webserver")
_SOURCES = {"apache": APACHE, "nginx": NGINX}
_VHOST = re.compile(r"([A-Za-z0-9_.-]{1,253}):(\d{1,5}) (?=\S{1,255} \S{1,255} \S{1,255} \[)")

# Quoted strings are runs of "not a quote or backslash" and escaped characters, written as
# the unrolled loop ``normal* (escaped normal*)*``: the two kinds of token never overlap, so
# the regex engine cannot backtrack between them, and a run of plain characters is consumed
# in one step rather than one alternation per character (4 times faster on access logs).
_QUOTED = r'"([^"\\]*(?:\\.[^"\\]*)*)"'
_CLF = re.compile(
    r"(\S{1,255}) (\S{1,255}) (\S{1,255}) \[([^\]]{1,64})\] "
    + _QUOTED
    + r" (\d{3}|-) (\d{1,20}|-)(?: "
    + _QUOTED
    + " "
    + _QUOTED
    + r")?"
)
_CLF_TIME = re.compile(
    r"(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\Z"
)
_MONTHS = {m: n for n, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
)}  # fmt: skip
_METHOD = re.compile(r"[A-Z]{1,16}\Z")


def looks_like_access_log(text: str) -> bool:
    """A cheap test before the full regex: ``host ident user [time] "``."""
    bracket = text.find(" [", 0, 800)
    return bracket > 0 and text.find('] "', bracket, bracket + 80) > 0


def logsource(event: dict[str, Any]) -> LogSourceSpec:
    """The log source of a parsed access-log line: Apache, nginx or a web server."""
    return _SOURCES.get(str(event.get("event.module")), WEBSERVER)


def parse_access_log(text: str, event: dict[str, Any]) -> str | None:
    """Fill ``event`` from one access-log line; return an error when it is not one.

    Apache's ``vhost_combined`` prefix names the virtual host: it becomes ``host.name`` (the
    server the request reached) and ``url.domain``; ``event.module`` says "apache" or "nginx"
    when the layout tells, as Filebeat's modules name them.
    """
    vhost = _VHOST.match(text)
    start = 0
    if vhost is not None:
        event["host.name"] = event["url.domain"] = vhost.group(1).lower()
        event["url.port"] = event["s-port"] = int(vhost.group(2))
        event["event.module"] = "apache"
        start = vhost.end()
    match = _CLF.match(text, start)
    if match is None:
        return "not a Combined Log Format line"
    if vhost is None and text[match.end() : match.end() + 2] == ' "':
        event["event.module"] = "nginx"
    client, _ident, user, stamp, request, status, size, referrer, agent = match.groups()
    event["event.category"] = "web"
    _client(event, client)
    if user != "-":
        event["user.name"] = event["cs-username"] = user
    error = None
    utc = _clf_utc(stamp)
    if utc is None:
        error = "invalid access-log timestamp"
    else:
        event["@timestamp"] = utc
    _request(event, request)
    if status != "-":
        code = int(status)
        event["http.response.status_code"] = event["sc-status"] = code
        event["event.outcome"] = "failure" if code >= 400 else "success"
    if size != "-":
        event["http.response.body.bytes"] = int(size)
    if referrer is not None and referrer != "-":
        event["http.request.referrer"] = event["cs-referer"] = referrer
    if agent is not None and agent != "-":
        event["user_agent.original"] = event["c-useragent"] = agent
    event["message"] = request
    return error


def _client(event: dict[str, Any], client: str) -> None:
    event["source.ip" if is_ip_address(client) else "source.address"] = client
    event["c-ip"] = client


def _request(event: dict[str, Any], request: str) -> None:
    parts = request.split(" ")
    if len(parts) == 3 and _METHOD.match(parts[0]):
        method, target, version = parts
        event["http.request.method"] = event["cs-method"] = method
        event["http.version"] = event["cs-version"] = version.removeprefix("HTTP/")
    elif len(parts) == 2 and _METHOD.match(parts[0]):
        method, target = parts  # HTTP/0.9 style request line
        event["http.request.method"] = event["cs-method"] = method
    else:
        # Scanners send junk (TLS handshakes to port 80, "-"); keep it searchable as is.
        event["http.request.original"] = request
        return
    event["url.original"] = event["c-uri"] = target
    path, question, query = target.partition("?")
    event["url.path"] = event["cs-uri-stem"] = path
    if question:
        event["url.query"] = event["cs-uri-query"] = query
    # Attacks are written percent-encoded to dodge naive filters; rules can test the decoded
    # form without listing every encoding.
    event["url.decoded"] = unquote_plus(target) if "%" in target or "+" in target else target
    dot = path.rfind(".")
    if dot > path.rfind("/"):
        event["url.extension"] = event["c-uri-extension"] = path[dot + 1 :]


@lru_cache(maxsize=4096)  # lines of one second share their time; the key is ≤ 64 characters
def _clf_utc(text: str) -> str | None:
    """``utc_iso(_clf_time(text))``, or None when the time is unreadable; memoised."""
    moment = _clf_time(text)
    return None if moment is None else utc_iso(moment)


def _clf_time(text: str) -> datetime | None:
    match = _CLF_TIME.match(text)
    if match is None:
        return None
    day, month_name, year, hour, minute, second, sign, zone_hours, zone_minutes = match.groups()
    month = _MONTHS.get(month_name)
    if month is None:
        return None
    offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
    try:
        tz = timezone(-offset if sign == "-" else offset)
        return datetime(int(year), month, int(day), int(hour), int(minute), int(second), tzinfo=tz)
    except ValueError:
        return None
