"""``hygie devices match``: JSON output shape, table output, exit codes, folders of advisories,
located errors, and no database (Django is never imported)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from hygie.devices.cli import devices
from tests.shared_data import shared_data

DEMO = Path(__file__).resolve().parents[3] / "hygie" / "devices" / "data" / "demo"
HEADER = "id,manufacturer,model,version\n"


def _run(tmp_path: Path, inventory: str, *args: str) -> tuple[int, str]:
    path = tmp_path / "inventory.csv"
    path.write_text(inventory, encoding="utf-8")
    result = CliRunner().invoke(devices, ["match", "--inventory", str(path), *args])
    return result.exit_code, result.output


def test_json_verdicts_and_exit_1_when_a_device_is_affected(tmp_path: Path) -> None:
    code, output = _run(
        tmp_path,
        HEADER + "pump-1,Perfusia SAS,InfuStar P5,5.1\npump-2,Perfusia,InfuStar P5,5.3\n"
        "mon-1,Cardiosoft,VitaWatch M3,1.0\n",
        "--csaf",
        str(DEMO),
        "--format",
        "json",
    )
    assert code == 1
    rows = json.loads(output)
    assert all(
        set(row) == {"device", "advisory", "cve", "product_id", "status", "why"} for row in rows
    )
    statuses = {(r["device"], r["cve"]): r["status"] for r in rows}
    assert statuses == {
        ("pump-1", "CVE-2099-0101"): "known_affected",
        ("pump-2", "CVE-2099-0101"): "fixed",
    }
    assert rows[0]["advisory"] == "HYGIE-DEMO-2026-001" and rows[0]["why"]


def test_exit_0_when_nothing_is_affected_and_table_output(tmp_path: Path) -> None:
    code, output = _run(tmp_path, HEADER + "pump-2,Perfusia,InfuStar P5,5.3\n", "--csaf", str(DEMO))
    assert code == 0
    assert "DEVICE" in output and "fixed" in output and "1 verdicts" in output


def test_nvd_and_kev_sources(tmp_path: Path) -> None:
    records = shared_data("nvd", "records")
    kev = shared_data("kev", "known_exploited_vulnerabilities.json")
    code, output = _run(
        tmp_path,
        HEADER + "a-1,Abbott,Accent,F0B.0E.7D\n",
        "--nvd",
        str(records),
        "--kev",
        str(kev),
        "--format",
        "json",
    )
    rows = json.loads(output)
    assert code == 1
    assert {r["cve"] for r in rows} >= {"CVE-2017-12712"}
    assert all(r["advisory"] == r["cve"] for r in rows)


def test_bad_inputs_exit_2_with_a_located_message(tmp_path: Path) -> None:
    code, output = _run(tmp_path, "id,manufacturer\n", "--csaf", str(DEMO))
    assert code == 2 and "line 1: missing column(s) model, version" in output
    broken = tmp_path / "broken.json"
    document = json.loads((DEMO / "hygie-demo-2026-001.json").read_text(encoding="utf-8"))
    document["vulnerabilities"][0]["product_status"]["known_affected"].append("CSAFPID-9999")
    broken.write_text(json.dumps(document), encoding="utf-8")
    code, output = _run(tmp_path, HEADER + "1,A,B,1\n", "--csaf", str(broken))
    assert code == 2 and "6.1.1 $.vulnerabilities[0].product_status.known_affected" in output
    code, output = _run(tmp_path, HEADER + "1,A,B,1\n")
    assert code == 2 and "--csaf or --nvd" in output


def test_match_runs_without_django(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.csv"
    inventory.write_text(HEADER + "pump-1,Perfusia,InfuStar P5,5.1\n", encoding="utf-8")
    script = (
        "import sys\n"
        "from hygie.devices.cli import devices\n"
        "try:\n"
        f"    devices.main(['match', '--inventory', {str(inventory)!r}, '--csaf', {str(DEMO)!r}],"
        " standalone_mode=False)\n"
        "finally:\n"
        "    print('DJANGO' if 'django' in sys.modules else 'NO-DJANGO')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert "NO-DJANGO" in result.stdout, result.stderr[-500:]
