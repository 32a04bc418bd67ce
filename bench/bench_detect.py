"""Sigma detection: Hygie's engine vs Zircolite's method (pySigma SQLite backend in SQLite).

Both run every rule of ../shared/data/sigma/rules/windows over the same JSON-lines file: SigmaHQ's
regression events replicated with varied field values (hosts, users, PIDs, GUIDs, times, and
every other copy's process renamed so it stops matching). Each tool runs in its own process,
end to end (rules loaded, events read, every match written out), so its peak memory is its own.

    .venv/bin/python bench/bench_detect.py              # 1,000,000 events
    .venv/bin/python bench/bench_detect.py --events 50000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SIGMA = REPO.parent / "shared" / "data" / "sigma"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rules", type=Path, default=SIGMA / "rules" / "windows")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/hygie-bench-detect"))
    parser.add_argument("--child", choices=["hygie", "sqlite"], help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        report = CHILDREN[args.child](args.rules, args.log, args.out)
        report["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(report))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    log = args.workdir / f"events-{args.events}.jsonl"
    if not log.exists():
        started = time.perf_counter()
        write_events(log, args.events)
        print(f"generated {args.events:,} events in {time.perf_counter() - started:.1f} s: {log}")
    reports = {}
    for tool in ("hygie", "sqlite"):
        out = args.workdir / f"matches-{tool}.tsv"
        command = [
            sys.executable,
            __file__,
            "--child",
            tool,
            "--rules",
            str(args.rules),
            "--log",
            str(log),
            "--out",
            str(out),
        ]
        completed = subprocess.run(command, capture_output=True, text=True, check=True)
        reports[tool] = json.loads(completed.stdout.strip().splitlines()[-1])
        reports[tool]["digest"], reports[tool]["matches"] = digest(out)
    print_table(args.events, reports)


# --------------------------------------------------------------------------- events


def base_events() -> list[dict[str, Any]]:
    from hygie.detection.engine import read_json

    events = []
    for sample in sorted((SIGMA / "regression_data").rglob("*.json")):
        with sample.open("rb") as handle:
            events.extend(r.event for r in read_json(handle) if r.event is not None)
    return events


def write_events(path: Path, count: int) -> None:
    base = base_events()
    randomiser = random.Random(42)  # noqa: S311 - reproducible test data, not security
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            event = dict(base[n % len(base)])
            copy = n // len(base)
            if copy:
                vary(event, copy, randomiser)
            handle.write(json.dumps(event) + "\n")


def vary(event: dict[str, Any], copy: int, randomiser: random.Random) -> None:
    event["Computer"] = f"WS-{copy % 5000:04d}.corp.example"
    event["EventRecordID"] = copy
    for name in ("ProcessId", "ParentProcessId"):
        if name in event:
            event[name] = randomiser.randint(4, 65000)
    for name in ("ProcessGuid", "ParentProcessGuid", "LogonGuid"):
        if name in event:
            event[name] = f"{{{copy:08X}-0000-0000-0000-{randomiser.getrandbits(48):012X}}}"
    if "User" in event:
        event["User"] = f"CORP\\user{copy % 997}"
    if "UtcTime" in event:
        event["UtcTime"] = f"2026-01-{1 + copy % 28:02d} {copy % 24:02d}:{copy % 60:02d}:00.000"
    if copy % 2:
        # Half the copies look like ordinary software, so most rules see non-matching values.
        image = f"C:\\Program Files\\Vendor{copy % 100}\\tool{copy % 37}.exe"
        for name in ("Image", "TargetFilename", "ImageLoaded"):
            if name in event:
                event[name] = image
        if "CommandLine" in event:
            event["CommandLine"] = f'"{image}" --sync --id {copy}'


# --------------------------------------------------------------------------- tools


def rule_sources(rules: Path) -> list[Any]:
    from hygie.detection.engine import RuleSource

    return [RuleSource(str(p), p.read_bytes()) for p in sorted(rules.rglob("*.yml"))]


def run_hygie(rules: Path, log: Path, out: Path) -> dict[str, Any]:
    from hygie.detection.engine import (
        HYPERSCAN_AVAILABLE,
        DetectionEngine,
        DetectionSession,
        load_rule_pack,
        read_json,
    )

    started = time.perf_counter()
    engine = DetectionEngine(load_rule_pack(rule_sources(rules)))
    ready = time.perf_counter()
    session = DetectionSession(engine)
    events = 0
    with log.open("rb") as handle, out.open("w", encoding="utf-8") as matches:
        for record in read_json(handle):
            if record.event is None:
                continue
            events += 1
            for rule in session.process(record.event, record.origin).rules:
                matches.write(f"{rule.id}\t{record.origin}\n")
    done = time.perf_counter()
    return {
        "rules": len(engine.rules),
        "events": events,
        "setup_s": ready - started,
        "events_s": done - ready,
        "hyperscan": HYPERSCAN_AVAILABLE,
    }


def run_sqlite(rules: Path, log: Path, out: Path) -> dict[str, Any]:
    from hygie.detection.engine import load_rule_pack
    from tests.engines.detection.sqlite_reference import convert_rules, load_events, run_rules

    started = time.perf_counter()
    pack = load_rule_pack(rule_sources(rules))
    sql_rules, refused = convert_rules(pack)
    ready = time.perf_counter()

    def events() -> Any:
        with log.open(encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)

    # Row ids count from 0; Hygie reports JSON-lines origins from 1.
    connection = load_events(events())
    loaded = time.perf_counter()
    found, failed = run_rules(connection, sql_rules)
    with out.open("w", encoding="utf-8") as matches:
        for rule_id, row in found:
            matches.write(f"{rule_id}\t{row + 1}\n")
    done = time.perf_counter()
    count = connection.execute("SELECT count(*) FROM logs").fetchone()[0]
    return {
        "rules": len({r.rule_id for r in sql_rules}),
        "events": count,
        "setup_s": ready - started,
        "load_s": loaded - ready,
        "events_s": done - ready,
        "refused": len(refused),
        "failed": len(failed),
    }


CHILDREN = {"hygie": run_hygie, "sqlite": run_sqlite}


def digest(path: Path) -> tuple[str, int]:
    lines = sorted(path.read_text(encoding="utf-8").splitlines())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16], len(lines)


def print_table(count: int, reports: dict[str, dict[str, Any]]) -> None:
    hygie, sqlite = reports["hygie"], reports["sqlite"]
    print(f"\nSigma rules of {SIGMA / 'rules' / 'windows'} over {count:,} events\n")
    print(f"{'':32}{'Hygie':>16}{'pySigma-SQLite':>18}")
    rows = [
        ("rules run", hygie["rules"], sqlite["rules"], "{:,}"),
        ("rules load/compile (s)", hygie["setup_s"], sqlite["setup_s"], "{:.1f}"),
        ("events phase (s)", hygie["events_s"], sqlite["events_s"], "{:.1f}"),
        (
            "events/s",
            hygie["events"] / hygie["events_s"],
            sqlite["events"] / sqlite["events_s"],
            "{:,.0f}",
        ),
        ("peak memory (MiB)", hygie["peak_rss_mb"], sqlite["peak_rss_mb"], "{:,.0f}"),
        ("matches", hygie["matches"], sqlite["matches"], "{:,}"),
        ("match set digest", hygie["digest"], sqlite["digest"], "{}"),
    ]
    for label, ours, theirs, fmt in rows:
        print(f"{label:32}{fmt.format(ours):>16}{fmt.format(theirs):>18}")
    speedup = sqlite["events_s"] / hygie["events_s"]
    total = (sqlite["setup_s"] + sqlite["events_s"]) / (hygie["setup_s"] + hygie["events_s"])
    same = hygie["digest"] == sqlite["digest"]
    print(f"\nspeed ratio (events phase): Hygie {speedup:.1f}x faster; end to end {total:.1f}x")
    print(f"memory ratio: Hygie uses {sqlite['peak_rss_mb'] / hygie['peak_rss_mb']:.1f}x less")
    print(
        f"identical match sets: {'yes' if same else 'NO'}"
        + (
            f" (SQLite refused {sqlite['refused']} rule(s), Hygie matched none of them)"
            if sqlite["refused"]
            else ""
        )
    )
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
