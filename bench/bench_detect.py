"""Sigma detection: ``hygie hunt`` vs the real Zircolite, whole processes, same rules, same events.

Both run SigmaHQ's Windows rules (rules/windows, rules-emerging-threats and
rules-threat-hunting/windows of ../shared/data/sigma) over the same JSON-lines file: SigmaHQ's
regression events replicated with varied field values (hosts, users, PIDs, GUIDs, times, and
every other copy's process renamed so it stops matching), each with its line number in
``BenchLine`` so that matches can be compared event by event. Each tool runs as its own process,
end to end (rules loaded, events read, every match written out): wall and CPU time (CPU is the
steadier figure on a shared machine) and peak memory are the process's own. Twice each:

- cold: Hygie with an empty rule cache; Zircolite converting the Sigma YAML with pySigma
  (pipelines sysmon and windows-logsources);
- warm: Hygie with the cache the cold run wrote; Zircolite with the JSON ruleset it saved then.

Zircolite is looked for in ../shared/peers/zircolite, then $HYGIE_BENCH_ZIRCOLITE, then
/work/peers/zircolite, and run with the Python of its own .venv (install its requirements
there, never in Hygie's). Without it the bench says so and compares with Zircolite's method
instead (pySigma's SQLite backend in SQLite, run in this venv).

    .venv/bin/python bench/bench_detect.py              # 100,000 events
    .venv/bin/python bench/bench_detect.py --events 20000 --jobs 2
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SIGMA = REPO.parent / "shared" / "data" / "sigma"
RULE_FOLDERS = ("rules/windows", "rules-emerging-threats", "rules-threat-hunting/windows")
ZIRCOLITE_PLACES = (
    REPO.parent / "shared" / "peers" / "zircolite",
    Path(os.environ["HYGIE_BENCH_ZIRCOLITE"]) if os.environ.get("HYGIE_BENCH_ZIRCOLITE") else None,
    Path("/work/peers/zircolite"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=1, help="hygie hunt --jobs (warm run too)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/hygie-bench-detect"))
    parser.add_argument("--child", choices=["sqlite"], help=argparse.SUPPRESS)
    parser.add_argument("--rules", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--log", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        report = run_sqlite(args.rules, args.log, args.out)
        print(json.dumps(report))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    log = args.workdir / f"events-v2-{args.events}.jsonl"
    if not log.exists():
        started = time.perf_counter()
        write_events(log, args.events)
        print(f"generated {args.events:,} events in {time.perf_counter() - started:.1f} s: {log}")
    rules = rules_folder(args.workdir)
    runs: dict[str, dict[str, Any]] = {}
    home = args.workdir / "hygie-home"
    shutil.rmtree(home / "cache", ignore_errors=True)
    runs["Hygie cold"] = run_hygie(rules, log, args.workdir / "matches-hygie-cold.jsonl", home, 1)
    runs["Hygie warm"] = run_hygie(rules, log, args.workdir / "matches-hygie-warm.jsonl", home, 1)
    if args.jobs > 1:
        out = args.workdir / f"matches-hygie-jobs{args.jobs}.jsonl"
        runs[f"Hygie warm --jobs {args.jobs}"] = run_hygie(rules, log, out, home, args.jobs)
    zircolite = find_zircolite()
    if zircolite is None:
        places = ", ".join(str(p) for p in ZIRCOLITE_PLACES if p is not None)
        print(f"Zircolite NOT FOUND (looked in {places}): comparing with its method instead")
        runs["pySigma-SQLite"] = run_sqlite_child(rules, log, args.workdir)
    else:
        print(f"Zircolite: {zircolite}")
        runs.update(run_zircolite(zircolite, log, args.workdir))
    print_table(args.events, runs)


def rules_folder(workdir: Path) -> Path:
    """One folder linking to the rule folders (hygie hunt follows links to folders)."""
    folder = workdir / "rules"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for name in RULE_FOLDERS:
        if (SIGMA / name).is_dir():
            (folder / name.replace("/", "-")).symlink_to(SIGMA / name, target_is_directory=True)
    return folder


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
            event["BenchLine"] = n + 1  # which event a match is, whatever the tool
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
    from hygie.detection.cli.hunt import rule_sources as sources

    return list(sources(rules))


def measure(
    command: list[str], out: Path, *, cwd: Path | None = None, **env: str
) -> dict[str, Any]:
    """Run one whole process; its wall and CPU time, peak memory and exit code."""
    started = time.perf_counter()
    with out.open("wb") as stdout, out.with_suffix(".stderr").open("wb") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own commands
            command, stdout=stdout, stderr=stderr, cwd=cwd, env={**os.environ, **env}
        )
        _, status, usage = os.wait4(process.pid, 0)
    return {
        "wall_s": time.perf_counter() - started,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "exit": os.waitstatus_to_exitcode(status),
    }


def run_hygie(rules: Path, log: Path, out: Path, home: Path, jobs: int) -> dict[str, Any]:
    hygie = Path(sys.executable).with_name("hygie")
    command = [str(hygie), "hunt", "--rules", str(rules), "--logs", str(log), "--format", "jsonl"]
    report = measure([*command, "--jobs", str(jobs)], out, HYGIE_HOME=str(home))
    if report["exit"] not in (0, 1):
        sys.exit(f"hygie hunt failed: {out.with_suffix('.stderr').read_text()[-2000:]}")
    pairs = set()
    with out.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if "correlation" not in row:
                pairs.add((row["rule_id"], row["line"]))
    report["pairs"] = pairs
    return report


def find_zircolite() -> Path | None:
    for place in ZIRCOLITE_PLACES:
        if place is not None and (place / "zircolite.py").is_file():
            return place
    return None


def run_zircolite(home: Path, log: Path, workdir: Path) -> dict[str, dict[str, Any]]:
    """Cold: Sigma YAML converted with pySigma and saved (-sr); warm: that JSON ruleset."""
    python = home / ".venv" / "bin" / "python"
    if not python.exists():
        sys.exit(
            f"Zircolite found at {home} but not its venv: python -m venv {home}/.venv && "
            f"{home}/.venv/bin/pip install -r {home}/requirements.txt"
        )
    work = workdir / "zircolite"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    base = [str(python), str(home / "zircolite.py"), "-e", str(log), "-j", "-q"]
    folders = [str(SIGMA / name) for name in RULE_FOLDERS if (SIGMA / name).is_dir()]
    runs = {}
    before = set(home.glob("ruleset-*.json"))
    cold_out = work / "cold.json"
    cold = [*base, "-r", *folders, "-p", "sysmon", "windows-logsources", "-sr", "-o", str(cold_out)]
    runs["Zircolite cold"] = measure(cold, work / "cold.stdout", cwd=home)
    # Zircolite saves one converted ruleset per -r folder, in its own folder: move them here.
    rulesets = []
    for saved in sorted(set(home.glob("ruleset-*.json")) - before):
        rulesets.append(work / saved.name)
        shutil.move(saved, rulesets[-1])
    if not rulesets:
        sys.exit(f"Zircolite saved no ruleset: {(work / 'cold.stdout.stderr')}")
    warm_out = work / "warm.json"
    warm = [*base, "-r", *(str(r) for r in rulesets), "-o", str(warm_out)]
    runs["Zircolite warm"] = measure(warm, work / "warm.stdout", cwd=home)
    for name, out in (("Zircolite cold", cold_out), ("Zircolite warm", warm_out)):
        runs[name]["pairs"] = zircolite_pairs(out)
    runs["Zircolite cold"]["rules"] = sum(len(json.loads(r.read_text())) for r in rulesets)
    return runs


def zircolite_pairs(path: Path) -> set[tuple[str, int]]:
    """(rule id, event line) of every match in Zircolite's JSON output."""
    if not path.exists():
        return set()
    pairs = set()
    for detection in json.loads(path.read_text(encoding="utf-8") or "[]"):
        rule_id = str(detection.get("id") or detection.get("rule_id") or detection.get("title"))
        for row in detection.get("matches", []):
            line = row.get("BenchLine")  # SQLite's row_id would do too: rows go in in order
            if line is not None:
                pairs.add((rule_id, int(line)))
    return pairs


def run_sqlite_child(rules: Path, log: Path, workdir: Path) -> dict[str, Any]:
    out = workdir / "matches-sqlite.tsv"
    command = [sys.executable, __file__, "--child", "sqlite", "--rules", str(rules)]
    report = measure([*command, "--log", str(log), "--out", str(out)], workdir / "sqlite.stdout")
    report.update(json.loads((workdir / "sqlite.stdout").read_text().strip().splitlines()[-1]))
    pairs = set()
    for line in out.read_text(encoding="utf-8").splitlines():
        rule_id, row = line.split("\t")
        pairs.add((rule_id, int(row)))
    report["pairs"] = pairs
    return report


def run_sqlite(rules: Path, log: Path, out: Path) -> dict[str, Any]:
    """Zircolite's method in this venv: pySigma's SQLite backend over an in-memory SQLite."""
    from hygie.detection.engine import load_rule_pack
    from tests.engines.detection.sqlite_reference import convert_rules, load_events, run_rules

    pack = load_rule_pack(rule_sources(rules))
    sql_rules, refused = convert_rules(pack)

    def events() -> Any:
        with log.open(encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)

    connection = load_events(events())
    found, failed = run_rules(connection, sql_rules)
    with out.open("w", encoding="utf-8") as matches:
        for rule_id, row in found:  # row ids count from 0, lines from 1
            matches.write(f"{rule_id}\t{row + 1}\n")
    return {"rules": len({r.rule_id for r in sql_rules}), "refused": len(refused)}


def print_table(count: int, runs: dict[str, dict[str, Any]]) -> None:
    folders = ", ".join(name for name in RULE_FOLDERS if (SIGMA / name).is_dir())
    print(f"\nSigma rules of {SIGMA} ({folders}) over {count:,} events, whole processes\n")
    print(f"{'':30}{'wall (s)':>10}{'CPU (s)':>10}{'peak MiB':>10}{'matches':>10}")
    for name, run in runs.items():
        print(
            f"{name:30}{run['wall_s']:>10.1f}{run['cpu_s']:>10.1f}"
            f"{run['peak_rss_mb']:>10.0f}{len(run['pairs']):>10,}"
        )
    hygie = runs["Hygie warm"]["pairs"]
    peers = [name for name in runs if not name.startswith("Hygie")]
    print()
    for temperature in ("cold", "warm"):
        ours = runs[f"Hygie {temperature}"]
        theirs = runs.get(f"Zircolite {temperature}") or runs[peers[0]]
        label = "Zircolite" if f"Zircolite {temperature}" in runs else peers[0]
        print(
            f"{temperature}: Hygie {theirs['wall_s'] / ours['wall_s']:.1f}x faster (wall), "
            f"{theirs['cpu_s'] / ours['cpu_s']:.1f}x less CPU than {label}"
        )
    for name in runs:
        if name.startswith("Hygie") and name != "Hygie warm":
            same = runs[name]["pairs"] == hygie
            print(f"{name}: same (rule, event) matches as Hygie warm: {'yes' if same else 'NO'}")
    peer = runs[peers[-1]]["pairs"]
    both = len(hygie & peer)
    union = len(hygie | peer) or 1
    print(
        f"(rule, event) agreement with {peers[-1]}: {both:,} in both, "
        f"{len(hygie - peer):,} only Hygie, {len(peer - hygie):,} only {peers[-1]} "
        f"({100 * both / union:.1f} % of the union)"
    )
    only_rules = sorted({rule for rule, _ in peer - hygie})[:10]
    if only_rules:
        print(f"  rules with matches only {peers[-1]} found (first 10): {', '.join(only_rules)}")
    extra_rules = sorted({rule for rule, _ in hygie - peer})[:10]
    if extra_rules:
        print(f"  rules with matches only Hygie found (first 10): {', '.join(extra_rules)}")


if __name__ == "__main__":
    main()
