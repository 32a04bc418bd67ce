"""``hygie hunt --jobs N`` cuts one large file into pieces: same matches, same order, same
correlations as on one core (JSON lines, EVTX chunk runs, and a file that must fall back)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from hygie.detection.cli import pieces
from hygie.detection.cli.hunt import hunt
from hygie.detection.engine import read_json
from hygie.detection.engine.readers import EVTX_CHUNK_BYTES, EVTX_HEADER_BYTES

CASES = 40


@pytest.fixture(scope="module")
def corpus(sigma_root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """The rules of SigmaHQ regression cases plus a correlation over the first one, and the
    cases' EVTX samples."""
    rules_dir = tmp_path_factory.mktemp("rules")
    by_name = {path.stem: path for path in (sigma_root / "rules").rglob("*.yml")}
    folders = sorted(
        folder
        for folder in (sigma_root / "regression_data" / "rules" / "windows").rglob("*")
        if folder.is_dir() and folder.name in by_name and any(folder.glob("*.evtx"))
    )[:CASES]
    assert len(folders) >= 10
    for folder in folders:
        shutil.copy(by_name[folder.name], rules_dir / f"{folder.name}.yml")
    first_id = next(folders[0].glob("*.json")).stem
    (rules_dir / "correlation.yml").write_text(
        "title: same rule twice on one computer\n"
        "id: 0b0e8f0c-1f1e-4c3a-9a55-0000000000e3\n"
        "correlation:\n"
        "    type: event_count\n"
        f"    rules: [{first_id}]\n"
        "    group-by: [Computer]\n"
        "    timespan: 3650d\n"
        "    condition: {gte: 2}\n"
        "level: high\n"
    )
    return rules_dir, [next(folder.glob("*.evtx")) for folder in folders]


def hunt_jsonl(rules_dir: Path, log: Path, jobs: int, home: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        hunt,
        ["--rules", str(rules_dir), "--logs", str(log), "--format", "jsonl", "--jobs", str(jobs)],
        env={"HYGIE_HOME": str(home)},
    )
    summary = [line for line in result.stderr.splitlines() if "events in" in line]
    return result.exit_code, result.stdout, "\n".join(summary)


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces of one EVTX chunk (or 64 KiB of lines), so that small files are cut too."""
    monkeypatch.setattr(pieces, "MIN_PIECE_BYTES", EVTX_CHUNK_BYTES)
    monkeypatch.setattr(pieces, "MAX_PIECE_BYTES", EVTX_CHUNK_BYTES)


def same_on_one_and_three_cores(rules_dir: Path, log: Path, home: Path) -> list[dict]:
    one = hunt_jsonl(rules_dir, log, 1, home)
    three = hunt_jsonl(rules_dir, log, 3, home)
    assert one[0] == 1, one
    assert three == one
    return [json.loads(line) for line in one[1].splitlines()]


def test_evtx_chunks_across_cores(
    corpus: tuple[Path, list[Path]], tmp_path: Path, small_pieces: None
) -> None:
    rules_dir, samples = corpus
    # One file of every sample's chunk (each sample is a header and one 64 KiB chunk).
    log = tmp_path / "many.evtx"
    with log.open("wb") as out:
        out.write(samples[0].read_bytes()[:EVTX_HEADER_BYTES])
        for sample in samples * 2:
            out.write(sample.read_bytes()[EVTX_HEADER_BYTES:])
    assert len(pieces.plan(log, "evtx", 3)) == 2 * len(samples)
    rows = same_on_one_and_three_cores(rules_dir, log, tmp_path / "home")
    assert len({row["rule_id"] for row in rows}) >= 10
    assert any("correlation" in row for row in rows)


def test_json_lines_across_cores(
    corpus: tuple[Path, list[Path]], tmp_path: Path, small_pieces: None
) -> None:
    rules_dir, samples = corpus
    events = [
        record.event
        for sample in samples
        for path in sample.parent.glob("*.json")
        for record in read_json(path.open("rb"))
        if record.event is not None
    ]
    log = tmp_path / "events.jsonl"
    with log.open("w") as out:
        for copy in range(30):
            for n, event in enumerate(events):
                out.write(json.dumps(dict(event, Copy=copy)) + "\n")
                if n % 7 == 0:
                    out.write("\n")  # blank lines count in line numbers
            out.write('["not an object"]\n')  # an unreadable record in every piece
    plan = pieces.plan(log, "json", 3)
    assert len(plan) > 3
    assert [p.start for p in plan[1:]] == [p.end for p in plan[:-1]]
    rows = same_on_one_and_three_cores(rules_dir, log, tmp_path / "home")
    assert len(rows) >= 30 * len({row["rule_id"] for row in rows if "correlation" not in row})
    assert any("correlation" in row for row in rows)


def test_a_document_over_several_lines_falls_back_to_one_core(
    corpus: tuple[Path, list[Path]], tmp_path: Path, small_pieces: None
) -> None:
    rules_dir, samples = corpus
    with next(samples[1].parent.glob("*.json")).open("rb") as sample:  # [0] only correlates
        event = next(r.event for r in read_json(sample) if r.event is not None)
    log = tmp_path / "mixed.json"
    with log.open("w") as out:
        for copy in range(400):
            out.write(json.dumps(dict(event, Copy=copy)) + "\n")
        out.write(json.dumps(dict(event, Copy="spread"), indent=2) + "\n")  # evtx_dump style
        for copy in range(400):
            out.write(json.dumps(dict(event, Copy=copy)) + "\n")
    assert len(pieces.plan(log, "json", 3)) > 2
    rows = same_on_one_and_three_cores(rules_dir, log, tmp_path / "home")
    assert len({row["line"] for row in rows if "correlation" not in row}) == 801
