"""Fixtures for the pure detection-engine tests (no Django: these run with plain pytest)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from hygie.detection.engine import (
    DetectionEngine,
    EngineConfig,
    RulePack,
    RuleSource,
    load_rule_pack,
)
from tests.shared_data import shared_data

PACK_FOLDERS = ("rules", "rules-emerging-threats", "rules-threat-hunting")


def rule_sources(root: Path) -> Iterator[RuleSource]:
    for path in sorted(root.rglob("*.yml")):
        yield RuleSource(str(path.relative_to(root.parent)), path.read_bytes())


@pytest.fixture(scope="session")
def sigma_root() -> Path:
    return shared_data("sigma")


@pytest.fixture(scope="session")
def full_pack(sigma_root: Path) -> RulePack:
    """SigmaHQ's whole pack: rules plus the emerging-threats and threat-hunting packs."""
    sources = [s for folder in PACK_FOLDERS for s in rule_sources(sigma_root / folder)]
    return load_rule_pack(sources)


@pytest.fixture(scope="session")
def full_engine(full_pack: RulePack) -> DetectionEngine:
    return DetectionEngine(full_pack)


@pytest.fixture(params=[True, False], ids=["hyperscan", "python"])
def use_hyperscan(request: pytest.FixtureRequest) -> bool:
    """Every semantic test runs through hyperscan and through the pure-Python fallback."""
    return bool(request.param)


EngineFactory = Callable[..., DetectionEngine]


@pytest.fixture
def make_engine(use_hyperscan: bool) -> EngineFactory:
    """Build an engine from YAML rule texts (one or more documents each)."""

    def build(*texts: str, **config: object) -> DetectionEngine:
        sources = [RuleSource(f"rule{n}.yml", text) for n, text in enumerate(texts)]
        pack = load_rule_pack(sources)
        assert not pack.problems, [str(p) for p in pack.problems]
        settings = EngineConfig(use_hyperscan=use_hyperscan, **config)  # type: ignore[arg-type]
        engine = DetectionEngine(pack, settings)
        assert not engine.problems, [str(p) for p in engine.problems]
        return engine

    return build
