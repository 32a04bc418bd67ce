"""``hygie devices discover``: no database, table and JSON output, exit 2 on a bad capture."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from hygie.devices.cli import devices

from . import builders as b


def _capture(tmp_path: Path) -> Path:
    rq = b.associate_rq(
        "MODALITY-1", "PACS-1", "1.3.12.2.1107.5.1", "SIEMENS_X", "1.2.840.10008.1.1"
    )
    segment = b.tcp(40001, 104, 1000, rq)
    frame = b.ethernet(
        "00:09:02:aa:bb:cc", "02:00:00:00:00:01", b.ip_packet("10.1.0.5", "10.1.0.9", 6, segment)
    )
    path = tmp_path / "c.pcapng"
    path.write_bytes(b.pcapng([frame]))
    return path


def test_json_and_table(tmp_path: Path) -> None:
    path = _capture(tmp_path)
    result = CliRunner().invoke(devices, ["discover", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["capture_format"] == "pcapng" and body["frames"] == 1
    modality = next(c for c in body["candidates"] if c["key"] == "ip:10.1.0.5")
    assert modality["name"] == "MODALITY-1" and modality["manufacturer"]
    assert {"kind": "vendor", "value": "Siemens Healthineers"}.items() <= next(
        e for e in modality["evidence"] if e["kind"] == "vendor"
    ).items()
    assert body["flows"][0]["port"] == 104 and body["flows"][0]["application"] == "dicom"
    table = CliRunner().invoke(devices, ["discover", str(path)])
    assert table.exit_code == 0 and "MODALITY-1" in table.output and "dicom" in table.output


def test_bad_capture_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.pcap"
    path.write_bytes(b"\xd4\xc3\xb2\xa1" + b"\0" * 30)
    result = CliRunner().invoke(devices, ["discover", str(path)])
    assert result.exit_code == 2 and "truncated" in result.output


def test_check_flows(tmp_path: Path) -> None:
    from .test_segmentation import POLICY, ZEEK_TSV

    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY)
    conn = tmp_path / "conn.log"
    conn.write_text(ZEEK_TSV)
    result = CliRunner().invoke(
        devices, ["check-flows", "--policy", str(policy), str(conn), "--format", "json"]
    )
    assert result.exit_code == 1, result.output
    rows = json.loads(result.output)
    assert [(r["dst"], r["port"], r["dst_zone"]) for r in rows] == [
        ("93.184.216.34", 443, "internet")
    ]
    capture = _capture(tmp_path)
    allowed = CliRunner().invoke(devices, ["check-flows", "--policy", str(policy), str(capture)])
    assert allowed.exit_code == 1 and "unzoned" in allowed.output  # 10.1.0.0/16 is in no zone
    policy.write_text("zones: 3\n")
    bad = CliRunner().invoke(devices, ["check-flows", "--policy", str(policy), str(conn)])
    assert bad.exit_code == 2 and "policy.yaml:1" in bad.output
