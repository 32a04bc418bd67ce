"""Click validation that resists mail-security scanners.

Safe Links, Mimecast, Proofpoint and friends open every link of a mail seconds after delivery,
often with HEAD requests, from their own networks and without running JavaScript: counted as
clicks they make a campaign look like a disaster (GoPhish's most reported problem). Here a click
counts as *human* only when the landing page's JavaScript confirmation step ran and nothing
betrays a machine; a request with machine signs is *automated*; anything else is *unconfirmed*.
Both raw and validated funnel figures are computed. Pure: the scanner knowledge base comes in
as text (``scanners.yaml``), loaded through the hardened document loader.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from hygie.lib.documents import DocumentError, Limits, load_yaml

from .errors import AwarenessError

HUMAN = "human"
AUTOMATED = "automated"
UNCONFIRMED = "unconfirmed"

# A person opens a mail, reads it and moves the mouse: under this, the request is a machine's.
FAST_AFTER_DELIVERY_SECONDS = 10.0
# Every link of the mail requested within this span: a scanner walking the links.
BURST_SECONDS = 3.0
_IGNORED_NETWORK_PREFIX = 8  # a scanner range wider than a /8 is a mistake, refused
_SCANNER_LIMITS = Limits(max_bytes=256 * 1024, max_depth=8, max_nodes=20_000)


class Reason(StrEnum):
    """Why a request looks automated (stable codes; the app translates them)."""

    FAST_AFTER_DELIVERY = "fast_after_delivery"
    HEAD_REQUEST = "head_request"
    SCANNER_USER_AGENT = "scanner_user_agent"
    SCANNER_NETWORK = "scanner_network"
    NO_USER_AGENT = "no_user_agent"
    NO_JAVASCRIPT = "no_javascript"
    LINK_BURST = "link_burst"
    PREFETCH_HEADER = "prefetch_header"
    CONFIRMED_IN_BROWSER = "confirmed_in_browser"


@dataclass(frozen=True)
class ScannerPattern:
    name: str
    user_agent: re.Pattern[str] | None = None
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()


@dataclass(frozen=True)
class ScannerKnowledge:
    """User-agent patterns and networks of known mail-security scanners."""

    scanners: tuple[ScannerPattern, ...] = ()

    def match_user_agent(self, user_agent: str) -> str | None:
        for scanner in self.scanners:
            if scanner.user_agent is not None and scanner.user_agent.search(user_agent):
                return scanner.name
        return None

    def match_address(self, address: str) -> str | None:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return None
        for scanner in self.scanners:
            if any(ip.version == net.version and ip in net for net in scanner.networks):
                return scanner.name
        return None


def load_scanner_knowledge(text: str | bytes, source: str = "scanners.yaml") -> ScannerKnowledge:
    """Read a scanner knowledge base (see ``scanners.yaml``); errors are located."""
    try:
        document = load_yaml(text, source, _SCANNER_LIMITS)
    except DocumentError as error:
        raise AwarenessError(error.message, error.location) from None
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("scanners"), list):
        raise AwarenessError("expected a mapping with a 'scanners' list", document.location())
    scanners: list[ScannerPattern] = []
    for index, entry in enumerate(data["scanners"]):
        where = document.location(("scanners", index))
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise AwarenessError("each scanner needs a 'name'", where)
        pattern = entry.get("user_agent")
        compiled = None
        if pattern is not None:
            if not isinstance(pattern, str) or len(pattern) > 200:
                raise AwarenessError("'user_agent' must be a short regular expression", where)
            try:
                compiled = re.compile(pattern, re.IGNORECASE)
            except re.error:
                raise AwarenessError(
                    "'user_agent' is not a valid regular expression", where
                ) from None
        networks = []
        for text_net in entry.get("networks") or []:
            try:
                network = ipaddress.ip_network(str(text_net), strict=False)
            except ValueError:
                raise AwarenessError("a network is not a CIDR range", where) from None
            if network.prefixlen < _IGNORED_NETWORK_PREFIX:
                raise AwarenessError("a network is wider than a /8", where)
            networks.append(network)
        if compiled is None and not networks:
            raise AwarenessError("a scanner needs a 'user_agent' or 'networks'", where)
        scanners.append(ScannerPattern(entry["name"], compiled, tuple(networks)))
    return ScannerKnowledge(tuple(scanners))


@dataclass(frozen=True)
class Interaction:
    """One request on a recipient's tracking link or landing page."""

    at: datetime
    method: str = "GET"
    user_agent: str = ""
    source_ip: str = ""
    link: str = ""  # which link of the mail (several links = a burst is possible)
    js_confirmed: bool = False  # the landing page's script posted its confirmation
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ClickVerdict:
    verdict: str  # human / automated / unconfirmed
    reasons: tuple[Reason, ...] = ()
    scanner: str | None = None  # which known scanner matched, when one did
    seconds_after_delivery: float | None = None  # of the first human-confirmed request
    automated_requests: int = 0


def _machine_signs(
    item: Interaction, delivered_at: datetime | None, knowledge: ScannerKnowledge
) -> tuple[list[Reason], str | None]:
    reasons: list[Reason] = []
    scanner = None
    if delivered_at is not None:
        delay = (item.at - delivered_at).total_seconds()
        if delay < FAST_AFTER_DELIVERY_SECONDS:
            reasons.append(Reason.FAST_AFTER_DELIVERY)
    if item.method.upper() in {"HEAD", "OPTIONS"}:
        reasons.append(Reason.HEAD_REQUEST)
    if not item.user_agent.strip():
        reasons.append(Reason.NO_USER_AGENT)
    else:
        scanner = knowledge.match_user_agent(item.user_agent)
        if scanner:
            reasons.append(Reason.SCANNER_USER_AGENT)
    network = knowledge.match_address(item.source_ip)
    if network:
        reasons.append(Reason.SCANNER_NETWORK)
        scanner = scanner or network
    headers = {k.lower(): v.lower() for k, v in item.headers.items()}
    # Chrome: Sec-Purpose / Purpose: prefetch; Firefox: X-Moz: prefetch; Safari: X-Purpose: preview.
    purpose = " ".join(
        headers.get(name, "") for name in ("purpose", "sec-purpose", "x-purpose", "x-moz")
    )
    if "prefetch" in purpose or "preview" in purpose:
        reasons.append(Reason.PREFETCH_HEADER)
    return reasons, scanner


def classify_clicks(
    interactions: Sequence[Interaction],
    knowledge: ScannerKnowledge,
    delivered_at: datetime | None = None,
    *,
    links_in_mail: int = 1,
) -> ClickVerdict:
    """The verdict for one recipient from all their recorded requests.

    Human: at least one request whose JavaScript confirmation ran and that shows no machine
    sign. Automated: every request shows a machine sign (or none ran JavaScript and all the
    mail's links were hit in a burst). Unconfirmed: clicked, but never proved a browser.
    """
    if not interactions:
        return ClickVerdict(UNCONFIRMED)
    ordered = sorted(interactions, key=lambda i: i.at)
    all_reasons: list[Reason] = []
    scanner: str | None = None
    automated = 0
    for item in ordered:
        reasons, found = _machine_signs(item, delivered_at, knowledge)
        scanner = scanner or found
        if reasons:
            automated += 1
            all_reasons.extend(r for r in reasons if r not in all_reasons)
            continue
        if item.js_confirmed:
            delay = (item.at - delivered_at).total_seconds() if delivered_at else None
            return ClickVerdict(HUMAN, (Reason.CONFIRMED_IN_BROWSER,), scanner, delay, automated)
    if not any(item.js_confirmed for item in ordered):
        all_reasons.append(Reason.NO_JAVASCRIPT)
    links = {item.link for item in ordered if item.link}
    if links_in_mail > 1 and len(links) >= links_in_mail:
        first = min(i.at for i in ordered if i.link)
        last = max(i.at for i in ordered if i.link)
        if (last - first).total_seconds() <= BURST_SECONDS:
            all_reasons.append(Reason.LINK_BURST)
    machine = automated == len(ordered) or Reason.LINK_BURST in all_reasons
    return ClickVerdict(
        AUTOMATED if machine else UNCONFIRMED, tuple(all_reasons), scanner, None, automated
    )


@dataclass(frozen=True)
class Recipient:
    """What happened to one recipient of a campaign."""

    delivered_at: datetime | None = None
    opened: bool = False
    interactions: tuple[Interaction, ...] = ()
    submitted: bool = False
    reported: bool = False
    links_in_mail: int = 1


@dataclass(frozen=True)
class Funnel:
    recipients: int
    delivered: int
    opened: int
    clicked_raw: int  # any request on a link, scanners included (GoPhish's figure)
    clicked_human: int
    clicked_automated: int
    clicked_unconfirmed: int
    submitted_raw: int
    submitted_human: int  # a submission counts only after a human click
    reported: int

    def rate(self, count: int) -> float:
        return round(count / self.delivered, 4) if self.delivered else 0.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def funnel(recipients: Iterable[Recipient], knowledge: ScannerKnowledge) -> Funnel:
    counts = dict.fromkeys(
        ("n", "delivered", "opened", "raw", "human", "auto", "unc", "sub", "subh", "rep"), 0
    )
    for recipient in recipients:
        counts["n"] += 1
        counts["delivered"] += recipient.delivered_at is not None
        counts["opened"] += recipient.opened
        counts["rep"] += recipient.reported
        verdict = None
        if recipient.interactions:
            counts["raw"] += 1
            verdict = classify_clicks(
                recipient.interactions,
                knowledge,
                recipient.delivered_at,
                links_in_mail=recipient.links_in_mail,
            ).verdict
            key = {HUMAN: "human", AUTOMATED: "auto", UNCONFIRMED: "unc"}[verdict]
            counts[key] += 1
        counts["sub"] += recipient.submitted
        counts["subh"] += recipient.submitted and verdict == HUMAN
    return Funnel(
        recipients=counts["n"],
        delivered=counts["delivered"],
        opened=counts["opened"],
        clicked_raw=counts["raw"],
        clicked_human=counts["human"],
        clicked_automated=counts["auto"],
        clicked_unconfirmed=counts["unc"],
        submitted_raw=counts["sub"],
        submitted_human=counts["subh"],
        reported=counts["rep"],
    )
