"""``hygie scan`` on many small files (issue 15, part 3): JSON and SARIF reports written as the
scan goes, in walk order, identical with one worker or several (files sent in chunks)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from hygie.privacy.cli import _chunks, scan
from hygie.privacy.files import walk

NOTES = [
    "Patient : Mme Marie de La Fontaine, tél. 01.23.45.67.89 poste 12\n",
    "Mr. Patrick O'Brien, phone (212) 555-0100 x123, SSN 425-57-9745\n",
    "rien à signaler\n",
    "NIR : 2 90 01 75 056 023 23, IPP 7712345\n",
]


@pytest.fixture
def many(tmp_path: Path) -> Path:
    root = tmp_path / "notes"
    for index in range(60):
        folder = root / f"unit{index % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"note{index:03d}.txt").write_text(NOTES[index % 4], encoding="utf-8")
    (root / "broken.json").write_text('{"a": ')
    return root


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        scan,
        ["--no-progress", "--backend", "re", *args],
        env={"HYGIE_SECRET_KEY": "unit-test-secret"},
    )
    return result.exit_code, result.output


def test_json_report_is_complete_and_in_walk_order(many: Path) -> None:
    code, out = run("--format", "json", str(many))
    data = json.loads(out)
    assert code == 1
    files = [f["file"] for f in data["findings"]]
    walked = [e.shown for e in walk([many]) if e.path is not None]
    assert files == sorted(files, key=walked.index)  # grouped per file, in walk order
    summary = data["summary"]
    assert summary["files_scanned"] == 60 and summary["findings"] == len(data["findings"])
    assert summary["by_entity"]["US_PHONE"] == 15 and summary["by_entity"]["FR_PHONE"] == 15
    assert [s["file"] for s in data["skipped"]] == [str(many / "broken.json")]
    assert data["columns"] == [] and data["not_listed"] == []


@pytest.mark.parametrize("report_format", ["json", "sarif"])
def test_jobs_give_the_same_report(many: Path, report_format: str) -> None:
    def body(jobs: str) -> object:
        data = json.loads(run("--format", report_format, "--jobs", jobs, str(many))[1])
        if report_format == "json":
            return data["findings"], data["skipped"]
        return data["runs"][0]["results"]

    assert body("1") == body("2") == body("3")


def test_sarif_is_valid_with_fixed_rule_indexes(many: Path) -> None:
    sarif = json.loads(run("--format", "sarif", str(many))[1])
    run_ = sarif["runs"][0]
    rules = [rule["id"] for rule in run_["tool"]["driver"]["rules"]]
    assert sarif["version"] == "2.1.0" and len(rules) == len(set(rules))
    for result in run_["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
            "file://"
        )
    notes = run_["invocations"][0]["toolExecutionNotifications"]
    assert any("broken.json" in n["message"]["text"] for n in notes)


def _is_property_bag(bag: object) -> bool:
    """SARIF 2.1.0 §3.8: an object; its ``tags``, when present, an array of unique strings."""
    if not isinstance(bag, dict):
        return False
    tags = bag.get("tags", [])
    return (
        isinstance(tags, list)
        and all(isinstance(t, str) for t in tags)
        and (len(tags) == len(set(tags)))
    )


def test_sarif_results_and_rules_carry_the_categories(many: Path) -> None:
    sarif = json.loads(run("--format", "sarif", str(many))[1])
    run_ = sarif["runs"][0]
    rules = {rule["id"]: rule for rule in run_["tool"]["driver"]["rules"]}
    assert all(_is_property_bag(rule["properties"]) for rule in rules.values())
    assert rules["PERSON"]["properties"]["hipaaIdentifier"] == "A"
    assert rules["PERSON"]["properties"]["tags"] == ["phi", "hipaa:A", "fr:identite"]
    assert rules["FR_FINESS"]["properties"]["hipaaIdentifier"] == "none"
    assert "Names" in rules["PERSON"]["fullDescription"]["text"]
    counted: dict[str, int] = {}
    for result in run_["results"]:
        properties = result["properties"]
        assert _is_property_bag(properties)
        hipaa, fr = properties["hipaaIdentifier"], properties["frCategory"]
        assert properties["tags"] == [f"hipaa:{hipaa}", f"fr:{fr}"]
        counted[hipaa] = counted.get(hipaa, 0) + 1
    phones = [r for r in run_["results"] if r["ruleId"] in ("US_PHONE", "FR_PHONE")]
    assert phones and all(r["properties"]["hipaaIdentifier"] == "D" for r in phones)
    summary = run_["invocations"][0]["properties"]["summary"]
    assert summary["by_hipaa_identifier"] == counted
    assert sum(summary["by_fr_category"].values()) == len(run_["results"])


@pytest.mark.parametrize("jobs", ["1", "3"])
def test_json_summary_by_category_is_the_same_for_any_jobs(many: Path, jobs: str) -> None:
    data = json.loads(run("--format", "json", "--jobs", jobs, str(many))[1])
    summary = data["summary"]
    assert summary["by_hipaa_identifier"] == {"A": 30, "D": 30, "G": 15, "H": 15, "R": 15}
    assert sum(summary["by_fr_category"].values()) == summary["findings"]


def test_clean_tree_gives_an_empty_valid_report(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("nothing here\n")
    code, out = run("--format", "json", str(tmp_path))
    assert code == 0 and json.loads(out)["findings"] == []
    code, out = run("--format", "sarif", str(tmp_path))
    assert code == 0 and json.loads(out)["runs"][0]["results"] == []


def test_report_file_output(many: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    code, out = run("--format", "json", "-o", str(target), str(many))
    assert code == 1 and out == ""
    assert json.loads(target.read_bytes())["summary"]["files_scanned"] == 60


def test_chunks_cover_every_file_once_in_order(many: Path) -> None:
    tasks = [e for e in walk([many]) if e.path is not None]
    chunks = list(_chunks(tasks, 2, len(tasks)))
    assert [e for chunk in chunks for e in chunk] == tasks
    assert len(chunks) >= 2 * 2  # every worker gets several round trips


@pytest.mark.parametrize("report_format", ["json", "sarif"])
def test_undecodable_file_name_is_escaped_not_a_crash(tmp_path: Path, report_format: str) -> None:
    name = os.fsdecode(b"note\xff.txt")  # a lone surrogate once decoded
    (tmp_path / name).write_text(NOTES[0], encoding="utf-8")
    code, out = run("--format", report_format, str(tmp_path))
    assert code == 1
    assert "\\udcff" in out and json.loads(out)


def test_a_tree_larger_than_the_lookahead_is_walked_while_it_is_scanned(
    many: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond ``jobs × 8 × chunk`` files the walk feeds the workers as it goes: the report is
    the one a single process writes, skipped files included (a link, here)."""
    import hygie.privacy.cli as cli

    (many / "link.txt").symlink_to(tmp_path / "elsewhere.txt")
    monkeypatch.setattr(cli, "_CHUNK_FILES", 2)  # lookahead 2 × 8 × 2 = 32 < 60 files

    def body(jobs: str) -> dict[str, object]:
        data = json.loads(run("--format", "json", "--jobs", jobs, str(many))[1])
        timing = {"duration_s", "mb_per_s"}
        data["summary"] = {k: v for k, v in data["summary"].items() if k not in timing}
        return data

    assert body("2") == body("1")
    assert len(body("2")["skipped"]) == 2  # the broken JSON and the link


def test_walk_feed_reads_ahead_then_on() -> None:
    from hygie.privacy.cli import _WalkFeed
    from hygie.privacy.files import WalkEntry

    entries = [WalkEntry(f"f{i}", f"f{i}", Path(f"f{i}"), 1) for i in range(5)]
    entries.insert(2, WalkEntry("gone", "gone", reason="cannot access"))
    small = _WalkFeed(iter(entries), lookahead=10)
    assert small.total == 5 and [e.shown for e in small] == [f"f{i}" for i in range(5)]
    large = _WalkFeed(iter(entries), lookahead=3)
    assert large.total is None and [e.shown for e in large] == [f"f{i}" for i in range(5)]
    assert [s.member for s in large.skipped] == ["gone"]
    assert list(_chunks(iter(entries[:3]), 2, None)) == [entries[:3]]
