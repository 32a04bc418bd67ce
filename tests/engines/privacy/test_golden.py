"""Golden files: each input format gives exactly the findings recorded in its .expected file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hygie.privacy.engine import DocumentResult, PHIDetector, scan_bytes

from .builders import BINARY_CASES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "privacy"
TEXT_CASES = sorted(p.name.removesuffix(".in") for p in FIXTURES.glob("*.in"))


def render(result: DocumentResult) -> str:
    lines = [f"# format: {result.format}"]
    for f in result.findings:
        loc = f.location
        where = f"{loc.line}:{loc.column}-{loc.end_column}" if loc.line is not None else "-"
        member = f"{loc.member}!" if loc.member else ""
        lines.append(
            "\t".join(
                [
                    where,
                    member + loc.path,
                    f.entity.value,
                    f"{f.confidence:.2f}",
                    "validated" if f.is_validated else "unvalidated",
                    f.masked,
                ]
            )
        )
    for c in result.columns:
        lines.append(
            f"column\t{c.member}!{c.column}\t{c.entity.value}\t{c.rows_with_entity}/{c.total_rows}"
        )
    for s in result.skipped:
        lines.append(f"skipped\t{s.member}\t{s.reason}")
    return "\n".join(lines) + "\n"


def check(case: str, result: DocumentResult) -> None:
    expected_path = FIXTURES / f"{case}.expected"
    actual = render(result)
    if os.environ.get("HYGIE_REGEN_GOLDEN") == "1":
        expected_path.write_text(actual, encoding="utf-8")
    assert expected_path.exists(), f"missing {expected_path.name}: run with HYGIE_REGEN_GOLDEN=1"
    assert actual == expected_path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", TEXT_CASES)
def test_text_formats(detector: PHIDetector, case: str) -> None:
    data = (FIXTURES / f"{case}.in").read_bytes()
    check(case, scan_bytes(detector, data, case))


@pytest.mark.parametrize("case", sorted(BINARY_CASES))
def test_binary_formats(detector: PHIDetector, case: str) -> None:
    check(case, scan_bytes(detector, BINARY_CASES[case](), case))


@pytest.mark.parametrize("case", TEXT_CASES)
def test_backends_give_the_same_golden_output(
    hs_detector: PHIDetector, re_detector: PHIDetector, case: str
) -> None:
    data = (FIXTURES / f"{case}.in").read_bytes()
    assert render(scan_bytes(hs_detector, data, case)) == render(
        scan_bytes(re_detector, data, case)
    )
