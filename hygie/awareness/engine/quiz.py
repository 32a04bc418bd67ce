"""Quiz scoring: single and multiple-answer questions, a pass mark, scores per topic.

A multiple-answer question scores only when the chosen set equals the correct set exactly (no
partial credit: ticking every box must not pass).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from .errors import AwarenessError


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    choices: tuple[str, ...]  # choice ids
    correct: frozenset[str]
    multiple: bool = False
    weight: int = 1

    def check(self) -> None:
        if not self.choices or not self.correct:
            raise AwarenessError(f"question '{self.id}' needs choices and a correct answer")
        if not self.correct <= set(self.choices):
            raise AwarenessError(f"question '{self.id}' has a correct answer that is no choice")
        if not self.multiple and len(self.correct) != 1:
            raise AwarenessError(f"single-answer question '{self.id}' has several answers")
        if self.weight < 1:
            raise AwarenessError(f"question '{self.id}' needs a positive weight")


@dataclass(frozen=True)
class Quiz:
    questions: tuple[Question, ...]
    pass_mark: float = 0.8  # share of the weighted points

    def check(self) -> None:
        if not self.questions:
            raise AwarenessError("a quiz needs questions")
        if not 0 < self.pass_mark <= 1:
            raise AwarenessError("the pass mark is a share between 0 and 1")
        ids = [q.id for q in self.questions]
        if len(set(ids)) != len(ids):
            raise AwarenessError("question ids must be unique")
        for question in self.questions:
            question.check()


@dataclass(frozen=True)
class QuizResult:
    score: float  # 0..1
    points: int
    total: int
    passed: bool
    by_topic: Mapping[str, float]
    wrong: tuple[str, ...]  # question ids, to show their explanations


def score_quiz(quiz: Quiz, answers: Mapping[str, Collection[str]]) -> QuizResult:
    """Score ``answers`` (question id → chosen choice ids); unanswered questions score zero,
    answers to unknown questions are ignored."""
    quiz.check()
    points = 0
    total = 0
    topic_points: dict[str, list[int]] = {}
    wrong: list[str] = []
    for question in quiz.questions:
        chosen = frozenset(str(a) for a in answers.get(question.id, ()))
        right = chosen == question.correct and (question.multiple or len(chosen) == 1)
        gained = question.weight if right else 0
        points += gained
        total += question.weight
        bucket = topic_points.setdefault(question.topic, [0, 0])
        bucket[0] += gained
        bucket[1] += question.weight
        if not right:
            wrong.append(question.id)
    score = points / total
    return QuizResult(
        round(score, 4),
        points,
        total,
        score >= quiz.pass_mark,
        {topic: round(p / t, 4) for topic, (p, t) in sorted(topic_points.items())},
        tuple(wrong),
    )


def questions_by_topic(questions: Sequence[Question]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for question in questions:
        counts[question.topic] = counts.get(question.topic, 0) + 1
    return counts
