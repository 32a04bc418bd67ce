"""IOC matching for the event stream.

Indicators compile into hash tables only: exact sets (IPs, hashes, e-mails, fingerprints, file
names, CVEs, user agents, normalised URLs), per-prefix-length tables for CIDR networks (one dict
probe per distinct prefix length: at most 33 for IPv4, 129 for IPv6) and a domain table probed
once per label suffix. Free text is tokenised once per message, whatever the number of
indicators: its words are looked up in the exact sets, its address-like words in the address
and CIDR tables, its host-like tokens cut at label boundaries and looked up in the domain table,
and each ``scheme://`` in it is read up to each word boundary and looked up in the URL table (a
URL indicator is found in prose as a prefix ending at a boundary, as ``_bounded`` says). Compiling
is building dicts: seconds for a million indicators. ``match_batch`` answers the values of a
batch it has not seen before together, with C-level passes rather than Python work per value:
plain IPv4 addresses with one set intersection per table, free texts proven quiet from their
new pieces and words (looked at together), only what may hit read one by one. ``naive_match``
is the per-indicator reference the matcher is tested and benchmarked against.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate, chain, compress, count, repeat
from operator import add, itemgetter, methodcaller, not_, rshift
from types import MappingProxyType
from typing import Any

from hygie.intel.engine.errors import IndicatorError
from hygie.intel.engine.model import Indicator, IndicatorType, normalise_url
from hygie.intel.engine.text import refang

MAX_FIELD = 64 * 1024
# Host-like tokens of lower-case text; starting only where a run of label characters starts
# (the same tokens, without trying every position inside a word).
_HOST_TOKEN = re.compile(r"(?<![a-z0-9_-])[a-z0-9_-]+(?:\.[a-z0-9_-]+)+")
_HOST_LITERAL = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)+")
# Words of free text that may be an exact indicator (address, hash, file name, fingerprint,
# CVE, mail address): cut at blanks, quotes, brackets and the separators of key=value logs.
_PROSE_TOKEN = re.compile(r"[^\s\"'<>()\[\]{},;=|]+")
_SEPARATOR = r"\s\"'<>()\[\]{},;=|"
# ``str.translate`` table turning the separators that are not blanks into blanks.
_SEPARATORS = {ord(c): " " for c in "\"'<>()[]{},;=|"}
# The words of free text ``looks_like_address`` accepts, found in one pass: a whole word (with
# final full stops and colons left out) that is an IPv4 address (with a port) or IPv6-looking.
_ADDRESS_WORD = re.compile(
    rf"(?<![^{_SEPARATOR}])"
    r"(\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?|(?:[0-9a-fA-F.]*:){2}[0-9a-fA-F.:]*[0-9a-fA-F])"
    rf"[.:]*(?![^{_SEPARATOR}])"
)
_IPV4_TOKEN = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?")
_IPV6_TOKEN = re.compile(r"[0-9a-fA-F:.]+")
_OCTET = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_PLAIN = re.compile(rf"{_OCTET}\.{_OCTET}\.{_OCTET}\.{_OCTET}")
# Where a URL found in prose may end (``_bounded``): a character that is not a letter, digit,
# ``-`` or ``_``, except a full stop followed by a letter or digit; or the end of the text.
_URL_END = re.compile(r"[^\w.-]|\.(?![^\W_])|\Z")
# What ``refang`` needs to change anything: a bracket (``[.]``, ``(at)``, ``{dot}``, ``\\.``) or
# a defanged scheme (``hxxp``, ``meow``, ``fxp``, ``ftx``) in the lower-case text.
_DEFANG_MARKS = ("[", "(", "{", "\\")
_DEFANG_SCHEMES = ("xxp", "meow", "fxp", "ftx")
# The words ``_ADDRESS_WORD`` finds, once their final full stops and colons are left out.
_ADDRESS_TOKEN = re.compile(
    r"\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?|(?:[0-9a-fA-F.]*:){2}[0-9a-fA-F.:]*[0-9a-fA-F]"
)
# A necessary condition for ``refang`` to change the lower-case text: each of its patterns
# holds one of these (none holds a blank, so a text has one iff one of its blank-separated
# pieces has one).
# Written with a literal first in each alternative, so that a search skips to the next of those
# characters in C instead of trying every position: ``[.]``, ``(.)``, ``{.}``, ``[dot]`` (any of
# ``[({`` then ``dot`` or ``at`` then any of ``])}``), ``\\.``, ``[@]``, ``(@)``, ``[:``, ``(:``,
# ``[/]``, ``xxp``, ``meow``, ``fxp``, ``ftx``.
_DEFANG_HINT = re.compile(
    r"\[(?:\.\]|(?:dot|at)[\])}]|@\]|:|/\])|\((?:\.\)|(?:dot|at)[\])}]|@\)|:)"
    r"|\{(?:\.\}|(?:dot|at)[\])}])|\\\.|xxp|meow|fxp|ftx"
)
# The run of host characters after a ``://`` (the start of a URL literal's host).
_URL_HEAD = re.compile(r"[a-z0-9._-]*")
# The same runs, each ``://`` of a text found in one pass.
_URL_HEADS = re.compile(r"://([a-z0-9._-]*)")
# Whole lines of a batch's values or words joined by newlines (one C pass for a batch): a plain
# IPv4 address (as ``_IPV4_PLAIN``); a word ``_ADDRESS_TOKEN`` accepts; a plain IPv4 address
# with a port, and its address part.
_OCTET_ANY = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4_LINE = re.compile(rf"^{_OCTET_ANY}(?:\.{_OCTET_ANY}){{3}}$", re.MULTILINE)
_ADDRESS_LINE = re.compile(rf"^(?:{_ADDRESS_TOKEN.pattern})$", re.MULTILINE)
_IPV4_PORT_LINE = re.compile(
    rf"^(({_OCTET_ANY}(?:\.{_OCTET_ANY}){{3}})(?::\d{{1,5}})?)$", re.MULTILINE
)
_LAST_LABEL = itemgetter(2)
# Answers remembered per short field value and per address word (values repeat in logs).
MEMO_CHARS = 512
MEMO_SIZE = 100_000
# Values (fields and messages) known to match nothing, in two generations of up to this many
# (the older dropped when the newer is full: what keeps recurring stays known), and the words
# and blank-separated pieces of free text known to hold no indicator (emptied when full).
CLEAN_SIZE = 60_000
# IPv4 exact keys and networks of /24 or longer from which a /24 filter is kept (16 MB).
V4_FILTER_MIN = 65_536
CLEAN_WORDS = 200_000
_NOTHING: Mapping[int, tuple[str, str]] = MappingProxyType({})
_values = methodcaller("values")

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


def _key(kind: IndicatorType, value: str) -> str:
    if kind in (IndicatorType.FILE_NAME, IndicatorType.CVE, IndicatorType.JA4):
        return value.lower()
    return value


class IndicatorMatcher:
    """Compiled indicators; ``match_event`` and ``match_batch`` are safe to call from several
    threads (the memos are plain dicts: a lost update only costs a lookup again)."""

    backend = "tables"

    def __init__(self, indicators: Iterable[Indicator], *, at: datetime | None = None) -> None:
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
        # (table, shift) per prefix length, longest first: the probes of an address
        self._probes = {
            version: [(self._networks[version][prefix], (32 if version == 4 else 128) - prefix)
                      for prefix in prefixes]
            for version, prefixes in self._prefixes.items()
        }  # fmt: skip
        self._v4_filter = self._ipv4_filter()
        # Address word or field → its matches, None when it is no address.
        self._word_memo: dict[str, Mapping[int, tuple[str, str]] | None] = {}
        # Values (short ones) known to match nothing, in two generations, and the matches of
        # the others; the pieces and words of free text known to hold no indicator.
        self._clean: set[str] = set()
        self._clean_old: set[str] = set()
        self._answers: dict[str, Mapping[int, tuple[str, str]]] = {}
        self._clean_pieces: set[str] = set()
        self._clean_words: set[str] = set()
        # Free text: URL and domain indicators found in prose (``_bounded``), by lower-case
        # literal. A domain sits on the label boundaries of a host-like token; a URL starts
        # with its scheme before a ``://`` of the text and ends at a word boundary. A literal
        # of neither shape (never produced by ``normalise``) is searched for in every text.
        self._text_keys: dict[str, list[str]] = {}
        self._text_domain_keys: set[str] = set()
        self._text_url_keys: set[str] = set()
        self._text_always: list[str] = []
        self._last_labels: set[str] = set()
        self._scheme_lengths: list[int] = []
        self._domain_span = 0
        self._url_span = 0
        schemes: set[int] = set()
        for literal in [*self._urls, *self._domains]:
            key = literal.lower()
            if "://" in literal and not any(c.isspace() for c in literal):
                self._text_url_keys.add(key)
                schemes.add(key.index("://"))
                self._url_span = max(self._url_span, len(key))
            elif "://" not in literal and _HOST_LITERAL.fullmatch(key):
                self._text_domain_keys.add(key)
                self._last_labels.add(key.rsplit(".", 1)[1])
                self._domain_span = max(self._domain_span, len(key))
            else:
                self._text_always.append(literal)
                continue
            self._text_keys.setdefault(key, []).append(literal)
        self._scheme_lengths = sorted(schemes)
        # What a URL literal has right after its ``://``: the run of host characters (a text
        # holding one of them there, or a prefix of it ending before a full stop, may hold it).
        self._url_heads: set[str] = set()
        self._url_headless = False
        for key in self._text_url_keys:
            head = _URL_HEAD.match(key, key.index("://") + 3)
            if head is not None and head.group():
                self._url_heads.add(head.group())
            else:
                self._url_headless = True
        self._literals = bool(self._urls or self._domains)
        # Exact keys holding a blank (user agents): the only ones a text may be as a whole.
        self._exact_spaced = frozenset(key for key in self._exact if " " in key)
        self._words_needed = bool(self._exact or self._prefixes[4] or self._prefixes[6])

    def __len__(self) -> int:
        return len(self.indicators)

    # -- lookups ------------------------------------------------------------------------------

    def _ip(self, text: str, found: dict[int, tuple[str, str]]) -> bool:
        if _IPV4_PLAIN.fullmatch(text) is not None:  # the usual case, without ``ipaddress``
            version, number, value = 4, int.from_bytes(socket.inet_aton(text), "big"), text
        else:
            address = address_of(text)
            if address is None:
                return False
            version, number, value = address.version, int(address), str(address)
        for index in self._exact.get(value, ()):
            found.setdefault(index, (value, "exact"))
        for table, shift in self._probes[version]:
            for index in table.get(number >> shift, ()):
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

    def _host_spans(self, token: str, keys: set[str], candidates: set[str]) -> None:
        """The domain literals a host-like token of prose may hold at a boundary: a label
        suffix of it, or, when a label of it starts with ``-`` or ``_`` (the literal may end
        before it), any run of its labels ending there."""
        if "._" not in token and ".-" not in token:
            if token[token.rfind(".") + 1 :] not in self._last_labels:
                return
            start = len(token) - self._domain_span  # a longer suffix is no literal
            position = token.find(".", start - 1) + 1 if start > 0 else 0
            if start > 0 and not position:
                return
            while True:
                if token[position:] in keys:
                    candidates.add(token[position:])
                position = token.find(".", position) + 1
                if not position:
                    return
        starts = [0] + [i + 1 for i, c in enumerate(token) if c == "."]
        ends = [i for i, c in enumerate(token) if c == "." and token[i + 1] in "-_"]
        ends.append(len(token))
        for first in starts:
            for end in ends:
                if end > first + self._domain_span:
                    break
                if end > first and token[first:end] in keys:
                    candidates.add(token[first:end])

    def _url_spans(self, lowered: str, candidates: set[str]) -> None:
        """The URL literals prose may hold: from a scheme before each ``://`` to each word
        boundary after it (a URL literal holds no blank)."""
        keys, span, size = self._text_url_keys, self._url_span, len(lowered)
        mark = lowered.find("://")
        while mark != -1:
            for length in self._scheme_lengths:
                start = mark - length
                if start < 0 or (
                    start and (lowered[start - 1].isalnum() or lowered[start - 1] in "-_")
                ):
                    continue
                for end_match in _URL_END.finditer(lowered, mark + 3):
                    end = end_match.start()
                    if end - start > span:
                        break
                    if lowered[start:end] in keys:
                        candidates.add(lowered[start:end])
                    if end >= size or lowered[end].isspace():
                        break
            mark = lowered.find("://", mark + 1)

    def _text(self, text: str, lowered: str, found: dict[int, tuple[str, str]]) -> None:
        """URL and domain indicators written in prose (``lowered``: the text in lower case)."""
        candidates: set[str] = set()
        if self._text_domain_keys:
            keys = self._text_domain_keys
            for token in set(_HOST_TOKEN.findall(lowered)):
                self._host_spans(token, keys, candidates)
        if self._text_url_keys and "://" in lowered:
            self._url_spans(lowered, candidates)
        literals = [literal for key in candidates for literal in self._text_keys[key]]
        for literal in [*literals, *self._text_always]:
            for index in self._urls.get(literal, ()) or self._domains.get(literal, ()):
                if _bounded(text, literal):
                    found.setdefault(index, (literal, "text"))

    def _ip_answer(self, text: str) -> Mapping[int, tuple[str, str]] | None:
        """What an address (a word of free text or a whole field) matches, remembered; None
        when the text is no address."""
        memo = self._word_memo
        if text in memo:
            return memo[text]
        found: dict[int, tuple[str, str]] = {}
        answer = (found or _NOTHING) if self._ip(text, found) else None
        if len(text) <= MEMO_CHARS:
            if len(memo) >= MEMO_SIZE:
                memo.clear()
            memo[text] = answer
        return answer

    def _address(self, token: str) -> Mapping[int, tuple[str, str]]:
        """What one address-like word of free text matches, remembered."""
        return self._ip_answer(token) or _NOTHING

    # -- proving free text quiet, cheaply ---------------------------------------------------

    def _quiet(self, text: str, lowered: str) -> bool:
        """True when ``_text`` and ``_words`` would find nothing in ``text`` (``lowered``: in
        lower case), shown without tokenising it again: every blank-separated piece of it was
        seen before in a text holding nothing (logs repeat their words), or its new pieces
        hold no defanged mark and no word that is, or holds, an indicator; and no ``://`` of
        it starts like a URL literal. False: the text must be read in full (a hit, or maybe).
        Free text is cut into the same words either way (its pieces, cut at separators)."""
        if self._text_always:
            return False
        if self._text_url_keys and "://" in lowered and not self._no_url_literal(lowered):
            return False
        pieces = text.split()
        clean = self._clean_pieces
        if clean.issuperset(pieces):
            return True
        novel = [piece for piece in pieces if piece not in clean]
        joined = " ".join(novel)
        if _DEFANG_HINT.search(joined.lower()):
            return False  # refanged, its words may differ: read in full
        known = self._clean_words
        for word in joined.translate(_SEPARATORS).split():
            if word not in known:
                if self._may_hit(word):
                    return False
                if len(known) >= CLEAN_WORDS:
                    known.clear()
                known.add(word)
        if len(clean) + len(novel) > CLEAN_WORDS:
            clean.clear()
        clean.update(novel)
        return True

    def _may_hit(self, word: str) -> bool:
        """Whether a word of free text is an exact indicator, an address matching one, or holds
        a host-like token with a domain literal at a label boundary (as ``_words`` and
        ``_text`` read it)."""
        token = word.rstrip(".:")
        if not token:
            return False
        exact = self._exact
        if exact and (token in exact or token.lower() in exact):
            return True
        if "." not in token and ":" not in token:
            return False  # neither an address nor a host-like token
        if self._words_needed and _ADDRESS_TOKEN.fullmatch(token) and self._address(token):
            return True
        if self._text_domain_keys and "." in token:
            candidates: set[str] = set()
            for host in _HOST_TOKEN.findall(token.lower()):
                self._host_spans(host, self._text_domain_keys, candidates)
            return bool(candidates)
        return False

    def _no_url_literal(self, lowered: str) -> bool:
        """True when no ``://`` of the text is followed by the start of a URL literal: a URL
        found in it (``_url_spans``) runs from a scheme to a word boundary, so after its
        ``://`` the text holds the literal's run of host characters, whole or ending at a
        full stop of the text's run (the only boundary such a run can hold)."""
        if self._url_headless:
            return False
        mark = lowered.find("://")
        while mark != -1:
            head = _URL_HEAD.match(lowered, mark + 3)
            if self._url_head_may_hit(head.group() if head is not None else ""):
                return False
            mark = lowered.find("://", mark + 1)
        return True

    def _url_head_may_hit(self, run: str) -> bool:
        """Whether the run of host characters after a ``://`` may start a URL literal: it is
        a literal's run, or its part before one of its full stops is."""
        heads = self._url_heads
        if run in heads:
            return True
        dot = run.find(".")
        while dot != -1:
            if run[:dot] in heads:
                return True
            dot = run.find(".", dot + 1)
        return False

    def _words(self, text: str, found: dict[int, tuple[str, str]]) -> None:
        """Exact indicators and addresses that are words of free text."""
        exact = self._exact
        if exact:
            distinct = prose_words(text)
            if not (
                exact.keys().isdisjoint(distinct)
                and exact.keys().isdisjoint(map(str.lower, distinct))
            ):
                for token in prose_tokens(text):  # in order: the first word matching names it
                    for candidate in (token, token.lower()):
                        for index in exact.get(candidate, ()):
                            found.setdefault(index, (candidate, "exact"))
        for token in _ADDRESS_WORD.findall(text):
            matched = self._address(token)
            if matched:
                for index, what in matched.items():
                    found.setdefault(index, what)

    # -- a batch's new values, with C-level passes ---------------------------------------------

    def _ipv4_filter(self) -> bytearray | None:
        """With many IPv4 indicators, one byte per /24 network telling whether an exact key
        that is a plain IPv4 address (of any type), or a network of /24 or longer, lies in
        it: a lookup in 16 MB touches one cache line where one in the tables of hundreds of
        thousands of entries touches several. None below ``V4_FILTER_MIN`` such entries."""
        narrow = [(table, shift) for table, shift in self._probes[4] if shift <= 8]
        plain = [
            key
            for key in self._exact
            if key[:1].isdigit() and key[-1:].isdigit() and _IPV4_PLAIN.fullmatch(key)
        ]
        if len(plain) + sum(len(table) for table, _shift in narrow) < V4_FILTER_MIN:
            return None
        marks = bytearray(1 << 24)
        for number in map(int.from_bytes, map(socket.inet_aton, plain)):
            marks[number >> 8] = 1
        for table, shift in narrow:
            for key in table:
                marks[(key << shift) >> 8] = 1
        return marks

    def _ipv4_hits(self, addresses: set[str]) -> set[str]:
        """The plain IPv4 addresses (``_IPV4_PLAIN``) among ``addresses`` that match an
        address or a network indicator: one set intersection with the exact table, and per
        prefix length one with its table of the addresses' numbers shifted (C calls, no
        Python work per address); with many indicators, only the addresses the /24 filter
        lets through are looked up in the exact table and the tables of /24 or longer."""
        probes = self._probes[4]
        marks = self._v4_filter
        if not addresses or (not probes and marks is None):
            return self._exact.keys() & addresses
        listed = list(addresses)
        numbers = list(map(int.from_bytes, map(socket.inet_aton, listed)))  # big-endian
        if marks is None:
            hits = self._exact.keys() & addresses
        else:
            selected = list(map(marks.__getitem__, map(rshift, numbers, repeat(8))))
            hits = self._exact.keys() & set(compress(listed, selected))
        for table, shift in probes:
            if marks is not None and shift <= 8:
                common = table.keys() & set(map(rshift, compress(numbers, selected), repeat(shift)))
            else:
                common = table.keys() & set(map(rshift, numbers, repeat(shift)))
            if common:
                keys = map(rshift, numbers, repeat(shift))
                hits.update(compress(listed, map(common.__contains__, keys)))
        return hits

    def _bad_tokens(self, tokens: list[str], addresses: set[str], hits: set[str]) -> set[str]:
        """The tokens (words of free text, final full stops and colons left out) for which
        ``_may_hit`` holds: an exact indicator, an address that matches, or holding a
        host-like token with a domain literal at a label boundary; found with a few C passes
        over all of them, Python work only for what may hit. ``addresses``: plain IPv4
        addresses already looked up (the batch's fields), ``hits`` those of them that match."""
        bad: set[str] = set()
        exact = self._exact
        if exact:
            bad.update(exact.keys() & tokens)
            lowered = list(map(str.lower, tokens))
            found = exact.keys() & lowered
            if found:
                bad.update(compress(tokens, map(found.__contains__, lowered)))
        # an address or a host-like token holds a full stop or a colon
        dotted = [token for token in tokens if "." in token or ":" in token]
        joined = "\n".join(dotted)
        if self._words_needed and dotted:
            words = _ADDRESS_LINE.findall(joined)
            pairs = _IPV4_PORT_LINE.findall("\n".join(words))
            hosts = {host for _token, host in pairs}
            matched = hosts & hits
            new = hosts - addresses
            if new:
                matched |= self._ipv4_hits(new)
            if matched:
                bad.update(token for token, host in pairs if host in matched)
            plain = {token for token, _host in pairs}
            bad.update(token for token in words if token not in plain and self._address(token))
        if self._text_domain_keys and dotted:
            lowered = list(map(str.lower, dotted))
            joined_lower = "\n".join(lowered)
            listed = list(set(_HOST_TOKEN.findall(joined_lower)))
            if "._" not in joined_lower and ".-" not in joined_lower:
                # ``_host_spans`` looks no further when the last label ends no literal
                last = map(_LAST_LABEL, map(str.rpartition, listed, repeat(".")))
                listed = list(compress(listed, map(self._last_labels.__contains__, last)))
            spanned: list[str] = []
            for host in listed:
                candidates: set[str] = set()
                self._host_spans(host, self._text_domain_keys, candidates)
                if candidates:
                    spanned.append(host)
            if spanned:  # the tokens holding them, in lower case
                starts = _starts(lowered)
                for index in _holding(joined_lower, starts, spanned):
                    bad.add(dotted[index])
        bad.discard("")
        return bad

    def _unquiet(self, texts: list[str], addresses: set[str], hits: set[str]) -> set[int]:
        """The positions of the texts (stripped, at most ``MAX_FIELD`` long, each holding a
        blank) that are an exact indicator as a whole or that ``_quiet`` would not prove
        quiet, and maybe a few more (read in full all the same): ``_quiet`` on a whole batch
        with C-level passes. The batch's new pieces are cut into words, new words looked at
        together (``_bad_tokens``); a text holding one that may hit (or a new piece with a
        defanged mark, or a ``://`` followed by the start of a URL literal's host) is found
        by searching for it in all the texts joined. Pieces and words proven to hold nothing
        are remembered as ``_quiet`` remembers them. ``addresses`` and ``hits``: as for
        ``_bad_tokens``."""
        if self._text_always:
            return set(range(len(texts)))
        flagged: set[int] = set()
        spaced = self._exact_spaced  # a text, holding a blank, can only be one of those
        if spaced:
            lowered = list(map(str.lower, texts))
            if not (spaced.isdisjoint(texts) and spaced.isdisjoint(lowered)):
                flagged.update(
                    i
                    for i, (t, low) in enumerate(zip(texts, lowered, strict=True))
                    if t in spaced or low in spaced
                )
        joined = "\n".join(texts)
        joined_lower = joined.lower()  # the same as the texts in lower case, joined
        if self._text_url_keys and "://" in joined_lower:
            if len(joined_lower) == len(joined):
                starts_lower = _starts(texts)
            else:  # a character whose lower case is longer: each text's own length
                lowered = list(map(str.lower, texts))
                joined_lower, starts_lower = "\n".join(lowered), _starts(lowered)
            if self._url_headless:
                flagged.update(_holding(joined_lower, starts_lower, ["://"]))
            else:
                runs = set(_URL_HEADS.findall(joined_lower))
                heads = ["://" + run for run in runs if self._url_head_may_hit(run)]
                flagged.update(_holding(joined_lower, starts_lower, heads))
        clean = self._clean_pieces
        novel = set(joined.split())
        novel.difference_update(clean)
        if not novel:
            return flagged
        pieces = list(novel)
        joined_pieces = "\n".join(pieces)
        needles: set[str] = set()
        pieces_lower = list(map(str.lower, pieces))
        joined_pieces_lower = "\n".join(pieces_lower)
        if _DEFANG_HINT.search(joined_pieces_lower):  # refanged, its words may differ
            starts_pieces = _starts(pieces_lower)
            for match in _DEFANG_HINT.finditer(joined_pieces_lower):
                needles.add(pieces[bisect_right(starts_pieces, match.start()) - 1])
        words = set(joined_pieces.translate(_SEPARATORS).split())
        known = self._clean_words
        words.difference_update(known)
        if words:
            listed = list(words)
            tokens = list(map(str.rstrip, listed, repeat(".:")))
            bad = self._bad_tokens(tokens, addresses, hits)
            if len(known) + len(listed) > CLEAN_WORDS:
                known.clear()
            known.update(listed)
            if bad:
                known.difference_update(compress(listed, map(bad.__contains__, tokens)))
                needles.update(bad)
        if needles:
            flagged.update(_holding(joined, _starts(texts), needles))
            novel.difference_update(
                pieces[i] for i in _holding(joined_pieces, _starts(pieces), needles)
            )
        if len(clean) + len(novel) > CLEAN_WORDS:
            clean.clear()
        clean.update(novel)
        return flagged

    def _match_new(
        self, unknown: set[Any], answers: dict[str, Mapping[int, tuple[str, str]]]
    ) -> None:
        """Match a batch's values neither known clean nor remembered (``answers`` gets those
        that match; the others are kept clean): as ``_match_value`` on each, but the usual
        values — plain IPv4 addresses and free text proven quiet — are answered for the whole
        batch at once with C-level passes (``_ipv4_hits``, ``_unquiet``); the others one by
        one."""
        unknown.discard("")
        values = list(unknown)
        try:
            spaced = list(map(str.__contains__, values, repeat(" ")))
        except TypeError:  # a value that is no string: left out, as by ``match_event``
            values = [raw for raw in values if isinstance(raw, str)]
            spaced = list(map(str.__contains__, values, repeat(" ")))
        texts = list(compress(values, spaced))
        singles = list(compress(values, map(not_, spaced)))
        addresses = set(_IPV4_LINE.findall("\n".join(singles))).intersection(singles)
        clean: list[str] = []
        one_by_one = [raw for raw in singles if raw not in addresses] if addresses else singles
        hits = self._ipv4_hits(addresses) if addresses else set()
        if addresses:
            for raw in hits:
                found = self._ip_answer(raw) or {}
                answers[raw] = found
                self._keep_answer(raw, found)
            clean.extend(addresses.difference(hits) if hits else addresses)
        if texts:
            if list(map(str.strip, texts)) != texts or max(map(len, texts)) > MAX_FIELD:
                batchable = [t for t in texts if len(t) <= MAX_FIELD and t.strip() == t]
                one_by_one.extend(t for t in texts if len(t) > MAX_FIELD or t.strip() != t)
            else:
                batchable = texts
            flagged = self._unquiet(batchable, addresses, hits)
            if flagged:
                one_by_one.extend(batchable[i] for i in flagged)
                quiet = [t for i, t in enumerate(batchable) if i not in flagged]
            else:
                quiet = batchable
            clean.extend(t for t in quiet if len(t) <= MEMO_CHARS)
        for raw in one_by_one:
            found = self._match_value(raw)
            if found:
                answers[raw] = found
                if len(raw) <= MEMO_CHARS:
                    self._keep_answer(raw, found)
            elif len(raw) <= MEMO_CHARS:
                clean.append(raw)
        if clean:
            self._keep_clean(clean)

    # -- remembering answers ------------------------------------------------------------------

    def _known(self, raw: str) -> Mapping[int, tuple[str, str]] | None:
        """The remembered answer for a value, or None."""
        if raw in self._clean:
            return _NOTHING
        found = self._answers.get(raw)
        if found is not None:
            return found
        if raw in self._clean_old:
            self._keep_clean([raw])
            return _NOTHING
        return None

    def _keep_clean(self, values: Iterable[str]) -> None:
        """Remember values that match nothing; when the newer generation is full it becomes
        the older one (the older dropped): bounded memory, what recurs stays known."""
        clean = self._clean
        clean.update(values)
        if len(clean) >= CLEAN_SIZE:
            self._clean_old, self._clean = clean, set()

    def _keep_answer(self, raw: str, found: Mapping[int, tuple[str, str]]) -> None:
        answers = self._answers
        if len(answers) >= MEMO_SIZE:
            answers.clear()
        answers[raw] = found

    def match_value(self, raw: str) -> Mapping[int, tuple[str, str]]:
        """Indicator index → (matched part, how) for one field value (read-only answer)."""
        known = self._known(raw)
        if known is not None:
            return known
        found = self._match_value(raw)
        if len(raw) <= MEMO_CHARS:
            if found:
                self._keep_answer(raw, found)
            else:
                self._keep_clean([raw])
        return found or _NOTHING

    def _match_value(self, raw: str) -> dict[int, tuple[str, str]]:
        value = raw[:MAX_FIELD].strip()
        lowered = value.lower()
        found: dict[int, tuple[str, str]] = {}
        exact = self._exact
        for candidate in (value, lowered):
            for index in exact.get(candidate, ()):
                found.setdefault(index, (candidate, "exact"))
        if " " in value:
            if self._quiet(value, lowered):
                return found
            text = value
            if any(mark in value for mark in _DEFANG_MARKS) or any(
                scheme in lowered for scheme in _DEFANG_SCHEMES
            ):
                text = refang(value)
                lowered = text.lower()
            if self._literals:
                self._text(text, lowered, found)
            if self._words_needed:
                self._words(text, found)
            return found
        if "://" in value:
            self._url(value, found)
        elif "@" in value:
            self._domain(value.rsplit("@", 1)[1], found)
        elif value[:1].isdigit() or ":" in value:
            address = self._ip_answer(value)
            if address is None:
                if "." in value:
                    self._domain(value, found)
            else:
                for index, what in address.items():
                    found.setdefault(index, what)
        elif "." in value:
            if "/" in value:
                self._url(value, found)
            else:
                self._domain(value, found)
        return found

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

    def match_batch(self, events: Sequence[Mapping[str, str]]) -> list[tuple[int, Hit]]:
        """``(position in events, hit)`` for a batch, as ``match_event`` on each event, each
        distinct value matched once (events of a batch repeat addresses, hosts, messages)."""
        try:
            values = set(chain.from_iterable(map(_values, events)))
        except TypeError:  # an unhashable value: one event at a time
            return [(i, hit) for i, fields in enumerate(events) for hit in self.match_event(fields)]
        # Set operations, not a loop: most values of a batch were seen before, and most of
        # those matched nothing.
        unknown = values.difference(self._clean)
        if not unknown:
            return []
        again = unknown.intersection(self._clean_old) if self._clean_old else ()
        if again:
            unknown.difference_update(again)
            self._keep_clean(again)
        remembered = self._answers
        answers = {raw: remembered[raw] for raw in remembered.keys() & unknown}
        if answers:
            unknown.difference_update(answers)
        if unknown:
            self._match_new(unknown, answers)
        if not answers:
            return []
        hit_values = set(answers)
        hits: list[tuple[int, Hit]] = []
        # the events holding a value that matched, found in C (most hold none)
        holding = map(not_, map(hit_values.isdisjoint, map(_values, events)))
        for position in compress(count(), holding):
            for name, raw in events[position].items():
                answer = answers.get(raw) if isinstance(raw, str) else None
                if answer:
                    hits.extend(
                        (position, Hit(self.indicators[i], name, matched, how))
                        for i, (matched, how) in answer.items()
                    )
        return hits


def _starts(texts: list[str]) -> list[int]:
    """Where each of ``texts`` starts once joined by one character (and one past the end)."""
    return list(accumulate(map(add, map(len, texts), repeat(1)), initial=0))


def _holding(joined: str, starts: list[int], needles: Iterable[str]) -> set[int]:
    """The positions of the texts joined in ``joined`` (starting at ``starts``) holding one of
    ``needles`` (none holding the joining character): a C search per needle and occurrence."""
    found: set[int] = set()
    for needle in needles:
        if not needle:
            continue
        position = joined.find(needle)
        while position != -1:
            index = bisect_right(starts, position) - 1
            found.add(index)
            position = joined.find(needle, starts[index + 1])
    return found


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


def prose_words(text: str) -> set[str]:
    """The distinct words of ``prose_tokens``, found without a regular expression."""
    words = {token.rstrip(".:") for token in text.translate(_SEPARATORS).split()}
    words.discard("")
    return words


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
        host = ""
        if url:  # the URL's host, as the matcher reads it: an address, or a domain
            host = url.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
            host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
            if address is None and (address := address_of(host)) is not None:
                host = ""
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
