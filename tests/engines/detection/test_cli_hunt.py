"""``hygie hunt`` and ``hygie rules check`` (database-free commands), through click's runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from hygie.detection.cli.hunt import hunt, rules

from .helpers import rule

CASE = "rules/windows/process_creation/proc_creation_win_findstr_recon_everyone"


@pytest.fixture
def case(sigma_root: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """A rules folder with the case's rule and a decoy, and the case's sample folder."""
    folder = sigma_root / "regression_data" / CASE
    rule_id = next(folder.glob("*.json")).stem
    rule_file = next((sigma_root / "rules").rglob(f"{folder.name}.yml"))
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    shutil.copy(rule_file, rules_dir / rule_file.name)
    (rules_dir / "decoy.yml").write_text(rule("sel: {A: 1}\ncondition: sel", title="decoy"))
    return rules_dir, folder, rule_id


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(hunt, list(args))


def test_hunt_jsonl_reports_rule_file_and_origin(case: tuple[Path, Path, str]) -> None:
    rules_dir, folder, rule_id = case
    result = run("--rules", str(rules_dir), "--logs", str(folder), "--format", "jsonl")
    assert result.exit_code == 1, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert {row["rule_id"] for row in rows} == {rule_id}
    assert {Path(row["file"]).suffix for row in rows} == {".json", ".evtx"}
    assert all(row["level"] for row in rows)
    assert all(("record" in row) != ("line" in row) for row in rows)
    assert any(isinstance(row.get("record"), int) and row["record"] > 0 for row in rows)


def test_hunt_csv_table_and_jobs(case: tuple[Path, Path, str]) -> None:
    rules_dir, folder, rule_id = case
    csv_result = run("--rules", str(rules_dir), "--logs", str(folder), "--format", "csv")
    assert csv_result.exit_code == 1
    assert csv_result.stdout.splitlines()[0].startswith("rule_id,title,level,file")
    table = run("--rules", str(rules_dir), "--logs", str(folder), "--jobs", "2")
    assert table.exit_code == 1
    assert rule_id in table.stdout
    assert "by level" in table.stdout


def test_hunt_without_match_exits_0(case: tuple[Path, Path, str], tmp_path: Path) -> None:
    rules_dir, _, _ = case
    log = tmp_path / "quiet.jsonl"
    log.write_text('{"A": 2}\n')
    result = run("--rules", str(rules_dir), "--logs", str(log))
    assert result.exit_code == 0, result.output


def test_hunt_bad_input_exits_2_without_traceback(
    case: tuple[Path, Path, str], tmp_path: Path
) -> None:
    rules_dir, _, _ = case
    missing = run("--rules", str(rules_dir), "--logs", str(tmp_path / "nope.evtx"))
    assert missing.exit_code == 2
    assert "does not exist" in missing.output
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x00\x01 not json at all\n")
    result = run("--rules", str(rules_dir), "--logs", str(garbage))
    assert result.exit_code == 2
    assert "no readable event" in result.output
    assert "Traceback" not in result.output
    empty = tmp_path / "empty_rules"
    empty.mkdir()
    result = run("--rules", str(empty), "--logs", str(garbage))
    assert result.exit_code == 2
    assert "no valid Sigma rule" in result.output


def test_rules_check(tmp_path: Path) -> None:
    (tmp_path / "good.yml").write_text(rule("sel: {A: 1}\ncondition: sel"))
    ok = CliRunner().invoke(rules, ["check", str(tmp_path)])
    assert ok.exit_code == 0, ok.output
    assert "1 detection rule(s)" in ok.output and "0 invalid" in ok.output
    (tmp_path / "bad.yml").write_text(rule("sel:\n  A|bogus: 1\ncondition: sel"))
    bad = CliRunner().invoke(rules, ["check", str(tmp_path)])
    assert bad.exit_code == 1
    assert f"{tmp_path / 'bad.yml'}:8: Unknown modifier 'bogus'" in bad.output


def test_symbolic_links_to_folders_are_followed_once(
    case: tuple[Path, Path, str], tmp_path: Path
) -> None:
    # Issue 15: a rules folder holding a link to a SigmaHQ checkout gave "no valid Sigma rule".
    rules_dir, folder, rule_id = case
    top = tmp_path / "top"
    top.mkdir()
    (top / "sigma").symlink_to(rules_dir, target_is_directory=True)
    (rules_dir / "loop").symlink_to(top, target_is_directory=True)  # ends, each folder once
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "case").symlink_to(folder, target_is_directory=True)
    checked = CliRunner().invoke(rules, ["check", str(top)])
    assert checked.exit_code == 0, checked.output
    assert "2 file(s): 2 detection rule(s)" in checked.output
    result = run("--rules", str(top), "--logs", str(logs), "--format", "jsonl")
    assert result.exit_code == 1, result.output
    assert rule_id in result.stdout
