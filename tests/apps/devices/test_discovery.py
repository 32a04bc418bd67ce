"""Passive discovery and segmentation in the platform: a capture analysed by the background
job, candidates accepted or merged through the inventory services, the policy stored, flow
exports checked, one alert per violating flow tuple."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hygie.core.choices import SeverityChoice
from hygie.core.models import Alert, Job
from hygie.devices.models import (
    DiscoveredCandidate,
    DiscoveryRun,
    ObservedFlow,
    SegmentationViolation,
)
from hygie.devices.services import discovery
from tests.engines.devices.discovery import builders as b

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PUMP_MAC = "00:09:02:aa:bb:cc"
POLICY = """zones:
  - name: biomed
    networks: [10.20.0.0/16]
  - name: pacs
    networks: [10.30.0.0/24]
allow:
  - {from: biomed, to: pacs, ports: [104], protocol: tcp}
"""
ZEEK = (
    "#separator \\x09\n"
    "#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\t"
    "orig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\n"
    "1793613601.5\t10.20.1.5\t51000\t93.184.216.34\t443\ttcp\t2.5\t6\t420\t5\t460\n"
    "1793613701.5\t10.20.1.5\t51002\t93.184.216.34\t443\ttcp\t1.0\t1\t60\t1\t60\n"
    "1793613601.5\t10.20.1.5\t51001\t10.30.0.2\t104\ttcp\t-\t1\t60\t0\t0\n"
)


def _capture() -> bytes:
    rq = b.associate_rq("PUMP-AE", "PACS-AE", "1.2.840.113619.6.1", "GE_1", "1.2.840.10008.1.1")
    frames = [
        b.ethernet(
            PUMP_MAC,
            "02:00:00:00:00:01",
            b.ip_packet("10.20.1.5", "10.30.0.2", 6, b.tcp(40001, 104, 999, flags=0x02)),
        ),
        b.ethernet(
            PUMP_MAC,
            "02:00:00:00:00:01",
            b.ip_packet("10.20.1.5", "10.30.0.2", 6, b.tcp(40001, 104, 1000, rq)),
        ),
        b.ethernet(
            PUMP_MAC,
            "02:00:00:00:00:01",
            b.ip_packet("10.20.1.5", "93.184.216.34", 6, b.tcp(40002, 443, 5, flags=0x02)),
        ),
    ]
    return b.pcap(frames)


def test_capture_analysed_in_a_job(biomed, establishment_a):
    discovery.save_policy(biomed, establishment_a, POLICY)
    run = discovery.start_capture(biomed, establishment_a, "ward.pcap", _capture())
    run.refresh_from_db()
    assert Job.objects.get(pk=run.job_id).kind == discovery.JOB_KIND
    assert run.status == "succeeded" and run.upload == ""
    assert not any(discovery.upload_dir().iterdir())
    assert run.counts["candidates"] >= 1 and run.counts["violations"] == 1
    pump = DiscoveredCandidate.objects.get(run=run, key="ip:10.20.1.5")
    assert pump.name == "PUMP-AE" and pump.mac_addresses == [PUMP_MAC]
    assert {"kind": "dicom.ae_title", "value": "PUMP-AE"}.items() <= next(
        e for e in pump.evidence if e["kind"] == "dicom.ae_title"
    ).items()
    assert ObservedFlow.objects.filter(run=run, port=104, application="dicom").exists()
    violation = SegmentationViolation.objects.get()
    assert (violation.dst, violation.port, violation.dst_zone) == ("93.184.216.34", 443, "internet")
    assert violation.alert is not None and violation.alert.rule_id == discovery.ALERT_RULE


def test_not_a_capture_is_refused_before_the_job(biomed, establishment_a):
    with pytest.raises(ValidationError, match="not a pcap"):
        discovery.start_capture(biomed, establishment_a, "x.pcap", b"hello")
    assert not DiscoveryRun.objects.exists()


def test_truncated_capture_fails_with_the_reason(biomed, establishment_a):
    run = discovery.start_capture(biomed, establishment_a, "t.pcap", _capture()[:-7])
    run.refresh_from_db()
    assert run.status == "failed" and "truncated" in run.error and run.upload == ""
    assert not any(discovery.upload_dir().iterdir())
    assert not DiscoveredCandidate.objects.exists()


def test_accept_and_merge_candidates(biomed, establishment_a, make_device):
    run = discovery.start_capture(biomed, establishment_a, "ward.pcap", _capture())
    pump = DiscoveredCandidate.objects.get(run=run, key="ip:10.20.1.5")
    device = discovery.accept_candidate(biomed, pump)
    assert device.asset.hostname.upper() == "PUMP-AE"
    assert device.asset.ip_addresses == ["10.20.1.5"] and device.asset.mac_addresses == [PUMP_MAC]
    assert device.manufacturer  # from the OUI
    with pytest.raises(ValidationError):
        discovery.accept_candidate(biomed, pump)
    other = DiscoveredCandidate.objects.get(run=run, key="ip:10.30.0.2")
    pacs = make_device("pacs-1", manufacturer="Acme")
    merged = discovery.merge_candidate(biomed, other, pacs)
    assert "10.30.0.2" in merged.asset.ip_addresses and merged.manufacturer == "Acme"
    other.refresh_from_db()
    assert other.status == "merged" and other.device == pacs
    assert discovery.known_device(other) == pacs


def test_policy_errors_name_the_line(biomed, establishment_a):
    with pytest.raises(ValidationError, match="policy.yaml:2"):
        discovery.save_policy(biomed, establishment_a, "allow:\n  - {from: x, to: y}\n")


def test_zeek_import_violations_deduplicated_per_tuple(biomed, establishment_a, make_device):
    make_device("pump-1", ips=["10.20.1.5"], clinical_function="life_sustaining")
    discovery.save_policy(biomed, establishment_a, POLICY)
    run = discovery.import_flows(biomed, establishment_a, "zeek", "conn.log", ZEEK.encode())
    assert run.counts == {"records": 3, "flows": 2, "violations": 1}
    discovery.import_flows(biomed, establishment_a, "zeek", "conn.log", ZEEK.encode())
    violation = SegmentationViolation.objects.get()
    assert violation.occurrences == 2 and violation.packets == 26
    alerts = Alert.objects.filter(rule_id=discovery.ALERT_RULE)
    assert alerts.count() == 1
    alert = alerts.get()
    assert alert.severity == SeverityChoice.CRITICAL  # a life-sustaining pump to the internet
    assert "pump-1" in alert.title and alert.asset is not None


def test_bad_flow_export_writes_nothing(biomed, establishment_a):
    with pytest.raises(ValidationError, match="conn.log:1"):
        discovery.import_flows(biomed, establishment_a, "zeek", "conn.log", b"1\t2\n")
    assert not DiscoveryRun.objects.exists()


def test_scope_is_enforced(make_user, establishment_a, establishment_b):
    outsider = make_user("other", "biomed", [establishment_b])
    with pytest.raises(Exception):  # noqa: B017, PT011 (permission or validation)
        discovery.save_policy(outsider, establishment_a, POLICY)
