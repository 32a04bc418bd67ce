"""``hygie scan``'s cache of compiled Hyperscan databases: a second run loads what the first
compiled, and a file that does not authenticate is refused, deleted and compiled again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from hygie.lib.signed_cache import CacheLocation
from hygie.privacy.cli import scan
from hygie.privacy.engine import PHIDetector, ScanConfig, matcher, scan_bytes
from hygie.privacy.engine.model import Backend
from hygie.privacy.pattern_cache import PatternCache

pytestmark = pytest.mark.skipif(
    not matcher.hyperscan_available(), reason="hyperscan is not installed"
)


class _NoCompile:
    """The hyperscan module, except that compiling is an error: what loads must not compile."""

    def __init__(self, real: Any) -> None:
        self._real = real

    def __getattr__(self, name: str) -> Any:
        if name == "Database":
            raise AssertionError("compiled although the cache held the database")
        return getattr(self._real, name)


@pytest.fixture
def empty_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process has compiled nothing yet (as at the start of a ``hygie scan``)."""
    monkeypatch.setattr(matcher, "_SERIALIZED", {})


def location(tmp_path: Path) -> CacheLocation:
    return CacheLocation(tmp_path / "cache", tmp_path / "keys" / "pattern-cache.key")


def detector() -> PHIDetector:
    return PHIDetector(ScanConfig(hmac_key=b"k" * 32, backend=Backend.HYPERSCAN))


def findings(found_by: PHIDetector) -> list[object]:
    return list(scan_bytes(found_by, "Tél : 06 12 34 56 78\n".encode(), name="note.txt").findings)


def test_a_second_run_loads_instead_of_compiling(
    tmp_path: Path, empty_process: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = PatternCache(location(tmp_path))
    assert first.load() is None
    expected = findings(detector())
    path = first.save()
    assert path is not None and path.exists()
    assert first.save() is None, "nothing new: not written again"

    monkeypatch.setattr(matcher, "_SERIALIZED", {})
    second = PatternCache(location(tmp_path))
    assert second.load() is None
    monkeypatch.setattr(matcher, "_hs", _NoCompile(matcher._hs))
    assert findings(detector()) == expected
    assert expected


def test_a_tampered_file_is_refused_and_deleted(tmp_path: Path, empty_process: None) -> None:
    cache = PatternCache(location(tmp_path))
    detector()
    path = cache.save()
    assert path is not None
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    path.write_bytes(bytes(blob))
    refused = PatternCache(location(tmp_path)).load()
    assert refused is not None and "authentication failed" in refused
    assert not path.exists()


def test_a_database_the_engine_cannot_load_is_compiled_again(
    tmp_path: Path, empty_process: None
) -> None:
    detector()
    broken = {key: b"not a database" for key in matcher.compiled_databases()}
    matcher._SERIALIZED.clear()
    matcher.add_compiled_databases(broken)
    assert findings(detector())
    assert all(value != b"not a database" for value in matcher.compiled_databases().values())


def test_scan_writes_the_cache_unless_told_not_to(tmp_path: Path, empty_process: None) -> None:
    note = tmp_path / "note.txt"
    note.write_text("Tél : 06 12 34 56 78\n", encoding="utf-8")
    home = tmp_path / "home"
    env = {"HYGIE_HOME": str(home), "HYGIE_SECRET_KEY": "unit-test-secret"}
    arguments = ["--no-progress", "--backend", "hyperscan", "--format", "json", str(note)]
    result = CliRunner().invoke(scan, ["--no-cache", *arguments], env=env)
    assert result.exit_code == 1, result.output
    assert not (home / "cache" / "privacy").exists()
    result = CliRunner().invoke(scan, arguments, env=env)
    assert result.exit_code == 1, result.output
    assert len(list((home / "cache" / "privacy").glob("*.hs"))) == 1


def test_the_expressions_are_the_same_in_every_process() -> None:
    """The cache is keyed by the expressions: one built from a set in iteration order (which
    follows the string hash seed) would differ in every run, and be compiled every time."""
    import os
    import subprocess
    import sys

    script = (
        "import hashlib\n"
        "from hygie.privacy.engine.patterns import PATTERNS\n"
        "print(hashlib.sha256('\\0'.join(p.regex for p in PATTERNS).encode()).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1
