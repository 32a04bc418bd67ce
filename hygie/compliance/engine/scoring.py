"""Assessment scores: pure arithmetic over answer statuses and maturity levels.

A requirement answered *compliant* counts 1, *partially compliant* 0.5, *non-compliant* 0; *not
applicable* is left out of the score; *not assessed* is counted separately (it lowers the
progress, not the score). The score is a percentage of the assessed, applicable requirements;
the maturity is the average of the levels given (0–5) on applicable requirements. No Django.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

COMPLIANT = "compliant"
PARTIAL = "partial"
NON_COMPLIANT = "non_compliant"
NOT_APPLICABLE = "not_applicable"
NOT_ASSESSED = "not_assessed"
STATUSES = (COMPLIANT, PARTIAL, NON_COMPLIANT, NOT_APPLICABLE, NOT_ASSESSED)
WEIGHTS: Mapping[str, float] = {COMPLIANT: 1.0, PARTIAL: 0.5, NON_COMPLIANT: 0.0}
MAX_MATURITY = 5


@dataclass(frozen=True)
class ScoredAnswer:
    """What scoring needs of one answer: its status, maturity and where it sits."""

    key: str  # the requirement's URN
    status: str
    maturity: int | None = None
    group: str = ""  # the chapter (top-level heading) the requirement belongs to


@dataclass(frozen=True)
class Score:
    """Counts per status, the score (percent, None when nothing applicable is assessed) and
    the average maturity (None when no level was given)."""

    compliant: int = 0
    partial: int = 0
    non_compliant: int = 0
    not_applicable: int = 0
    not_assessed: int = 0
    score: float | None = None
    maturity: float | None = None

    @property
    def total(self) -> int:
        return (
            self.compliant
            + self.partial
            + self.non_compliant
            + self.not_applicable
            + self.not_assessed
        )

    @property
    def assessed(self) -> int:
        return self.total - self.not_assessed

    @property
    def progress(self) -> float | None:
        """Share of the requirements answered (any status but not assessed), in percent."""
        return round(100.0 * self.assessed / self.total, 1) if self.total else None

    def counts(self) -> dict[str, int]:
        return {status: int(getattr(self, status)) for status in STATUSES}


def score(answers: Iterable[ScoredAnswer]) -> Score:
    """The score of a set of answers. Unknown statuses count as not assessed."""
    counts = dict.fromkeys(STATUSES, 0)
    levels: list[int] = []
    for answer in answers:
        status = answer.status if answer.status in counts else NOT_ASSESSED
        counts[status] += 1
        if (
            status != NOT_APPLICABLE
            and answer.maturity is not None
            and 0 <= answer.maturity <= MAX_MATURITY
        ):
            levels.append(answer.maturity)
    weighed = counts[COMPLIANT] + counts[PARTIAL] + counts[NON_COMPLIANT]
    value = (
        round(
            100.0 * sum(WEIGHTS[status] * counts[status] for status in WEIGHTS) / weighed,
            1,
        )
        if weighed
        else None
    )
    maturity = round(sum(levels) / len(levels), 2) if levels else None
    return Score(**counts, score=value, maturity=maturity)


def score_by(
    answers: Iterable[ScoredAnswer], key: Callable[[ScoredAnswer], Hashable]
) -> dict[Hashable, Score]:
    """One score per group (``key`` of each answer), groups in first-seen order."""
    groups: dict[Hashable, list[ScoredAnswer]] = {}
    for answer in answers:
        groups.setdefault(key(answer), []).append(answer)
    return {name: score(items) for name, items in groups.items()}


def score_by_chapter(answers: Iterable[ScoredAnswer]) -> dict[str, Score]:
    """One score per chapter (``ScoredAnswer.group``), in first-seen order."""
    return {str(name): value for name, value in score_by(answers, lambda a: a.group).items()}


def score_by_node(
    answers: Iterable[ScoredAnswer], ancestors: Mapping[str, Sequence[str]]
) -> dict[str, Score]:
    """One score per node of the requirement tree, at every level: the answers of the node
    itself and of everything under it. ``ancestors`` maps a key to its parents' keys (any
    order); nodes come in first-seen order."""
    groups: dict[str, list[ScoredAnswer]] = {}
    for answer in answers:
        for key in dict.fromkeys((answer.key, *ancestors.get(answer.key, ()))):
            groups.setdefault(key, []).append(answer)
    return {key: score(items) for key, items in groups.items()}


@dataclass(frozen=True)
class Difference:
    """One requirement answered differently in two assessments."""

    key: str
    before: str
    after: str

    @property
    def direction(self) -> int:
        """+1 when the status improved, -1 when it got worse, 0 otherwise (N/A, not assessed)."""
        if self.before in WEIGHTS and self.after in WEIGHTS:
            delta = WEIGHTS[self.after] - WEIGHTS[self.before]
            return (delta > 0) - (delta < 0)
        return 0


def compare(before: Mapping[str, str], after: Mapping[str, str]) -> list[Difference]:
    """Requirements (by key) whose status differs between two assessments, in ``after``'s
    order then ``before``'s; a key missing on one side reads as not assessed."""
    keys = list(after) + [key for key in before if key not in after]
    return [
        Difference(key, before.get(key, NOT_ASSESSED), after.get(key, NOT_ASSESSED))
        for key in keys
        if before.get(key, NOT_ASSESSED) != after.get(key, NOT_ASSESSED)
    ]
