"""Quiz scoring."""

from __future__ import annotations

import pytest

from hygie.awareness.engine import AwarenessError, Question, Quiz, score_quiz

QUIZ = Quiz(
    (
        Question("q1", "phishing", ("a", "b", "c"), frozenset({"b"})),
        Question("q2", "phishing", ("a", "b", "c"), frozenset({"a", "c"}), multiple=True),
        Question("q3", "passwords", ("a", "b"), frozenset({"a"}), weight=2),
    ),
    pass_mark=0.75,
)


def test_all_right_passes() -> None:
    result = score_quiz(QUIZ, {"q1": ["b"], "q2": ["c", "a"], "q3": ["a"]})
    assert (result.points, result.total, result.passed, result.wrong) == (4, 4, True, ())


def test_ticking_every_box_scores_nothing_and_topics_are_scored() -> None:
    result = score_quiz(QUIZ, {"q1": ["a", "b"], "q2": ["a", "b", "c"], "q3": ["a"], "zz": ["x"]})
    assert result.points == 2 and result.score == 0.5 and not result.passed
    assert result.by_topic == {"passwords": 1.0, "phishing": 0.0}
    assert result.wrong == ("q1", "q2")


@pytest.mark.parametrize(
    "quiz",
    [
        Quiz(()),
        Quiz((Question("q", "t", ("a",), frozenset({"b"})),)),
        Quiz((Question("q", "t", ("a", "b"), frozenset({"a", "b"})),)),
        Quiz((Question("q", "t", ("a",), frozenset({"a"})),), pass_mark=0),
        Quiz((Question("q", "t", ("a",), frozenset({"a"})),) * 2),
    ],
)
def test_bad_quizzes_are_refused(quiz: Quiz) -> None:
    with pytest.raises(AwarenessError):
        score_quiz(quiz, {})
