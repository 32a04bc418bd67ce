"""The runner's verdict on a worker's log: crash, hang, memory excess or a clean run."""

from __future__ import annotations

from pathlib import Path

import pytest

from .__main__ import _outcome

WRITTEN = "Test unit written to {a}/"
CLEAN = (
    "Done 1200 runs in 20 second(s)\nstat::number_of_executed_units: 1200\nstat::peak_rss_mb: 61\n"
)


def _log(workdir: Path, text: str) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "fuzz.log").write_text(text)
    return workdir


def test_a_clean_run_reports_executions_and_memory(tmp_path: Path) -> None:
    outcome = _outcome("csv_events", 0, 21.0, _log(tmp_path, CLEAN), overdue=False)
    assert (outcome.status, outcome.executions, outcome.peak_rss_mb) == ("ok", 1200, 61)
    assert outcome.reproducer is None


@pytest.mark.parametrize(
    ("log", "status"),
    [
        (
            "=== Uncaught Python exception: ===\nKeyError: 'x'\n" + WRITTEN + "crash-1f\n",
            "crash",
        ),
        (
            "==1== ERROR: libFuzzer: timeout after 6 seconds\n" + WRITTEN + "timeout-2e\n",
            "hang",
        ),
        (
            "==1== ERROR: libFuzzer: out-of-memory (used: 600Mb)\n" + WRITTEN + "oom-3d\n",
            "memory",
        ),
        (
            " === Uncaught Python exception: ===\nMemoryError\nTest unit written to {a}/crash-4c\n",
            "memory",
        ),
        (" === Uncaught Python exception: ===\nIndexError: list index out of range\n", "crash"),
    ],
)
def test_failures_are_named_with_their_reproducer(tmp_path: Path, log: str, status: str) -> None:
    artifacts = tmp_path / "artifacts"
    outcome = _outcome("phi_scan", 1, 9.0, _log(tmp_path, log.format(a=artifacts)), False)
    assert outcome.status == status
    if "Test unit written" in log:
        assert outcome.reproducer is not None and outcome.reproducer.parent == artifacts


def test_a_worker_past_its_time_is_a_hang(tmp_path: Path) -> None:
    outcome = _outcome("evtx", -9, 300.0, _log(tmp_path, "#1 INITED\n"), overdue=True)
    assert outcome.status == "hang"
