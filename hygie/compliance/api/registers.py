"""The GDPR registers in the compliance API: the record of processing activities (art. 30, with
health presets and exports for auditors) and DPIAs (principles, feared events, submission, DPO
opinion, PDF). Same scoping, capabilities, errors and audit trail as the pages.

No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.filter_schema import FilterLookup

from hygie.compliance.models import DPIA, DPIARisk, ProcessingActivity
from hygie.compliance.models.registers import (
    DPIACriterion,
    DPIAStatus,
    DPODecision,
    Evaluation,
    LegalBasis,
    ProcessingStatus,
    SpecialCategoryException,
)
from hygie.compliance.roles import MANAGE_REGISTERS, VIEW_REGISTERS
from hygie.compliance.services import registers as service
from hygie.core.api.choice_values import choice_literal
from hygie.core.api.common import ERROR_RESPONSES, get_visible, require
from hygie.core.api.resource import Resource, add_crud_routes
from hygie.core.api.schemas import Id, InputFilters, InputSchema
from hygie.core.http import AuthenticatedRequest
from hygie.core.services.crud import check_establishment_allowed

if TYPE_CHECKING:
    StatusValue = str
    LegalBasisValue = str
    ExceptionValue = str
    CriterionValue = str
    DPIAStatusValue = str
    EvaluationValue = str
    DecisionValue = str
else:
    StatusValue = choice_literal(ProcessingStatus.values)
    LegalBasisValue = choice_literal(LegalBasis.values)
    ExceptionValue = choice_literal(SpecialCategoryException.values)
    CriterionValue = choice_literal(DPIACriterion.values)
    DPIAStatusValue = choice_literal(DPIAStatus.values)
    EvaluationValue = choice_literal(Evaluation.values)
    DecisionValue = choice_literal(v for v in DPODecision.values if v)

Level = Annotated[int, Field(ge=1, le=4, description="1 negligible … 4 maximum (CNIL scale)")]
_TEXT = 10_000
_FILE_RESPONSE = {
    "responses": {
        "200": {
            "description": "The file.",
            "content": {"text/csv": {}, service.XLSX_TYPE: {}, "application/pdf": {}},
        }
    }
}

router = Router()


# --- schemas -----------------------------------------------------------------------------------


class ProcessingActivityIn(InputSchema):
    establishment_id: Id
    name: str = Field(min_length=1, max_length=300)
    reference: str = Field("", max_length=50)
    status: StatusValue = ProcessingStatus.DRAFT.value
    controller: str = Field("", max_length=_TEXT)
    joint_controllers: str = Field("", max_length=_TEXT)
    dpo: str = Field("", max_length=_TEXT)
    purposes: str = Field(min_length=1, max_length=_TEXT, description="One purpose per line.")
    legal_basis: LegalBasisValue
    legal_basis_details: str = Field("", max_length=_TEXT)
    has_special_categories: bool = False
    special_category_exception: ExceptionValue = Field(
        "", description="GDPR art. 9(2) letter: h care, i public health, j research, a consent…"
    )
    data_subjects: str = Field(min_length=1, max_length=_TEXT)
    data_categories: str = Field(min_length=1, max_length=_TEXT)
    special_categories: str = Field("", max_length=_TEXT)
    data_source: str = Field("", max_length=_TEXT)
    recipients_internal: str = Field("", max_length=_TEXT)
    recipients_external: str = Field("", max_length=_TEXT)
    processors: str = Field("", max_length=_TEXT)
    transfers_outside_eu: bool = False
    transfers: str = Field("", max_length=_TEXT)
    retention: str = Field(min_length=1, max_length=_TEXT)
    security_measures: str = Field(min_length=1, max_length=_TEXT)
    dpia_criteria: list[CriterionValue] = Field(default_factory=list, max_length=9)


class ProcessingActivityOut(Schema):
    id: int
    establishment_id: int
    name: str
    reference: str
    preset: str
    status: str
    controller: str
    joint_controllers: str
    dpo: str
    purposes: str
    legal_basis: str
    legal_basis_details: str
    has_special_categories: bool
    special_category_exception: str
    data_subjects: str
    data_categories: str
    special_categories: str
    data_source: str
    recipients_internal: str
    recipients_external: str
    processors: str
    transfers_outside_eu: bool
    transfers: str
    retention: str
    security_measures: str
    dpia_criteria: list[str]
    is_dpia_required: bool
    created_at: datetime
    updated_at: datetime


class ProcessingActivityFilters(InputFilters):
    q: Annotated[str | None, FilterLookup(["name__icontains", "reference__icontains"])] = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    status: StatusValue | None = None
    legal_basis: LegalBasisValue | None = None


class FromPresetIn(InputSchema):
    establishment_id: Id
    preset: str = Field(min_length=1, max_length=50, description="A key of `GET …/presets`.")
    name: str | None = Field(None, min_length=1, max_length=300)


class PresetOut(Schema):
    key: str
    name: str
    verification_status: str
    note: str
    legal_basis: str
    special_category_exception: str
    dpia_criteria: list[str]
    fields: dict[str, str]


class DPIAIn(InputSchema):
    establishment_id: Id
    processing_id: Id
    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=_TEXT)
    data_description: str = Field("", max_length=_TEXT)
    lifecycle: str = Field("", max_length=_TEXT)
    supports: str = Field("", max_length=_TEXT)
    action_plan: str = Field("", max_length=_TEXT)


class DPIARiskOut(Schema):
    id: int
    kind: str
    sources: str
    threats: str
    impacts: str
    existing_measures: str
    planned_measures: str
    severity: int | None
    likelihood: int | None
    residual_severity: int | None
    residual_likelihood: int | None


class PrincipleOut(Schema):
    key: str
    evaluation: str
    comment: str


class FindingOut(Schema):
    issue: str
    subject: str
    blocking: bool
    message: str


class RiskZoneOut(Schema):
    kind: str
    initial: str
    residual: str


class DPIAAssessmentOut(Schema):
    principles_assessed: int
    principles_total: int
    risks: list[RiskZoneOut]
    findings: list[FindingOut]
    is_ready_for_validation: bool
    requires_prior_consultation: bool


class DPIAOut(Schema):
    id: int
    establishment_id: int
    processing_id: int
    title: str
    status: str
    description: str
    data_description: str
    lifecycle: str
    supports: str
    action_plan: str
    dpo_decision: str
    dpo_opinion: str
    validated_by_id: int | None
    validated_at: datetime | None
    created_at: datetime
    updated_at: datetime
    principles: list[PrincipleOut]
    risks: list[DPIARiskOut]
    assessment: DPIAAssessmentOut

    @staticmethod
    def resolve_principles(obj: DPIA) -> list[dict[str, str]]:
        return [
            {"key": row["key"], "evaluation": row["evaluation"], "comment": row["comment"]}
            for row in service.principle_rows(obj)
        ]

    @staticmethod
    def resolve_risks(obj: DPIA) -> list[DPIARisk]:
        return list(obj.risks.all())

    @staticmethod
    def resolve_assessment(obj: DPIA) -> dict[str, Any]:
        assessment = service.assess(obj)
        messages = service.finding_messages(assessment)
        return {
            "principles_assessed": assessment.principles_assessed,
            "principles_total": assessment.principles_total,
            "risks": [
                {"kind": r.kind, "initial": r.initial.value, "residual": r.residual.value}
                for r in assessment.risks
            ],
            "findings": [
                {
                    "issue": finding.issue.value,
                    "subject": finding.subject,
                    "blocking": finding.blocking,
                    "message": text,
                }
                for finding, (text, _blocking) in zip(assessment.findings, messages, strict=True)
            ],
            "is_ready_for_validation": assessment.is_ready_for_validation,
            "requires_prior_consultation": assessment.requires_prior_consultation,
        }


class DPIAFilters(InputFilters):
    q: Annotated[str | None, FilterLookup(["title__icontains"])] = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    processing: Annotated[Id | None, FilterLookup("processing_id")] = None
    status: DPIAStatusValue | None = None


class PrincipleIn(InputSchema):
    key: str = Field(min_length=1, max_length=50)
    evaluation: EvaluationValue
    comment: str = Field("", max_length=5000)


class PrinciplesIn(InputSchema):
    principles: list[PrincipleIn] = Field(max_length=20)


class DPIARiskIn(InputSchema):
    sources: str | None = Field(None, max_length=_TEXT)
    threats: str | None = Field(None, max_length=_TEXT)
    impacts: str | None = Field(None, max_length=_TEXT)
    existing_measures: str | None = Field(None, max_length=_TEXT)
    planned_measures: str | None = Field(None, max_length=_TEXT)
    severity: Level | None = None
    likelihood: Level | None = None
    residual_severity: Level | None = None
    residual_likelihood: Level | None = None


class DPOOpinionIn(InputSchema):
    dpo_decision: DecisionValue
    dpo_opinion: str = Field("", max_length=_TEXT)


# --- record of processing activities ----------------------------------------------------------


PROCESSING_ACTIVITIES = Resource(
    model=ProcessingActivity,
    path="processing-activities",
    id_param="activity_id",
    label="processing activity",
    plural="processing activities",
    one="a processing activity",
    schema_in=ProcessingActivityIn,
    schema_out=ProcessingActivityOut,
    filters=ProcessingActivityFilters,
    orderings=("name", "reference", "status", "created_at", "updated_at"),
    view_capability=VIEW_REGISTERS,
    edit_capability=MANAGE_REGISTERS,
)


def _file(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# Fixed routes first: "/processing-activities/presets" must not be read as an id.
@router.get(
    "/processing-activities/presets",
    response={200: list[PresetOut], **ERROR_RESPONSES},
    summary="List the health presets of the record",
    operation_id="list_processing_presets",
    url_name="compliance_processingpreset_list",
    tags=["Processing activities"],
    description="Typical health processing (patient record, imaging, laboratory, research, HR, "
    "video surveillance, telemedicine) in the language of the request; unverified items "
    "are flagged. Requires `compliance.view_registers`.",
)
def list_presets(request: AuthenticatedRequest) -> list[dict[str, Any]]:
    require(request, VIEW_REGISTERS)
    from django.utils import translation

    language = translation.get_language()
    return [
        {
            "key": preset.key,
            "name": preset.name.get(language),
            "verification_status": preset.verification_status,
            "note": preset.note.get(language),
            "legal_basis": preset.legal_basis,
            "special_category_exception": preset.special_category_exception,
            "dpia_criteria": list(preset.dpia_criteria),
            "fields": {name: text.get(language) for name, text in preset.fields.items()},
        }
        for preset in service.presets()
    ]


@router.post(
    "/processing-activities/from-preset",
    response={201: ProcessingActivityOut, **ERROR_RESPONSES},
    summary="Create a processing activity from a preset",
    operation_id="create_processing_activity_from_preset",
    url_name="compliance_processingactivity_frompreset",
    tags=["Processing activities"],
    description="A draft entry prefilled from the preset, to check and adapt. Requires "
    "`compliance.manage_registers` and a write token.",
)
def create_from_preset(request: AuthenticatedRequest, payload: FromPresetIn) -> Any:
    require(request, MANAGE_REGISTERS)
    check_establishment_allowed(request.user, payload.establishment_id)
    from hygie.core.models import Establishment

    establishment = get_visible(Establishment, request, payload.establishment_id)
    overrides: dict[str, Any] = {"name": payload.name} if payload.name else {}
    activity = service.create_from_preset(establishment, payload.preset, request.user, **overrides)
    return Status(201, activity)


@router.get(
    "/processing-activities/export/{fmt}",
    response={200: None, **ERROR_RESPONSES},
    summary="Export the record of processing activities",
    operation_id="export_processing_activities",
    url_name="compliance_processingactivity_export",
    openapi_extra=_FILE_RESPONSE,
    tags=["Processing activities"],
    description="`csv`, `xlsx` or `pdf`, for auditors; the entries of your establishments "
    "(`establishment` narrows it). Recorded in the audit trail. Requires "
    "`compliance.view_registers`.",
)
def export_register(
    request: AuthenticatedRequest,
    fmt: Literal["csv", "xlsx", "pdf"],
    establishment: Id | None = None,
) -> HttpResponse:
    require(request, VIEW_REGISTERS)
    queryset = ProcessingActivity.objects.visible_to(request.user)
    if establishment is not None:
        queryset = queryset.filter(establishment_id=establishment)
    return _file(*service.export_register(queryset, fmt))


add_crud_routes(router, PROCESSING_ACTIVITIES)


# --- DPIAs -------------------------------------------------------------------------------------


DPIAS = Resource(
    model=DPIA,
    path="dpias",
    id_param="dpia_id",
    label="dpia",
    plural="dpias",
    one="a DPIA",
    schema_in=DPIAIn,
    schema_out=DPIAOut,
    filters=DPIAFilters,
    orderings=("title", "status", "created_at", "updated_at"),
    view_capability=VIEW_REGISTERS,
    edit_capability=MANAGE_REGISTERS,
    references={"processing_id": ProcessingActivity},
)
add_crud_routes(router, DPIAS)


def _dpia(request: AuthenticatedRequest, dpia_id: int) -> DPIA:
    return get_visible(DPIA, request, dpia_id)


@router.put(
    "/dpias/{int:dpia_id}/principles",
    response={200: DPIAOut, **ERROR_RESPONSES},
    summary="Assess fundamental principles of a DPIA",
    operation_id="update_dpia_principles",
    url_name="compliance_dpia_principles",
    tags=["Dpias"],
    description="Evaluation (`acceptable`, `improvable`, `unacceptable`, or empty) and "
    "comment of the principles sent; the others keep theirs. Requires "
    "`compliance.manage_registers` and a write token.",
)
def update_principles(request: AuthenticatedRequest, dpia_id: Id, payload: PrinciplesIn) -> Any:
    require(request, MANAGE_REGISTERS)
    dpia = _dpia(request, dpia_id)
    answers = {item.key: (item.evaluation, item.comment) for item in payload.principles}
    return service.update_principles(dpia, request.user, answers)


@router.patch(
    "/dpias/{int:dpia_id}/risks/{int:risk_id}",
    response={200: DPIARiskOut, **ERROR_RESPONSES},
    summary="Update a feared event of a DPIA",
    operation_id="update_dpia_risk",
    url_name="compliance_dpia_risk_edit",
    tags=["Dpias"],
    description="Sources, threats, impacts, measures, and severity × likelihood before and "
    "after measures (1–4). A validated DPIA goes back to work. Requires "
    "`compliance.manage_registers` and a write token.",
)
def update_risk(
    request: AuthenticatedRequest, dpia_id: Id, risk_id: Id, payload: DPIARiskIn
) -> Any:
    require(request, MANAGE_REGISTERS)
    dpia = _dpia(request, dpia_id)
    risk = DPIARisk.objects.filter(dpia=dpia, pk=risk_id).first()
    if risk is None:
        from ninja.errors import HttpError

        raise HttpError(404, "Not found.")
    fields = payload.dict(exclude_unset=True)
    return service.update_risk(risk, request.user, **fields)


@router.post(
    "/dpias/{int:dpia_id}/submit",
    response={200: DPIAOut, **ERROR_RESPONSES},
    summary="Submit a DPIA to the DPO",
    operation_id="submit_dpia",
    url_name="compliance_dpia_submit",
    tags=["Dpias"],
    description="Refused (422, with the reasons) while a principle or a risk is not assessed. "
    "Requires `compliance.manage_registers` and a write token.",
)
def submit(request: AuthenticatedRequest, dpia_id: Id) -> Any:
    require(request, MANAGE_REGISTERS)
    return service.submit(_dpia(request, dpia_id), request.user)


@router.post(
    "/dpias/{int:dpia_id}/validate",
    response={200: DPIAOut, **ERROR_RESPONSES},
    summary="Record the DPO's opinion on a DPIA",
    operation_id="validate_dpia",
    url_name="compliance_dpia_validate",
    tags=["Dpias"],
    description="`favourable` or `with_reservations` validates a submitted DPIA, "
    "`unfavourable` sends it back; who and when are recorded. Requires "
    "`compliance.manage_registers` and a write token.",
)
def validate(request: AuthenticatedRequest, dpia_id: Id, payload: DPOOpinionIn) -> Any:
    require(request, MANAGE_REGISTERS)
    dpia = _dpia(request, dpia_id)
    return service.validate(dpia, request.user, payload.dpo_decision, payload.dpo_opinion)


@router.get(
    "/dpias/{int:dpia_id}/pdf",
    response={200: None, **ERROR_RESPONSES},
    summary="Export a DPIA as PDF",
    operation_id="export_dpia",
    url_name="compliance_dpia_pdf",
    openapi_extra=_FILE_RESPONSE,
    tags=["Dpias"],
    description="Context, principles, risks with the risk map, action plan and DPO opinion. "
    "Recorded in the audit trail. Requires `compliance.view_registers`.",
)
def export_dpia(request: AuthenticatedRequest, dpia_id: Id) -> HttpResponse:
    require(request, VIEW_REGISTERS)
    return _file(*service.export_dpia_pdf(_dpia(request, dpia_id)))
