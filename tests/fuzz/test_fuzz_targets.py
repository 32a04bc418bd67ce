"""Regression tests of the fuzz targets, run by ``make test`` (the fuzzing itself is ``make fuzz``).

Every saved reproducer in ``tests/fixtures/fuzz/<target>/`` (an input that once crashed, hung
or exhausted memory) and every committed seed must now give a result or a documented error,
within the per-input time bound.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from .target import CORPUS, REPRODUCERS, Loaded, Target, run_bounded
from .targets import TARGETS

# Generous next to the fuzzer's 5 s: the suite runs on every core at once.
SECONDS_PER_INPUT = 20


@cache
def _loaded(name: str) -> Loaded:
    return TARGETS[name].load()


def _cases(folder: Path) -> list[tuple[str, Path]]:
    return [
        (target, path)
        for target in sorted(TARGETS)
        for path in sorted((folder / target).glob("*"))
        if path.is_file()
    ]


def test_every_fixture_folder_names_a_target() -> None:
    for root in (REPRODUCERS, CORPUS):
        if root.is_dir():
            folders = {path.name for path in root.iterdir() if path.is_dir()}
            assert folders <= set(TARGETS), f"{root}: unknown target(s) {folders - set(TARGETS)}"


@pytest.mark.parametrize(
    ("target", "path"),
    _cases(REPRODUCERS),
    ids=lambda value: value if isinstance(value, str) else value.name,
)
def test_reproducer_is_handled(target: str, path: Path) -> None:
    parse, allowed = _loaded(target)
    run_bounded(parse, allowed, path.read_bytes(), SECONDS_PER_INPUT)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_target_accepts_its_seeds(target: str) -> None:
    """The target's committed and generated seeds load and parse (shared samples excluded)."""
    definition: Target = TARGETS[target]
    parse, allowed = _loaded(target)
    seeds = [
        (name, data) for name, data in definition.all_seeds() if not name.startswith("shared-")
    ]
    assert seeds, f"{target} has no synthetic seed"
    for _name, data in seeds:
        run_bounded(parse, allowed, data, SECONDS_PER_INPUT)
