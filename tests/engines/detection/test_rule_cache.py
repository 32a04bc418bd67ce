"""``hygie hunt``'s rule cache: reused when nothing changed, never when anything did, never
unpickled when its HMAC does not check out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hygie.detection.cli.hunt import hunt, rule_sources
from hygie.detection.engine import (
    HYPERSCAN_AVAILABLE,
    DetectionEngine,
    DetectionSession,
    LogSourceSpec,
    RuleSource,
    load_rule_pack,
    prefilter,
)
from hygie.detection.rule_cache import CacheLocation, RuleCache, cached_engine, pack_digest

from .helpers import rule

CORRELATION = """\
title: two failures
id: 5d1f0b1e-0000-4000-8000-00000000c0c0
correlation:
    type: event_count
    rules: [failure]
    group-by: [User]
    timespan: 1h
    condition: {gte: 2}
level: high
"""


SYSMON_EVIL = {
    "Channel": "Microsoft-Windows-Sysmon/Operational",
    "EventID": 1,
    "Image": "C:\\x\\evil.exe",
}


def failure_rule() -> str:
    return rule("sel: {Outcome: failure}\ncondition: sel", title="failure", level="low").replace(
        "status: test\n", "status: test\nname: failure\n"
    )


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    evil = rule("sel: {Image|endswith: '\\\\evil.exe'}\ncondition: sel")
    windows = "logsource:\n    product: windows\n    category: process_creation\n"
    (folder / "a.yml").write_text(evil.replace("logsource:\n    product: test\n", windows))
    (folder / "b.yml").write_text(failure_rule())
    (folder / "c.yml").write_text(CORRELATION)
    return folder


@pytest.fixture
def cache(tmp_path: Path) -> RuleCache:
    return RuleCache(CacheLocation(tmp_path / "cache", tmp_path / "keys" / "rule-cache.key"))


def build(sources: list[RuleSource]) -> DetectionEngine:
    return DetectionEngine(load_rule_pack(sources))


def compile_all(engine: DetectionEngine) -> None:
    """Build the buckets a hunt would (so that hyperscan databases exist to be cached)."""
    assert engine.match(SYSMON_EVIL)
    engine.match({"Outcome": "failure"}, LogSourceSpec(product="test"))


def test_second_load_comes_from_the_cache(rules_dir: Path, cache: RuleCache) -> None:
    sources = list(rule_sources(rules_dir))
    cold = cached_engine(sources, build, cache=cache)
    assert not cold.hit and cold.refused is None
    compile_all(cold.engine)
    cache.save(cold.path.stem, cold.engine)
    key = cache.location.key_file
    assert key.stat().st_mode & 0o777 == 0o600
    prefilter.COMPILED_DATABASES.clear()
    warm = cached_engine(sources, build, cache=cache)
    assert warm.hit
    assert [r.info for r in warm.engine.rules] == [r.info for r in cold.engine.rules]
    assert warm.routes, "the log sources built last time are remembered"
    if HYPERSCAN_AVAILABLE:
        assert prefilter.COMPILED_DATABASES, "hyperscan databases come back with the pack"
    # The cached engine still matches, and its correlations still work.
    session = DetectionSession(warm.engine)
    test = LogSourceSpec(product="test")
    assert [r.title for r in warm.engine.match(SYSMON_EVIL)] == ["test rule"]
    fired = []
    for minute in (1, 2):
        event = {"Outcome": "failure", "User": "u1", "TimeCreated": f"2026-01-01T10:0{minute}:00Z"}
        fired.extend(session.process(event, minute, test).correlations)
    assert [m.rule.title for m in fired] == ["two failures"]
    assert not cached_engine(sources, build, cache=cache, use_cache=False).hit


def test_any_change_to_the_rules_or_version_misses(rules_dir: Path) -> None:
    base = pack_digest(rule_sources(rules_dir))
    assert pack_digest(rule_sources(rules_dir)) == base
    assert pack_digest(rule_sources(rules_dir), version="99.0") != base
    (rules_dir / "a.yml").write_text((rules_dir / "a.yml").read_text().replace("evil", "bad"))
    changed = pack_digest(rule_sources(rules_dir))
    assert changed != base
    (rules_dir / "d.yml").write_text(rule("sel: {A: 1}\ncondition: sel"))
    added = pack_digest(rule_sources(rules_dir))
    assert added not in {base, changed}
    (rules_dir / "b.yml").unlink()
    removed = pack_digest(rule_sources(rules_dir))
    assert removed not in {base, changed, added}
    (rules_dir / "d.yml").rename(rules_dir / "e.yml")  # same content, another file
    assert pack_digest(rule_sources(rules_dir)) != removed


def test_tampered_or_foreign_cache_is_refused_and_rebuilt(
    rules_dir: Path, cache: RuleCache
) -> None:
    sources = list(rule_sources(rules_dir))
    first = cached_engine(sources, build, cache=cache)
    path = cache.save(first.path.stem, first.engine)
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0x01
    path.write_bytes(bytes(blob))
    again = cached_engine(sources, build, cache=cache)
    assert not again.hit
    assert again.refused is not None and "authentication failed" in again.refused
    assert not path.exists(), "a refused file is deleted"
    # A cache file written under another key (another installation, or forged) is refused too.
    cache.save(first.path.stem, first.engine)
    cache.location.key_file.write_bytes(b"k" * 32)
    foreign = cached_engine(sources, build, cache=cache)
    assert not foreign.hit and foreign.refused is not None
    # Truncated to less than a MAC.
    cache.save(first.path.stem, first.engine)
    path.write_bytes(b"x")
    assert cached_engine(sources, build, cache=cache).refused is not None
    # Without a key nothing is loaded (nothing can be checked).
    cache.save(first.path.stem, first.engine)
    cache.location.key_file.unlink()
    assert cached_engine(sources, build, cache=cache).refused == "no cache key"


def test_old_files_are_pruned(rules_dir: Path, cache: RuleCache) -> None:
    engine = build(list(rule_sources(rules_dir)))
    for n in range(12):
        cache.save(f"{n:064x}", engine)
    assert len(list(cache.location.folder.glob("*.pack"))) == 8


def test_hunt_writes_then_uses_the_cache(
    rules_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("HYGIE_HOME", str(home))
    log = tmp_path / "events.jsonl"
    good = dict(SYSMON_EVIL, Image="C:\\x\\good.exe")
    log.write_text(json.dumps(SYSMON_EVIL) + "\n" + json.dumps(good) + "\n")
    args = ["--rules", str(rules_dir), "--logs", str(log), "--format", "jsonl"]
    bypass = CliRunner().invoke(hunt, [*args, "--no-cache"])
    assert bypass.exit_code in (0, 1), bypass.output
    assert not (home / "cache").exists(), "--no-cache writes no cache"
    cold = CliRunner().invoke(hunt, args)
    files = list((home / "cache" / "detection").glob("*.pack"))
    assert len(files) == 1
    assert (home / "keys" / "rule-cache.key").exists()
    warm = CliRunner().invoke(hunt, args)
    assert cold.exit_code == warm.exit_code == bypass.exit_code
    assert warm.stdout == cold.stdout == bypass.stdout
    # A tampered file: the hunt says so, rebuilds, and still gives the same answer.
    files[0].write_bytes(files[0].read_bytes()[:-1] + b"\x00")
    rebuilt = CliRunner().invoke(hunt, args)
    assert "refused" in rebuilt.stderr
    assert rebuilt.stdout == cold.stdout
    rows = [json.loads(line) for line in cold.stdout.splitlines() if line.startswith("{")]
    assert [row["line"] for row in rows] == [1]
