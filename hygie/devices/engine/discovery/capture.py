"""pcap and pcapng readers: bytes in, frames out. The input is hostile: every length is checked
against what remains, a truncated or garbage file raises :class:`CaptureError` naming the
packet or block, and every loop advances by at least one byte-aligned block (no hang)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

from hygie.lib.errors import HygieError

MAX_FRAME = 262_144  # larger than any snap length tcpdump/tshark write
_PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6),
    b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9),
    b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
_PCAPNG_SHB = 0x0A0D0D0A
_BOM = 0x1A2B3C4D


class CaptureError(HygieError, ValueError):
    """A capture file that cannot be read (not pcap/pcapng, truncated, inconsistent)."""


@dataclass(frozen=True, slots=True)
class Frame:
    timestamp: float
    linktype: int
    data: bytes
    length: int  # length on the wire (may exceed len(data) when the capture was snapped)


def capture_format(data: bytes) -> str:
    """``pcap`` or ``pcapng``; :class:`CaptureError` for anything else."""
    if data[:4] in _PCAP_MAGICS:
        return "pcap"
    if len(data) >= 4 and struct.unpack("<I", data[:4])[0] == _PCAPNG_SHB:
        return "pcapng"
    raise CaptureError("not a pcap or pcapng capture (unknown file signature)")


def read_frames(data: bytes) -> Iterator[Frame]:
    """Frames of a pcap or pcapng capture, in file order."""
    if capture_format(data) == "pcap":
        return _read_pcap(data)
    return _read_pcapng(data)


def _read_pcap(data: bytes) -> Iterator[Frame]:
    order, unit = _PCAP_MAGICS[data[:4]]
    if len(data) < 24:
        raise CaptureError("pcap: truncated file header")
    linktype = struct.unpack(order + "I", data[20:24])[0] & 0x0FFFFFFF
    record = struct.Struct(order + "IIII")
    offset, number, size = 24, 0, len(data)
    while offset < size:
        number += 1
        if offset + 16 > size:
            raise CaptureError(f"pcap: packet {number}: truncated record header")
        seconds, fraction, captured, wire = record.unpack_from(data, offset)
        offset += 16
        if captured > MAX_FRAME:
            raise CaptureError(f"pcap: packet {number}: captured length {captured} is too large")
        if offset + captured > size:
            raise CaptureError(f"pcap: packet {number}: truncated packet data")
        yield Frame(seconds + fraction * unit, linktype, data[offset : offset + captured], wire)
        offset += captured


@dataclass
class _Interface:
    linktype: int
    unit: float


def _read_pcapng(data: bytes) -> Iterator[Frame]:
    offset, number, size = 0, 0, len(data)
    order = "<"
    interfaces: list[_Interface] = []
    while offset < size:
        number += 1
        if offset + 12 > size:
            raise CaptureError(f"pcapng: block {number}: truncated block header")
        block_type = struct.unpack_from(order + "I", data, offset)[0]
        if block_type == _PCAPNG_SHB:
            bom = data[offset + 8 : offset + 12]
            if bom == b"\x4d\x3c\x2b\x1a":
                order = "<"
            elif bom == b"\x1a\x2b\x3c\x4d":
                order = ">"
            else:
                raise CaptureError(f"pcapng: block {number}: bad byte-order magic")
            interfaces = []
        length = struct.unpack_from(order + "I", data, offset + 4)[0]
        if length < 12 or length % 4:
            raise CaptureError(f"pcapng: block {number}: invalid block length {length}")
        if offset + length > size:
            raise CaptureError(f"pcapng: block {number}: truncated block")
        if struct.unpack_from(order + "I", data, offset + length - 4)[0] != length:
            raise CaptureError(f"pcapng: block {number}: trailing length does not match")
        body = data[offset + 8 : offset + length - 4]
        offset += length
        if block_type == 1:  # interface description
            if len(body) < 8:
                raise CaptureError(f"pcapng: block {number}: truncated interface description")
            linktype = struct.unpack_from(order + "H", body, 0)[0]
            interfaces.append(_Interface(linktype, _resolution(body[8:], order)))
        elif block_type == 6:  # enhanced packet
            if len(body) < 20:
                raise CaptureError(f"pcapng: block {number}: truncated enhanced packet")
            iface, high, low, captured, wire = struct.unpack_from(order + "IIIII", body, 0)
            if captured > len(body) - 20 or captured > MAX_FRAME:
                raise CaptureError(f"pcapng: block {number}: packet length exceeds its block")
            if iface >= len(interfaces):
                raise CaptureError(f"pcapng: block {number}: unknown interface {iface}")
            info = interfaces[iface]
            stamp = ((high << 32) | low) * info.unit
            yield Frame(stamp, info.linktype, body[20 : 20 + captured], wire)
        elif block_type == 3:  # simple packet: first interface, no timestamp
            if len(body) < 4 or not interfaces:
                raise CaptureError(f"pcapng: block {number}: simple packet without interface")
            wire = struct.unpack_from(order + "I", body, 0)[0]
            captured = min(wire, len(body) - 4, MAX_FRAME)
            yield Frame(0.0, interfaces[0].linktype, body[4 : 4 + captured], wire)
        elif block_type == 2:  # obsolete packet block
            if len(body) < 20:
                raise CaptureError(f"pcapng: block {number}: truncated packet block")
            iface, _drops, high, low, captured, wire = struct.unpack_from(order + "HHIIII", body, 0)
            if captured > len(body) - 20 or iface >= len(interfaces):
                raise CaptureError(f"pcapng: block {number}: inconsistent packet block")
            info = interfaces[iface]
            yield Frame(
                ((high << 32) | low) * info.unit, info.linktype, body[20 : 20 + captured], wire
            )
        # other blocks (name resolution, statistics, custom, decryption secrets) are skipped


def _resolution(options: bytes, order: str) -> float:
    """The interface's timestamp unit from its if_tsresol option (default microseconds)."""
    offset = 0
    while offset + 4 <= len(options):
        code, length = struct.unpack_from(order + "HH", options, offset)
        if code == 0:
            break
        value = options[offset + 4 : offset + 4 + length]
        if code == 9 and length >= 1:
            raw = value[0]
            exponent = raw & 0x7F
            if exponent > 60:
                raise CaptureError("pcapng: unsupported timestamp resolution")
            return float(2.0**-exponent if raw & 0x80 else 10.0**-exponent)
        offset += 4 + length + (-length % 4)
    return 1e-6
