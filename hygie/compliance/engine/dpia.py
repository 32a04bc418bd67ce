"""Data protection impact assessment (DPIA, French AIPD) after the CNIL method: pure scoring.

The CNIL method (PIA guides, "Méthode" and "Bases de connaissances") assesses the three feared
events on personal data — illegitimate access, unwanted modification, disappearance — each by
its severity and its likelihood on the same four-level scale (negligible, limited, significant,
maximum), first as the processing stands and again once the planned measures are in place.

This module takes plain values (levels as integers 1–4, answers as codes) and returns frozen
results; the labels people read live in the Django layer (``models/registers.py``), keyed by the
codes defined here. No Django, no I/O.

The risk map's zones are Hygie's reading of the CNIL guidance, not an official grid: a risk with
severity and likelihood both at most "limited" is acceptable; one with both at least
"significant" must be reduced before the processing goes on (and, if it stays there after the
planned measures, the CNIL must be consulted beforehand, GDPR art. 36); anything else should be
reduced where the measures are proportionate.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum


class Level(IntEnum):
    """The CNIL four-level scale, shared by severity and likelihood."""

    NEGLIGIBLE = 1
    LIMITED = 2
    SIGNIFICANT = 3
    MAXIMUM = 4


class RiskKind(StrEnum):
    """The three feared events of the CNIL method, in the method's order."""

    ILLEGITIMATE_ACCESS = "illegitimate_access"
    UNWANTED_MODIFICATION = "unwanted_modification"
    DISAPPEARANCE = "disappearance"


class Zone(StrEnum):
    """Where a (severity, likelihood) pair falls on the risk map."""

    NOT_ASSESSED = "not_assessed"
    ACCEPTABLE = "acceptable"
    TO_REDUCE = "to_reduce"
    UNACCEPTABLE = "unacceptable"


class Evaluation(StrEnum):
    """How a fundamental principle is met (the PIA tool's three answers, plus not yet)."""

    NOT_ASSESSED = ""
    ACCEPTABLE = "acceptable"
    IMPROVABLE = "improvable"
    UNACCEPTABLE = "unacceptable"


class PrincipleGroup(StrEnum):
    PROPORTIONALITY = "proportionality"  # proportionality and necessity of the processing
    RIGHTS = "rights"  # controls protecting the rights of data subjects


@dataclass(frozen=True)
class Principle:
    key: str
    group: PrincipleGroup
    article: str  # the GDPR article(s) it rests on, shown next to the question


# The fundamental principles the CNIL method reviews, in its order (GDPR articles 5 to 49).
PRINCIPLES: tuple[Principle, ...] = (
    Principle("purposes", PrincipleGroup.PROPORTIONALITY, "5(1)(b)"),
    Principle("legal_basis", PrincipleGroup.PROPORTIONALITY, "6, 9"),
    Principle("minimisation", PrincipleGroup.PROPORTIONALITY, "5(1)(c)"),
    Principle("accuracy", PrincipleGroup.PROPORTIONALITY, "5(1)(d)"),
    Principle("retention", PrincipleGroup.PROPORTIONALITY, "5(1)(e)"),
    Principle("information", PrincipleGroup.RIGHTS, "12, 13, 14"),
    Principle("consent", PrincipleGroup.RIGHTS, "7, 8"),
    Principle("access_portability", PrincipleGroup.RIGHTS, "15, 20"),
    Principle("rectification_erasure", PrincipleGroup.RIGHTS, "16, 17"),
    Principle("restriction_objection", PrincipleGroup.RIGHTS, "18, 21"),
    Principle("processors", PrincipleGroup.RIGHTS, "28"),
    Principle("transfers", PrincipleGroup.RIGHTS, "44–49"),
)
PRINCIPLE_KEYS = tuple(principle.key for principle in PRINCIPLES)


class Criterion(StrEnum):
    """The nine criteria of the EDPB guidelines (WP248) the CNIL uses to decide whether a DPIA
    is required: two or more met means one is, as a rule."""

    EVALUATION_SCORING = "evaluation_scoring"
    AUTOMATED_DECISION = "automated_decision"
    SYSTEMATIC_MONITORING = "systematic_monitoring"
    SENSITIVE_DATA = "sensitive_data"
    LARGE_SCALE = "large_scale"
    MATCHING_DATASETS = "matching_datasets"
    VULNERABLE_SUBJECTS = "vulnerable_subjects"
    INNOVATIVE_USE = "innovative_use"
    PREVENTS_RIGHTS = "prevents_rights"


DPIA_CRITERIA_THRESHOLD = 2


def dpia_required(criteria: Collection[str]) -> bool:
    """Whether the criteria met call for a DPIA (two or more known criteria)."""
    known = {value.value for value in Criterion}
    return len(set(criteria) & known) >= DPIA_CRITERIA_THRESHOLD


def level(value: int | None) -> Level | None:
    """A stored level, or ``None`` when it is missing or out of the scale."""
    if value is None:
        return None
    try:
        return Level(value)
    except ValueError:
        return None


def zone(severity: int | None, likelihood: int | None) -> Zone:
    """Where a risk falls on the map; ``NOT_ASSESSED`` until both levels are set."""
    s, li = level(severity), level(likelihood)
    if s is None or li is None:
        return Zone.NOT_ASSESSED
    if s >= Level.SIGNIFICANT and li >= Level.SIGNIFICANT:
        return Zone.UNACCEPTABLE
    if s <= Level.LIMITED and li <= Level.LIMITED:
        return Zone.ACCEPTABLE
    return Zone.TO_REDUCE


@dataclass(frozen=True)
class RiskInput:
    kind: str
    severity: int | None = None
    likelihood: int | None = None
    residual_severity: int | None = None
    residual_likelihood: int | None = None
    has_measures: bool = False  # existing or planned measures are described


class Issue(StrEnum):
    """What stands between a DPIA and its validation (codes; the pages word them)."""

    PRINCIPLE_NOT_ASSESSED = "principle_not_assessed"
    PRINCIPLE_UNACCEPTABLE = "principle_unacceptable"
    RISK_NOT_ASSESSED = "risk_not_assessed"
    RESIDUAL_NOT_ASSESSED = "residual_not_assessed"
    RESIDUAL_ABOVE_INITIAL = "residual_above_initial"
    NO_MEASURES = "no_measures"
    RESIDUAL_UNACCEPTABLE = "residual_unacceptable"
    MISSING_RISK = "missing_risk"
    NO_ACTION_PLAN = "no_action_plan"


@dataclass(frozen=True)
class Finding:
    """One issue, about one principle or risk (``subject``: its key; "" for the whole DPIA)."""

    issue: Issue
    subject: str = ""
    blocking: bool = True


@dataclass(frozen=True)
class RiskOutcome:
    kind: str
    initial: Zone
    residual: Zone

    @property
    def is_reduced(self) -> bool:
        order = list(Zone)
        return (
            self.initial is not Zone.NOT_ASSESSED
            and self.residual is not Zone.NOT_ASSESSED
            and order.index(self.residual) < order.index(self.initial)
        )


@dataclass(frozen=True)
class Assessment:
    risks: tuple[RiskOutcome, ...]
    principles_assessed: int
    principles_total: int
    findings: tuple[Finding, ...]

    @property
    def is_ready_for_validation(self) -> bool:
        """Everything assessed and nothing blocking: the DPO may give an opinion."""
        return not any(finding.blocking for finding in self.findings)

    @property
    def requires_prior_consultation(self) -> bool:
        """A high residual risk remains: GDPR art. 36, consult the CNIL before processing."""
        return any(risk.residual is Zone.UNACCEPTABLE for risk in self.risks)

    @property
    def worst_residual(self) -> Zone:
        order = list(Zone)
        zones = [risk.residual for risk in self.risks] or [Zone.NOT_ASSESSED]
        return max(zones, key=order.index)


def assess(
    principles: Mapping[str, str],
    risks: Sequence[RiskInput],
    *,
    has_action_plan: bool = False,
) -> Assessment:
    """Score a DPIA: each risk's zone before and after measures, and what still blocks it.

    ``principles`` maps a principle key to its evaluation code (missing or unknown codes count
    as not assessed); ``risks`` has one entry per feared event.
    """
    findings: list[Finding] = []
    assessed = 0
    for principle in PRINCIPLES:
        answer = principles.get(principle.key, "")
        if answer not in {e.value for e in Evaluation} or answer == Evaluation.NOT_ASSESSED:
            findings.append(Finding(Issue.PRINCIPLE_NOT_ASSESSED, principle.key))
            continue
        assessed += 1
        if answer == Evaluation.UNACCEPTABLE:
            findings.append(Finding(Issue.PRINCIPLE_UNACCEPTABLE, principle.key))
    by_kind = {risk.kind: risk for risk in risks}
    outcomes: list[RiskOutcome] = []
    needs_plan = False
    for kind in RiskKind:
        risk = by_kind.get(kind.value)
        if risk is None:
            findings.append(Finding(Issue.MISSING_RISK, kind.value))
            outcomes.append(RiskOutcome(kind.value, Zone.NOT_ASSESSED, Zone.NOT_ASSESSED))
            continue
        initial = zone(risk.severity, risk.likelihood)
        residual = zone(risk.residual_severity, risk.residual_likelihood)
        outcomes.append(RiskOutcome(kind.value, initial, residual))
        if initial is Zone.NOT_ASSESSED:
            findings.append(Finding(Issue.RISK_NOT_ASSESSED, kind.value))
        if residual is Zone.NOT_ASSESSED:
            findings.append(Finding(Issue.RESIDUAL_NOT_ASSESSED, kind.value))
        elif initial is not Zone.NOT_ASSESSED and _above(risk):
            findings.append(Finding(Issue.RESIDUAL_ABOVE_INITIAL, kind.value))
        if not risk.has_measures and initial not in (Zone.NOT_ASSESSED, Zone.ACCEPTABLE):
            findings.append(Finding(Issue.NO_MEASURES, kind.value))
        if residual is Zone.UNACCEPTABLE:
            # Not blocking: the DPO may still validate, with the CNIL consulted first.
            findings.append(Finding(Issue.RESIDUAL_UNACCEPTABLE, kind.value, blocking=False))
        if outcomes[-1].is_reduced:
            needs_plan = True  # the planned measures that lower it must be scheduled
    if needs_plan and not has_action_plan:
        findings.append(Finding(Issue.NO_ACTION_PLAN))
    return Assessment(tuple(outcomes), assessed, len(PRINCIPLES), tuple(findings))


def _above(risk: RiskInput) -> bool:
    """Measures never make a risk worse: a residual level above the initial one is a slip."""
    pairs = (
        (risk.residual_severity, risk.severity),
        (risk.residual_likelihood, risk.likelihood),
    )
    return any(
        after is not None and before is not None and after > before for after, before in pairs
    )


@dataclass(frozen=True)
class MapPoint:
    """A risk placed on the map (``residual``: after the planned measures)."""

    kind: str
    severity: Level
    likelihood: Level
    residual: bool


def map_points(risks: Sequence[RiskInput]) -> tuple[MapPoint, ...]:
    """The assessed risks as points of the risk map, before and after measures."""
    points: list[MapPoint] = []
    for risk in risks:
        for residual, s, li in (
            (False, risk.severity, risk.likelihood),
            (True, risk.residual_severity, risk.residual_likelihood),
        ):
            sl, ll = level(s), level(li)
            if sl is not None and ll is not None:
                points.append(MapPoint(risk.kind, sl, ll, residual))
    return tuple(points)
