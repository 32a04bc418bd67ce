"""Indicators: types, normalisation and validation, TLP 2.0, provenance and de-duplication."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from urllib.parse import urlsplit, urlunsplit

from hygie.intel.engine.errors import IndicatorError


class IndicatorType(StrEnum):
    IPV4 = "ipv4"
    IPV6 = "ipv6"
    CIDR = "cidr"
    DOMAIN = "domain"
    URL = "url"
    EMAIL = "email"
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"
    FILE_NAME = "file-name"
    JA3 = "ja3"
    JA4 = "ja4"
    USER_AGENT = "user-agent"
    CVE = "cve"


class TLP(StrEnum):
    """Traffic Light Protocol 2.0; TLP 1.0 WHITE reads as CLEAR."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def label(self) -> str:
        return f"TLP:{self.value.upper()}"

    @property
    def rank(self) -> int:
        return _TLP_ORDER.index(self)

    @property
    def tlp1(self) -> str:
        """The TLP 1.0 colour carrying this level (AMBER+STRICT has none closer than AMBER)."""
        return {TLP.CLEAR: "white", TLP.AMBER_STRICT: "amber"}.get(self, self.value)

    @classmethod
    def parse(cls, text: str) -> TLP:
        """``TLP:AMBER+STRICT``, ``tlp:white``, ``amber strict``… (1.0 and 2.0 spellings)."""
        key = text.strip().lower().removeprefix("tlp:").strip().replace(" ", "+")
        key = key.replace("_", "+").replace("-", "+")
        if key == "white":
            return cls.CLEAR
        for tlp in cls:
            if tlp.value == key:
                return tlp
        raise IndicatorError("unknown TLP level")


_TLP_ORDER = (TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED)


def strictest(levels: Iterable[TLP]) -> TLP | None:
    found = list(levels)
    return max(found, key=lambda t: t.rank) if found else None


@dataclass(frozen=True, order=True)
class KillChainRef:
    """A kill-chain phase or an ATT&CK technique/tactic (``T1059.001``, ``TA0001``)."""

    kill_chain: str  # "mitre-attack", "lockheed-martin-cyber-kill-chain"…
    phase: str = ""  # tactic short name, e.g. "execution"
    technique: str = ""  # ATT&CK id, e.g. "T1059.001"
    name: str = ""


@dataclass(frozen=True)
class Provenance:
    """Where an indicator came from: a source (partner, feed, file) and its own view of it."""

    source: str
    reference: str = ""  # id in the source: STIX id, MISP attribute uuid, CSV line…
    first_seen: datetime | None = None
    confidence: int | None = None
    tlp: TLP | None = None
    comment: str = ""


@dataclass(frozen=True)
class Indicator:
    type: IndicatorType
    value: str  # normalised (see ``normalise``)
    tlp: TLP = TLP.AMBER
    confidence: int | None = None  # 0-100, STIX scale
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    description: str = ""
    labels: tuple[str, ...] = ()
    kill_chain: tuple[KillChainRef, ...] = ()
    provenance: tuple[Provenance, ...] = ()
    to_ids: bool = True  # usable for detection (MISP to_ids)

    @property
    def key(self) -> tuple[IndicatorType, str]:
        return (self.type, self.value)

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.source for p in self.provenance))


def make_indicator(type_: IndicatorType | str, value: str, **context: object) -> Indicator:
    """An indicator with its value normalised and validated (``IndicatorError`` otherwise)."""
    kind = IndicatorType(type_)
    confidence = context.get("confidence")
    if confidence is not None and (
        not isinstance(confidence, int)
        or isinstance(confidence, bool)
        or not 0 <= confidence <= 100
    ):
        raise IndicatorError("confidence must be an integer from 0 to 100")
    indicator = Indicator(kind, normalise(kind, value), **context)  # type: ignore[arg-type]
    if (
        indicator.valid_from is not None
        and indicator.valid_until is not None
        and indicator.valid_until <= indicator.valid_from
    ):
        raise IndicatorError("valid_until must be later than valid_from")
    return indicator


# --- normalisation -------------------------------------------------------------------------

_HEX = {
    IndicatorType.MD5: 32,
    IndicatorType.SHA1: 40,
    IndicatorType.SHA256: 64,
    IndicatorType.JA3: 32,
}
_HEX_RE = re.compile(r"[0-9a-f]+")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
_TLD = re.compile(r"(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})")
_JA4 = re.compile(r"[tqd][0-9s]{2}[di][0-9]{4}[a-z0-9]{2}_[0-9a-f]{12}_[0-9a-f]{12}")
_CVE = re.compile(r"CVE-\d{4}-\d{4,}")
_EMAIL_LOCAL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}")
_MAX_VALUE = 4096


def normalise(kind: IndicatorType, value: str) -> str:
    """The canonical form of ``value`` for ``kind``; ``IndicatorError`` when it is not one."""
    text = value.strip()
    if not text:
        raise IndicatorError(f"empty {kind.value} value")
    if len(text) > _MAX_VALUE:
        raise IndicatorError(f"{kind.value} value too long")
    match kind:
        case IndicatorType.IPV4 | IndicatorType.IPV6:
            try:
                address = ipaddress.ip_address(text.strip("[]"))
            except ValueError:
                raise IndicatorError(f"not an {kind.value} address") from None
            if (address.version == 4) != (kind is IndicatorType.IPV4):
                raise IndicatorError(f"not an {kind.value} address")
            return str(address)
        case IndicatorType.CIDR:
            try:
                network = ipaddress.ip_network(text, strict=False)
            except ValueError:
                raise IndicatorError("not a CIDR network") from None
            return str(network)
        case IndicatorType.DOMAIN:
            return normalise_domain(text)
        case IndicatorType.URL:
            return normalise_url(text)
        case IndicatorType.EMAIL:
            local, at, domain = text.rpartition("@")
            if not at or not _EMAIL_LOCAL.fullmatch(local):
                raise IndicatorError("not an e-mail address")
            return f"{local}@{normalise_domain(domain)}"
        case IndicatorType.MD5 | IndicatorType.SHA1 | IndicatorType.SHA256 | IndicatorType.JA3:
            lowered = text.lower()
            if len(lowered) != _HEX[kind] or not _HEX_RE.fullmatch(lowered):
                raise IndicatorError(f"not a {kind.value} hash")
            return lowered
        case IndicatorType.JA4:
            lowered = text.lower()
            if not _JA4.fullmatch(lowered):
                raise IndicatorError("not a JA4 fingerprint")
            return lowered
        case IndicatorType.CVE:
            upper = text.upper()
            if not _CVE.fullmatch(upper):
                raise IndicatorError("not a CVE identifier")
            return upper
        case IndicatorType.FILE_NAME:
            name = re.split(r"[\\/]", text)[-1].strip()  # a path gives its last component
            if not name or "\x00" in name or name in {".", ".."}:
                raise IndicatorError("not a file name")
            return name
        case IndicatorType.USER_AGENT:
            if any(ord(c) < 32 for c in text):
                raise IndicatorError("a user agent has no control characters")
            return " ".join(text.split())
    raise IndicatorError("unsupported indicator type")  # pragma: no cover


def normalise_domain(text: str) -> str:
    host = text.strip().rstrip(".").lower()
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        raise IndicatorError("not a domain name") from None
    labels = host.split(".")
    if (
        len(labels) < 2
        or len(host) > 253
        or not all(_LABEL.fullmatch(label) for label in labels)
        or not _TLD.fullmatch(labels[-1])
    ):
        raise IndicatorError("not a domain name")
    return host


_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}


def normalise_url(text: str) -> str:
    """Lower-case scheme and host, default port and fragment dropped, empty path as ``/``."""
    text = text.strip()
    if "://" not in text and re.match(r"[\w.-]+\.[a-z]{2,63}(?::\d+)?/", text, re.IGNORECASE):
        text = f"http://{text}"  # MISP url attributes often omit the scheme
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise IndicatorError("not a URL") from None
    scheme = parts.scheme.lower()
    host = parts.hostname or ""
    if not scheme or not host or any(c.isspace() for c in text.strip()):
        raise IndicatorError("not a URL")
    try:
        address = ipaddress.ip_address(host)
        host = f"[{address}]" if address.version == 6 else str(address)
    except ValueError:
        host = normalise_domain(host) if "." in host else host.lower()
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def guess_type(value: str) -> IndicatorType | None:
    """The indicator type a refanged value most plausibly is, or None."""
    text = value.strip()
    for kind in (IndicatorType.IPV4, IndicatorType.IPV6, IndicatorType.CIDR):
        try:
            normalise(kind, text)
        except IndicatorError:
            continue
        return kind
    if "://" in text:
        return IndicatorType.URL
    lowered = text.lower()
    if _HEX_RE.fullmatch(lowered):
        return {32: IndicatorType.MD5, 40: IndicatorType.SHA1, 64: IndicatorType.SHA256}.get(
            len(lowered)
        )
    for kind in (IndicatorType.CVE, IndicatorType.JA4, IndicatorType.EMAIL, IndicatorType.DOMAIN):
        try:
            normalise(kind, text)
        except IndicatorError:
            continue
        return kind
    return None


# --- de-duplication ------------------------------------------------------------------------


def merge(first: Indicator, other: Indicator) -> Indicator:
    """One indicator from two views of the same value: provenance kept per source, the strictest
    TLP, the highest confidence, the widest validity window, the union of context."""
    if first.key != other.key:
        raise ValueError("merge needs two indicators of the same type and value")
    provenance = tuple(dict.fromkeys((*first.provenance, *other.provenance)))
    tlp = strictest((first.tlp, other.tlp)) or first.tlp
    confidences = [c for c in (first.confidence, other.confidence) if c is not None]
    starts = [d for d in (first.valid_from, other.valid_from) if d is not None]
    ends = [d for d in (first.valid_until, other.valid_until) if d is not None]
    open_ended = (first.valid_until is None) or (other.valid_until is None)
    return replace(
        first,
        tlp=tlp,
        confidence=max(confidences) if confidences else None,
        valid_from=min(starts) if starts else None,
        valid_until=None if open_ended or not ends else max(ends),
        description=first.description or other.description,
        labels=tuple(dict.fromkeys((*first.labels, *other.labels))),
        kill_chain=tuple(dict.fromkeys((*first.kill_chain, *other.kill_chain))),
        provenance=provenance,
        to_ids=first.to_ids or other.to_ids,
    )


def deduplicate(indicators: Iterable[Indicator]) -> list[Indicator]:
    """Indicators merged by (type, value), in first-seen order."""
    merged: dict[tuple[IndicatorType, str], Indicator] = {}
    for indicator in indicators:
        seen = merged.get(indicator.key)
        merged[indicator.key] = indicator if seen is None else merge(seen, indicator)
    return list(merged.values())


@dataclass
class Collection:
    """Indicators read from inputs, with the problems met (located) on the way."""

    indicators: list[Indicator] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
