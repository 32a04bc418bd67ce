"""IOC matching for the event stream.

Indicators compile into exact sets (IPs, hashes, e-mails, fingerprints, file names, CVEs, user
agents, normalised URLs), per-prefix-length tables for CIDR networks (one dict probe per distinct
prefix length: at most 33 for IPv4, 129 for IPv6), a domain table probed once per label suffix,
and a multi-pattern scanner finding URL and domain indicators inside free-text fields (Hyperscan
when installed; otherwise host-like tokens found by one small ``re`` are cut at label boundaries
and looked up in a dict). ``naive_match`` is the per-indicator reference
the matcher is tested and benchmarked against.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import Any

from hygie.intel.engine.errors import IndicatorError
from hygie.intel.engine.model import Indicator, IndicatorType, normalise_url
from hygie.intel.engine.text import refang

_hs: Any
try:  # Hyperscan accelerates the free-text scan; its absence must never break matching.
    import hyperscan as _hs
except ImportError:  # pragma: no cover - depends on the installation
    _hs = None

MAX_FIELD = 64 * 1024
_HOST_TOKEN = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)+")
# Words of free text that may be an exact indicator (address, hash, file name, fingerprint,
# CVE, mail address): cut at blanks, quotes, brackets and the separators of key=value logs.
_PROSE_TOKEN = re.compile(r"[^\s\"'<>()\[\]{},;=|]+")
_IPV4_TOKEN = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?")
_IPV6_TOKEN = re.compile(r"[0-9a-fA-F:.]+")
_MAX_LABELS = 64
# Literals per Hyperscan database: compile time grows faster than linearly with the set (the
# privacy engine splits its patterns for the same reason); each extra database costs one more
# scan of a free-text field only.
CHUNK = 20_000
# Answers remembered per short field value and per word of free text (values repeat in logs).
MEMO_CHARS = 512
MEMO_SIZE = 100_000
_NOTHING: Mapping[int, tuple[str, str]] = MappingProxyType({})

_EXACT_FAMILY = {
    IndicatorType.IPV4: "ip",
    IndicatorType.IPV6: "ip",
    IndicatorType.MD5: "hex",
    IndicatorType.SHA1: "hex",
    IndicatorType.SHA256: "hex",
    IndicatorType.JA3: "hex",
    IndicatorType.EMAIL: "email",
    IndicatorType.FILE_NAME: "token",
    IndicatorType.JA4: "token",
    IndicatorType.CVE: "token",
    IndicatorType.USER_AGENT: "token",
}


@dataclass(frozen=True)
class Hit:
    indicator: Indicator
    field: str
    value: str  # the part of the field that matched (an address, a host, a URL…)
    how: str  # "exact", "cidr", "domain", "url", "text"


def hyperscan_available() -> bool:
    return _hs is not None


def _key(kind: IndicatorType, value: str) -> str:
    if kind in (IndicatorType.FILE_NAME, IndicatorType.CVE, IndicatorType.JA4):
        return value.lower()
    return value


class IndicatorMatcher:
    """Compiled indicators; ``match_event`` is safe to call from several threads."""

    def __init__(
        self,
        indicators: Iterable[Indicator],
        *,
        at: datetime | None = None,
        use_hyperscan: bool = True,
    ) -> None:
        self.indicators: list[Indicator] = []
        self._exact: dict[str, list[int]] = {}
        self._urls: dict[str, list[int]] = {}
        self._domains: dict[str, list[int]] = {}
        self._networks: dict[int, dict[int, dict[int, list[int]]]] = {4: {}, 6: {}}
        for indicator in indicators:
            if at is not None and not _valid_at(indicator, at):
                continue
            index = len(self.indicators)
            self.indicators.append(indicator)
            kind = indicator.type
            if kind is IndicatorType.CIDR:
                network = ipaddress.ip_network(indicator.value)
                table = self._networks[network.version].setdefault(network.prefixlen, {})
                shift = network.max_prefixlen - network.prefixlen
                table.setdefault(int(network.network_address) >> shift, []).append(index)
            elif kind is IndicatorType.DOMAIN:
                self._domains.setdefault(indicator.value, []).append(index)
            elif kind is IndicatorType.URL:
                self._urls.setdefault(indicator.value, []).append(index)
            else:
                self._exact.setdefault(_key(kind, indicator.value), []).append(index)
        self._prefixes = {
            version: sorted(tables, reverse=True) for version, tables in self._networks.items()
        }
        self._value_memo: dict[str, Mapping[int, tuple[str, str]]] = {}
        self._word_memo: dict[str, Mapping[int, tuple[str, str]]] = {}
        self.backend = "none"
        self._scanner: Any = None
        self._by_span: dict[str, list[int]] = {}
        self._url_always: list[int] = []
        self._literals: list[str] = [*self._urls, *self._domains]
        if self._literals:
            if use_hyperscan and _hs is not None:
                self._scanner = [
                    self._database(start) for start in range(0, len(self._literals), CHUNK)
                ]
                self.backend = "hyperscan"
            else:
                # Without Hyperscan, no regex alternation (Python's re tries every literal at
                # every position): host-like tokens of the text are cut at label boundaries and
                # looked up; a literal in prose always sits on label boundaries of a token.
                for ident, literal in enumerate(self._literals):
                    if "://" in literal:
                        host = literal.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
                        if host.startswith("["):
                            self._url_always.append(ident)
                            continue
                        key = host.rsplit(":", 1)[0]
                    else:
                        key = literal
                    self._by_span.setdefault(key.lower(), []).append(ident)
                self.backend = "re"

    def _database(self, start: int) -> Any:
        literals = self._literals[start : start + CHUNK]
        database = _hs.Database(mode=_hs.HS_MODE_BLOCK)
        database.compile(
            expressions=[re.escape(v).encode() for v in literals],
            ids=list(range(start, start + len(literals))),
            elements=len(literals),
            flags=[_hs.HS_FLAG_CASELESS | _hs.HS_FLAG_SINGLEMATCH] * len(literals),
        )
        return database

    def __len__(self) -> int:
        return len(self.indicators)

    # -- lookups ------------------------------------------------------------------------------

    def _ip(self, text: str, found: dict[int, tuple[str, str]]) -> bool:
        address = address_of(text)
        if address is None:
            return False
        value = str(address)
        for index in self._exact.get(value, ()):
            found.setdefault(index, (value, "exact"))
        number = int(address)
        width = address.max_prefixlen
        tables = self._networks[address.version]
        for prefix in self._prefixes[address.version]:
            for index in tables[prefix].get(number >> (width - prefix), ()):
                found.setdefault(index, (value, "cidr"))
        return True

    def _domain(self, host: str, found: dict[int, tuple[str, str]]) -> None:
        host = host.rstrip(".").lower()
        position = 0
        while True:
            for index in self._domains.get(host[position:], ()):
                found.setdefault(index, (host, "domain"))
            position = host.find(".", position) + 1
            if position == 0:
                return

    def _url(self, text: str, found: dict[int, tuple[str, str]]) -> None:
        try:
            url = normalise_url(text)
        except IndicatorError:
            return
        for index in self._urls.get(url, ()):
            found.setdefault(index, (url, "url"))
        host = url.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
        host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
        if not self._ip(host, found):
            self._domain(host, found)

    def _text(self, text: str, found: dict[int, tuple[str, str]]) -> None:
        hit_literals: set[int] = set()
        if self._scanner is not None:

            def on_match(ident: int, _start: int, _end: int, _flags: int, _ctx: object) -> None:
                hit_literals.add(ident)

            data = text.encode("utf-8", "replace")
            for database in self._scanner:
                database.scan(data, match_event_handler=on_match)
        else:
            hit_literals = set(self._url_always)
            spans = self._by_span
            for token in _HOST_TOKEN.findall(text.lower()):
                labels = token.split(".")[:_MAX_LABELS]
                for first in range(len(labels)):
                    for last in range(first + 1, len(labels) + 1):
                        hit_literals.update(spans.get(".".join(labels[first:last]), ()))
        for ident in hit_literals:
            literal = self._literals[ident]
            for index in self._urls.get(literal, ()) or self._domains.get(literal, ()):
                if _bounded(text, literal):
                    found.setdefault(index, (literal, "text"))

    def _word(self, token: str) -> Mapping[int, tuple[str, str]]:
        """What one word of free text matches (exact sets, addresses), remembered."""
        known = self._word_memo.get(token)
        if known is not None:
            return known
        found: dict[int, tuple[str, str]] = {}
        exact = self._exact
        for candidate in (token, token.lower()):
            for index in exact.get(candidate, ()):
                found.setdefault(index, (candidate, "exact"))
        if looks_like_address(token):
            self._ip(token, found)
        return self._remember(self._word_memo, token, found)

    def _words(self, text: str, found: dict[int, tuple[str, str]]) -> None:
        word = self._word
        for token in prose_tokens(text):
            matched = word(token)
            if matched:
                for index, what in matched.items():
                    found.setdefault(index, what)

    @staticmethod
    def _remember(
        memo: dict[str, Mapping[int, tuple[str, str]]],
        key: str,
        found: dict[int, tuple[str, str]],
    ) -> Mapping[int, tuple[str, str]]:
        """Keep a short value's answer: logs repeat addresses, hosts, URLs and agents; the
        memo is emptied when full (bounded memory, whatever the input)."""
        answer: Mapping[int, tuple[str, str]] = found or _NOTHING
        if len(key) <= MEMO_CHARS:
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[key] = answer
        return answer

    def match_value(self, raw: str) -> Mapping[int, tuple[str, str]]:
        """Indicator index → (matched part, how) for one field value (read-only answer)."""
        prose = " " in raw
        if not prose:
            known = self._value_memo.get(raw)
            if known is not None:
                return known
        value = raw[:MAX_FIELD].strip()
        found: dict[int, tuple[str, str]] = {}
        exact = self._exact
        for candidate in (value, value.lower()):
            for index in exact.get(candidate, ()):
                found.setdefault(index, (candidate, "exact"))
        if " " in value:
            text = refang(value) if "[" in value or "hxxp" in value else value
            if self._literals:
                self._text(text, found)
            if self._exact or self._prefixes[4] or self._prefixes[6]:
                self._words(text, found)
            return found
        if "://" in value:
            self._url(value, found)
        elif "@" in value:
            self._domain(value.rsplit("@", 1)[1], found)
        elif value[:1].isdigit() or ":" in value:
            if not self._ip(value, found) and "." in value:
                self._domain(value, found)
        elif "." in value:
            if "/" in value:
                self._url(value, found)
            else:
                self._domain(value, found)
        if prose:  # blanks around a single word only
            return found
        return self._remember(self._value_memo, raw, found)

    def match_event(self, fields: Mapping[str, str]) -> list[Hit]:
        """Every indicator matching one of the event's field values, once per field."""
        hits: list[Hit] = []
        match = self.match_value
        for name, raw in fields.items():
            if not isinstance(raw, str) or not raw:
                continue
            found = match(raw)
            if found:
                hits.extend(
                    Hit(self.indicators[i], name, matched, how)
                    for i, (matched, how) in found.items()
                )
        return hits


def address_of(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address in ``192.0.2.1``, ``[2001:db8::1]``, ``192.0.2.1:443``, ``[2001:db8::1]:443``."""
    try:
        return ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        pass
    host, colon, port = text.rpartition(":")
    if colon and port.isdigit() and (host.count(":") == 0 or host.startswith("[")):
        try:
            return ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return None
    return None


def prose_tokens(text: str) -> list[str]:
    """The words of free text an exact indicator or an address may be (a final full stop or
    colon of a sentence left out)."""
    return [word for token in _PROSE_TOKEN.findall(text) if (word := token.rstrip(".:"))]


def looks_like_address(token: str) -> bool:
    """A cheap test before parsing: an IPv4 address (with a port) or an IPv6-looking word."""
    if token[:1].isdigit() and _IPV4_TOKEN.fullmatch(token):
        return True
    return token.count(":") >= 2 and _IPV6_TOKEN.fullmatch(token) is not None


def _bounded(text: str, literal: str) -> bool:
    """A literal found in prose counts when not glued to a longer name: ``a.evil.com`` matches
    ``evil.com``; ``notevil.com`` and ``evil.com.org`` do not (a final full stop does)."""
    lowered = text.lower()
    literal = literal.lower()  # a URL keeps its path's case; the scan is caseless
    start = lowered.find(literal)
    while start != -1:
        before = lowered[start - 1] if start else " "
        end = start + len(literal)
        after = lowered[end : end + 2] if end < len(lowered) else " "
        glued = (
            after[:1].isalnum() or after[:1] in "-_" or (after[:1] == "." and after[1:].isalnum())
        )
        if not (before.isalnum() or before in "-_") and not glued:
            return True
        start = lowered.find(literal, start + 1)
    return False


def _valid_at(indicator: Indicator, moment: datetime) -> bool:
    if indicator.valid_from is not None and moment < indicator.valid_from:
        return False
    return indicator.valid_until is None or moment < indicator.valid_until


def naive_match(indicators: Sequence[Indicator], fields: Mapping[str, str]) -> list[Hit]:
    """Reference matcher: every indicator tested against every field, one by one."""
    hits: list[Hit] = []
    for name, raw in fields.items():
        value = raw.strip()
        lowered = value.lower()
        prose = refang(value) if " " in value else ""
        words = prose_tokens(prose) if prose else []
        word_addresses = [a for w in words if looks_like_address(w) and (a := address_of(w))]
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None
        address = address_of(value)
        try:
            url = (
                normalise_url(value)
                if "://" in value or ("/" in value and " " not in value)
                else ""
            )
        except IndicatorError:
            url = ""
        host = url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0] if url else ""
        if "@" in value and " " not in value:
            host = lowered.rsplit("@", 1)[1]
        elif not url and address is None and " " not in value:
            host = lowered
        for indicator in indicators:
            kind, target = indicator.type, indicator.value
            how = ""
            if kind is IndicatorType.CIDR:
                network = ipaddress.ip_network(target)
                if address is not None and address in network:
                    how = "cidr"
                elif any(a in network for a in word_addresses):
                    how = "cidr"
            elif kind is IndicatorType.DOMAIN:
                if host and (host == target or host.endswith("." + target)):
                    how = "domain"
                elif prose and _bounded(prose, target):
                    how = "text"
            elif kind is IndicatorType.URL:
                if url == target:
                    how = "url"
                elif prose and _bounded(prose, target):
                    how = "text"
            elif kind in (IndicatorType.IPV4, IndicatorType.IPV6):
                if address is not None and str(address) == target:
                    how = "exact"
                elif any(str(a) == target for a in word_addresses):
                    how = "exact"
            elif value == target or lowered == _key(kind, target):
                how = "exact"
            elif any(w == target or w.lower() == _key(kind, target) for w in words):
                how = "exact"
            if how:
                hits.append(Hit(indicator, name, value, how))
    return hits
