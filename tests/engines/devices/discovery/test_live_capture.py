"""Real traffic on 127.0.0.1 captured by dumpcap, read by Hygie, checked against what was sent
and against tshark's own dissectors (when tshark is installed)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from hygie.devices.engine.discovery import discover
from tests.shared_data import shared_data

from . import traffic

pytest.importorskip("pynetdicom")
pytest.importorskip("paho.mqtt")
_REASON = traffic.capture_available()
pytestmark = pytest.mark.skipif(bool(_REASON), reason=_REASON or "capture available")


def _tshark(path: Path, fields: list[str], decode_as: list[str]) -> list[str]:
    command = ["tshark", "-r", str(path), "-T", "fields", "-E", "separator=|"]
    for rule in decode_as:
        command += ["-d", rule]
    for name in fields:
        command += ["-e", name]
    out = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return [line for line in out.stdout.splitlines() if line.strip("|")]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    folder = shared_data("hl7v2", "messages")
    messages = [p.read_bytes() for p in sorted(folder.glob("*.hl7"))[:5]]
    path = tmp_path_factory.mktemp("capture") / "live.pcapng"
    ports = {"dicom": traffic.free_port(), "hl7": traffic.free_port(), "http": 0}
    ports["http"] = traffic.free_port()
    with traffic.capture(path, [*ports.values(), 1883]):
        traffic.dicom_traffic(ports["dicom"])
        acks = traffic.mllp_traffic(ports["hl7"], messages)
        mqtt = traffic.mqtt_available()
        if mqtt:
            traffic.mqtt_traffic()
        traffic.http_traffic(ports["http"])
    assert acks == len(messages)
    return {
        "path": path,
        "ports": ports,
        "messages": messages,
        "result": discover(path.read_bytes()),
        "mqtt": mqtt,
    }


def _evidence(live: dict[str, object], kind: str) -> set[str]:
    result = live["result"]
    return {e.value for c in result.candidates for e in c.evidence if e.kind == kind}  # type: ignore[attr-defined]


def test_dicom_association(live: dict[str, object]) -> None:
    import pynetdicom

    assert {traffic.CALLING_AE, traffic.CALLED_AE} <= _evidence(live, "dicom.ae_title")
    assert _evidence(live, "dicom.implementation_uid") == {pynetdicom.PYNETDICOM_IMPLEMENTATION_UID}
    assert _evidence(live, "dicom.implementation_version") == {
        pynetdicom.PYNETDICOM_IMPLEMENTATION_VERSION
    }
    assert "pynetdicom" in _evidence(live, "vendor")
    assert "1.2.840.10008.5.1.4.1.1.2" in _evidence(live, "dicom.abstract_syntax")  # CT storage


def test_hl7_headers_only(live: dict[str, object]) -> None:
    sent = set()
    for message in live["messages"]:  # type: ignore[attr-defined]
        msh = message.split(b"\n")[0].split(b"\r")[0].decode()
        sent.add(msh.split("|")[2])
    assert sent <= _evidence(live, "hl7.sending_application")
    assert "HYGIE-LISTENER" in _evidence(live, "hl7.sending_application")
    kinds = {e.kind for c in live["result"].candidates for e in c.evidence}  # type: ignore[attr-defined]
    assert not {
        k
        for k in kinds
        if k.startswith("hl7.")
        and k.split(".")[1]
        not in {
            "sending_application",
            "sending_facility",
            "receiving_application",
            "receiving_facility",
            "message_type",
            "version",
        }
    }
    values = " ".join(e.value for c in live["result"].candidates for e in c.evidence)  # type: ignore[attr-defined]
    assert "PID" not in values and "SYNTHETIC" not in values


def _need_mqtt(live: dict[str, object]) -> None:
    if not live["mqtt"]:
        pytest.skip("no MQTT broker (Mosquitto) on 127.0.0.1:1883")


def test_mqtt_http_and_flows(live: dict[str, object]) -> None:
    _need_mqtt(live)
    assert _evidence(live, "mqtt.client_id") == {traffic.MQTT_CLIENT_ID}
    assert "HygieInfusionPump/2.3" in _evidence(live, "http.user_agent")
    assert any(v.startswith("HygieTestMonitor/1.0") for v in _evidence(live, "http.server"))
    ports = live["ports"]
    flows = {(f.port, f.application) for f in live["result"].flows}  # type: ignore[attr-defined]
    assert {(ports["dicom"], "dicom"), (ports["hl7"], "hl7"), (1883, "mqtt")} <= flows  # type: ignore[index]
    assert (ports["http"], "http") in flows  # type: ignore[index]
    for flow in live["result"].flows:  # type: ignore[attr-defined]
        assert flow.packets > 0 and flow.bytes > 0 and flow.first_seen <= flow.last_seen


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
def test_fields_agree_with_tshark(live: dict[str, object]) -> None:
    _need_mqtt(live)
    path, ports = live["path"], live["ports"]
    decode_as = [f"tcp.port=={ports['dicom']},dicom", f"tcp.port=={ports['http']},http"]  # type: ignore[index]
    rows = _tshark(
        path,  # type: ignore[arg-type]
        [
            "dicom.assoc.ae.calling",
            "dicom.assoc.ae.called",
            "dicom.userinfo.uid",
            "dicom.userinfo.version",
            "mqtt.clientid",
            "http.user_agent",
            "http.server",
        ],
        decode_as,
    )
    seen: dict[int, set[str]] = {i: set() for i in range(7)}
    for row in rows:
        for index, cell in enumerate(row.split("|")):
            seen[index].update(v.strip() for v in cell.split(",") if v.strip())
    assert seen[0] | seen[1] <= _evidence(live, "dicom.ae_title")
    assert seen[0] and seen[1]
    assert seen[2] == _evidence(live, "dicom.implementation_uid")
    assert seen[3] == _evidence(live, "dicom.implementation_version")
    assert seen[4] == _evidence(live, "mqtt.client_id")
    assert seen[5] == _evidence(live, "http.user_agent")
    assert seen[6] == _evidence(live, "http.server")
    hl7_rows = _tshark(
        path,  # type: ignore[arg-type]
        ["hl7.message.type", "hl7.event.type"],
        [f"tcp.port=={ports['hl7']},hl7"],  # type: ignore[index]
    )
    tshark_types = set()
    for row in hl7_rows:
        kinds, events = row.split("|")
        tshark_types.update(
            f"{k}^{e}" for k, e in zip(kinds.split(","), events.split(","), strict=False)
        )
    ours = {"^".join(t.split("^")[:2]) for t in _evidence(live, "hl7.message_type")}
    assert tshark_types and tshark_types == ours
    packets = _tshark(path, ["frame.number"], [])  # type: ignore[arg-type]
    assert len(packets) == live["result"].frames  # type: ignore[attr-defined]


def test_classic_pcap_from_dumpcap(tmp_path: Path) -> None:
    """The same reader on a classic pcap file written by dumpcap (-P)."""
    if not traffic.mqtt_available():
        pytest.skip("no MQTT broker (Mosquitto) on 127.0.0.1:1883")
    path = tmp_path / "mqtt.pcap"
    with traffic.capture(path, [1883], pcapng=False):
        traffic.mqtt_traffic()
    data = path.read_bytes()
    assert data[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4")
    result = discover(data)
    assert result.capture_format == "pcap"
    found = {e.value for c in result.candidates for e in c.evidence if e.kind == "mqtt.client_id"}
    assert found == {traffic.MQTT_CLIENT_ID}
