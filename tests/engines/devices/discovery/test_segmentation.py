"""Segmentation policy, flow exports (nfdump CSV, IPFIX names, Zeek conn.log TSV and JSON)
and the checks."""

from __future__ import annotations

import pytest

from hygie.devices.engine.segmentation import (
    ObservedFlow,
    SegmentationError,
    check,
    parse_netflow_csv,
    parse_policy,
    parse_zeek_conn,
    policy_to_dict,
)

POLICY = """
zones:
  - name: biomed
    networks: [10.20.0.0/16]
    description: Pumps and monitors
  - name: pumps-icu
    networks: [10.20.5.0/24]
  - name: pacs
    networks: [10.30.0.0/24, "fd00:30::/64"]
allow:
  - {from: biomed, to: pacs, ports: [104, 11112], protocol: tcp, description: DICOM}
  - {from: pumps-icu, to: pacs, ports: [104], protocol: tcp}
  - {from: "*", to: unzoned, ports: [53], protocol: udp}
"""


def test_policy_zones_longest_prefix_and_builtins() -> None:
    policy = parse_policy(POLICY)
    assert policy.zone_of("10.20.5.9") == "pumps-icu"
    assert policy.zone_of("10.20.1.1") == "biomed"
    assert policy.zone_of("fd00:30::5") == "pacs"
    assert policy.zone_of("192.168.1.1") == "unzoned"
    assert policy.zone_of("8.8.8.8") == "internet"
    again = parse_policy(__import__("json").dumps(policy_to_dict(policy)))
    assert again.zones == policy.zones and again.rules == policy.rules


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("zones: 3", "'zones' must be a list", 1),
        ("zones:\n  - name: A\n    networks: [10.0.0.0/8]", "zone name", 2),
        ("zones:\n  - name: a\n    networks: [10.0.0.300/8]", "not a network", 3),
        ("allow:\n  - {from: nowhere, to: internet}", "must name a zone", 2),
        ("allow:\n  - {from: internet, to: internet, ports: [70000]}", "port numbers", 2),
        ("allow:\n  - {from: internet, to: internet, protocol: sctp}", "'protocol'", 2),
        ("zones: []\nextra: 1", "unknown key", 2),
        ("a: &x 1\nb: *x", "(?i)alias|anchor", 1),
    ],
)
def test_policy_errors_are_located(text: str, message: str, line: int) -> None:
    with pytest.raises(SegmentationError, match=message) as caught:
        parse_policy(text, "p.yaml")
    assert caught.value.location is not None and caught.value.location.line == line


def test_check_dedups_per_tuple_and_explains() -> None:
    policy = parse_policy(POLICY)
    flows = [
        ObservedFlow("10.20.1.5", "10.30.0.2", 104, "tcp", 100, 2, 10.0, 20.0),
        ObservedFlow("10.20.1.5", "93.184.216.34", 443, "tcp", 500, 5, 30.0, 40.0),
        ObservedFlow("10.20.1.5", "93.184.216.34", 443, "tcp", 700, 7, 5.0, 50.0),
        ObservedFlow("10.20.5.5", "10.30.0.2", 11112, "tcp", 1, 1, 1.0, 1.0),
        ObservedFlow("10.20.5.5", "192.168.0.53", 53, "udp", 1, 1, 1.0, 1.0),
    ]
    violations = check(policy, flows)
    assert [(v.src, v.dst, v.port) for v in violations] == [
        ("10.20.1.5", "93.184.216.34", 443),
        ("10.20.5.5", "10.30.0.2", 11112),  # the ICU zone only allows 104
    ]
    internet = violations[0]
    assert (internet.bytes, internet.packets, internet.flows) == (1200, 12, 2)
    assert (internet.first_seen, internet.last_seen) == (5.0, 50.0)
    assert internet.src_zone == "biomed" and internet.dst_zone == "internet"
    assert "biomed -> internet on tcp/443" in internet.why
    assert internet.key == "10.20.1.5|93.184.216.34|443|tcp"


NFDUMP = (
    "ts,te,td,sa,da,sp,dp,pr,flg,fwd,stos,ipkt,ibyt,opkt,obyt,in,out,sas,das,smk,dmk,"
    "dtos,dir,nh,nhb,svln,dvln,ismc,odmc,idmc,osmc,mpls1,mpls2,mpls3,mpls4,mpls5,mpls"
    "6,mpls7,mpls8,mpls9,mpls10,cl,sl,al,ra,eng,exid,tr\n"
    "2026-11-02 10:00:01,2026-11-02 10:00:05,4.000,10.20.1.5,93.184.216.34,51000,443,"
    "TCP,.AP.SF,0,0,12,3400,0,0,1,2,0,0,24,24,0,0,0.0.0.0,0.0.0.0,0,0,00:00:00:00:00:"
    "00,00:00:00:00:00:00,00:00:00:00:00:00,00:00:00:00:00:00,0-0-0,0-0-0,0-0-0,0-0-0"
    ",0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0-0-0,0.000,0.000,0.000,0.0.0.0,0/0,1,1970-01-01 "
    "00:00:00.000\n"
    "Summary\n"
    "flows,bytes,packets,avg_bps,avg_pps,avg_bpp\n"
    "1,3400,12,6800,3,283\n"
)


def test_nfdump_csv() -> None:
    flows = parse_netflow_csv(NFDUMP)
    assert flows == [
        ObservedFlow("10.20.1.5", "93.184.216.34", 443, "tcp", 3400, 12, 1793613601.0, 1793613605.0)
    ]


def test_ipfix_named_columns_and_errors() -> None:
    text = (
        "sourceIPv4Address,destinationIPv4Address,destinationTransportPort,protocolIdentifier,"
        "octetDeltaCount,packetDeltaCount,flowStartMilliseconds,flowEndMilliseconds\n"
        "10.20.1.5,10.30.0.2,104,6,100,2,1793613601000,1793613602000\n"
    )
    assert parse_netflow_csv(text)[0].protocol == "tcp"
    assert parse_netflow_csv(text)[0].first_seen == 1793613601.0
    with pytest.raises(SegmentationError, match="no column for"):
        parse_netflow_csv("a,b\n1,2\n")
    with pytest.raises(SegmentationError, match="not an IP address") as caught:
        parse_netflow_csv(text.replace("10.30.0.2", "secret-host"))
    assert caught.value.location is not None and caught.value.location.line == 2
    assert "secret" not in str(caught.value)


ZEEK_TSV = """#separator \\x09
#set_separator\t,
#path\tconn
#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents
#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]
1793613601.5\tCx1\t10.20.1.5\t51000\t93.184.216.34\t443\ttcp\tssl\t2.5\t100\t200\tSF\tT\tF\t0\tShADadFf\t6\t420\t5\t460\t-
1793613601.5\tCx2\t10.20.1.5\t51001\t10.30.0.2\t104\ttcp\t-\t-\t-\t-\tS0\tT\tT\t0\tS\t1\t60\t0\t0\t-
"""


def test_zeek_conn_tsv_and_json() -> None:
    flows = parse_zeek_conn(ZEEK_TSV)
    assert flows[0] == ObservedFlow(
        "10.20.1.5", "93.184.216.34", 443, "tcp", 880, 11, 1793613601.5, 1793613604.0
    )
    assert flows[1].last_seen == flows[1].first_seen
    json_lines = (
        '{"ts":1793613601.5,"uid":"C1","id.orig_h":"10.20.1.5","id.orig_p":51000,'
        '"id.resp_h":"93.184.216.34","id.resp_p":443,"proto":"tcp","duration":2.5,'
        '"orig_pkts":6,"orig_ip_bytes":420,"resp_pkts":5,"resp_ip_bytes":460}\n'
    )
    assert parse_zeek_conn(json_lines) == [flows[0]]
    with pytest.raises(SegmentationError, match="no #fields header"):
        parse_zeek_conn("1\t2\t3\n")
    with pytest.raises(SegmentationError, match="unreadable connection record"):
        parse_zeek_conn('{"ts": 1}\n')
    with pytest.raises(SegmentationError, match="not a JSON object"):
        parse_zeek_conn("{oops\n")
