"""What a fuzz target is, the oracle every input goes through, and where seeds come from.

A target feeds one input (bytes) to one public parse entry point. The parser may return anything
or raise the error it documents (a ``HygieError`` subclass); any other exception is a crash.
Hangs and memory are bounded by the runner (libFuzzer's ``-timeout``/``-rss_limit_mb`` and an
address-space limit) and, for the regression fixtures, by ``run_bounded``.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from hygie.lib.errors import HygieError

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
REPRODUCERS = REPO_ROOT / "tests" / "fixtures" / "fuzz"
SHARED_DATA = Path(os.environ.get("HYGIE_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
# Seeds taken from the shared data set, per target: enough variety, a short start-up.
MAX_SHARED_SEEDS = 40
MAX_SHARED_SEED_BYTES = 64 * 1024  # bigger inputs slow every mutation down

Parse = Callable[[bytes], object]
Seed = tuple[str, bytes]
# A loaded target: the function taking one input, and the error types it documents.
Loaded = tuple[Parse, tuple[type[BaseException], ...]]


@dataclass(frozen=True)
class Target:
    """One parse entry point under fuzzing.

    ``load`` imports the parser (under coverage instrumentation in the fuzz worker) and returns
    the function taking the raw input, and the error types it is documented to raise.
    ``instrument`` lists the module prefixes whose code gives coverage feedback.
    ``seeds`` yields (name, bytes) beyond the committed ``corpus/<name>/`` files.
    """

    name: str
    description: str
    load: Callable[[], Loaded]
    instrument: tuple[str, ...]
    seeds: Callable[[], Iterable[Seed]] = field(default=lambda: ())
    max_len: int = 64 * 1024

    def all_seeds(self) -> Iterator[Seed]:
        """Committed synthetic seeds, generated ones, then shared samples (when present)."""
        folder = CORPUS / self.name
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.is_file():
                    yield path.name, path.read_bytes()
        yield from self.seeds()

    def reproducers(self) -> list[Path]:
        folder = REPRODUCERS / self.name
        return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


class UndeclaredError(AssertionError):
    """The parser raised a ``HygieError`` that is not among the types it documents."""


def check(parse: Parse, allowed: tuple[type[BaseException], ...], data: bytes) -> None:
    """Feed ``data``; a documented error is a clean rejection, anything else propagates."""
    try:
        parse(data)
    except allowed as error:
        if not isinstance(error, HygieError):  # a declared type must be one of ours
            raise
        str(error)  # rendering the message must not fail either


class InputTimeout(Exception):
    """One input took longer than the per-input bound (a hang)."""


def run_bounded(
    parse: Parse, allowed: tuple[type[BaseException], ...], data: bytes, seconds: int
) -> None:
    """``check`` with a wall-clock bound (SIGALRM; main thread only)."""

    def expire(_signum: int, _frame: FrameType | None) -> None:
        raise InputTimeout(f"input took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        check(parse, allowed, data)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def shared_files(
    *patterns: str, under: str = "", max_bytes: int = MAX_SHARED_SEED_BYTES
) -> Iterator[Seed]:
    """Small files of the shared data set matching ``patterns`` (none when it is absent).

    The data set is never copied into the repository: these seeds live in a temporary folder.
    """
    root = SHARED_DATA / under
    if not root.is_dir():
        return
    found: list[Path] = []
    for pattern in patterns:
        found.extend(
            p for p in root.rglob(pattern) if p.is_file() and p.stat().st_size <= max_bytes
        )
    found.sort()
    # An even spread over the sorted list rather than the first N of one folder.
    step = max(1, len(found) // MAX_SHARED_SEEDS)
    for path in found[::step][:MAX_SHARED_SEEDS]:
        yield f"shared-{path.name}", path.read_bytes()


def package_files(folder: str, pattern: str) -> Iterator[Seed]:
    """Synthetic files shipped in the package (rules, playbooks, scenarios) as seeds."""
    for path in sorted((REPO_ROOT / folder).glob(pattern)):
        yield path.name, path.read_bytes()


def text(data: bytes) -> str:
    """Bytes as the platform decodes uploads: UTF-8, undecodable bytes replaced."""
    return data.decode("utf-8", "replace")
