"""Response API: notification drafts, post-incident report, KPIs and the GDPR breach register.

No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import field_validator

from hygie.core.api.choice_values import choice_literal
from hygie.core.api.common import ERROR_RESPONSES, Pagination, get_visible, require
from hygie.core.api.schemas import Id, InputSchema, InstantParam
from hygie.core.http import AuthenticatedRequest
from hygie.response.choices import DraftKind, DraftStatus
from hygie.response.models import Incident, NotificationDraft
from hygie.response.roles import MANAGE_OBLIGATIONS, VIEW_INCIDENTS
from hygie.response.services import drafts as service
from hygie.response.services import reports

router = Router(tags=["Notification drafts and reports"])

# mypy cannot read a Literal built at run time: to it these are plain strings.
if TYPE_CHECKING:
    KindValue = str
    StatusValue = str
else:
    KindValue = choice_literal(DraftKind.values)
    StatusValue = choice_literal(DraftStatus.values)
LanguageValue = Literal["fr", "en"]
DraftFormat = Literal["pdf", "docx", "json"]
RegisterFormat = Literal["csv", "xlsx", "json"]
MAX_VALUES = 200
MAX_VALUE_LENGTH = 20000

_FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "The file, as an attachment.",
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    }
}


# --- schemas ------------------------------------------------------------------------------------


class DraftFieldOut(Schema):
    key: str
    label: str
    value: str
    to_complete: bool = Field(
        description="Empty field Hygie could not fill: to write before sending."
    )
    help: str = ""
    edited: bool = Field(
        False, description="Written by a user: kept when the draft is regenerated."
    )


class DraftGroupOut(Schema):
    key: str
    title: str
    fields: list[DraftFieldOut]


class DraftOut(Schema):
    id: int
    incident_id: int
    incident_reference: str = Field(alias="incident.reference")
    kind: str
    language: str
    status: str
    title: str
    recipient: str
    legal_basis: str
    notes: list[str]
    to_complete: int
    groups: list[DraftGroupOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_title(obj: NotificationDraft) -> str:
        return str(obj.content.get("title", ""))

    @staticmethod
    def resolve_recipient(obj: NotificationDraft) -> str:
        return str(obj.content.get("recipient", ""))

    @staticmethod
    def resolve_legal_basis(obj: NotificationDraft) -> str:
        return str(obj.content.get("legal_basis", ""))

    @staticmethod
    def resolve_notes(obj: NotificationDraft) -> list[str]:
        return list(obj.content.get("notes", []))

    @staticmethod
    def resolve_to_complete(obj: NotificationDraft) -> int:
        return service.to_complete_count(obj.content)

    @staticmethod
    def resolve_groups(obj: NotificationDraft) -> list[dict[str, Any]]:
        return list(obj.content.get("groups", []))


class DraftGenerateIn(InputSchema):
    kind: KindValue
    language: LanguageValue = "fr"
    reset: bool = Field(False, description="Discard the values users edited (default: keep them).")


class DraftUpdateIn(InputSchema):
    values: dict[str, str] = Field(
        default_factory=dict, description='Field values by "group.field" key.'
    )
    status: StatusValue | None = Field(
        None, description="draft ⇄ final → sent (sent is final: no more edits)."
    )

    @field_validator("values")
    @classmethod
    def _bounded(cls, values: dict[str, str]) -> dict[str, str]:
        if len(values) > MAX_VALUES:
            raise ValueError(f"at most {MAX_VALUES} fields per request")
        for key, value in values.items():
            if "\x00" in key or "\x00" in value:
                raise ValueError("NUL characters are not allowed")
            if len(value) > MAX_VALUE_LENGTH:
                raise ValueError(f"{key}: longer than {MAX_VALUE_LENGTH} characters")
        return values


class ObligationTallyOut(Schema):
    on_time: int
    late: int
    overdue: int
    open: int
    total: int


class IncidentKPIOut(Schema):
    incident_id: int
    reference: str
    time_to_detect_seconds: int | None = Field(description="started → discovered")
    time_to_contain_seconds: int | None = Field(description="discovered → containment started")
    time_to_recover_seconds: int | None = Field(
        description="discovered → recovery started (or post-incident)"
    )
    obligations: ObligationTallyOut


class MetricOut(Schema):
    count: int
    median_seconds: int | None
    mean_seconds: int | None


class KPISummaryOut(Schema):
    label: str
    establishment_id: int | None
    incidents: int
    time_to_detect: MetricOut
    time_to_contain: MetricOut
    time_to_recover: MetricOut
    obligations: ObligationTallyOut
    on_time_rate: float | None = Field(description="met on time / (met + overdue)")


class KPIsOut(Schema):
    since: datetime | None
    until: datetime | None
    overall: KPISummaryOut
    establishments: list[KPISummaryOut]


class BreachRowOut(Schema):
    incident_id: int
    reference: str
    establishment: str
    discovered_at: datetime
    occurred_at: datetime | None
    personal_data: str
    to_confirm: bool = Field(description="Personal data involvement still unknown.")
    facts: str
    data_categories: str
    individuals: int | None
    effects: str
    remedial_action: str
    authority_notified: str
    authority_notified_at: datetime | None
    individuals_informed: str
    individuals_informed_at: datetime | None
    status: str


class RegisterFilters(Schema):
    since: date | None = Field(None, description="Discovered on or after (date).")
    until: date | None = Field(None, description="Discovered on or before (date).")
    establishment: Id | None = None
    personal_data: Literal["true", "unknown"] | None = Field(
        None, description="true or unknown (default: both)."
    )


# --- helpers ------------------------------------------------------------------------------------


def _file(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _draft(request: AuthenticatedRequest, draft_id: int) -> NotificationDraft:
    return get_visible(NotificationDraft, request, draft_id)


def _register_queryset(request: AuthenticatedRequest, filters: RegisterFilters) -> Any:
    return reports.breach_incidents(
        Incident.objects.visible_to(request.user),
        since=filters.since,
        until=filters.until,
        personal_data=filters.personal_data or "",
        establishment=filters.establishment,
    )


def _tally(tally: reports.ObligationTally) -> dict[str, int]:
    return {
        "on_time": tally.on_time,
        "late": tally.late,
        "overdue": tally.overdue,
        "open": tally.open,
        "total": tally.total,
    }


def _summary(summary: reports.KPISummary) -> dict[str, Any]:
    return {
        "label": summary.label,
        "establishment_id": summary.establishment_id,
        "incidents": summary.incidents,
        **{name: summary.metrics[name].as_dict() for name in reports.METRICS},
        "obligations": _tally(summary.obligations),
        "on_time_rate": summary.on_time_rate,
    }


# --- drafts -------------------------------------------------------------------------------------


@router.get(
    "/incidents/{int:incident_id}/drafts",
    response={200: list[DraftOut], **ERROR_RESPONSES},
    summary="Notification drafts of an incident",
    operation_id="list_incident_drafts",
    url_name="response_incident_draft_list",
    description="Requires `response.view_incidents`.",
)
def list_drafts(request: AuthenticatedRequest, incident_id: Id) -> Any:
    require(request, VIEW_INCIDENTS)
    incident = get_visible(Incident, request, incident_id)
    return (
        NotificationDraft.objects.visible_to(request.user)
        .filter(incident=incident)
        .select_related("incident")
        .order_by("kind", "language", "pk")
    )


@router.post(
    "/incidents/{int:incident_id}/drafts",
    response={200: DraftOut, 201: DraftOut, **ERROR_RESPONSES},
    summary="Generate or regenerate a draft",
    operation_id="generate_draft",
    url_name="response_incident_draft_add",
    description="Pre-fills the draft from the incident's current facts. 201 when "
    "created; 200 when an existing draft was regenerated (edited values "
    "kept unless `reset`). A sent draft cannot be regenerated (422). "
    "Requires `response.manage_obligations`.",
)
def generate(request: AuthenticatedRequest, incident_id: Id, payload: DraftGenerateIn) -> Any:
    require(request, MANAGE_OBLIGATIONS)
    incident = get_visible(Incident, request, incident_id)
    draft, created = service.generate_draft(
        incident, payload.kind, payload.language, request.user, reset=payload.reset
    )
    return Status(201 if created else 200, draft)


@router.get(
    "/drafts/{int:draft_id}",
    response={200: DraftOut, **ERROR_RESPONSES},
    summary="Get a draft",
    operation_id="get_draft",
    url_name="response_notificationdraft_detail",
    description="Requires `response.view_incidents`.",
)
def get_draft(request: AuthenticatedRequest, draft_id: Id) -> NotificationDraft:
    require(request, VIEW_INCIDENTS)
    return _draft(request, draft_id)


@router.patch(
    "/drafts/{int:draft_id}",
    response={200: DraftOut, **ERROR_RESPONSES},
    summary="Edit a draft or change its status",
    operation_id="update_draft",
    url_name="response_notificationdraft_edit",
    description="`values` are written first, then `status`. Unknown field keys are "
    "refused (422) and nothing is written. Requires "
    "`response.manage_obligations`.",
)
def update(
    request: AuthenticatedRequest, draft_id: Id, payload: DraftUpdateIn
) -> NotificationDraft:
    require(request, MANAGE_OBLIGATIONS)
    draft = _draft(request, draft_id)
    with transaction.atomic():
        if payload.values:
            service.update_draft(draft, payload.values, request.user)
        if payload.status:
            service.set_status(draft, payload.status, request.user)
    return _draft(request, draft_id)


@router.get(
    "/drafts/{int:draft_id}/export/{fmt}",
    response={200: None, **ERROR_RESPONSES},
    summary="Export a draft",
    operation_id="export_draft",
    url_name="response_notificationdraft_export",
    openapi_extra=_FILE_RESPONSE,
    description="`pdf`, `docx` or `json`; fields to complete are highlighted. Recorded "
    "in the audit trail. Requires `response.view_incidents`.",
)
def export(request: AuthenticatedRequest, draft_id: Id, fmt: DraftFormat) -> HttpResponse:
    require(request, VIEW_INCIDENTS)
    exported = service.export_draft(_draft(request, draft_id), fmt)
    return _file(exported.data, exported.content_type, exported.filename)


# --- report and KPIs ----------------------------------------------------------------------------


@router.get(
    "/incidents/{int:incident_id}/report",
    response={200: None, **ERROR_RESPONSES},
    summary="Post-incident report (PDF)",
    operation_id="get_incident_report",
    url_name="response_incident_report",
    openapi_extra=_FILE_RESPONSE,
    description="Timeline, decisions, root cause, lessons, actions, obligations and "
    "KPIs. Recorded in the audit trail. Requires "
    "`response.view_incidents`.",
)
def report(request: AuthenticatedRequest, incident_id: Id) -> HttpResponse:
    require(request, VIEW_INCIDENTS)
    incident = get_visible(Incident, request, incident_id)
    return _file(
        reports.render_report_pdf(incident), "application/pdf", f"{incident.reference}-report.pdf"
    )


@router.get(
    "/incidents/{int:incident_id}/kpis",
    response={200: IncidentKPIOut, **ERROR_RESPONSES},
    summary="KPIs of an incident",
    operation_id="get_incident_kpis",
    url_name="response_incident_kpis",
    description="Requires `response.view_incidents`.",
)
def incident_kpis(request: AuthenticatedRequest, incident_id: Id) -> dict[str, Any]:
    require(request, VIEW_INCIDENTS)
    incident = get_visible(Incident, request, incident_id)
    kpis = reports.incident_kpis(incident)
    values = kpis.as_dict()
    return {
        "incident_id": incident.pk,
        "reference": incident.reference,
        "time_to_detect_seconds": values["time_to_detect_seconds"],
        "time_to_contain_seconds": values["time_to_contain_seconds"],
        "time_to_recover_seconds": values["time_to_recover_seconds"],
        "obligations": _tally(kpis.obligations),
    }


@router.get(
    "/kpis",
    response={200: KPIsOut, **ERROR_RESPONSES},
    summary="KPIs across visible incidents",
    operation_id="get_kpis",
    url_name="response_kpi_list",
    description="Median and mean times to detect, contain and recover, and obligations "
    "met on time, over incidents discovered in [since, until), overall and "
    "per establishment. Requires `response.view_incidents`.",
)
def kpis(
    request: AuthenticatedRequest,
    since: Annotated[InstantParam | None, Query()] = None,
    until: Annotated[InstantParam | None, Query()] = None,
) -> dict[str, Any]:
    require(request, VIEW_INCIDENTS)
    if since and until and until < since:
        raise ValidationError({"until": [_("The end of the period is before its start.")]})
    overall, per_establishment = reports.aggregate_kpis(
        Incident.objects.visible_to(request.user), since=since, until=until
    )
    return {
        "since": since,
        "until": until,
        "overall": _summary(overall),
        "establishments": [_summary(s) for s in per_establishment],
    }


# --- breach register ----------------------------------------------------------------------------


@router.get(
    "/breach-register",
    response={200: list[BreachRowOut], **ERROR_RESPONSES},
    summary="GDPR breach register",
    operation_id="get_breach_register",
    url_name="response_breach_register",
    description="Every incident whose personal data involvement is `true` or still "
    "`unknown` (GDPR art. 33(5)). Requires `response.view_incidents`.",
)
@paginate(Pagination)
def breach_register(request: AuthenticatedRequest, filters: Query[RegisterFilters]) -> Any:
    require(request, VIEW_INCIDENTS)
    return reports.breach_register(_register_queryset(request, filters))


@router.get(
    "/breach-register/export/{fmt}",
    response={200: None, **ERROR_RESPONSES},
    summary="Export the GDPR breach register",
    operation_id="export_breach_register",
    url_name="response_breach_register_export",
    openapi_extra=_FILE_RESPONSE,
    description="`csv`, `xlsx` or `json`, with the same filters as the list. Recorded "
    "in the audit trail. Requires `response.view_incidents`.",
)
def export_register(
    request: AuthenticatedRequest, fmt: RegisterFormat, filters: Query[RegisterFilters]
) -> HttpResponse:
    require(request, VIEW_INCIDENTS)
    data, content_type, filename = reports.export_register(
        _register_queryset(request, filters), fmt
    )
    return _file(data, content_type, filename)
