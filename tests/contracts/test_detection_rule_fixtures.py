"""Every rule Hygie ships in hygie/detection/rules/ comes with the events that prove it.

``tests/engines/detection/test_healthcare_pack.py`` runs them; this contract only makes sure
none is missing, so a rule added without fixtures fails here rather than going unproven.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "hygie" / "detection" / "rules"
FIXTURES = REPO / "tests" / "fixtures" / "detection"
RULE_FILES = sorted(p for p in RULES.rglob("*") if p.suffix in (".yml", ".yaml"))


def test_rules_are_found() -> None:
    assert len(RULE_FILES) >= 15


@pytest.mark.parametrize("rule_file", RULE_FILES, ids=lambda p: str(p.relative_to(RULES)))
def test_rule_has_fixtures(rule_file: Path) -> None:
    folder = FIXTURES / rule_file.parent.relative_to(RULES) / rule_file.stem
    for name in ("match.jsonl", "benign.jsonl", "expected.yml"):
        path = folder / name
        assert path.is_file(), f"{rule_file.relative_to(REPO)} has no {path.relative_to(REPO)}"
        assert path.read_text(encoding="utf-8").strip(), f"{path.relative_to(REPO)} is empty"
    expected = yaml.safe_load((folder / "expected.yml").read_text(encoding="utf-8"))
    assert isinstance(expected.get("matches"), int) and expected["matches"] > 0


def test_no_orphan_fixtures() -> None:
    """A fixture folder whose rule was renamed or deleted is dead weight; flag it."""
    stems = {(p.parent.relative_to(RULES) / p.stem) for p in RULE_FILES}
    folders = {p.parent.relative_to(FIXTURES) for p in FIXTURES.rglob("expected.yml")}
    assert folders <= stems, sorted(str(f) for f in folders - stems)
