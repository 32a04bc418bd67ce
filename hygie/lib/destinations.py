"""Which network addresses Hygie may send to on a user's behalf (alert forwarding targets).

A target's address is typed by a security officer of one establishment, and Hygie connects to it
from the server: without a policy, that officer could reach the server's own services (loopback),
the cloud provider's metadata service (credentials) or probe ports of the host. Denied by default:
loopback and the server's own interface addresses (its eth0 address reaches the same services),
"this host"/unspecified, link-local (which holds most cloud metadata endpoints), multicast and
broadcast, and the metadata addresses outside those ranges. Private ranges
(10/8, 172.16/12, 192.168/16, fc00::/7) stay allowed: hospital SIEMs live there.

An operator lifts the denial for named networks (``forwarding_allowed_networks``), e.g. a syslog
relay on 127.0.0.1. A metadata address is lifted only by an allowed network inside it (listing
169.254.169.254/32 on purpose), never by a broad one such as 169.254.0.0/16.

Pure: no Django, no I/O (the caller resolves names and asks about every address).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_DENIED: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "unspecified"),
    ("::/128", "unspecified"),
    ("127.0.0.0/8", "loopback"),
    ("::1/128", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("fe80::/10", "link-local"),
    ("224.0.0.0/4", "multicast"),
    ("ff00::/8", "multicast"),
    ("255.255.255.255/32", "broadcast"),
)

# Cloud instance metadata services (credentials, user data): AWS, GCP, Azure, OpenStack and
# Oracle use 169.254.169.254; AWS also fd00:ec2::254 (IPv6) and 169.254.170.2 (ECS task
# credentials); Alibaba 100.100.100.200; Azure's wire server 168.63.129.16.
METADATA_NETWORKS: tuple[Network, ...] = tuple(
    ipaddress.ip_network(text)
    for text in (
        "169.254.169.254/32",
        "169.254.170.2/32",
        "fd00:ec2::254/128",
        "100.100.100.200/32",
        "168.63.129.16/32",
    )
)

_DENIED_NETWORKS: tuple[tuple[Network, str], ...] = tuple(
    (ipaddress.ip_network(text), reason) for text, reason in _DENIED
)
# IPv6 forms that carry an IPv4 address a connection may end up at: NAT64, the deprecated
# IPv4-compatible ::/96 (``::127.0.0.1``; :: and ::1 are themselves, not IPv4) and 6to4.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


class NetworkListError(ValueError):
    """An entry of the allow-list is not a network (the message names the entry)."""


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """CIDR networks (``10.1.2.0/24``, ``127.0.0.1``, ``fd12::/64``), strictly checked."""
    networks: list[Network] = []
    for value in values:
        text = value.strip()
        if not text:
            continue
        try:
            networks.append(ipaddress.ip_network(text, strict=True))
        except ValueError as error:
            raise NetworkListError(
                f"{text!r} is not a network in CIDR notation ({error})"
            ) from None
    return tuple(networks)


@dataclass(frozen=True)
class Refusal:
    """Why an address is refused: ``kind`` is one of loopback, link-local, cloud metadata…"""

    address: str
    kind: str


def _embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.sixtofour  # 2002:AABB:CCDD::/48 carries AA.BB.CC.DD, else None


def _contains(network: Network, address: Address) -> bool:
    return network.version == address.version and address in network


def refusal(
    address: str | Address,
    allowed: Sequence[Network] = (),
    own: Collection[Address] = (),
) -> Refusal | None:
    """None if Hygie may connect to ``address``, else why not.

    ``address`` is an IP address (a scope suffix such as ``%eth0`` is ignored); a name must be
    resolved by the caller, and each of its addresses asked about. ``own`` are the server's own
    interface addresses (found by the caller): reaching them is reaching the server's services
    exactly as through loopback, so they are denied as loopback unless allowed.
    """
    text = str(address).split("%", 1)[0]
    try:
        parsed: Address = ipaddress.ip_address(text)
    except ValueError:
        return Refusal(text, "not an IP address")
    candidates = [parsed]
    embedded = _embedded_ipv4(parsed)
    if embedded is not None:
        candidates.append(embedded)
    for candidate in candidates:
        for metadata in METADATA_NETWORKS:
            if _contains(metadata, candidate) and not any(
                net.version == metadata.version
                and net.subnet_of(metadata)  # type: ignore[arg-type]
                and _contains(net, candidate)
                for net in allowed
            ):
                return Refusal(str(parsed), "cloud metadata")
        if any(_contains(net, candidate) for net in allowed):
            continue
        for network, kind in _DENIED_NETWORKS:
            if _contains(network, candidate):
                return Refusal(str(parsed), kind)
        if candidate in own:
            return Refusal(str(parsed), "loopback")
    return None
