"""Assessment scores (pure): weights, N/A left out, not assessed counted apart, maturity,
chapters, comparison."""

from __future__ import annotations

import pytest

from hygie.compliance.engine.scoring import (
    ScoredAnswer,
    compare,
    score,
    score_by_chapter,
)


def answers(*statuses: str, maturity: int | None = None, group: str = "") -> list[ScoredAnswer]:
    return [ScoredAnswer(f"r{i}", status, maturity, group) for i, status in enumerate(statuses)]


def test_weights_and_exclusions():
    result = score(
        answers("compliant", "partial", "non_compliant", "not_applicable", "not_assessed")
    )
    assert result.score == 50.0  # (1 + 0.5 + 0) / 3
    assert (result.not_applicable, result.not_assessed, result.total) == (1, 1, 5)
    assert result.assessed == 4
    assert result.progress == 80.0


def test_nothing_applicable_assessed_has_no_score():
    assert score(answers("not_applicable", "not_assessed")).score is None
    assert score([]).score is None and score([]).progress is None


def test_all_compliant_is_100():
    assert score(answers("compliant", "compliant")).score == 100.0


def test_unknown_status_reads_as_not_assessed():
    result = score(answers("bogus"))
    assert result.not_assessed == 1 and result.score is None


def test_maturity_average_ignores_not_applicable_and_out_of_range():
    items = [
        ScoredAnswer("a", "compliant", 4),
        ScoredAnswer("b", "partial", 2),
        ScoredAnswer("c", "not_applicable", 0),
        ScoredAnswer("d", "partial", 9),
        ScoredAnswer("e", "partial", None),
    ]
    assert score(items).maturity == 3.0


def test_chapters_in_first_seen_order():
    items = answers("compliant", group="ch1") + answers("non_compliant", "partial", group="ch2")
    chapters = score_by_chapter(items)
    assert list(chapters) == ["ch1", "ch2"]
    assert chapters["ch1"].score == 100.0 and chapters["ch2"].score == 25.0


@pytest.mark.parametrize(
    ("before", "after", "direction"),
    [
        ("non_compliant", "compliant", 1),
        ("compliant", "partial", -1),
        ("not_assessed", "compliant", 0),
        ("partial", "not_applicable", 0),
    ],
)
def test_compare_directions(before, after, direction):
    (difference,) = compare({"r": before}, {"r": after})
    assert difference.direction == direction


def test_compare_lists_only_differences_and_missing_keys():
    differences = compare({"a": "compliant", "b": "partial"}, {"a": "compliant", "c": "partial"})
    assert {(d.key, d.before, d.after) for d in differences} == {
        ("c", "not_assessed", "partial"),
        ("b", "partial", "not_assessed"),
    }


def test_score_by_node_counts_an_answer_at_every_level():
    from hygie.compliance.engine.scoring import score_by_node

    COMPLIANT, NON_COMPLIANT = "compliant", "non_compliant"
    ancestors = {"d2.o1": ["d2", "axe4"], "d2.o2": ["d2", "axe4"], "d1.a": ["d1", "axe4"]}
    answers = [
        ScoredAnswer("d2.o1", COMPLIANT),
        ScoredAnswer("d2.o2", NON_COMPLIANT),
        ScoredAnswer("d1.a", COMPLIANT),
    ]
    nodes = score_by_node(answers, ancestors)
    assert nodes["d2"].score == 50.0 and nodes["d2"].total == 2
    assert nodes["axe4"].total == 3 and nodes["d1"].score == 100.0
    assert nodes["d2.o1"].total == 1
