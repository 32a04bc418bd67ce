"""Hand-built frames and capture files for the discovery engine's unit tests and fuzz seeds."""

from __future__ import annotations

import struct


def mac(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def ipv4(text: str) -> bytes:
    return bytes(int(p) for p in text.split("."))


def ethernet(
    src: str, dst: str, payload: bytes, ethertype: int = 0x0800, vlan: int | None = None
) -> bytes:
    tag = struct.pack(">HH", 0x8100, vlan) if vlan is not None else b""
    return mac(dst) + mac(src) + tag + struct.pack(">H", ethertype) + payload


def ip_packet(src: str, dst: str, protocol: int, payload: bytes) -> bytes:
    header = struct.pack(
        ">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0, 64, protocol, 0, ipv4(src), ipv4(dst)
    )
    return header + payload


def ipv6_packet(src: bytes, dst: bytes, protocol: int, payload: bytes) -> bytes:
    return struct.pack(">IHBB", 0x60000000, len(payload), protocol, 64) + src + dst + payload


def tcp(sport: int, dport: int, seq: int, payload: bytes = b"", flags: int = 0x18) -> bytes:
    return struct.pack(">HHIIBBHHH", sport, dport, seq, 0, 5 << 4, flags, 65535, 0, 0) + payload


def udp(sport: int, dport: int, payload: bytes) -> bytes:
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload


def pcap(frames: list[bytes], linktype: int = 1, start: float = 1_700_000_000.0) -> bytes:
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)]
    for index, frame in enumerate(frames):
        stamp = start + index
        out.append(struct.pack("<IIII", int(stamp), 0, len(frame), len(frame)) + frame)
    return b"".join(out)


def _block(kind: int, body: bytes) -> bytes:
    body += b"\0" * (-len(body) % 4)
    length = len(body) + 12
    return struct.pack("<II", kind, length) + body + struct.pack("<I", length)


def pcapng(frames: list[bytes], linktype: int = 1) -> bytes:
    out = [_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))]
    out.append(_block(1, struct.pack("<HHI", linktype, 0, 65535)))
    for index, frame in enumerate(frames):
        stamp = (1_700_000_000 + index) * 1_000_000
        header = struct.pack("<IIIII", 0, stamp >> 32, stamp & 0xFFFFFFFF, len(frame), len(frame))
        out.append(_block(6, header + frame))
    return b"".join(out)


def dhcp(
    client: str, op: int = 1, message: int = 3, yiaddr: str = "0.0.0.0", options: bytes = b""
) -> bytes:
    body = struct.pack(">BBBBIHH", op, 1, 6, 0, 0x1234, 0, 0)
    body += b"\0" * 4 + ipv4(yiaddr) + b"\0" * 8 + mac(client) + b"\0" * 10 + b"\0" * 192
    body += b"\x63\x82\x53\x63" + bytes([53, 1, message]) + options + b"\xff"
    return body


def option(code: int, value: bytes) -> bytes:
    return bytes([code, len(value)]) + value


def associate_rq(calling: str, called: str, uid: str, version: str, syntax: str) -> bytes:
    def item(kind: int, value: bytes) -> bytes:
        return struct.pack(">BBH", kind, 0, len(value)) + value

    context = item(
        0x20, bytes([1, 0, 0, 0]) + item(0x30, syntax.encode()) + item(0x40, b"1.2.840.10008.1.2")
    )
    user = item(
        0x50,
        item(0x51, struct.pack(">I", 16384))
        + item(0x52, uid.encode())
        + item(0x55, version.encode()),
    )
    body = (
        struct.pack(">HH", 1, 0)
        + called.encode().ljust(16)
        + calling.encode().ljust(16)
        + b"\0" * 32
    )
    body += item(0x10, b"1.2.840.10008.3.1.1.1") + context + user
    return struct.pack(">BBI", 1, 0, len(body)) + body


def mqtt_connect(client_id: str, level: int = 4) -> bytes:
    name = b"\x00\x04MQTT"
    variable = name + bytes([level, 0x02]) + struct.pack(">H", 60)
    if level == 5:
        variable += b"\x00"
    payload = struct.pack(">H", len(client_id)) + client_id.encode()
    remaining = len(variable) + len(payload)
    return bytes([0x10, remaining]) + variable + payload


def mdns_response(hostname: str) -> bytes:
    labels = b"".join(bytes([len(p)]) + p.encode() for p in hostname.split(".")) + b"\0"
    header = struct.pack(">HHHHHH", 0, 0x8400, 0, 1, 0, 0)
    return header + labels + struct.pack(">HHIH", 1, 0x8001, 120, 4) + bytes([10, 1, 2, 3])
