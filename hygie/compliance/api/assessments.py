"""Compliance API: the framework library, assessments and answers (confirm, override,
history), scores and comparison.

No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Path, Query, Router, Schema
from ninja.errors import HttpError
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.compliance.choices import AnswerStatus, AssessmentStatus, FrameworkSource
from hygie.compliance.models import Answer, Assessment, Framework, Requirement
from hygie.compliance.roles import ASSESS, VIEW
from hygie.compliance.services import assessments as service
from hygie.compliance.services import library
from hygie.core.api.choice_values import choice_literal
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    apply_ordering,
    check_visible_reference,
    get_visible,
    ordering_description,
    require,
)
from hygie.core.api.schemas import ErrorOut, Id, InputFilters, InputSchema
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment, Evidence, User

router = Router(tags=["Compliance"])

Day = date  # fields named "date" shadow the type inside their class

# mypy cannot read a Literal built at run time: to it these are plain strings.
if TYPE_CHECKING:
    AnswerStatusValue = str
    AssessmentStatusValue = str
    ImportFormatValue = str
else:
    AnswerStatusValue = choice_literal(AnswerStatus.values)
    AssessmentStatusValue = choice_literal(AssessmentStatus.values)
    ImportFormatValue = choice_literal((library.FORMAT_HYGIE, library.FORMAT_CISO_ASSISTANT))

ASSESSMENT_ORDERINGS = ("date", "title", "status", "created_at")
MAX_TEXT = 10_000


# --- schemas ---------------------------------------------------------------------------------


class FrameworkOut(Schema):
    id: int
    framework_id: str
    urn: str
    name: str
    name_fr: str
    name_en: str
    version: str
    publication_date: str
    provider: str
    source_url: str
    licence_note: str
    source: str
    file_name: str
    sha256: str
    requirement_count: int = Field(description="Assessable requirements.")
    unverified_count: int = Field(
        description="Assessable requirements not verified against the official text."
    )

    @staticmethod
    def resolve_requirement_count(obj: Framework) -> int:
        return (
            getattr(obj, "requirement_count", None)
            or obj.requirements.filter(is_assessable=True).count()
        )

    @staticmethod
    def resolve_unverified_count(obj: Framework) -> int:
        value = getattr(obj, "unverified_count", None)
        if value is not None:
            return int(value)
        return obj.requirements.filter(is_assessable=True, verification_status="unverified").count()


class ControlLinkOut(Schema):
    id: str
    relation: str


class RequirementOut(Schema):
    id: int
    urn: str
    ref_id: str
    parent_urn: str | None
    is_assessable: bool
    title: str
    title_fr: str
    title_en: str
    description: str
    verification_status: str
    attributes: dict[str, Any]
    controls: list[ControlLinkOut]
    order: int
    depth: int

    @staticmethod
    def resolve_parent_urn(obj: Requirement) -> str | None:
        return obj.parent.urn if obj.parent_id and obj.parent else None


class ImportIn(InputSchema):
    file_name: str = Field("framework.yaml", max_length=255)
    content: str = Field(..., min_length=1, max_length=library.MAX_IMPORT_BYTES)
    file_format: ImportFormatValue = library.FORMAT_HYGIE
    dry_run: bool = Field(True, description="Only check the file and return the preview.")


class ImportProblemOut(Schema):
    line: int | None
    message: str


class ImportOut(Schema):
    is_valid: bool
    saved: bool
    framework_id: str | None
    id: int | None = Field(None, description="The stored framework, once saved.")
    sha256: str
    requirements: int
    assessable: int
    unverified: int
    problems: list[ImportProblemOut]


class SyncOut(Schema):
    frameworks: int
    created: int
    updated: int
    requirements: int
    problems: list[str]


class ScoreOut(Schema):
    compliant: int
    partial: int
    non_compliant: int
    not_applicable: int
    not_assessed: int
    total: int
    assessed: int
    score: float | None = Field(description="Percent of the assessed applicable requirements.")
    progress: float | None
    maturity: float | None


class AssessmentOut(Schema):
    id: int
    establishment_id: int
    framework_id: int
    framework: str = Field(description="The framework's identifier (e.g. care).")
    title: str
    date: date
    status: str
    scope: str
    created_at: datetime
    closed_at: datetime | None
    score: ScoreOut

    @staticmethod
    def resolve_framework(obj: Assessment) -> str:
        return obj.framework.framework_id

    @staticmethod
    def resolve_score(obj: Assessment) -> dict[str, Any]:
        return _score(service.assessment_score(obj))


class AssessmentIn(InputSchema):
    establishment_id: Id
    framework_id: Id
    date: Day | None = Field(None, description="Default: today.")
    title: str = Field("", max_length=300)
    scope: str = Field("", max_length=MAX_TEXT)
    status: AssessmentStatusValue = AssessmentStatus.IN_PROGRESS


class AssessmentPatch(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    date: date
    scope: str = Field(..., max_length=MAX_TEXT)
    status: AssessmentStatusValue


class AssessmentFilters(InputFilters):
    status: AssessmentStatusValue | None = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    framework: Annotated[str | None, FilterLookup("framework__framework_id")] = None


class ChapterScoreOut(Schema):
    chapter_urn: str | None
    chapter_ref_id: str | None
    chapter_title: str | None
    score: ScoreOut


class SectionScoreOut(ChapterScoreOut):
    depth: int = Field(description="0: a top-level chapter; 1, 2…: a heading under it.")
    parent_urn: str | None = Field(description="The heading above (None at the top level).")


class SnapshotOut(Schema):
    taken_at: datetime
    score: float | None
    maturity: float | None


class ScoresOut(Schema):
    overall: ScoreOut
    chapters: list[ChapterScoreOut]
    sections: list[SectionScoreOut] = Field(
        description="The chapters, each followed by every heading under it at any depth."
    )
    history: list[SnapshotOut]


class AnswerOut(Schema):
    id: int
    assessment_id: int
    requirement_id: int
    requirement_urn: str
    ref_id: str
    status: str
    justification: str
    maturity: int | None
    owner_id: int | None
    due_date: date | None
    comments: str
    evidence_ids: list[int]
    proposed_status: str
    proposal_source: str = Field(description="probe, mapping, or empty.")
    proposed_from_run_id: int | None
    proposed_from_answer_id: int | None
    proposal_note: str = Field(description="Why this proposal, in the request's language.")
    proposed_at: datetime | None
    is_confirmed: bool
    is_computed: bool
    answered_at: datetime | None

    @staticmethod
    def resolve_requirement_urn(obj: Answer) -> str:
        return obj.requirement.urn

    @staticmethod
    def resolve_ref_id(obj: Answer) -> str:
        return obj.requirement.ref_id

    @staticmethod
    def resolve_proposal_note(obj: Answer) -> str:
        return obj.proposal_explanation

    @staticmethod
    def resolve_evidence_ids(obj: Answer) -> list[int]:
        return sorted(item.pk for item in obj.evidence.all())


class AnswerPatch(InputSchema):
    status: AnswerStatusValue
    justification: str = Field(..., max_length=MAX_TEXT)
    maturity: int | None = Field(None, ge=0, le=5)
    owner_id: Id | None = None  # PatchDict leaves optional types required without a default
    due_date: date | None = None
    comments: str = Field(..., max_length=MAX_TEXT)
    evidence_ids: list[Id] = Field(..., max_length=500, description="Evidence to attach.")


class OverrideIn(InputSchema):
    status: AnswerStatusValue
    justification: str = Field(..., min_length=1, max_length=MAX_TEXT)


class AnswerFilters(InputFilters):
    status: AnswerStatusValue | None = None
    is_confirmed: bool | None = None
    is_computed: bool | None = None
    proposal_source: str | None = None


class AnswerChangeOut(Schema):
    changed_at: datetime
    changed_by_id: int | None
    field: str
    old_value: str
    new_value: str
    note: str


class ComparisonRowOut(Schema):
    requirement_urn: str
    ref_id: str
    left_status: str | None
    right_status: str | None
    direction: int = Field(description="+1 better, -1 worse, 0 otherwise.")


class ComparisonOut(Schema):
    left: AssessmentOut
    right: AssessmentOut
    changed: int
    rows: list[ComparisonRowOut]


def _score(value: Any) -> dict[str, Any]:
    return {
        **value.counts(),
        "total": value.total,
        "assessed": value.assessed,
        "score": value.score,
        "progress": value.progress,
        "maturity": value.maturity,
    }


def _answer(request: AuthenticatedRequest, answer_id: int) -> Answer:
    answer = (
        Answer.objects.visible_to(request.user)
        .select_related("assessment", "requirement")
        .filter(pk=answer_id)
        .first()
    )
    if answer is None:
        raise Http404
    return answer


# --- library ---------------------------------------------------------------------------------


@router.get(
    "/frameworks",
    response={200: list[FrameworkOut], **ERROR_RESPONSES},
    summary="List frameworks",
    operation_id="list_frameworks",
    url_name="compliance_framework_list",
    description="The framework library (shipped and imported). Requires `compliance.view`.",
)
def list_frameworks(request: AuthenticatedRequest) -> Any:
    require(request, VIEW)
    return list(library.frameworks_with_counts())


@router.post(
    "/frameworks/import",
    response={200: ImportOut, **ERROR_RESPONSES},
    summary="Import a framework file",
    operation_id="import_framework",
    url_name="compliance_framework_import",
    description="A framework file in Hygie's format or a CISO Assistant library (YAML text). "
    "With `dry_run` (the default) nothing is saved: every problem is listed with its line. "
    "Without it, the file is saved only when it has no problem (atomic). "
    "Requires `compliance.assess`; saving needs organisation-wide access (the library is "
    "the installation's).",
)
def import_framework(request: AuthenticatedRequest, payload: ImportIn) -> dict[str, Any]:
    require(request, ASSESS)
    content = payload.content.encode("utf-8")
    if payload.dry_run:
        preview = library.preview_import(payload.file_name, content, payload.file_format)
        stored = None
    else:
        preview, stored = library.import_framework(
            request.user, payload.file_name, content, payload.file_format
        )
    return {
        "is_valid": preview.is_valid,
        "saved": stored is not None,
        "framework_id": preview.framework.id if preview.framework is not None else None,
        "id": stored.pk if stored is not None else None,
        "sha256": preview.sha256,
        "requirements": preview.requirements,
        "assessable": preview.assessable,
        "unverified": preview.unverified,
        "problems": [{"line": p.line, "message": p.message} for p in preview.problems],
    }


@router.post(
    "/frameworks/sync",
    response={200: SyncOut, **ERROR_RESPONSES},
    summary="Reload the shipped library",
    operation_id="sync_framework_library",
    url_name="compliance_framework_sync",
    description="Loads the frameworks shipped with Hygie (idempotent). Requires "
    "`compliance.assess` and organisation-wide access.",
)
def sync_library(request: AuthenticatedRequest) -> dict[str, Any]:
    require(request, ASSESS)
    library.check_may_change_library(request.user)
    report = library.sync_shipped_library()
    return {
        "frameworks": report.frameworks,
        "created": report.created,
        "updated": report.updated,
        "requirements": report.requirements,
        "problems": report.problems,
    }


@router.get(
    "/frameworks/{int:framework_id}",
    response={200: FrameworkOut, **ERROR_RESPONSES},
    summary="Get a framework",
    operation_id="get_framework",
    url_name="compliance_framework_detail",
    description="Requires `compliance.view`.",
)
def get_framework(request: AuthenticatedRequest, framework_id: Path[Id]) -> Framework:
    require(request, VIEW)
    framework = Framework.objects.filter(pk=framework_id).first()
    if framework is None:
        raise Http404
    return framework


@router.delete(
    "/frameworks/{int:framework_id}",
    response={204: None, 409: ErrorOut, **ERROR_RESPONSES},
    summary="Delete an imported framework",
    operation_id="delete_framework",
    url_name="compliance_framework_delete",
    description="Only a framework imported by users, with no assessment: a shipped one, or "
    "one with assessments, answers 409. Requires `compliance.assess` and organisation-wide "
    "access (the library is the installation's).",
)
def delete_framework(request: AuthenticatedRequest, framework_id: Path[Id]) -> tuple[int, None]:
    require(request, ASSESS)
    library.check_may_change_library(request.user)
    framework = Framework.objects.filter(pk=framework_id).first()
    if framework is None:
        raise Http404
    if framework.source == FrameworkSource.SHIPPED:
        raise HttpError(409, _("A framework shipped with Hygie cannot be deleted."))
    if framework.assessments.exists():
        raise HttpError(409, _("This framework has assessments: it is kept as their record."))
    library.delete_framework(request.user, framework)
    return 204, None


@router.get(
    "/frameworks/{int:framework_id}/requirements",
    response={200: list[RequirementOut], **ERROR_RESPONSES},
    summary="List a framework's requirements",
    operation_id="list_framework_requirements",
    url_name="compliance_framework_requirement_list",
    description="In document order, headings included (`is_assessable` false). "
    "Requires `compliance.view`.",
)
@paginate(Pagination)
def list_requirements(
    request: AuthenticatedRequest,
    framework_id: Path[Id],
    ref_id: str | None = Query(None, max_length=100, description="Exact official reference."),
) -> Any:
    require(request, VIEW)
    queryset = Requirement.objects.filter(framework_id=framework_id).select_related("parent")
    if ref_id:
        queryset = queryset.filter(ref_id__iexact=ref_id)
    return queryset.order_by("order", "pk")


# --- assessments -----------------------------------------------------------------------------


@router.get(
    "/assessments",
    response={200: list[AssessmentOut], **ERROR_RESPONSES},
    summary="List assessments",
    operation_id="list_assessments",
    url_name="compliance_assessment_list",
    description="Assessments of your establishments, with their scores. Requires "
    "`compliance.view`.",
)
@paginate(Pagination)
def list_assessments(
    request: AuthenticatedRequest,
    filters: Query[AssessmentFilters],
    ordering: str | None = Query(None, description=ordering_description(ASSESSMENT_ORDERINGS)),
) -> Any:
    require(request, VIEW)
    queryset = filters.filter(
        Assessment.objects.visible_to(request.user).select_related("framework")
    )
    return apply_ordering(queryset, ordering, ASSESSMENT_ORDERINGS)


@router.post(
    "/assessments",
    response={201: AssessmentOut, **ERROR_RESPONSES},
    summary="Create an assessment",
    operation_id="create_assessment",
    url_name="compliance_assessment_add",
    description="One answer per assessable requirement; the establishment's latest probe "
    "results are proposed at once. Requires `compliance.assess`.",
)
def create_assessment(
    request: AuthenticatedRequest, payload: AssessmentIn
) -> tuple[int, Assessment]:
    require(request, ASSESS)
    check_visible_reference(Establishment, request, "establishment_id", payload.establishment_id)
    framework = Framework.objects.filter(pk=payload.framework_id).first()
    if framework is None:
        raise ValidationError({"framework_id": [_("Unknown framework.")]})
    assessment = service.create_assessment(
        request.user,
        establishment=Establishment.objects.get(pk=payload.establishment_id),
        framework=framework,
        on=payload.date,
        title=payload.title,
        scope=payload.scope,
        status=payload.status,
    )
    return 201, assessment


@router.get(
    "/assessments/compare",
    response={200: ComparisonOut, **ERROR_RESPONSES},
    summary="Compare two assessments",
    operation_id="compare_assessments",
    url_name="compliance_assessment_compare",
    description="Requirement by requirement (by URN). Requires `compliance.view`.",
)
def compare_assessments(
    request: AuthenticatedRequest, left: Query[Id], right: Query[Id]
) -> dict[str, Any]:
    require(request, VIEW)
    first = get_visible(Assessment, request, left)
    second = get_visible(Assessment, request, right)
    comparison = service.compare_assessments(first, second)
    return {
        "left": first,
        "right": second,
        "changed": comparison.changed,
        "rows": [
            {
                "requirement_urn": row.requirement.urn,
                "ref_id": row.requirement.ref_id,
                "left_status": row.left.status if row.left else None,
                "right_status": row.right.status if row.right else None,
                "direction": row.direction,
            }
            for row in comparison.rows
        ],
    }


@router.get(
    "/assessments/{int:assessment_id}",
    response={200: AssessmentOut, **ERROR_RESPONSES},
    summary="Get an assessment",
    operation_id="get_assessment",
    url_name="compliance_assessment_detail",
    description="Requires `compliance.view`.",
)
def get_assessment(request: AuthenticatedRequest, assessment_id: Path[Id]) -> Assessment:
    require(request, VIEW)
    return get_visible(Assessment, request, assessment_id)


@router.patch(
    "/assessments/{int:assessment_id}",
    response={200: AssessmentOut, **ERROR_RESPONSES},
    summary="Change an assessment",
    operation_id="update_assessment",
    url_name="compliance_assessment_edit",
    description="Title, date, scope, status (closing freezes the answers). Requires "
    "`compliance.assess`.",
)
def update_assessment(
    request: AuthenticatedRequest,
    assessment_id: Path[Id],
    payload: PatchDict[AssessmentPatch],
) -> Assessment:
    require(request, ASSESS)
    assessment = get_visible(Assessment, request, assessment_id)
    return service.update_assessment(request.user, assessment, **dict(payload))


@router.delete(
    "/assessments/{int:assessment_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Delete an assessment",
    operation_id="delete_assessment",
    url_name="compliance_assessment_delete",
    description="Requires `compliance.assess`.",
)
def delete_assessment(request: AuthenticatedRequest, assessment_id: Path[Id]) -> tuple[int, None]:
    require(request, ASSESS)
    service.delete_assessment(request.user, get_visible(Assessment, request, assessment_id))
    return 204, None


@router.get(
    "/assessments/{int:assessment_id}/scores",
    response={200: ScoresOut, **ERROR_RESPONSES},
    summary="An assessment's scores",
    operation_id="get_assessment_scores",
    url_name="compliance_assessment_scores",
    description="Overall, per top-level chapter, per heading at every level (`sections`: CaRE D2 "
    "under Axe 4) and over time (last snapshot of each day). Requires "
    "`compliance.view`.",
)
def get_scores(request: AuthenticatedRequest, assessment_id: Path[Id]) -> dict[str, Any]:
    require(request, VIEW)
    assessment = get_visible(Assessment, request, assessment_id)
    return {
        "overall": _score(service.assessment_score(assessment)),
        "chapters": [
            {
                "chapter_urn": item.chapter.urn if item.chapter else None,
                "chapter_ref_id": item.chapter.ref_id if item.chapter else None,
                "chapter_title": item.chapter.title if item.chapter else None,
                "score": _score(item.score),
            }
            for item in service.chapter_scores(assessment)
        ],
        "sections": [
            {
                "chapter_urn": item.chapter.urn if item.chapter else None,
                "chapter_ref_id": item.chapter.ref_id if item.chapter else None,
                "chapter_title": item.chapter.title if item.chapter else None,
                "depth": item.depth,
                "parent_urn": item.chapter.parent.urn
                if item.chapter and item.depth and item.chapter.parent
                else None,
                "score": _score(item.score),
            }
            for item in service.section_scores(assessment)
        ],
        "history": service.score_history(assessment),
    }


@router.get(
    "/assessments/{int:assessment_id}/answers",
    response={200: list[AnswerOut], **ERROR_RESPONSES},
    summary="List an assessment's answers",
    operation_id="list_assessment_answers",
    url_name="compliance_assessment_answer_list",
    description="In the framework's order. Requires `compliance.view`.",
)
@paginate(Pagination)
def list_answers(
    request: AuthenticatedRequest, assessment_id: Path[Id], filters: Query[AnswerFilters]
) -> Any:
    require(request, VIEW)
    assessment = get_visible(Assessment, request, assessment_id)
    return filters.filter(
        assessment.answers.select_related("requirement").prefetch_related("evidence")
    ).order_by("requirement__order", "pk")


# --- answers ---------------------------------------------------------------------------------


@router.get(
    "/answers/{int:answer_id}",
    response={200: AnswerOut, **ERROR_RESPONSES},
    summary="Get an answer",
    operation_id="get_answer",
    url_name="compliance_answer_detail",
    description="With what the platform proposes and from which result. Requires "
    "`compliance.view`.",
)
def get_answer(request: AuthenticatedRequest, answer_id: Path[Id]) -> Answer:
    require(request, VIEW)
    return _answer(request, answer_id)


@router.patch(
    "/answers/{int:answer_id}",
    response={200: AnswerOut, **ERROR_RESPONSES},
    summary="Answer a requirement",
    operation_id="update_answer",
    url_name="compliance_answer_edit",
    description="The answer becomes confirmed. *not_applicable*, and any status other than "
    "the proposed one, need a `justification`. Every change lands in the history; mapped "
    "requirements of the establishment's other open assessments get proposals. Requires "
    "`compliance.assess`.",
)
def update_answer(
    request: AuthenticatedRequest, answer_id: Path[Id], payload: PatchDict[AnswerPatch]
) -> Answer:
    require(request, ASSESS)
    answer = _answer(request, answer_id)
    fields = dict(payload)
    evidence_ids = fields.pop("evidence_ids", None)
    if "owner_id" in fields:
        owner_id = fields.pop("owner_id")
        owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
        establishment_id = answer.assessment.establishment_id
        if owner_id and (
            owner is None
            or not (
                owner.sees_all_establishments
                or establishment_id in owner.visible_establishment_ids()
            )
        ):
            # Same answer for a user of another establishment: ids are not probed this way.
            raise ValidationError({"owner_id": [_("Unknown user.")]})
        fields["owner"] = owner
    service.answer_requirement(request.user, answer, **fields)
    for evidence_id in evidence_ids or []:
        check_visible_reference(Evidence, request, "evidence_ids", evidence_id)
        evidence = Evidence.objects.get(pk=evidence_id)
        service.attach_evidence(request.user, answer, title=evidence.title, evidence=evidence)
    return _answer(request, answer_id)


@router.post(
    "/answers/{int:answer_id}/confirm",
    response={200: AnswerOut, **ERROR_RESPONSES},
    summary="Confirm the proposed status",
    operation_id="confirm_answer",
    url_name="compliance_answer_confirm",
    description="Accepts the platform's proposal (probe result or mapped answer) as the "
    "answer. Requires `compliance.assess`.",
)
def confirm_answer(request: AuthenticatedRequest, answer_id: Path[Id]) -> Answer:
    require(request, ASSESS)
    service.confirm_answer(request.user, _answer(request, answer_id))
    return _answer(request, answer_id)


@router.post(
    "/answers/{int:answer_id}/override",
    response={200: AnswerOut, **ERROR_RESPONSES},
    summary="Answer otherwise than proposed",
    operation_id="override_answer",
    url_name="compliance_answer_override",
    description="The justification is required. Requires `compliance.assess`.",
)
def override_answer(
    request: AuthenticatedRequest, answer_id: Path[Id], payload: OverrideIn
) -> Answer:
    require(request, ASSESS)
    service.override_answer(
        request.user, _answer(request, answer_id), payload.status, payload.justification
    )
    return _answer(request, answer_id)


@router.get(
    "/answers/{int:answer_id}/history",
    response={200: list[AnswerChangeOut], **ERROR_RESPONSES},
    summary="An answer's history",
    operation_id="list_answer_changes",
    url_name="compliance_answer_history",
    description="Every change: who, when, field, before, after. Requires `compliance.view`.",
)
def list_answer_changes(request: AuthenticatedRequest, answer_id: Path[Id]) -> Any:
    require(request, VIEW)
    return list(_answer(request, answer_id).changes.all()[:500])
