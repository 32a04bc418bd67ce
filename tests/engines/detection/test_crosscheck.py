"""Cross-check with pySigma's SQLite backend (Zircolite's method) on the regression events.

The set of (rule, event) matches of the whole pack must be identical. Known backend bugs would
be listed in BACKEND_BUGS with a reason; today there are none. Rules the backend cannot convert
(placeholders it has no value for) are excluded from both sides and listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hygie.detection.engine import DetectionEngine, RulePack, read_json

pytest.importorskip("sigma.backends.sqlite", reason="pysigma-backend-sqlite (dev dependency)")

from .sqlite_reference import convert_rules, load_events, run_rules  # noqa: E402

BACKEND_BUGS: dict[str, str] = {}
UNCONVERTIBLE = {
    # Both use |expand with %known_cdcs%, which neither tool has a value for here.
    "c4a1f389-2e6b-4d9a-8f0c-b73e5a12d947",
    "8b7e2c54-1f93-4a6d-b8e0-3c9d7f25a168",
}


def regression_events(sigma_root: Path) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    for sample in sorted((sigma_root / "regression_data").rglob("*.json")):
        with sample.open("rb") as handle:
            events.extend(r.event for r in read_json(handle) if r.event is not None)
    return events


@pytest.mark.slow
def test_same_matches_as_sqlite_backend(
    sigma_root: Path, full_pack: RulePack, full_engine: DetectionEngine
) -> None:
    events = regression_events(sigma_root)
    ours = {(rule.id, n) for n, event in enumerate(events) for rule in full_engine.match(event)}
    sql_rules, refused = convert_rules(full_pack)
    assert set(refused) == UNCONVERTIBLE
    connection = load_events(events)
    theirs, failed = run_rules(connection, sql_rules)
    assert not failed
    ours = {m for m in ours if m[0] not in BACKEND_BUGS}
    theirs = {m for m in theirs if m[0] not in BACKEND_BUGS}
    assert len(ours) > 100
    assert ours == theirs
