"""Run one fuzz target in this process under atheris (libFuzzer), with bounded time and memory.

    python -m tests.fuzz.worker TARGET --workdir DIR [libFuzzer options]   # fuzz
    python -m tests.fuzz.worker TARGET path/to/input [...]                 # replay inputs

The runner (``python -m tests.fuzz``) starts one worker per target. The worker writes the seeds
into ``DIR/seeds``, lets libFuzzer grow ``DIR/corpus``, and saves a failing input in
``DIR/artifacts`` (``crash-*``, ``timeout-*``, ``oom-*``). Memory is bounded twice: libFuzzer's
``-rss_limit_mb`` (resident memory, checked every second) and an address-space limit (a hard
stop: an allocation beyond it raises ``MemoryError``, which the oracle reports as a crash).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import resource
import sys
import time
import warnings
from pathlib import Path

from .target import check
from .targets import TARGETS

# glibc reserves address space per thread (stacks, malloc arenas) that is never touched: the
# address-space limit allows this much on top of the memory bound so libFuzzer's threads start.
_THREAD_RESERVE_MB = 512


def _status_mb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    return 0


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("target", choices=sorted(TARGETS))
    parser.add_argument("--workdir", type=Path)
    parser.add_argument(
        "--memory-mb",
        type=int,
        default=384,
        help="memory an input may take beyond the loaded parser",
    )
    options, rest = parser.parse_known_args(argv)
    target = TARGETS[options.target]

    import atheris

    # Third-party parsers log and warn about every odd input: noise, and slow.
    logging.disable(logging.CRITICAL)
    warnings.simplefilter("ignore")
    started = time.monotonic()
    with atheris.instrument_imports(include=list(target.instrument)):
        parse, allowed = target.load()
    print(f"fuzz: {target.name}: loaded in {time.monotonic() - started:.1f} s", flush=True)

    replay = [arg for arg in rest if not arg.startswith("-")]
    libfuzzer = [sys.argv[0], *rest]
    if not replay:
        if options.workdir is None:
            parser.error("--workdir is required when fuzzing")
        libfuzzer += _prepare(
            target.name, options.workdir, target.max_len, target.all_seeds(), target.reproducers()
        )

    baseline_rss, baseline_vm = _status_mb("VmRSS"), _status_mb("VmSize")
    libfuzzer.insert(1, f"-rss_limit_mb={baseline_rss + options.memory_mb}")
    limit = (baseline_vm + options.memory_mb + _THREAD_RESERVE_MB) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def one_input(data: bytes) -> None:
        check(parse, allowed, data)

    atheris.Setup(libfuzzer, one_input)
    atheris.Fuzz()


def _prepare(
    name: str, workdir: Path, max_len: int, seeds: object, reproducers: list[Path]
) -> list[str]:
    """Write the seeds; return libFuzzer's options and folders (grown corpus first)."""
    seed_dir, corpus_dir, artifacts = (workdir / "seeds", workdir / "corpus", workdir / "artifacts")
    for folder in (seed_dir, corpus_dir, artifacts):
        folder.mkdir(parents=True, exist_ok=True)
    longest = 0
    for seed_name, data in seeds:  # type: ignore[attr-defined]
        digest = hashlib.sha1(data).hexdigest()[:12]
        (seed_dir / f"{digest}-{seed_name}"[:120]).write_bytes(data)
        longest = max(longest, len(data))
    folders = [str(corpus_dir), str(seed_dir)]
    if reproducers:
        folders.append(str(reproducers[0].parent))
    print(f"fuzz: {name}: {sum(1 for _ in seed_dir.iterdir())} seeds", flush=True)
    return [
        f"-max_len={max(4096, min(longest, max_len))}",
        f"-artifact_prefix={artifacts}/",
        "-print_final_stats=1",
        *folders,
    ]


if __name__ == "__main__":
    main(sys.argv[1:])
