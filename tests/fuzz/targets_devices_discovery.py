"""Fuzz targets of the devices passive-discovery engine: pcap/pcapng captures through the whole
analysis (reader, decoders, reassembly, protocol extractors)."""

from __future__ import annotations

from .target import Loaded, Seed, Target

_DISCOVERY = ("hygie.devices.engine.discovery",)


def _capture() -> Loaded:
    from hygie.devices.engine.discovery import CaptureError, discover

    return discover, (CaptureError,)


def _capture_seeds() -> list[Seed]:
    from tests.engines.devices.discovery import builders as b

    pump, server = "00:09:02:aa:bb:cc", "02:00:00:00:00:01"

    def tcp(dport: int, payload: bytes) -> bytes:
        segment = b.tcp(40000, dport, 1, payload)
        return b.ethernet(pump, server, b.ip_packet("10.0.0.5", "10.0.0.9", 6, segment), vlan=5)

    dhcp = b.dhcp(pump, message=1, options=b.option(12, b"PUMP") + b.option(55, b"\x01\x03"))
    frames = [
        tcp(104, b.associate_rq("A", "B", "1.2.3", "V1", "1.2.840.10008.1.1")),
        tcp(2575, b"\x0bMSH|^~\\&|A|B|C|D|x||ADT^A01|1|P|2.5\r\x1c\r"),
        tcp(1883, b.mqtt_connect("pump")),
        tcp(80, b"GET / HTTP/1.1\r\nUser-Agent: x\r\n\r\n"),
        b.ethernet(
            pump, server, b.ip_packet("0.0.0.0", "255.255.255.255", 17, b.udp(68, 67, dhcp))
        ),
        b.ethernet(
            pump,
            server,
            b.ip_packet(
                "10.0.0.5", "224.0.0.251", 17, b.udp(5353, 5353, b.mdns_response("a.local"))
            ),
        ),
    ]
    return [("pcap-mixed", b.pcap(frames)), ("pcapng-mixed", b.pcapng(frames))]


TARGETS = (
    Target(
        "pcap",
        "discover: pcap/pcapng captures (reader, decoders, TCP reassembly, extractors)",
        _capture,
        _DISCOVERY,
        _capture_seeds,
        max_len=64 * 1024,
    ),
)
