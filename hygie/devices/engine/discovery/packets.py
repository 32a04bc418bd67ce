"""Link, network and transport decoding (Ethernet with 802.1Q/QinQ tags, Linux cooked
captures, BSD loopback, raw IP; IPv4, IPv6 with extension headers; TCP, UDP). A frame that
does not decode is counted and skipped: never an exception."""

from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass

TCP, UDP = 6, 17
_ETH, _NULL, _RAW, _RAW2, _LOOP, _SLL, _SLL2, _IPV4, _IPV6 = 1, 0, 101, 12, 108, 113, 276, 228, 229
_VLAN_TYPES = {0x8100, 0x88A8, 0x9100}
_IPV6_EXTENSIONS = {0, 43, 60, 51}  # hop-by-hop, routing, destination options, AH


@dataclass(frozen=True, slots=True)
class Packet:
    src_mac: str
    dst_mac: str
    vlan: int | None
    src: str
    dst: str
    protocol: int  # IP protocol number
    sport: int
    dport: int
    flags: int  # TCP flags (0 for UDP)
    seq: int
    payload: bytes


def mac_text(raw: bytes) -> str:
    return raw.hex(":")


def decode(linktype: int, frame: bytes) -> Packet | None:
    src_mac = dst_mac = ""
    vlan: int | None = None
    if linktype == _ETH:
        if len(frame) < 14:
            return None
        dst_mac, src_mac = mac_text(frame[0:6]), mac_text(frame[6:12])
        ethertype = struct.unpack_from(">H", frame, 12)[0]
        offset = 14
        while ethertype in _VLAN_TYPES:
            if len(frame) < offset + 4:
                return None
            tci, ethertype = struct.unpack_from(">HH", frame, offset)
            vlan = tci & 0x0FFF if vlan is None else vlan
            offset += 4
        body = frame[offset:]
    elif linktype in (_NULL, _LOOP):
        if len(frame) < 4:
            return None
        family = frame[3] or frame[0]
        body = frame[4:]
        ethertype = 0x0800 if family == 2 else 0x86DD if family in (10, 24, 28, 30) else 0
    elif linktype in (_RAW, _RAW2, _IPV4, _IPV6):
        body = frame
        ethertype = 0x0800 if frame[:1] and frame[0] >> 4 == 4 else 0x86DD
    elif linktype == _SLL:
        if len(frame) < 16:
            return None
        if struct.unpack_from(">H", frame, 4)[0] == 6:
            src_mac = mac_text(frame[6:12])
        ethertype = struct.unpack_from(">H", frame, 14)[0]
        body = frame[16:]
    elif linktype == _SLL2:
        if len(frame) < 20:
            return None
        ethertype = struct.unpack_from(">H", frame, 0)[0]
        if frame[11] == 6:
            src_mac = mac_text(frame[12:18])
        body = frame[20:]
    else:
        return None
    if ethertype == 0x0800:
        return _ipv4(body, src_mac, dst_mac, vlan)
    if ethertype == 0x86DD:
        return _ipv6(body, src_mac, dst_mac, vlan)
    return None


def _ipv4(body: bytes, src_mac: str, dst_mac: str, vlan: int | None) -> Packet | None:
    if len(body) < 20 or body[0] >> 4 != 4:
        return None
    header = (body[0] & 0x0F) * 4
    total = struct.unpack_from(">H", body, 2)[0]
    if header < 20 or total < header or len(body) < header:
        return None
    fragment = struct.unpack_from(">H", body, 6)[0]
    if fragment & 0x1FFF:  # not the first fragment: no transport header
        return None
    src = "%d.%d.%d.%d" % tuple(body[12:16])  # noqa: UP031 (fastest formatting)
    dst = "%d.%d.%d.%d" % tuple(body[16:20])  # noqa: UP031
    return _transport(
        body[9], body[header : min(total, len(body))], src, dst, src_mac, dst_mac, vlan
    )


def _ipv6(body: bytes, src_mac: str, dst_mac: str, vlan: int | None) -> Packet | None:
    if len(body) < 40 or body[0] >> 4 != 6:
        return None
    length = struct.unpack_from(">H", body, 4)[0]
    following = body[6]
    src = str(ipaddress.IPv6Address(body[8:24]))
    dst = str(ipaddress.IPv6Address(body[24:40]))
    rest = body[40 : 40 + length] if length else body[40:]
    for _ in range(8):  # bounded walk over extension headers
        if following in _IPV6_EXTENSIONS:
            if len(rest) < 8:
                return None
            size = (rest[1] + 2) * 4 if following == 51 else (rest[1] + 1) * 8
            following, rest = rest[0], rest[size:]
        elif following == 44:  # fragment: only the first one carries the transport header
            if len(rest) < 8 or struct.unpack_from(">H", rest, 2)[0] & 0xFFF8:
                return None
            following, rest = rest[0], rest[8:]
        else:
            break
    return _transport(following, rest, src, dst, src_mac, dst_mac, vlan)


def _transport(
    protocol: int, data: bytes, src: str, dst: str, src_mac: str, dst_mac: str, vlan: int | None
) -> Packet:
    if protocol == TCP and len(data) >= 20:
        sport, dport, seq = struct.unpack_from(">HHI", data, 0)
        offset = (data[12] >> 4) * 4
        if offset >= 20:
            flags = data[13]
            payload = data[offset:]
            return Packet(src_mac, dst_mac, vlan, src, dst, TCP, sport, dport, flags, seq, payload)
    if protocol == UDP and len(data) >= 8:
        sport, dport, length = struct.unpack_from(">HHH", data, 0)
        payload = data[8:length] if length >= 8 else data[8:]
        return Packet(src_mac, dst_mac, vlan, src, dst, UDP, sport, dport, 0, 0, payload)
    return Packet(src_mac, dst_mac, vlan, src, dst, protocol, 0, 0, 0, 0, b"")
