"""Golden outputs (design §7): the full JSON for each shipped example, reviewed in diffs.

After an intended change of wording or rules, regenerate with
``HYGIE_UPDATE_GOLDEN=1 pytest tests/engines/response/test_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hygie.response.engine import assess, facts_from_yaml

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.stem)
def test_example_output_matches_golden(example: Path) -> None:
    facts = facts_from_yaml(example.read_text(encoding="utf-8"), source=example.name)
    output = (
        json.dumps(
            [o.to_dict() for o in assess(facts.establishment, facts.incident)],
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
    golden = GOLDEN / f"{example.stem}.json"
    if os.environ.get("HYGIE_UPDATE_GOLDEN") == "1":
        golden.write_text(output, encoding="utf-8")
    assert golden.exists(), f"missing {golden.name}: run with HYGIE_UPDATE_GOLDEN=1"
    assert output == golden.read_text(encoding="utf-8")
