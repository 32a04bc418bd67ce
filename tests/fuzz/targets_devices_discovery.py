"""Fuzz targets of the devices passive-discovery engine: pcap/pcapng captures through the whole
analysis (reader, decoders, reassembly, protocol extractors)."""

from __future__ import annotations

from .target import Loaded, Seed, Target, text

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


def _flows() -> Loaded:
    from hygie.devices.engine.segmentation import (
        SegmentationError,
        check,
        parse_netflow_csv,
        parse_policy,
        parse_zeek_conn,
    )

    policy = parse_policy("zones:\n  - {name: lan, networks: [10.0.0.0/8]}\nallow: []\n")

    def parse_and_check(data: bytes) -> object:
        """The same bytes as a policy, a Zeek conn.log and a NetFlow CSV: each parser either
        refuses with a located error or gives flows the checks accept."""
        body = text(data)
        for parse in (parse_zeek_conn, parse_netflow_csv):
            try:
                check(policy, parse(body))
            except SegmentationError:
                pass
        return parse_policy(body)

    return parse_and_check, (SegmentationError,)


def _flow_seeds() -> list[Seed]:
    return [
        (
            "policy",
            b"zones:\n  - {name: a, networks: [10.0.0.0/8]}\nallow:\n  - {from: a, to: '*'}\n",
        ),
        (
            "zeek-tsv",
            b"#separator \\x09\n#fields\tts\tid.orig_h\tid.resp_h\tid.resp_p\tproto\n"
            b"1.0\t10.0.0.1\t8.8.8.8\t53\tudp\n",
        ),
        (
            "zeek-json",
            b'{"ts":1,"id.orig_h":"10.0.0.1","id.resp_h":"8.8.8.8","id.resp_p":53,"proto":"udp"}\n',
        ),
        (
            "nfdump",
            b"ts,te,sa,da,sp,dp,pr,ipkt,ibyt\n2026-01-01 00:00:00,2026-01-01 00:00:01,"
            b"10.0.0.1,8.8.8.8,5000,53,UDP,1,60\n",
        ),
    ]


TARGETS = (
    Target(
        "pcap",
        "discover: pcap/pcapng captures (reader, decoders, TCP reassembly, extractors)",
        _capture,
        _DISCOVERY,
        _capture_seeds,
        max_len=64 * 1024,
    ),
    Target(
        "segmentation",
        "parse_policy / parse_zeek_conn / parse_netflow_csv + check: policies and flow exports",
        _flows,
        ("hygie.devices.engine.segmentation",),
        _flow_seeds,
        max_len=64 * 1024,
    ),
)
