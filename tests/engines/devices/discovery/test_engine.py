"""The discovery engine on hand-built frames: every protocol, the reader's refusals."""

from __future__ import annotations

import pytest

from hygie.devices.engine.discovery import CaptureError, OuiTable, discover, read_frames
from hygie.devices.engine.discovery.oui import default_table

from . import builders as b

PUMP_MAC = "00:09:02:aa:bb:cc"  # an IEEE-assigned OUI
SERVER_MAC = "02:00:00:00:00:01"  # locally administered


def _evidence(result: object, key: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for candidate in result.candidates:  # type: ignore[attr-defined]
        if candidate.key == key:
            for item in candidate.evidence:
                found.setdefault(item.kind, set()).add(item.value)
    return found


def _tcp_frames(
    src: str,
    dst: str,
    sport: int,
    dport: int,
    payload: bytes,
    *,
    split: int = 0,
    vlan: int | None = None,
    src_mac: str = PUMP_MAC,
) -> list[bytes]:
    syn = b.ethernet(
        src_mac,
        SERVER_MAC,
        b.ip_packet(src, dst, 6, b.tcp(sport, dport, 999, flags=0x02)),
        vlan=vlan,
    )
    if split:
        first = b.tcp(sport, dport, 1000, payload[:split])
        second = b.tcp(sport, dport, 1000 + split, payload[split:])
        pieces = [second, first]  # out of order on the wire
    else:
        pieces = [b.tcp(sport, dport, 1000, payload)]
    return [syn] + [
        b.ethernet(src_mac, SERVER_MAC, b.ip_packet(src, dst, 6, p), vlan=vlan) for p in pieces
    ]


def test_dicom_hl7_mqtt_http_with_reassembly_and_vlan() -> None:
    rq = b.associate_rq(
        "PUMP-AE", "PACS-AE", "1.2.840.113619.6.1", "GE_TEST_1", "1.2.840.10008.1.1"
    )
    hl7 = b"\x0bMSH|^~\\&|PUMPAPP|WARD-3|EHR|HOSP|20260101||ORU^R01|1|P|2.5\rPID|1||X\r\x1c\r"
    frames = _tcp_frames("10.0.0.5", "10.0.0.9", 40001, 104, rq, split=30, vlan=12)
    frames += _tcp_frames("10.0.0.5", "10.0.0.9", 40002, 2575, hl7, split=10)
    frames += _tcp_frames("10.0.0.5", "10.0.0.9", 40003, 1883, b.mqtt_connect("pump-17", level=5))
    frames += _tcp_frames(
        "10.0.0.5", "10.0.0.9", 40004, 80, b"GET / HTTP/1.1\r\nUser-Agent: PumpOS/4\r\n\r\n"
    )
    result = discover(b.pcap(frames))
    pump = _evidence(result, "ip:10.0.0.5")
    assert pump["dicom.ae_title"] == {"PUMP-AE"}
    assert pump["dicom.implementation_uid"] == {"1.2.840.113619.6.1"}
    assert pump["dicom.implementation_version"] == {"GE_TEST_1"}
    assert pump["vendor"] == {"GE Healthcare"}
    assert pump["hl7.sending_application"] == {"PUMPAPP"}
    assert pump["hl7.sending_facility"] == {"WARD-3"}
    assert pump["mqtt.client_id"] == {"pump-17"}
    assert pump["http.user_agent"] == {"PumpOS/4"}
    assert pump["oui"] == {default_table().manufacturer(PUMP_MAC)} != {""}
    server = _evidence(result, "ip:10.0.0.9")
    assert server["dicom.ae_title"] == {"PACS-AE"}
    assert server["hl7.receiving_application"] == {"EHR"}
    flows = {(f.src, f.dst, f.port, f.protocol, f.application) for f in result.flows}
    assert ("10.0.0.5", "10.0.0.9", 104, "tcp", "dicom") in flows
    assert ("10.0.0.5", "10.0.0.9", 2575, "tcp", "hl7") in flows
    assert ("10.0.0.5", "10.0.0.9", 1883, "tcp", "mqtt") in flows
    pump_candidate = next(c for c in result.candidates if c.key == "ip:10.0.0.5")
    assert pump_candidate.macs == (PUMP_MAC,)
    assert pump_candidate.name == "PUMP-AE" and 0.9 < pump_candidate.confidence <= 1.0


def test_hl7_patient_segments_never_kept() -> None:
    hl7 = b"\x0bMSH|^~\\&|A|B|C|D|x||ADT^A01|1|P|2.5\rPID|1||SECRET-ID||DOE^JOHN\r\x1c\r"
    result = discover(b.pcap(_tcp_frames("10.0.0.5", "10.0.0.9", 40002, 2575, hl7)))
    values = " ".join(e.value for c in result.candidates for e in c.evidence)
    assert "SECRET" not in values and "DOE" not in values


def test_dhcp_binds_mac_to_ip_and_keeps_fingerprint() -> None:
    discover_msg = b.dhcp(
        PUMP_MAC,
        message=1,
        options=b.option(12, b"PUMP-0042")
        + b.option(60, b"BBraun-SpaceCom")
        + b.option(55, bytes([1, 3, 6, 15])),
    )
    ack = b.dhcp(PUMP_MAC, op=2, message=5, yiaddr="10.0.0.42")
    frames = [
        b.ethernet(
            PUMP_MAC,
            "ff:ff:ff:ff:ff:ff",
            b.ip_packet("0.0.0.0", "255.255.255.255", 17, b.udp(68, 67, discover_msg)),
        ),
        b.ethernet(
            SERVER_MAC, PUMP_MAC, b.ip_packet("10.0.0.1", "10.0.0.42", 17, b.udp(67, 68, ack))
        ),
    ]
    result = discover(b.pcap(frames))
    pump = _evidence(result, "ip:10.0.0.42")
    assert pump["dhcp.hostname"] == {"PUMP-0042"}
    assert pump["dhcp.vendor_class"] == {"BBraun-SpaceCom"}
    assert pump["dhcp.fingerprint"] == {"1,3,6,15"}
    candidate = next(c for c in result.candidates if c.key == "ip:10.0.0.42")
    assert candidate.macs == (PUMP_MAC,) and candidate.name == "PUMP-0042"


def test_dhcp_without_binding_is_a_mac_candidate() -> None:
    msg = b.dhcp(PUMP_MAC, message=1, options=b.option(12, b"MONITOR-7"))
    frame = b.ethernet(
        PUMP_MAC,
        "ff:ff:ff:ff:ff:ff",
        b.ip_packet("0.0.0.0", "255.255.255.255", 17, b.udp(68, 67, msg)),
    )
    result = discover(b.pcapng([frame]))
    assert _evidence(result, f"mac:{PUMP_MAC}")["dhcp.hostname"] == {"MONITOR-7"}


def test_mdns_over_ipv6_and_ssdp() -> None:
    src6 = bytes.fromhex("fe800000000000000000000000000005")
    dst6 = bytes.fromhex("ff0200000000000000000000000000fb")
    mdns = b.ethernet(
        PUMP_MAC,
        "33:33:00:00:00:fb",
        b.ipv6_packet(src6, dst6, 17, b.udp(5353, 5353, b.mdns_response("monitor-7.local"))),
        ethertype=0x86DD,
    )
    notify = (
        b"NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nNT: upnp:rootdevice\r\n"
        b"SERVER: Linux/4 UPnP/1.0 Monitor/2\r\n\r\n"
    )
    ssdp = b.ethernet(
        PUMP_MAC,
        "01:00:5e:7f:ff:fa",
        b.ip_packet("10.0.0.7", "239.255.255.250", 17, b.udp(1900, 1900, notify)),
    )
    result = discover(b.pcap([mdns, ssdp]))
    assert _evidence(result, "ip:fe80::5")["mdns.hostname"] == {"monitor-7.local"}
    assert _evidence(result, "ip:10.0.0.7")["ssdp.server"] == {"Linux/4 UPnP/1.0 Monitor/2"}


def test_oui_table() -> None:
    table = OuiTable("00000C\tCisco Systems, Inc\n")
    assert table.manufacturer("00-00-0c-12-34-56") == "Cisco Systems, Inc"
    assert table.manufacturer("02:00:0c:12:34:56") == ""  # locally administered
    assert table.manufacturer("zz") == ""
    assert len(default_table()) > 25_000


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "not a pcap"),
        (b"garbage" * 10, "not a pcap"),
        (b"\xd4\xc3\xb2\xa1" + b"\0" * 10, "truncated file header"),
        (b.pcap([b"x" * 60])[:-5], "packet 1: truncated packet data"),
        (b.pcap([b"x" * 60])[:30], "packet 1: truncated record header"),
        (b.pcapng([b"x" * 60])[:-8], "truncated block"),
        (b.pcapng([])[:-4] + b"\0\0\0\0", "trailing length"),
    ],
)
def test_unreadable_captures_raise_a_located_error(data: bytes, message: str) -> None:
    with pytest.raises(CaptureError, match=message):
        discover(data)


def test_huge_record_length_is_refused_without_allocation() -> None:
    data = b.pcap([])
    data += (1).to_bytes(4, "little") * 2 + (2**31).to_bytes(4, "little") * 2
    with pytest.raises(CaptureError, match="too large"):
        list(read_frames(data))


def test_undecodable_frames_are_counted_not_fatal() -> None:
    result = discover(
        b.pcap([b"\x00" * 5, b"\xff" * 100, b.ethernet(PUMP_MAC, SERVER_MAC, b"\x45")])
    )
    assert result.frames == 3 and result.decoded == 0 and not result.flows


def test_hosts_and_flows_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from hygie.devices.engine.discovery import analysis

    monkeypatch.setattr(analysis, "MAX_HOSTS", 3)
    monkeypatch.setattr(analysis, "MAX_FLOWS", 2)
    frames = [
        b.ethernet(
            PUMP_MAC, SERVER_MAC, b.ip_packet(f"10.0.0.{n}", "10.0.1.1", 17, b.udp(5000, 53, b"q"))
        )
        for n in range(1, 10)
    ]
    result = discover(b.pcap(frames))
    assert len(result.candidates) == 3 and len(result.flows) == 2 and result.frames == 9
