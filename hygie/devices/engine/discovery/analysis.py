"""From a capture to candidate devices and observed flows."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from hygie.devices.engine.discovery import protocols
from hygie.devices.engine.discovery.capture import capture_format, read_frames
from hygie.devices.engine.discovery.oui import OuiTable, default_table
from hygie.devices.engine.discovery.packets import TCP, UDP, Packet, decode

_UNSPECIFIED = ".".join("0000")
STREAM_CAP = 262_144  # bytes kept per TCP direction (identification lives at the start)
BUFFER_CAP = 64 * 1_048_576  # all streams together
MAX_STREAMS = 200_000
MAX_HOSTS = 100_000  # distinct source addresses kept (candidates come from them)
MAX_FLOWS = 500_000  # distinct (client, server, port, protocol) tuples kept
PROTOCOL_NAMES = {TCP: "tcp", UDP: "udp", 1: "icmp", 58: "icmpv6"}
WELL_KNOWN = {
    104: "dicom",
    11112: "dicom",
    2575: "hl7",
    1883: "mqtt",
    8883: "mqtt-tls",
    80: "http",
    8080: "http",
    443: "https",
    67: "dhcp",
    68: "dhcp",
    5353: "mdns",
    1900: "ssdp",
    53: "dns",
    22: "ssh",
    3389: "rdp",
    445: "smb",
}
WEIGHTS = {
    "oui": 0.3,
    "vendor": 0.5,
    "dicom.ae_title": 0.3,
    "dicom.implementation_uid": 0.3,
    "dicom.implementation_version": 0.3,
    "dicom.abstract_syntax": 0.05,
    "hl7.sending_application": 0.3,
    "hl7.sending_facility": 0.1,
    "hl7.receiving_application": 0.3,
    "hl7.receiving_facility": 0.1,
    "hl7.message_type": 0.05,
    "hl7.version": 0.05,
    "http.user_agent": 0.2,
    "http.server": 0.25,
    "ssdp.server": 0.3,
    "ssdp.type": 0.1,
    "mdns.hostname": 0.3,
    "mdns.service": 0.1,
    "mqtt.client_id": 0.3,
    "dhcp.hostname": 0.4,
    "dhcp.vendor_class": 0.4,
    "dhcp.fingerprint": 0.2,
}
# hints that describe the RECEIVER of the bytes, not their sender
_ABOUT_RECEIVER = {
    "dicom.called_ae": "dicom.ae_title",
    "hl7.receiving_application": "hl7.receiving_application",
    "hl7.receiving_facility": "hl7.receiving_facility",
}
_RENAMED = {"dicom.calling_ae": "dicom.ae_title", "dicom.responding_ae": "dicom.ae_title"}
_NAME_ORDER = (
    "dhcp.hostname",
    "mdns.hostname",
    "dicom.ae_title",
    "hl7.sending_application",
    "mqtt.client_id",
)


@dataclass(frozen=True)
class Evidence:
    kind: str  # e.g. dicom.ae_title, hl7.sending_application, dhcp.vendor_class, oui
    value: str
    weight: float
    count: int
    first_seen: float
    last_seen: float


@dataclass(frozen=True)
class Candidate:
    key: str  # "ip:10.0.0.5" or "mac:00:11:22:33:44:55"
    ips: tuple[str, ...]
    macs: tuple[str, ...]
    manufacturer: str
    name: str
    confidence: float  # 0..1, 1 - prod(1 - weight) over distinct evidence
    evidence: tuple[Evidence, ...]
    first_seen: float
    last_seen: float


@dataclass(frozen=True)
class Flow:
    src: str  # client (initiator)
    dst: str  # server
    port: int  # server port
    protocol: str  # tcp, udp, icmp, ...
    application: str  # dicom, hl7, mqtt, http, ... or "" when unknown
    bytes: int
    packets: int
    first_seen: float
    last_seen: float


@dataclass(frozen=True)
class DiscoveryResult:
    capture_format: str
    frames: int
    decoded: int
    candidates: tuple[Candidate, ...]
    flows: tuple[Flow, ...]


@dataclass
class _Stream:
    base: int | None = None
    segments: dict[int, bytes] = field(default_factory=dict)
    size: int = 0
    first_seen: float = 0.0
    last_seen: float = 0.0


@dataclass
class _FlowAcc:
    bytes: int = 0
    packets: int = 0
    first_seen: float = 0.0
    last_seen: float = 0.0
    application: str = ""


@dataclass
class _Hints:
    items: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def add(self, kind: str, value: str, stamp: float, count: int = 1) -> None:
        entry = self.items.get((kind, value))
        if entry is None:
            self.items[(kind, value)] = [stamp, stamp, float(count)]
        else:
            entry[0], entry[1] = min(entry[0], stamp), max(entry[1], stamp)
            entry[2] += count


def _zero_or_group(mac: str) -> bool:
    return not mac or mac == "00:00:00:00:00:00" or int(mac[:2], 16) & 1 == 1


@lru_cache(maxsize=131_072)
def _is_host(ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    return not (address.is_multicast or address.is_unspecified or ip == "255.255.255.255")


class Analyzer:
    def __init__(self, oui: OuiTable | None = None) -> None:
        self.oui = oui if oui is not None else default_table()
        self.streams: dict[tuple[str, int, str, int], _Stream] = {}
        self.buffered = 0
        self.orientation: dict[tuple[str, int, str, int, int], tuple[str, str, int]] = {}
        self.flows: dict[tuple[str, str, int, int], _FlowAcc] = {}
        self.ip_hints: dict[str, _Hints] = {}
        self.mac_hints: dict[str, _Hints] = {}
        self.ip_macs: dict[str, set[str]] = {}
        self.mac_ips: dict[str, set[str]] = {}
        self.dhcp_bindings: dict[str, str] = {}
        self.seen: dict[str, list[float]] = {}
        self.frames = 0
        self.decoded = 0

    # --- per packet ------------------------------------------------------------------------

    def feed(self, linktype: int, data: bytes, length: int, stamp: float) -> None:
        self.frames += 1
        packet = decode(linktype, data)
        if packet is None:
            return
        self.decoded += 1
        if _is_host(packet.src) and self._saw(packet.src, stamp):
            if not _zero_or_group(packet.src_mac) and packet.src != _UNSPECIFIED:
                self.ip_macs.setdefault(packet.src, set()).add(packet.src_mac)
                self.mac_ips.setdefault(packet.src_mac, set()).add(packet.src)
        self._flow(packet, length, stamp)
        if packet.protocol == TCP:
            self._tcp(packet, stamp)
        elif packet.protocol == UDP and packet.payload:
            self._udp(packet, stamp)

    def _saw(self, ip: str, stamp: float) -> bool:
        """Record a source address; False once MAX_HOSTS distinct ones are known."""
        span = self.seen.get(ip)
        if span is None:
            if len(self.seen) >= MAX_HOSTS:
                return False
            self.seen[ip] = [stamp, stamp]
        else:
            span[0], span[1] = min(span[0], stamp), max(span[1], stamp)
        return True

    def _flow(self, packet: Packet, length: int, stamp: float) -> None:
        a, b = (packet.src, packet.sport), (packet.dst, packet.dport)
        conn = (*min(a, b), *max(a, b), packet.protocol)
        oriented = self.orientation.get(conn)
        if oriented is None:
            if packet.protocol == TCP and packet.flags & 0x12 == 0x12:  # SYN+ACK from server
                oriented = (packet.dst, packet.src, packet.sport)
            elif packet.protocol == TCP and packet.flags & 0x02:
                oriented = (packet.src, packet.dst, packet.dport)
            elif _server_port(packet.sport, packet.dport):
                oriented = (packet.dst, packet.src, packet.sport)
            else:
                oriented = (packet.src, packet.dst, packet.dport)
            if len(self.orientation) < MAX_STREAMS:
                self.orientation[conn] = oriented
        key = (oriented[0], oriented[1], oriented[2], packet.protocol)
        acc = self.flows.get(key)
        if acc is None:
            if len(self.flows) >= MAX_FLOWS:  # bounded memory on hostile captures
                return
            acc = self.flows[key] = _FlowAcc(first_seen=stamp, last_seen=stamp)
        acc.bytes += length
        acc.packets += 1
        acc.first_seen, acc.last_seen = min(acc.first_seen, stamp), max(acc.last_seen, stamp)

    def _tcp(self, packet: Packet, stamp: float) -> None:
        key = (packet.src, packet.sport, packet.dst, packet.dport)
        stream = self.streams.get(key)
        if stream is None:
            if len(self.streams) >= MAX_STREAMS:
                return
            stream = self.streams[key] = _Stream(first_seen=stamp)
        stream.last_seen = stamp
        if packet.flags & 0x02:  # SYN: data starts at ISN + 1
            stream.base = (packet.seq + 1) & 0xFFFFFFFF
            return
        if not packet.payload or self.buffered >= BUFFER_CAP:
            return
        if stream.base is None:
            stream.base = packet.seq
        relative = (packet.seq - stream.base) & 0xFFFFFFFF
        if relative >= STREAM_CAP or relative in stream.segments:
            return
        piece = packet.payload[: STREAM_CAP - relative]
        stream.segments[relative] = piece
        stream.size += len(piece)
        self.buffered += len(piece)

    def _udp(self, packet: Packet, stamp: float) -> None:
        ports = {packet.sport, packet.dport}
        if ports & {67, 68}:
            mac, assigned, dhcp_hints = protocols.dhcp(packet.payload)
            if mac and not _zero_or_group(mac):
                if assigned:
                    self.dhcp_bindings[mac] = assigned
                for kind, value in dhcp_hints:
                    self.mac_hints.setdefault(mac, _Hints()).add(kind, value, stamp)
            return
        hints: list[protocols.Hint] = []
        if 5353 in ports:
            hints = protocols.mdns(packet.payload)
        elif 1900 in ports:
            hints = protocols.ssdp(packet.payload)
        if hints and _is_host(packet.src):
            for kind, value in hints:
                self.ip_hints.setdefault(packet.src, _Hints()).add(kind, value, stamp)
            self._application(packet, "mdns" if 5353 in ports else "ssdp")

    def _application(self, packet: Packet, name: str) -> None:
        a, b = (packet.src, packet.sport), (packet.dst, packet.dport)
        oriented = self.orientation.get((*min(a, b), *max(a, b), packet.protocol))
        if oriented is not None:
            acc = self.flows.get((oriented[0], oriented[1], oriented[2], packet.protocol))
            if acc is not None and not acc.application:
                acc.application = name

    # --- at the end --------------------------------------------------------------------------

    def _finish_streams(self) -> None:
        extractors: tuple[tuple[str, Callable[[bytes], list[protocols.Hint]]], ...] = (
            ("dicom", protocols.dicom),
            ("hl7", protocols.hl7),
            ("http", protocols.http),
            ("mqtt", protocols.mqtt),
        )
        for (src, sport, dst, dport), stream in self.streams.items():
            if not stream.segments:
                continue
            data = _assemble(stream.segments)
            for name, extract in extractors:
                found = extract(data)
                if not found:
                    continue
                fake = Packet("", "", None, src, dst, TCP, sport, dport, 0, 0, b"")
                self._application(fake, name)
                for kind, value in found:
                    if kind in _ABOUT_RECEIVER:
                        target, kind = dst, _ABOUT_RECEIVER[kind]
                    else:
                        target, kind = src, _RENAMED.get(kind, kind)
                    self.ip_hints.setdefault(target, _Hints()).add(kind, value, stream.first_seen)
            stream.segments = {}

    def result(self, capture: str) -> DiscoveryResult:
        self._finish_streams()
        routers = {mac for mac, ips in self.mac_ips.items() if len(ips) > 4}
        candidates: list[Candidate] = []
        attached: set[str] = set()
        ips = set(self.ip_hints) | {ip for ip in self.seen if _local(ip)}
        ips.update(self.dhcp_bindings.values())
        bound_macs: dict[str, list[str]] = {}
        for mac, bound in self.dhcp_bindings.items():
            bound_macs.setdefault(bound, []).append(mac)
        for ip in sorted(ips, key=_sort_key):
            hints = _Hints(dict(self.ip_hints.get(ip, _Hints()).items))
            macs = sorted(self.ip_macs.get(ip, set()) - routers)
            macs += sorted(m for m in bound_macs.get(ip, ()) if m not in macs)
            for mac in macs:
                attached.add(mac)
                for (kind, value), (first, last, count) in self.mac_hints.get(
                    mac, _Hints()
                ).items.items():
                    hints.add(kind, value, first, int(count))
                    hints.add(kind, value, last, 0)
            span = self.seen.get(ip, [0.0, 0.0])
            candidates.append(self._candidate(f"ip:{ip}", (ip,), tuple(macs), hints, span))
        for mac, mac_hints in sorted(self.mac_hints.items()):
            if mac not in attached:
                stamps = [v[0] for v in mac_hints.items.values()] or [0.0]
                span = [min(stamps), max(v[1] for v in mac_hints.items.values())]
                candidates.append(self._candidate(f"mac:{mac}", (), (mac,), mac_hints, span))
        flows = tuple(
            Flow(
                src,
                dst,
                port,
                PROTOCOL_NAMES.get(proto, str(proto)),
                acc.application or WELL_KNOWN.get(port, ""),
                acc.bytes,
                acc.packets,
                acc.first_seen,
                acc.last_seen,
            )
            for (src, dst, port, proto), acc in sorted(
                self.flows.items(),
                key=lambda item: (_sort_key(item[0][0]), _sort_key(item[0][1]), item[0][2:]),
            )
        )
        return DiscoveryResult(capture, self.frames, self.decoded, tuple(candidates), flows)

    def _candidate(
        self,
        key: str,
        ips: tuple[str, ...],
        macs: tuple[str, ...],
        hints: _Hints,
        span: list[float],
    ) -> Candidate:
        for mac in macs:
            name = self.oui.manufacturer(mac)
            if name:
                hints.add("oui", name, span[0])
        evidence = tuple(
            sorted(
                (
                    Evidence(kind, value, WEIGHTS.get(kind, 0.1), int(count), first, last)
                    for (kind, value), (first, last, count) in hints.items.items()
                ),
                key=lambda e: (-e.weight, e.kind, e.value),
            )
        )
        remaining = 1.0
        for item in evidence:
            remaining *= 1.0 - item.weight
        manufacturer = next((e.value for e in evidence if e.kind == "oui"), "") or next(
            (e.value for e in evidence if e.kind == "vendor"), ""
        )
        name = ""
        for kind in _NAME_ORDER:
            name = next((e.value for e in evidence if e.kind == kind), "")
            if name:
                break
        return Candidate(
            key,
            ips,
            macs,
            manufacturer,
            name,
            round(1.0 - remaining, 2),
            evidence,
            span[0],
            span[1],
        )


def _server_port(sport: int, dport: int) -> bool:
    """Whether the SOURCE port looks like the service side."""
    if sport in WELL_KNOWN and dport not in WELL_KNOWN:
        return True
    if dport in WELL_KNOWN and sport not in WELL_KNOWN:
        return False
    return sport < dport


@lru_cache(maxsize=131_072)
def _local(ip: str) -> bool:
    address = ipaddress.ip_address(ip)
    return (address.is_private or address.is_link_local) and _is_host(ip)


@lru_cache(maxsize=131_072)
def _sort_key(ip: str) -> tuple[int, int]:
    address = ipaddress.ip_address(ip)
    return address.version, int(address)


def _assemble(segments: dict[int, bytes]) -> bytes:
    buffer = bytearray()
    for relative in sorted(segments):
        piece = segments[relative]
        if relative > len(buffer):
            break  # a hole: what follows cannot be trusted in order
        if relative + len(piece) > len(buffer):
            buffer += piece[len(buffer) - relative :]
    return bytes(buffer)


def discover(data: bytes, oui: OuiTable | None = None) -> DiscoveryResult:
    """Analyse a pcap/pcapng capture (bytes). :class:`CaptureError` when it cannot be read."""
    capture = capture_format(data)
    analyzer = Analyzer(oui)
    for frame in read_frames(data):
        analyzer.feed(frame.linktype, frame.data, frame.length, frame.timestamp)
    return analyzer.result(capture)


def result_to_dict(result: DiscoveryResult) -> dict[str, object]:
    """The JSON shape of ``hygie devices discover --format json`` and of the stored results."""
    return {
        "capture_format": result.capture_format,
        "frames": result.frames,
        "decoded": result.decoded,
        "candidates": [
            {
                "key": c.key,
                "ips": list(c.ips),
                "macs": list(c.macs),
                "manufacturer": c.manufacturer,
                "name": c.name,
                "confidence": c.confidence,
                "first_seen": c.first_seen,
                "last_seen": c.last_seen,
                "evidence": [
                    {
                        "kind": e.kind,
                        "value": e.value,
                        "weight": e.weight,
                        "count": e.count,
                        "first_seen": e.first_seen,
                        "last_seen": e.last_seen,
                    }
                    for e in c.evidence
                ],
            }
            for c in result.candidates
        ],
        "flows": [
            {
                "src": f.src,
                "dst": f.dst,
                "port": f.port,
                "protocol": f.protocol,
                "application": f.application,
                "bytes": f.bytes,
                "packets": f.packets,
                "first_seen": f.first_seen,
                "last_seen": f.last_seen,
            }
            for f in result.flows
        ],
    }
