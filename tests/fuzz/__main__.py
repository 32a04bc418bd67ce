"""Run the fuzz targets for a bounded time each; exit 1 on any crash, hang or memory excess.

    python -m tests.fuzz                          # every target, 20 s each, two at a time
    python -m tests.fuzz extract_pdf --time 600   # one target, longer
    python -m tests.fuzz --list

Each target runs in its own worker process (``tests.fuzz.worker``); its log, grown corpus and
failing inputs are kept in ``build/fuzz/<target>/``. A failure prints the target, the
reproducer's path and the traceback; replay it with
``python -m tests.fuzz.worker <target> <reproducer>``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .target import REPO_ROOT
from .targets import TARGETS

# Import, instrumentation and seeding happen before libFuzzer's clock starts; beyond this
# allowance on top of --time, the worker itself is considered hung and is stopped.
_STARTUP_ALLOWANCE_S = 240


@dataclass
class Outcome:
    target: str
    status: str  # ok, crash, hang, memory, error
    seconds: float
    executions: int
    peak_rss_mb: int
    corpus: int
    reproducer: Path | None
    log: Path


def _parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fuzz",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("targets", nargs="*", help="targets to run (default: all)")
    parser.add_argument("--time", type=int, default=20, help="seconds of fuzzing per target")
    parser.add_argument("--jobs", type=int, default=2, help="targets run at the same time")
    parser.add_argument(
        "--timeout",
        type=int,
        default=5,
        help="seconds one input may take before it counts as a hang",
    )
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=384,
        help="memory one input may take beyond the loaded parser",
    )
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "build" / "fuzz")
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    options = parser.parse_args(argv)
    unknown = sorted(set(options.targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown target(s): {', '.join(unknown)} (see --list)")
    return options


def main(argv: list[str]) -> int:
    options = _parse_args(argv)
    if options.list:
        for target in TARGETS.values():
            print(f"{target.name:18} {target.description}")
        return 0
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("fuzz: atheris is not installed (pip install -e '.[dev]')", file=sys.stderr)
        return 2
    names = options.targets or list(TARGETS)
    started = time.monotonic()
    outcomes = _run_all(names, options)
    _report(outcomes, time.monotonic() - started)
    return 0 if all(outcome.status == "ok" for outcome in outcomes) else 1


def _run_all(names: list[str], options: argparse.Namespace) -> list[Outcome]:
    pending = list(names)
    running: dict[str, tuple[subprocess.Popen[bytes], float, Path]] = {}
    outcomes: list[Outcome] = []
    while pending or running:
        while pending and len(running) < max(1, options.jobs):
            name = pending.pop(0)
            running[name] = _start(name, options)
        time.sleep(0.5)
        for name, (process, start, workdir) in list(running.items()):
            overdue = time.monotonic() - start > options.time + _STARTUP_ALLOWANCE_S
            if process.poll() is None and not overdue:
                continue
            if process.poll() is None:
                process.kill()
                process.wait()
            del running[name]
            outcome = _outcome(name, process.returncode, time.monotonic() - start, workdir, overdue)
            outcomes.append(outcome)
            print(
                f"fuzz: {name}: {outcome.status}, {outcome.executions} executions in "
                f"{outcome.seconds:.0f} s",
                flush=True,
            )
    return sorted(outcomes, key=lambda outcome: names.index(outcome.target))


def _start(name: str, options: argparse.Namespace) -> tuple[subprocess.Popen[bytes], float, Path]:
    workdir = options.out / name
    shutil.rmtree(workdir / "artifacts", ignore_errors=True)
    shutil.rmtree(workdir / "seeds", ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    log = (workdir / "fuzz.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "tests.fuzz.worker",
        name,
        "--workdir",
        str(workdir),
        "--memory-mb",
        str(options.memory_mb),
        f"-max_total_time={options.time}",
        f"-timeout={options.timeout}",
    ]
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT, env=env
    )
    log.close()
    return process, time.monotonic(), workdir


def _number(pattern: str, text: str) -> int:
    found = re.findall(pattern, text)
    return int(found[-1]) if found else 0


def _outcome(name: str, returncode: int, seconds: float, workdir: Path, overdue: bool) -> Outcome:
    log = workdir / "fuzz.log"
    text = log.read_text(encoding="utf-8", errors="replace")
    written = re.findall(r"Test unit written to (\S+)", text)
    reproducer = Path(written[-1]) if written else None
    status = "ok"
    if overdue:
        status = "hang"
    elif reproducer is not None or returncode != 0:
        kind = reproducer.name.split("-", 1)[0] if reproducer else ""
        if kind == "timeout" or "libFuzzer: timeout" in text:
            status = "hang"
        elif kind == "oom" or "MemoryError" in text or "out-of-memory" in text:
            status = "memory"
        elif reproducer is not None or "Uncaught Python exception" in text:
            status = "crash"
        else:
            status = "error"
    corpus_dir = workdir / "corpus"
    corpus = sum(1 for _ in corpus_dir.iterdir()) if corpus_dir.is_dir() else 0
    return Outcome(
        name,
        status,
        seconds,
        _number(r"stat::number_of_executed_units:\s*(\d+)", text)
        or _number(r"Done (\d+) runs", text),
        _number(r"stat::peak_rss_mb:\s*(\d+)", text),
        corpus,
        reproducer,
        log,
    )


def _report(outcomes: list[Outcome], elapsed: float) -> None:
    print(
        f"\n{'target':18} {'result':7} {'time':>6} {'executions':>11} {'peak RSS':>9} {'corpus':>7}"
    )
    for o in outcomes:
        print(
            f"{o.target:18} {o.status:7} {o.seconds:5.0f}s {o.executions:11d}"
            f" {o.peak_rss_mb:7d}MB {o.corpus:7d}"
        )
    print(f"total: {elapsed:.0f} s")
    for o in outcomes:
        if o.status == "ok":
            continue
        print(f"\n=== {o.target}: {o.status}")
        print(f"reproducer: {o.reproducer or '(none written)'}")
        print(f"log: {o.log}")
        if o.reproducer is not None:
            print(f"replay: python -m tests.fuzz.worker {o.target} {o.reproducer}")
            print(f"keep as a regression fixture: tests/fixtures/fuzz/{o.target}/")
        print("--- end of the log (traceback) ---")
        lines = o.log.read_text(encoding="utf-8", errors="replace").splitlines()
        start = next(
            (
                i
                for i, line in enumerate(lines)
                if "Traceback" in line
                or "==ERROR" in line
                or "=== Timeout" in line
                or "ERROR: libFuzzer" in line
            ),
            max(0, len(lines) - 40),
        )
        print("\n".join(lines[max(0, start - 2) : start + 60]))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
