"""``hygie scan``: exit codes, report formats, SARIF regions, skipped files, symlinks, filters."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from hygie.privacy.cli import derive_key, scan

NOTE = "Patient : Mme Nathalie ROUSSEL\nNIR : 2 90 01 75 056 023 23\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "share"
    (root / "exports").mkdir(parents=True)
    (root / "note.txt").write_text(NOTE, encoding="utf-8")
    (root / "exports" / "list.csv").write_text("nom;nir\nROUSSEL;290017505602323\n")
    (root / "exports" / "clean.txt").write_text("nothing to see here\n")
    (root / "broken.json").write_text('{"a": ')
    return root


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        scan,
        ["--no-progress", "--backend", "re", *args],
        env=env or {"HYGIE_SECRET_KEY": "unit-test-secret"},
    )
    return result.exit_code, result.output


def test_exit_1_with_findings_and_skipped_section(tree: Path) -> None:
    code, out = run(str(tree))
    assert code == 1
    assert "FR_NIR" in out and "Skipped (1)" in out and "broken.json" in out
    assert "2 90 01 75 056 023 23" not in out  # only masked samples leave the engine


def test_exit_0_when_clean(tree: Path) -> None:
    assert run(str(tree / "exports" / "clean.txt"))[0] == 0


def test_exit_2_on_usage_error(tree: Path) -> None:
    assert run(str(tree / "missing"))[0] == 2
    assert run("--entities", "NOT_AN_ENTITY", str(tree))[0] == 2


def test_sarif_regions_cover_the_value_as_stored(tree: Path) -> None:
    code, out = run("--format", "sarif", str(tree / "note.txt"))
    sarif = json.loads(out)
    assert code == 1 and sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    lines = NOTE.splitlines()
    rules = {rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    for result in results:
        assert result["ruleId"] in rules
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"].startswith("file://")
        region = location["region"]
        value = lines[region["startLine"] - 1][region["startColumn"] - 1 : region["endColumn"] - 1]
        assert value in ("Nathalie ROUSSEL", "2 90 01 75 056 023 23")
    assert {r["ruleId"] for r in results} == {"PERSON", "FR_NIR"}


def test_json_csv_and_html_reports(tree: Path) -> None:
    data = json.loads(run("--format", "json", str(tree))[1])
    assert data["summary"]["findings"] == len(data["findings"]) >= 4
    assert data["skipped"][0]["file"].endswith("broken.json")
    assert any(c["column"] == "2 (nir)" and c["entity"] == "FR_NIR" for c in data["columns"])
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv", str(tree))[1])))
    assert {r["entity"] for r in rows} >= {"PERSON", "FR_NIR"}
    page = run("--format", "html", str(tree))[1]
    assert page.startswith("<!doctype html>") and "<script" not in page


def test_every_report_names_the_categories(tree: Path) -> None:
    """HIPAA Safe Harbor identifier and French category per finding, and the count of findings
    in each, in every format (the table, JSON, CSV, HTML; SARIF in test_cli_report_stream)."""
    data = json.loads(run("--format", "json", str(tree))[1])
    by_place = {(Path(f["file"]).name, f["entity"]): f for f in data["findings"]}
    nir_in_text, nir_column = by_place[("note.txt", "FR_NIR")], by_place[("list.csv", "FR_NIR")]
    assert (nir_in_text["hipaa_identifier"], nir_in_text["fr_category"]) == ("R", "nir")
    assert (nir_column["hipaa_identifier"], nir_column["fr_category"]) == ("R", "nir")
    person = by_place[("note.txt", "PERSON")]
    assert (person["hipaa_identifier"], person["fr_category"]) == ("A", "identite")
    summary = data["summary"]
    assert sum(summary["by_hipaa_identifier"].values()) == summary["findings"]
    assert sum(summary["by_fr_category"].values()) == summary["findings"]
    assert summary["by_hipaa_identifier"]["A"] == sum(
        1 for f in data["findings"] if f["hipaa_identifier"] == "A"
    )
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv", str(tree))[1])))
    assert {(r["entity"], r["hipaa_identifier"], r["fr_category"]) for r in rows} >= {
        ("PERSON", "A", "identite"),
        ("FR_NIR", "R", "nir"),
    }
    page = run("--format", "html", str(tree))[1]
    assert "Findings by HIPAA Safe Harbor identifier" in page
    assert "<td>identite</td><td>Identity: birth name, used name, given names</td>" in page
    table = run(str(tree))[1]
    assert "Findings by French category" in table and "Names" in table


def test_hashes_are_stable_with_the_secret_and_random_without(tree: Path) -> None:
    def hashes(env: dict[str, str]) -> set[str]:
        out = run("--format", "json", str(tree / "note.txt"), env=env)[1]
        return {f["value_hash"] for f in json.loads(out)["findings"]}

    keyed = {"HYGIE_SECRET_KEY": "s3cret"}
    assert hashes(keyed) == hashes(keyed)
    assert hashes({"HYGIE_SECRET_KEY": ""}) != hashes({"HYGIE_SECRET_KEY": ""})
    assert derive_key({})[1].startswith("random")


def test_include_exclude_and_entities(tree: Path) -> None:
    data = json.loads(run("--format", "json", "--include", "*.csv", str(tree))[1])
    assert {Path(f["file"]).name for f in data["findings"]} == {"list.csv"}
    data = json.loads(run("--format", "json", "--exclude", "exports", str(tree))[1])
    assert {Path(f["file"]).name for f in data["findings"]} == {"note.txt"}
    data = json.loads(run("--format", "json", "--entities", "fr_nir", str(tree))[1])
    assert {f["entity"] for f in data["findings"]} == {"FR_NIR"}


def test_min_confidence_hides_checksum_failures(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("NIR 295109912611194\n")
    assert run(str(tmp_path))[0] == 1  # default 0.3 keeps checksum failures visible
    assert run("--min-confidence", "0.5", str(tmp_path))[0] == 0


def test_symlink_outside_root_is_not_followed(tree: Path, tmp_path: Path) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text(NOTE)
    os.symlink(secret, tree / "link.txt")
    data = json.loads(run("--format", "json", str(tree))[1])
    assert not any(f["file"].endswith("link.txt") for f in data["findings"])
    assert any("outside the scan root" in s["reason"] for s in data["skipped"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_permission_denied_is_skipped(tree: Path) -> None:
    locked = tree / "locked.txt"
    locked.write_text(NOTE)
    locked.chmod(0)
    data = json.loads(run("--format", "json", str(tree))[1])
    assert any("cannot read" in s["reason"] for s in data["skipped"])


def test_parallel_jobs_give_the_same_findings(tree: Path) -> None:
    one = json.loads(run("--format", "json", str(tree))[1])["findings"]
    two = json.loads(run("--format", "json", "--jobs", "2", str(tree))[1])["findings"]
    assert one == two
