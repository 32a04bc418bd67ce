"""Memory and throughput of ``hygie scan`` on large CSV and text files (issue 9, defect 5).

Run: ``.venv/bin/python bench/bench_scan_memory.py`` (``make bench-scan-memory``). Options:
``--sizes 43,250`` (MB), ``--formats csv,text``, ``--work DIR`` (where inputs are generated,
default a temporary folder), ``--no-baseline``, ``--no-presidio``, ``--time-limit S`` (stop a
scan still running after S seconds and report its peak RSS so far: on a busy machine the 250 MB
runs take long, and a streaming scan reaches its peak within the first blocks).

For each input, ``hygie scan`` runs in a child process and the figures are its peak resident set
size (``ru_maxrss`` of the child, from ``wait4``) and its throughput. For comparison:
- *baseline*: the approach before streaming, inlined here: read the whole file, extract it and
  detect in one pass (``scan_bytes``), run in its own child process, on the smallest size only
  (on 250 MB it needs several GB);
- *Presidio* (``presidio-analyzer``, the ``bench`` extra) on a 2 MB slice of the text input, when
  it and a spaCy model are installed: Presidio works on one in-memory string, so it is reported
  for the slice only.

Inputs are synthetic: surnames and given names from an obviously invented list, NIR numbers with
valid keys but made-up bodies, phone numbers in the 01 99 range, dates at random. No real person.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hygie.privacy.engine.validators import nir_key  # noqa: E402

SURNAMES = ("EXEMPLE", "FICTIF", "DEMO", "FACTICE", "MODELE", "ESSAI", "MAQUETTE", "TEMOIN")
GIVEN = ("Camille", "Louis", "Ines", "Hugo", "Lea", "Nathan", "Chloe", "Jules", "Manon", "Theo")
MB = 1_000_000


def fictitious_nir(rng: random.Random) -> str:
    body = (
        f"{rng.choice('12')}{rng.randint(30, 99):02d}{rng.randint(1, 12):02d}"
        f"{rng.randint(1, 95):02d}{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
    )
    return body + nir_key(body)


def _csv_row(rng: random.Random) -> str:
    return (
        f"{rng.choice(SURNAMES)};{rng.choice(GIVEN)};{fictitious_nir(rng)};"
        f"{rng.randint(1930, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d};"
        f"01 99 {rng.randint(0, 99):02d} {rng.randint(0, 99):02d} {rng.randint(0, 99):02d};"
        f"RAS\n"
    )


def _text_line(rng: random.Random) -> str:
    return (
        f"Vu ce jour Mme {rng.choice(GIVEN)} {rng.choice(SURNAMES)}, NIR {fictitious_nir(rng)}, "
        f"née le {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(1930, 2020)}. "
        "Pas de plainte particulière, examen clinique sans anomalie, traitement poursuivi.\n"
    )


def generate(path: Path, kind: str, megabytes: int, seed: int = 9) -> Path:
    """Write about ``megabytes`` MB of synthetic CSV or text to ``path`` (kept between runs)."""
    if path.exists() and path.stat().st_size >= megabytes * MB:
        return path
    rng = random.Random(seed)
    target = megabytes * MB
    with path.open("w", encoding="utf-8") as out:
        if kind == "csv":
            out.write("nom;prenom;nir;date_naissance;telephone;commentaire\n")
        written = 0
        make = _csv_row if kind == "csv" else _text_line
        while written < target:
            block = "".join(make(rng) for _ in range(2000))
            out.write(block)
            written += len(block.encode())
    return path


def run_child(argv: list[str], time_limit: float = 0.0) -> tuple[float, float, float, int]:
    """(peak RSS in MB, wall seconds, CPU seconds, exit code) of one child process.

    With ``time_limit``, a child still running then is stopped (exit code -1): its peak RSS is
    the peak so far, which is what a streaming scan's bound is about.
    """
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stopped = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG if time_limit else 0)
        if pid:
            break
        if time.perf_counter() - started > time_limit:
            stopped = True
            process.terminate()
            _pid, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.5)
    elapsed = time.perf_counter() - started
    code = -1 if stopped else os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.stderr is not None:
        process.stderr.close()
    if "Traceback" in errors and not stopped:  # an uncaught exception also exits with 1
        code = 99
    tail = errors.strip().splitlines()[-1:]
    if code not in (0, 1, -1) and tail:
        print(f"    ({tail[0][:160]})")
    return usage.ru_maxrss / 1024, elapsed, usage.ru_utime + usage.ru_stime, code


_BASELINE = """
import sys
from pathlib import Path
from hygie.privacy.engine import PHIDetector, ScanConfig, scan_bytes
detector = PHIDetector(ScanConfig(hmac_key=b"benchmark-key-not-secret-0123456789",
                                  min_confidence=0.3))
path = Path(sys.argv[1])
result = scan_bytes(detector, path.read_bytes(), path.name)
print(len(result.findings))
"""

_PRESIDIO = """
import sys
from presidio_analyzer import AnalyzerEngine
text = open(sys.argv[1], encoding="utf-8").read(2_000_000)
engine = AnalyzerEngine()
engine.nlp_engine.nlp["en"].max_length = len(text) + 1
print(len(engine.analyze(text=text, language="en")))
"""


def _line(label: str, size_mb: float, figures: tuple[float, float, float, int]) -> None:
    rss, seconds, cpu, code = figures
    status = (
        "ok"
        if code in (0, 1)
        else "STOPPED at the time limit (peak so far)"
        if code == -1
        else "FAILED (traceback)"
        if code == 99
        else f"FAILED ({code})"
    )
    # MB/s per CPU second as well: on a busy machine the wall clock says little. A stopped run
    # read an unknown part of its input: no rate.
    wall_rate = f"{size_mb / max(seconds, 1e-6):>6.2f}" if code != -1 else "     -"
    cpu_rate = f"{size_mb / max(cpu, 1e-6):>6.2f}" if code != -1 else "     -"
    print(
        f"  {label:<34} {size_mb:>7.1f} MB  peak RSS {rss:>8.0f} MB  "
        f"{seconds:>7.1f} s  {wall_rate} MB/s  "
        f"CPU {cpu:>7.1f} s  {cpu_rate} MB/CPU-s  {status}"
    )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="43,250", help="input sizes in MB, comma-separated")
    parser.add_argument("--formats", default="csv,text")
    parser.add_argument("--work", type=Path, help="folder for the generated inputs")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=0.0,
        help="stop a hygie scan still running after this many seconds (0: no limit)",
    )
    parser.add_argument(
        "--memory-cap-mb",
        type=int,
        default=8000,
        help="address-space cap of each child, so a runaway baseline cannot exhaust the host",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    work = args.work or Path(tempfile.mkdtemp(prefix="hygie-bench-scan-"))
    work.mkdir(parents=True, exist_ok=True)
    hygie = str(Path(sys.executable).with_name("hygie"))
    cap = args.memory_cap_mb * 1024 * 1024
    limit = ["prlimit", f"--as={cap}", "--"] if _has_prlimit() else []
    env_note = "hyperscan" if _has_hyperscan() else "re"
    print(f"hygie scan, peak RSS and throughput (matcher: {env_note}; inputs in {work})")
    sys.stdout.flush()
    for kind in formats:
        for size in sizes:
            path = generate(
                work / f"synthetic-{size}mb.{'csv' if kind == 'csv' else 'txt'}", kind, size
            )
            size_mb = path.stat().st_size / MB
            figures = run_child(
                [
                    *limit,
                    hygie,
                    "scan",
                    "--no-progress",
                    "--format",
                    "json",
                    "-o",
                    os.devnull,
                    str(path),
                ],
                args.time_limit,
            )
            _line(f"hygie scan {kind}", size_mb, figures)
        if not args.no_baseline and sizes:
            path = work / f"synthetic-{min(sizes)}mb.{'csv' if kind == 'csv' else 'txt'}"
            figures = run_child([*limit, sys.executable, "-c", _BASELINE, str(path)])
            _line(f"baseline (whole file) {kind}", path.stat().st_size / MB, figures)
    if not args.no_presidio and "text" in formats and sizes:
        try:
            import presidio_analyzer  # noqa: F401
        except ImportError:
            print("  presidio: not installed (pip install -e '.[bench]'), skipped")
        else:
            path = work / f"synthetic-{min(sizes)}mb.txt"
            figures = run_child([*limit, sys.executable, "-c", _PRESIDIO, str(path)])
            _line("presidio (first 2 MB of text)", 2.0, figures)
    resource.getrusage(resource.RUSAGE_CHILDREN)  # all children reaped


def _has_prlimit() -> bool:
    from shutil import which

    return which("prlimit") is not None


def _has_hyperscan() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
