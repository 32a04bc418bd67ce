"""YAML facts: line numbers in errors, duplicate keys, size and nesting limits, bad YAML."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hygie.response.engine import MAX_FACTS_BYTES, FactsError, facts_from_yaml

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"

VALID = """\
establishment:
  country: FR
  type: hospital
  timezone: Europe/Paris
  nis2: important
  hipaa: none
  gdpr_controller: true
incident:
  category: ransomware
  personal_data: unknown
  risk_to_individuals: high
  care_impact: degraded_mode
  discovered_at: 2026-03-29T01:30:00+01:00
"""


def problems_of(text: str) -> list[tuple[str, str, int | None]]:
    with pytest.raises(FactsError) as caught:
        facts_from_yaml(text, source="facts.yaml")
    return [
        (p.path, p.message, p.location.line if p.location else None) for p in caught.value.problems
    ]


def test_valid_yaml_with_a_native_timestamp() -> None:
    facts = facts_from_yaml(VALID, source="facts.yaml")
    assert facts.incident.discovered_at == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_examples_are_valid(example: Path) -> None:
    facts = facts_from_yaml(example.read_text(encoding="utf-8"), source=example.name)
    assert facts.establishment.name


def test_problems_carry_the_line_of_their_key() -> None:
    text = VALID.replace("category: ransomware", "category: ransom").replace(
        "  nis2: important\n", ""
    )
    located = {(path, line) for path, _, line in problems_of(text)}
    # The category moved up one line with nis2 removed; a missing key points at its section.
    assert located == {("incident.category", 8), ("establishment.nis2", 1)}


def test_error_text_names_file_line_and_choices() -> None:
    with pytest.raises(FactsError) as caught:
        facts_from_yaml(
            VALID.replace("care_impact: degraded_mode", "care_impact: severe"), source="facts.yaml"
        )
    assert (
        "facts.yaml:12: incident.care_impact: unknown value; valid choices: none, "
        "degraded_mode, deprogrammed_activity, patient_transfer, patient_safety_event"
    ) in str(caught.value)


def test_nested_state_lines() -> None:
    text = VALID + "  residents_by_state:\n    NY: 10\n    ZZ: 4\n"
    assert [(path, line) for path, _, line in problems_of(text)] == [
        ("incident.residents_by_state.ZZ", 16)
    ]


def test_duplicate_keys_are_errors_not_silently_overwritten() -> None:
    text = VALID + "  category: phishing\n"
    assert [(p, line) for p, _, line in problems_of(text)] == [("incident.category", 14)]
    assert "first on line 9" in problems_of(text)[0][1]


def test_duplicate_keys_reported_with_other_problems() -> None:
    text = VALID.replace("hipaa: none", "hipaa: maybe") + "  category: phishing\n"
    paths = [p for p, _, _ in problems_of(text)]
    assert paths == ["incident.category", "establishment.hipaa"]


def test_invalid_yaml_points_at_the_line() -> None:
    problems = problems_of("establishment:\n  country: FR\n   type: [hospital\n")
    assert len(problems) == 1
    path, message, line = problems[0]
    assert path == "(document)" and message.startswith("not valid YAML")
    assert line is not None and line >= 3


def test_several_documents_are_refused() -> None:
    assert problems_of(VALID + "---\n" + VALID)[0][1].startswith("not valid YAML")


def test_empty_document() -> None:
    assert "must be a mapping" in problems_of("")[0][1]


def test_size_limit() -> None:
    text = VALID + "#" * MAX_FACTS_BYTES
    assert problems_of(text) == [("(document)", f"larger than {MAX_FACTS_BYTES} bytes", None)]


def test_deep_nesting_fails_cleanly() -> None:
    # Within the size cap, but deep enough to exhaust the recursive YAML composer.
    text = "a: " + "[" * 5000 + "]" * 5000
    problems = problems_of(text)
    assert problems[0][0] == "(document)"


def test_aliases_are_refused_before_anything_is_built() -> None:
    # A billion-laughs style document: refused at the first anchor, whatever follows.
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 9):
        refs = ", ".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{refs}]")
    [(path, message, line)] = problems_of("\n".join(lines) + "\n")
    assert path == "(document)" and line == 1 and "anchors and aliases" in message


def test_python_tags_are_refused() -> None:
    text = VALID.replace(
        "category: ransomware", "category: !!python/object/apply:os.system ['true']"
    )
    assert "!!python/object/apply:os.system is not allowed" in problems_of(text)[0][1]
