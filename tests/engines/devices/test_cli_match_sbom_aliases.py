"""``hygie devices match --sbom [DEVICE=]FILE`` (components and VEX of an SBOM, no database) and
``--aliases FILE`` (the vendor alias table, the same normalisation as the platform's). Synthetic
data; the demo advisory names Perfusia's InfuStar P5 (5.1 affected, 5.3 fixed)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from hygie.devices.cli import devices

DEMO = Path(__file__).resolve().parents[3] / "hygie" / "devices" / "data" / "demo"


def _bom(vex: list[dict] | None = None) -> str:
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.5",
            "version": 1,
            "metadata": {"component": {"type": "device", "bom-ref": "pump", "name": "Pump"}},
            "components": [
                {
                    "type": "firmware",
                    "bom-ref": "fw",
                    "name": "InfuStar P5",
                    "version": "5.1",
                    "supplier": {"name": "Perfusia"},
                }
            ],
            "vulnerabilities": vex or [],
        }
    )


def _match(*args: str) -> tuple[int, list[dict], str]:
    result = CliRunner().invoke(devices, ["match", *args, "--csaf", str(DEMO), "--format", "json"])
    try:
        rows = json.loads(result.output)
    except ValueError:
        rows = []
    return result.exit_code, rows, result.output


def test_sbom_components_matched_under_the_named_device(tmp_path: Path) -> None:
    bom = tmp_path / "pump-7.cdx.json"
    bom.write_text(_bom(), encoding="utf-8")
    code, rows, _ = _match("--sbom", f"icu-pump={bom}")
    assert code == 1
    assert {(r["device"], r["cve"], r["status"]) for r in rows} == {
        ("icu-pump", "CVE-2099-0101", "known_affected")
    }
    assert "component InfuStar P5" in rows[0]["why"]
    # Without DEVICE=, the file name (without extensions) names the device.
    code, rows, _ = _match("--sbom", str(bom))
    assert {r["device"] for r in rows} == {"pump-7"}


def test_sbom_vex_statement_overrides(tmp_path: Path) -> None:
    bom = tmp_path / "pump.json"
    vex = [
        {
            "id": "CVE-2099-0101",
            "analysis": {"state": "not_affected", "justification": "code_not_reachable"},
            "affects": [{"ref": "fw"}],
        }
    ]
    bom.write_text(_bom(vex), encoding="utf-8")
    code, rows, _ = _match("--sbom", str(bom))
    assert code == 0
    assert [r["status"] for r in rows] == ["known_not_affected"]


def test_unreadable_sbom_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    code, _, output = _match("--sbom", str(bad))
    assert code == 2 and "bad.json" in output
    code, _, output = _match("--sbom", str(tmp_path / "missing.json"))
    assert code == 2 and "no such file" in output


def test_no_inventory_and_no_sbom_is_a_usage_error() -> None:
    code, _, output = _match()
    assert code == 2 and "--inventory" in output


def test_alias_table_normalises_vendor_names(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.csv"
    inventory.write_text("id,manufacturer,model,version\npump-1,PFS Medical,InfuStar P5,5.1\n")
    code, rows, _ = _match("--inventory", str(inventory))
    assert code == 0 and rows == []
    aliases = tmp_path / "aliases.csv"
    aliases.write_text(
        "alias,canonical,kind\nPFS Medical,Perfusia,vendor\nInfuStar P5,Other,product\n"
    )
    code, rows, _ = _match("--inventory", str(inventory), "--aliases", str(aliases))
    assert code == 1
    assert [(r["device"], r["status"]) for r in rows] == [("pump-1", "known_affected")]


def test_alias_table_errors_are_located(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.csv"
    inventory.write_text("id,manufacturer,model,version\npump-1,Perfusia,InfuStar P5,5.1\n")
    aliases = tmp_path / "aliases.csv"
    aliases.write_text("name,target\nA,B\n")
    code, _, output = _match("--inventory", str(inventory), "--aliases", str(aliases))
    assert code == 2 and "alias,canonical" in output
    aliases.write_text("alias,canonical\nA,\n")
    code, _, output = _match("--inventory", str(inventory), "--aliases", str(aliases))
    assert code == 2 and "line 2" in output
