"""Assessments: create one, answer its requirements (with history), confirm or override what
the platform proposes, propagate answers to mapped requirements, score and compare.

Every write checks the ``compliance.assess`` capability and the establishment (``user`` None is
the platform itself: jobs, the demo, commands).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.compliance.choices import AnswerStatus, AssessmentStatus, ProposalSource
from hygie.compliance.engine import propagation, scoring
from hygie.compliance.models import (
    Answer,
    AnswerChange,
    Assessment,
    Framework,
    ProbeRun,
    Requirement,
    ScoreSnapshot,
)
from hygie.compliance.models.assessments import mapping_note
from hygie.compliance.roles import ASSESS
from hygie.compliance.services import library
from hygie.core.services import crud
from hygie.core.services.evidence import add_evidence

if TYPE_CHECKING:
    from hygie.core.models import Establishment, Evidence, User

MAX_TEXT = 10_000
HISTORY_FIELDS = ("status", "justification", "maturity", "owner", "due_date", "comments")


def check_may_assess(user: User | None, establishment_id: int) -> None:
    if user is None:
        return
    if not user.can(ASSESS):
        raise PermissionDenied(_("Your role does not allow answering assessments."))
    crud.check_establishment_allowed(user, establishment_id)


# --- assessments -----------------------------------------------------------------------------


@transaction.atomic
def create_assessment(
    user: User | None,
    *,
    establishment: Establishment,
    framework: Framework,
    on: date | None = None,
    title: str = "",
    scope: str = "",
    status: str = AssessmentStatus.IN_PROGRESS,
) -> Assessment:
    """A new assessment with one unanswered answer per assessable requirement; the latest
    probe results of the establishment are proposed at once."""
    check_may_assess(user, establishment.pk)
    on = on or timezone.localdate()
    assessment = Assessment.objects.create(
        establishment=establishment,
        framework=framework,
        date=on,
        title=(title or f"{framework.name} — {establishment.name} — {on.isoformat()}")[:300],
        scope=scope[:MAX_TEXT],
        status=status,
        created_by=user,
    )
    requirements = framework.requirements.filter(is_assessable=True).order_by("order")
    Answer.objects.bulk_create(
        [Answer(assessment=assessment, requirement=item) for item in requirements]
    )
    from hygie.compliance.services import probes  # the probe service uses this one

    probes.propose_latest_results(assessment)
    take_snapshot(assessment)
    return assessment


@transaction.atomic
def update_assessment(user: User | None, assessment: Assessment, **fields: Any) -> Assessment:
    """Change the title, date, scope or status (closing freezes the answers)."""
    check_may_assess(user, assessment.establishment_id)
    allowed = {"title", "date", "scope", "status"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(
            _("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if "status" in fields and fields["status"] not in AssessmentStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    for key, value in fields.items():
        setattr(assessment, key, value)
    if fields.get("status") == AssessmentStatus.CLOSED and assessment.closed_at is None:
        assessment.closed_at = timezone.now()
    elif "status" in fields and fields["status"] != AssessmentStatus.CLOSED:
        assessment.closed_at = None
    assessment.full_clean()
    assessment.save()
    return assessment


@transaction.atomic
def delete_assessment(user: User | None, assessment: Assessment) -> None:
    check_may_assess(user, assessment.establishment_id)
    assessment.delete()


# --- answers ---------------------------------------------------------------------------------


def _shown(field_name: str, value: Any) -> str:
    if value is None:
        return ""
    if field_name == "owner":
        return str(value.get_username()) if hasattr(value, "get_username") else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _record(
    answer: Answer, user: User | None, name: str, before: Any, after: Any, note: str = ""
) -> None:
    AnswerChange.objects.create(
        answer=answer,
        changed_by=user,
        field=name,
        old_value=_shown(name, before)[:MAX_TEXT],
        new_value=_shown(name, after)[:MAX_TEXT],
        note=note[:MAX_TEXT],
    )


def _check_open(answer: Answer) -> None:
    if answer.assessment.status == AssessmentStatus.CLOSED:
        raise ValidationError(_("This assessment is closed: reopen it to change its answers."))


@transaction.atomic
def answer_requirement(
    user: User | None,
    answer: Answer,
    *,
    status: str | None = None,
    justification: str | None = None,
    maturity: int | None | Any = ...,
    owner: User | None | Any = ...,
    due_date: date | None | Any = ...,
    comments: str | None = None,
    propagate: bool = True,
) -> Answer:
    """A person answers (or edits) one requirement: the answer is confirmed; a status that
    departs from the platform's proposal, or *not applicable*, needs a justification. Every
    changed field lands in the answer's history; mapped requirements get proposals."""
    check_may_assess(user, answer.assessment.establishment_id)
    _check_open(answer)
    before = {name: getattr(answer, name) for name in HISTORY_FIELDS}
    if status is not None:
        if status not in AnswerStatus.values:
            raise ValidationError({"status": [_("Unknown status.")]})
        answer.status = status
    if justification is not None:
        answer.justification = justification.strip()[:MAX_TEXT]
    if maturity is not ...:
        if maturity is not None and not 0 <= int(maturity) <= scoring.MAX_MATURITY:
            raise ValidationError({"maturity": [_("Maturity is a level from 0 to 5.")]})
        answer.maturity = maturity
    if owner is not ...:
        if owner is not None:
            if not (
                owner.sees_all_establishments
                or answer.assessment.establishment_id in owner.visible_establishment_ids()
            ):
                raise ValidationError(
                    {"owner": [_("The owner must be a user who sees this establishment.")]}
                )
        answer.owner = owner
    if due_date is not ...:
        answer.due_date = due_date
    if comments is not None:
        answer.comments = comments[:MAX_TEXT]
    _validate_justification(answer)
    status_changed = before["status"] != answer.status
    overriding = bool(answer.proposed_status) and answer.status != answer.proposed_status
    answer.is_confirmed = True
    answer.is_computed = bool(answer.proposed_status) and answer.status == answer.proposed_status
    answer.answered_by = user
    answer.answered_at = timezone.now()
    answer.save()
    for name in HISTORY_FIELDS:
        if before[name] != getattr(answer, name):
            note = (
                _("Overrides the proposal (%(proposal)s)")
                % {"proposal": AnswerStatus(answer.proposed_status).label}
                if name == "status" and overriding
                else ""
            )
            _record(answer, user, name, before[name], getattr(answer, name), note)
    if status_changed:
        take_snapshot(answer.assessment)
    if propagate and status_changed:
        propagate_answer(answer)
    return answer


def _validate_justification(answer: Answer) -> None:
    if answer.status == AnswerStatus.NOT_APPLICABLE and not answer.justification:
        raise ValidationError({"justification": [_("Say why this requirement does not apply.")]})
    if (
        answer.proposed_status
        and answer.status != answer.proposed_status
        and answer.status != AnswerStatus.NOT_ASSESSED
        and not answer.justification
    ):
        raise ValidationError(
            {
                "justification": [
                    _("The platform proposed “%(proposal)s”: say why you answer otherwise.")
                    % {"proposal": AnswerStatus(answer.proposed_status).label}
                ]
            }
        )


@transaction.atomic
def confirm_answer(user: User | None, answer: Answer) -> Answer:
    """Accept the proposal as the answer (or confirm the computed status as it stands)."""
    check_may_assess(user, answer.assessment.establishment_id)
    _check_open(answer)
    target = answer.proposed_status or answer.status
    if target == AnswerStatus.NOT_ASSESSED:
        raise ValidationError(_("There is nothing to confirm: answer the requirement instead."))
    before = answer.status
    answer.status = target
    answer.is_confirmed = True
    answer.is_computed = bool(answer.proposed_status)
    answer.answered_by = user
    answer.answered_at = timezone.now()
    if target == AnswerStatus.NOT_APPLICABLE and not answer.justification:
        answer.justification = answer.proposal_note[:MAX_TEXT]
    answer.save()
    _record(answer, user, "status", before, target, _("Proposal confirmed"))
    if before != target:
        take_snapshot(answer.assessment)
        propagate_answer(answer)
    return answer


def override_answer(user: User | None, answer: Answer, status: str, justification: str) -> Answer:
    """Answer otherwise than proposed: the justification is required."""
    if not justification.strip():
        raise ValidationError({"justification": [_("Say why you answer otherwise.")]})
    return answer_requirement(user, answer, status=status, justification=justification)


def apply_proposal(
    answer: Answer,
    status: str,
    *,
    source: str,
    note: str,
    run: ProbeRun | None = None,
    from_answer: Answer | None = None,
    details: dict[str, Any] | None = None,
) -> bool:
    """Record what the platform proposes for an answer. An unconfirmed answer takes the status
    at once (shown as computed); a confirmed one keeps the person's. Returns True if anything
    changed."""
    if answer.assessment.status == AssessmentStatus.CLOSED:
        return False
    overwrite = propagation.may_overwrite(answer.is_confirmed)
    unchanged = (
        answer.proposed_status == status
        and answer.proposal_source == source
        and answer.proposed_from_run_id == (run.pk if run else None)
        and answer.proposed_from_answer_id == (from_answer.pk if from_answer else None)
        and (not overwrite or answer.status == status)
    )
    if unchanged:
        return False
    before = answer.status
    answer.proposed_status = status
    answer.proposal_source = source
    answer.proposed_from_run = run
    answer.proposed_from_answer = from_answer
    answer.proposal_note = note[:MAX_TEXT]
    answer.proposal_details = dict(details or {})
    answer.proposed_at = timezone.now()
    if overwrite:
        answer.status = status
        answer.is_computed = True
    answer.save()
    if run is not None and run.evidence_id is not None:
        answer.evidence.add(run.evidence_id)
    if overwrite and before != status:
        _record(answer, None, "status", before, status, note)
    return True


def propagate_answer(answer: Answer) -> int:
    """Propose the answer's status to the requirements mapped to it in the establishment's
    other open assessments. Returns the number of answers given a new proposal."""
    links = library.framework_links().get(answer.requirement.urn, [])
    proposals = propagation.propose_from_answer(answer.requirement.urn, answer.status, links)
    if not proposals:
        return 0
    by_target = {item.target: item for item in proposals}
    targets = (
        Answer.objects.filter(
            assessment__establishment_id=answer.assessment.establishment_id,
            requirement__urn__in=list(by_target),
        )
        .exclude(assessment__status=AssessmentStatus.CLOSED)
        .exclude(assessment_id=answer.assessment_id)
        .select_related("assessment", "requirement")
    )
    changed = 0
    touched: set[int] = set()
    for target in targets:
        proposal = by_target[target.requirement.urn]
        note = mapping_note(answer, proposal.relation, proposal.rationale)
        if apply_proposal(
            target,
            proposal.status,
            source=ProposalSource.MAPPING,
            note=note,
            from_answer=answer,
            details={
                "kind": "mapping",
                "relation": proposal.relation,
                "rationale": dict(proposal.rationale),
            },
        ):
            changed += 1
            touched.add(target.assessment_id)
    for assessment in Assessment.objects.filter(pk__in=touched):
        take_snapshot(assessment)
    return changed


def attach_evidence(
    user: User | None,
    answer: Answer,
    *,
    title: str,
    uploaded_file: Any = None,
    evidence: Evidence | None = None,
    description: str = "",
) -> Evidence:
    """Attach a new file (stored with its SHA-256) or an existing evidence of the same
    establishment to an answer."""
    check_may_assess(user, answer.assessment.establishment_id)
    establishment = answer.assessment.establishment
    if evidence is None:
        evidence = add_evidence(
            establishment,
            user,
            title=title[:300],
            uploaded_file=uploaded_file,
            subject=answer,
            description=description,
        )
    elif evidence.establishment_id != establishment.pk:
        raise ValidationError({"evidence": [_("Unknown evidence.")]})
    answer.evidence.add(evidence)
    _record(answer, user, "evidence", "", evidence.title)
    return evidence


def detach_evidence(user: User | None, answer: Answer, evidence: Evidence) -> None:
    check_may_assess(user, answer.assessment.establishment_id)
    answer.evidence.remove(evidence)
    _record(answer, user, "evidence", evidence.title, "")


# --- scores ----------------------------------------------------------------------------------


def scored_answers(assessment: Assessment) -> list[scoring.ScoredAnswer]:
    requirements = list(assessment.framework.requirements.all().only("pk", "parent_id", "urn"))
    chapters = library.chapter_of(requirements)
    rows = assessment.answers.values_list(
        "requirement_id", "requirement__urn", "status", "maturity"
    )
    result = []
    for requirement_id, urn, status, maturity in rows:
        chapter = chapters.get(requirement_id)
        result.append(
            scoring.ScoredAnswer(urn, status, maturity, chapter.urn if chapter is not None else "")
        )
    return result


def assessment_score(assessment: Assessment) -> scoring.Score:
    return scoring.score(scored_answers(assessment))


@dataclass
class ChapterScore:
    chapter: Requirement | None
    score: scoring.Score
    depth: int = 0  # 0: a top-level chapter; 1, 2…: a heading under it


def chapter_scores(assessment: Assessment) -> list[ChapterScore]:
    """One score per chapter (top-level heading), in the framework's order."""
    by_group = scoring.score_by_chapter(scored_answers(assessment))
    headings = {
        item.urn: item for item in assessment.framework.requirements.filter(urn__in=list(by_group))
    }
    ordered = sorted(
        by_group.items(), key=lambda pair: headings[pair[0]].order if pair[0] in headings else -1
    )
    return [ChapterScore(headings.get(urn), value) for urn, value in ordered]


def section_scores(assessment: Assessment) -> list[ChapterScore]:
    """The chapter scores, each followed by the score of every heading under it at any depth
    (CaRE's D2 under "Axe 4"), in the framework's order. Top-level figures are
    :func:`chapter_scores`'s."""
    requirements = list(assessment.framework.requirements.order_by("order", "pk"))
    by_pk = {item.pk: item for item in requirements}
    parents = {item.parent_id for item in requirements if item.parent_id is not None}
    ancestors: dict[str, list[str]] = {}
    for item in requirements:
        chain: list[str] = []
        cursor = by_pk.get(item.parent_id) if item.parent_id is not None else None
        while cursor is not None and len(chain) < len(requirements):
            chain.append(cursor.urn)
            cursor = by_pk.get(cursor.parent_id) if cursor.parent_id is not None else None
        ancestors[item.urn] = chain
    nodes = scoring.score_by_node(scored_answers(assessment), ancestors)
    result = []
    for top in chapter_scores(assessment):
        result.append(top)
        if top.chapter is None:
            continue
        result.extend(
            ChapterScore(item, nodes[item.urn], depth=len(ancestors[item.urn]))
            for item in requirements
            if item.pk in parents and item.urn in nodes and top.chapter.urn in ancestors[item.urn]
        )
    return result


def take_snapshot(assessment: Assessment) -> ScoreSnapshot:
    value = assessment_score(assessment)
    return ScoreSnapshot.objects.create(
        assessment=assessment, score=value.score, maturity=value.maturity, **value.counts()
    )


def score_history(assessment: Assessment, limit: int = 200) -> list[ScoreSnapshot]:
    """The score over time: the last snapshot of each day (at most ``limit`` days)."""
    by_day: dict[date, ScoreSnapshot] = {}
    for snapshot in assessment.snapshots.order_by("taken_at", "pk"):
        by_day[timezone.localtime(snapshot.taken_at).date()] = snapshot
    return list(by_day.values())[-limit:]


@dataclass
class ComparisonRow:
    requirement: Requirement
    left: Answer | None
    right: Answer | None
    direction: int = 0

    @property
    def differs(self) -> bool:
        left = self.left.status if self.left else AnswerStatus.NOT_ASSESSED
        right = self.right.status if self.right else AnswerStatus.NOT_ASSESSED
        return left != right


@dataclass
class Comparison:
    left: Assessment
    right: Assessment
    left_score: scoring.Score
    right_score: scoring.Score
    rows: list[ComparisonRow] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(1 for row in self.rows if row.differs)


def compare_assessments(left: Assessment, right: Assessment) -> Comparison:
    """Two assessments side by side, requirement by requirement (by URN: two frameworks'
    assessments share only the requirements they have in common)."""
    left_answers = {a.requirement.urn: a for a in left.answers.select_related("requirement")}
    right_answers = {a.requirement.urn: a for a in right.answers.select_related("requirement")}
    differences = {
        item.key: item.direction
        for item in scoring.compare(
            {urn: a.status for urn, a in left_answers.items()},
            {urn: a.status for urn, a in right_answers.items()},
        )
    }
    rows = []
    seen = set()
    for urn, answer in list(right_answers.items()) + list(left_answers.items()):
        if urn in seen:
            continue
        seen.add(urn)
        rows.append(
            ComparisonRow(
                answer.requirement,
                left_answers.get(urn),
                right_answers.get(urn),
                differences.get(urn, 0),
            )
        )
    rows.sort(key=lambda row: (row.requirement.framework_id, row.requirement.order))
    return Comparison(left, right, assessment_score(left), assessment_score(right), rows)


# --- the requirement tree of an assessment page ------------------------------------------------

FILTER_UNANSWERED = "unanswered"
FILTER_COMPUTED = "computed"
FILTER_PROPOSED = "proposed"


@dataclass
class TreeRow:
    requirement: Requirement
    answer: Answer | None
    depth: int
    chapter_pk: int | None


def tree(
    assessment: Assessment, *, status: str = "", show: str = "", text: str = ""
) -> list[TreeRow]:
    """The framework's tree with each assessable requirement's answer, filtered; headings are
    kept when one of their requirements is shown."""
    requirements = list(assessment.framework.requirements.order_by("order"))
    answers = {
        a.requirement_id: a
        for a in assessment.answers.select_related(
            "owner", "proposed_from_run", "proposed_from_answer__requirement"
        ).prefetch_related("evidence")
    }
    chapters = library.chapter_of(requirements)
    text = text.strip().lower()[:100]

    def keep(item: Requirement, answer: Answer | None) -> bool:
        if answer is None:
            return False
        if status and answer.status != status:
            return False
        if show == FILTER_UNANSWERED and answer.status != AnswerStatus.NOT_ASSESSED:
            return False
        if show == FILTER_COMPUTED and not (answer.is_computed or answer.proposal_source):
            return False
        if show == FILTER_PROPOSED and not (answer.proposed_status and not answer.is_confirmed):
            return False
        if text and text not in f"{item.ref_id} {item.title}".lower():
            return False
        return True

    kept: set[int] = set()
    by_pk = {item.pk: item for item in requirements}
    for item in requirements:
        if item.is_assessable and keep(item, answers.get(item.pk)):
            kept.add(item.pk)
            cursor = item.parent_id
            while cursor is not None and cursor not in kept:
                kept.add(cursor)
                cursor = by_pk[cursor].parent_id if cursor in by_pk else None
    rows = []
    for item in requirements:
        if item.pk in kept:
            chapter = chapters.get(item.pk)
            rows.append(
                TreeRow(item, answers.get(item.pk), item.depth, chapter.pk if chapter else None)
            )
    return rows


def open_assessments(establishment_ids: Iterable[int]) -> Sequence[Assessment]:
    return list(
        Assessment.objects.filter(establishment_id__in=list(establishment_ids))
        .exclude(status=AssessmentStatus.CLOSED)
        .select_related("framework", "establishment")
    )
