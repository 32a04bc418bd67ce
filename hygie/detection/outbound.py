"""Outbound connections of alert forwarding, held to the destination policy.

Every send resolves the receiver's name once, checks *every* address it resolves to against
``hygie.lib.destinations`` (with the operator's ``forwarding_allowed_networks``), then connects
to those checked addresses only: a name cannot pass the check with one address and be connected
to another (DNS rebinding), and HTTP redirects are never followed. TLS still verifies the
certificate against the configured name.

Failures to reach a receiver (refused, timed out, no route, unknown name, reset) all raise
``Unreachable``, whose message is the same whatever happened, so the "send test" button cannot be
used to map the network's open and closed ports; the cause goes to the server log.
"""

from __future__ import annotations

import contextlib
import fcntl
import http.client
import ipaddress
import socket
import ssl
import struct
import threading
import time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.lib.destinations import Address, Network, Refusal, parse_networks, refusal
from hygie.lib.errors import HygieError

SockAddr = tuple[Any, ...]

# Names that always mean this host, refused without asking DNS (RFC 6761 reserves .localhost).
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}

_KINDS = {
    "unspecified": gettext_lazy("an unspecified address"),
    "loopback": gettext_lazy("this server itself (loopback)"),
    "link-local": gettext_lazy("a link-local address"),
    "multicast": gettext_lazy("a multicast address"),
    "broadcast": gettext_lazy("a broadcast address"),
    "cloud metadata": gettext_lazy("the cloud metadata service"),
    "not an IP address": gettext_lazy("a host that is not an IP address"),
}


class DestinationRefused(HygieError):
    """The address is denied by the destination policy (safe to show: it is the user's input)."""


class Unreachable(HygieError):
    """The receiver could not be reached; the message is deliberately always the same."""

    def __init__(self) -> None:
        super().__init__(unreachable_message())


def unreachable_message() -> str:
    return _("The receiver could not be reached (the server log has the details).")


def allowed_networks() -> tuple[Network, ...]:
    return parse_networks(getattr(settings, "HYGIE_FORWARDING_ALLOWED_NETWORKS", []) or [])


# The server's own interface addresses, looked up again after this many seconds (an interface
# may come up or change address; a check per send would read /proc for every alert).
_OWN_TTL = 30.0
_own_cache: tuple[float, frozenset[Address]] = (0.0, frozenset())
_own_lock = threading.Lock()
_SIOCGIFADDR = 0x8915  # Linux ioctl: an interface's IPv4 address


def own_addresses() -> frozenset[Address]:
    """Every address of this host's interfaces: reaching one is reaching the server itself."""
    global _own_cache
    with _own_lock:
        found_at, cached = _own_cache
        if time.monotonic() - found_at < _OWN_TTL and cached:
            return cached
        addresses = frozenset(_find_own_addresses())
        _own_cache = (time.monotonic(), addresses)
        return addresses


def _find_own_addresses() -> set[Address]:
    # Each source is best effort (another OS, no /proc, a name that does not resolve): together
    # they cover the host name's addresses and every interface's, IPv4 and IPv6.
    texts: set[str] = set()
    with contextlib.suppress(OSError, UnicodeError):
        texts.update(str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None))
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/net/if_inet6", encoding="ascii") as table:
            for line in table:
                raw = line.split()[0] if line.strip() else ""
                if len(raw) == 32:
                    texts.add(":".join(raw[i : i + 4] for i in range(0, 32, 4)))
    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _index, name in socket.if_nameindex():
            with contextlib.suppress(OSError):
                request = struct.pack("256s", name.encode()[:15])
                texts.add(
                    socket.inet_ntoa(fcntl.ioctl(sock.fileno(), _SIOCGIFADDR, request)[20:24])
                )
    addresses: set[Address] = set()
    for text in texts:
        with contextlib.suppress(ValueError):
            addresses.add(ipaddress.ip_address(text.split("%", 1)[0]))
    return addresses


def _judge(address: str) -> Refusal | None:
    return refusal(address, allowed_networks(), own_addresses())


def _refused(found: Refusal) -> DestinationRefused:
    return DestinationRefused(
        _(
            "Hygie does not send alerts to %(kind)s. If an internal receiver really lives there, "
            "the administrator allows its network in forwarding_allowed_networks."
        )
        % {"kind": _KINDS.get(found.kind, found.kind)}
    )


def _is_local_name(host: str) -> bool:
    name = host.lower().rstrip(".")
    return name in _LOCAL_NAMES or name.endswith(".localhost")


def numeric_address(host: str) -> str | None:
    """The IP address a host written as a number stands for, or None for a name.

    Beyond the dotted quad, the C resolver (``getaddrinfo``, hence every send) accepts the
    ``inet_aton`` forms: ``2130706433``, ``127.1``, ``0x7f000001``, ``0177.0.0.1``, ``0``. They
    are judged by the address they mean, so a target cannot be saved with one and refused only
    when sending.
    """
    text = host.strip().strip("[]").split("%", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    if not text or not text.isascii() or any(ch.isspace() for ch in text):
        return None  # glibc's inet_aton ignores what follows a space; getaddrinfo does not
    try:
        return socket.inet_ntoa(socket.inet_aton(text))
    except (OSError, ValueError):
        return None


def literal_refusal(host: str) -> str | None:
    """The refusal message for a host that needs no DNS to judge (an IP address in any form the
    resolver reads, "localhost"), or None. Used when a target is saved; names are checked again
    at every send."""
    host = host.strip().strip("[]")
    if not host:
        return None
    if _is_local_name(host):
        found = _judge("127.0.0.1") or _judge("::1")
        return _refused(found).message if found else None
    address = numeric_address(host)
    if address is None:
        return None
    found = _judge(address)
    return _refused(found).message if found else None


def resolve(host: str, port: int, socktype: int) -> list[tuple[int, SockAddr]]:
    """(family, socket address) of every address of ``host``, all allowed, or an error."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socktype)
    except (OSError, UnicodeError) as error:
        raise _unreachable(error) from None
    addresses: list[tuple[int, SockAddr]] = []
    for family, _type, _proto, _name, sockaddr in infos:
        found = _judge(str(sockaddr[0]))
        if found is not None:
            # One denied address refuses the name: it could be the one used next time.
            raise _refused(found)
        if (family, sockaddr) not in addresses:
            addresses.append((family, sockaddr))
    if not addresses:
        raise Unreachable()
    return addresses


def _unreachable(error: BaseException) -> Unreachable:
    unreachable = Unreachable()
    unreachable.__cause__ = error
    return unreachable


def connect(addresses: list[tuple[int, SockAddr]], timeout: float) -> socket.socket:
    """A TCP connection to the first of the checked addresses that answers."""
    last: OSError | None = None
    for family, sockaddr in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
        except OSError as error:
            sock.close()
            last = error
            continue
        return sock
    raise last or OSError("no address")


class PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the addresses checked beforehand, with the configured name in ``Host``."""

    def __init__(
        self, host: str, port: int, *, addresses: list[tuple[int, SockAddr]], timeout: float
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = connect(self._addresses, float(self.timeout or 5))


class PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked addresses; the certificate is verified against the configured name."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        addresses: list[tuple[int, SockAddr]],
        timeout: float,
        context: ssl.SSLContext,
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._addresses = addresses
        self._tls = context

    def connect(self) -> None:
        raw = connect(self._addresses, float(self.timeout or 5))
        try:
            self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)
        except BaseException:
            raw.close()
            raise
