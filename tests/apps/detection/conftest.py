"""Fixtures of the detection platform tests: synthetic log lines from the healthcare rule pack's
own fixtures (tests/fixtures/detection/healthcare), all made up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.apps.core.view_mixins import english  # noqa: F401  (shared fixture)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "detection" / "healthcare"
SHADOW_RULE = "3f80b5e6-1432-4b13-9b90-61ba92739e28"
SQLI_RULE = "4cc7a877-f338-442e-a8c2-64b1f1434e3d"


def fixture_lines(case: str, name: str = "match.jsonl") -> list[str]:
    """The fixture's events as log lines: Windows JSON as is, text logs from their "line"."""
    lines = []
    for raw in (FIXTURES / case / name).read_text(encoding="utf-8").splitlines():
        document = json.loads(raw)
        lines.append(document["line"] if set(document) == {"line"} else raw)
    return lines


@pytest.fixture
def shadow_lines() -> list[str]:
    return fixture_lines("win_backup_shadow_copy_deletion")


@pytest.fixture
def sqli_lines() -> list[str]:
    return fixture_lines("web_patient_portal_sql_injection")


@pytest.fixture
def analyst(make_user, establishment_a):
    return make_user("analyst", "soc_analyst", [establishment_a])
