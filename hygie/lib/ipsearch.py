"""What the global search box holds when it looks like an IP address: an exact address or a prefix
("10.45.", "10.45", "10.45.0.0/16", "fe80:"). Pure; each module's search provider filters with
``text`` (exact) or ``sql_prefix`` (``startswith``) and may check a value with ``matches``."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

_V4_PREFIX = re.compile(r"^\d{1,3}(\.\d{1,3}){1,3}\.?$")
_V6_PREFIX = re.compile(r"^[0-9a-f]{1,4}(:[0-9a-f]{0,4}){1,7}:?$")


@dataclass(frozen=True)
class IpQuery:
    """``exact``: one address (normalised); else a prefix ending on a whole IPv4 octet
    ("10.45.") or an IPv6 prefix ("fe80:")."""

    text: str
    exact: bool = False

    @property
    def sql_prefix(self) -> str:
        """What every matching stored address starts with (for ``startswith`` lookups)."""
        return self.text

    def matches(self, value: object) -> bool:
        text = str(value).strip().lower()
        return text == self.text if self.exact else text.startswith(self.text)


def ip_query(text: str) -> IpQuery | None:
    """The IP search ``text`` stands for, or None when it is not address-shaped (a host name,
    a word, a number alone). A network on an octet boundary (10.45.0.0/16) is its prefix."""
    text = text.strip().lower()
    if not text or " " in text or len(text) > 64:
        return None
    try:
        return IpQuery(str(ipaddress.ip_address(text)), exact=True)
    except ValueError:
        pass
    if "/" in text:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return None
        if network.prefixlen == network.max_prefixlen:
            return IpQuery(str(network.network_address), exact=True)
        if network.version == 4 and network.prefixlen in (8, 16, 24):
            octets = str(network.network_address).split(".")[: network.prefixlen // 8]
            return IpQuery(".".join(octets) + ".")
        return None
    if _V4_PREFIX.match(text):
        octets = text.rstrip(".").split(".")
        if all(int(octet) <= 255 for octet in octets):
            # "10.45" means 10.45.x.x, not 10.450: a prefix ends on a whole octet.
            return IpQuery(".".join(octets) + ".")
        return None
    if ":" in text and _V6_PREFIX.match(text):
        return IpQuery(text)
    return None
