"""Response API: regulatory obligations of incidents and regulatory profiles of establishments.

No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import pydantic
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.core.api.choice_values import choice_literal
from hygie.core.api.common import ERROR_RESPONSES, Pagination, get_visible, require
from hygie.core.api.evidence import check_upload
from hygie.core.api.schemas import ErrorOut, Id, InputFilters, InputSchema, InstantParam
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.response.choices import HIPAARole, NIS2Class, ObligationStatus, RegulatoryType
from hygie.response.engine import LANGUAGES, ObligationId
from hygie.response.models import Incident, IncidentObligation, RegulatoryProfile
from hygie.response.roles import MANAGE_OBLIGATIONS, VIEW_INCIDENTS
from hygie.response.services import obligations as service

router = Router(tags=["Regulatory obligations"])
TEXT_KEYS = ("title", "reason", "recipient", "notes", "deadline_rule")

# mypy cannot read a Literal built at run time: to it these are plain strings.
if TYPE_CHECKING:
    StatusValue = str
    ObligationIdValue = str
    RegulatoryTypeValue = str
    NIS2Value = str
    HIPAAValue = str
else:
    StatusValue = choice_literal(ObligationStatus.values)
    ObligationIdValue = choice_literal(i.value for i in ObligationId)
    RegulatoryTypeValue = choice_literal(RegulatoryType.values)
    NIS2Value = choice_literal(NIS2Class.values)
    HIPAAValue = choice_literal(HIPAARole.values)


# --- schemas -------------------------------------------------------------------------------


class ObligationOut(Schema):
    id: int
    incident_id: int
    incident_reference: str = Field(alias="incident.reference")
    establishment_id: int = Field(alias="incident.establishment_id")
    obligation_id: str = Field(description="Stable engine id, e.g. gdpr_art33.")
    label: str = Field(description="Short name in the request's language.")
    title: str
    applies: bool
    provisional: bool
    reason: str
    recipient: str
    legal_basis: str
    verification: str = Field(description="VERIFIED or UNVERIFIED (source checked or not).")
    trigger_at: datetime
    deadline_kind: str = Field(
        description="instant, date, relative, immediate, "
        "without_undue_delay, or empty when not applicable."
    )
    deadline_at: datetime | None
    deadline_date: date | None = Field(description="Local date in the establishment's zone.")
    deadline_rule: str
    due_at: datetime | None = Field(description="The instant used for sorting and reminders.")
    timezone: str = Field(alias="incident.establishment.timezone")
    is_overdue: bool
    notes: list[str]
    texts: dict[str, dict[str, Any]] = Field(
        description="title, reason, recipient, notes and deadline_rule in each language "
        "(fr, en); the plain fields above are the English wording."
    )
    status: str
    done_at: datetime | None
    proof_reference: str
    proof_evidence_id: int | None
    justification: str
    decided_by: str | None
    last_reminder_at: datetime | None
    assessed_at: datetime

    @staticmethod
    def resolve_label(obj: IncidentObligation) -> str:
        return service.obligation_label(obj.obligation_id)

    @staticmethod
    def resolve_texts(obj: IncidentObligation) -> dict[str, dict[str, Any]]:
        # Rows assessed before texts were stored show their English wording in every language.
        return {
            language: {key: obj.text(key, language) for key in TEXT_KEYS} for language in LANGUAGES
        }

    @staticmethod
    def resolve_is_overdue(obj: IncidentObligation) -> bool:
        return bool(
            obj.applies
            and obj.status == ObligationStatus.PENDING
            and obj.due_at
            and obj.deadline_kind not in service.UNTIMED_KINDS
            and obj.due_at <= timezone.now()
        )

    @staticmethod
    def resolve_decided_by(obj: IncidentObligation) -> str | None:
        return obj.decided_by.get_username() if obj.decided_by is not None else None


class AssessmentOut(Schema):
    created: bool
    now_applying: list[str]
    no_longer_applying: list[str]
    deadline_changed: list[str]
    obligations: list[ObligationOut]


class ObligationCompleteIn(InputSchema):
    done_at: InstantParam = Field(
        description="When the obligation was met (ISO 8601 with an offset); not in the future."
    )
    proof_reference: Annotated[str, Field(max_length=300)] = Field(
        "",
        description="Receipt or case number from the recipient. Required unless a "
        "`proof_file` is sent (multipart).",
    )


class NotApplicableIn(InputSchema):
    justification: Annotated[str, Field(min_length=1, max_length=5000)]


class RegulatoryProfileOut(Schema):
    establishment_id: int
    establishment_name: str = Field(alias="establishment.name")
    country: str = Field(alias="establishment.country")
    timezone: str = Field(alias="establishment.timezone")
    type: str
    nis2: str
    hipaa: str
    gdpr_controller: bool
    notification_emails: list[str]
    updated_at: datetime

    @staticmethod
    def resolve_notification_emails(obj: RegulatoryProfile) -> list[str]:
        return service.notification_addresses(obj)


class RegulatoryProfileIn(InputSchema):
    type: RegulatoryTypeValue
    nis2: NIS2Value
    hipaa: HIPAAValue
    gdpr_controller: bool
    notification_emails: list[Annotated[str, Field(max_length=254)]] = Field(
        default_factory=list, max_length=50
    )


class ObligationFilters(InputFilters):
    establishment: Annotated[Id | None, FilterLookup("incident__establishment_id")] = None
    incident: Annotated[Id | None, FilterLookup("incident_id")] = None
    status: StatusValue | None = None
    obligation_id: ObligationIdValue | None = None
    applies: bool | None = Field(
        True,
        description="Default true: only obligations that apply; false: only those that do not.",
    )
    due_before: Annotated[InstantParam | None, FilterLookup("due_at__lt")] = Field(
        None, description="Due strictly before this instant (ISO 8601)."
    )
    overdue: bool | None = Field(
        None, description="true: pending, timed and past their due time; false: everything else."
    )

    def filter_overdue(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        late = Q(status=ObligationStatus.PENDING, applies=True, due_at__lte=timezone.now()) & ~Q(
            deadline_kind__in=service.UNTIMED_KINDS
        )
        return late if value else ~late


def _queryset(request: AuthenticatedRequest) -> Any:
    return IncidentObligation.objects.visible_to(request.user).select_related(
        "incident", "incident__establishment", "decided_by"
    )


# --- obligations ---------------------------------------------------------------------------


@router.get(
    "/obligations",
    response={200: list[ObligationOut], **ERROR_RESPONSES},
    summary="List regulatory obligations",
    operation_id="list_obligations",
    url_name="response_incidentobligation_list",
    description="Across the establishments the caller sees, most urgent first. Requires "
    "`response.view_incidents`.",
)
@paginate(Pagination)
def list_obligations(request: AuthenticatedRequest, filters: Query[ObligationFilters]) -> Any:
    require(request, VIEW_INCIDENTS)
    return filters.filter(_queryset(request)).order_by("due_at", "pk")


@router.get(
    "/obligations/{int:obligation_id}",
    response={200: ObligationOut, **ERROR_RESPONSES},
    summary="Get one obligation",
    operation_id="get_obligation",
    url_name="response_incidentobligation_detail",
    description="Requires `response.view_incidents`.",
)
def get_obligation(request: AuthenticatedRequest, obligation_id: Id) -> Any:
    require(request, VIEW_INCIDENTS)
    return get_visible(IncidentObligation, request, obligation_id)


@router.get(
    "/incidents/{int:incident_id}/obligations",
    response={200: list[ObligationOut], **ERROR_RESPONSES},
    summary="Obligations of an incident",
    operation_id="list_incident_obligations",
    url_name="response_incident_obligations",
    description="Every obligation the engine knows, applying or not, with the reason. "
    "Requires `response.view_incidents`.",
)
def incident_obligations(request: AuthenticatedRequest, incident_id: Id) -> Any:
    require(request, VIEW_INCIDENTS)
    incident = get_visible(Incident, request, incident_id)
    return list(_queryset(request).filter(incident=incident).order_by("due_at", "pk"))


@router.post(
    "/incidents/{int:incident_id}/obligations/reassess",
    response={200: AssessmentOut, **ERROR_RESPONSES},
    summary="Re-assess an incident's obligations",
    operation_id="reassess_obligations",
    url_name="response_incident_reassess",
    description="Runs the rules on the current facts; decisions already recorded are "
    "kept. Requires `response.manage_obligations` and a write token.",
)
def reassess(request: AuthenticatedRequest, incident_id: Id) -> Any:
    require(request, MANAGE_OBLIGATIONS)
    incident = get_visible(Incident, request, incident_id)
    result = service.assess_incident(incident)
    return {
        "created": result.created,
        "now_applying": result.now_applying,
        "no_longer_applying": result.no_longer_applying,
        "deadline_changed": result.deadline_changed,
        "obligations": list(_queryset(request).filter(incident=incident).order_by("due_at", "pk")),
    }


def _complete_payload(request: AuthenticatedRequest) -> tuple[ObligationCompleteIn, Any]:
    """JSON body, or multipart form fields with an optional ``proof_file``."""
    proof_file = None
    if request.content_type == "multipart/form-data":
        data: Any = {
            key: request.POST.get(key)
            for key in ("done_at", "proof_reference")
            if key in request.POST
        }
        proof_file = request.FILES.get("proof_file")
        if proof_file is not None:
            check_upload(proof_file)
    else:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError as error:
            raise HttpError(400, _("The body is not valid JSON.")) from error
    try:
        return ObligationCompleteIn.model_validate(data), proof_file
    except pydantic.ValidationError as error:
        raise NinjaValidationError(
            [
                {**problem, "loc": ("body", *problem["loc"])}
                for problem in error.errors(include_url=False)
            ]
        ) from error


_COMPLETE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": ObligationCompleteIn.model_json_schema()},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["done_at"],
                    "properties": {
                        "done_at": {"type": "string", "format": "date-time"},
                        "proof_reference": {"type": "string", "maxLength": 300},
                        "proof_file": {"type": "string", "format": "binary"},
                    },
                }
            },
        },
    }
}


@router.post(
    "/obligations/{int:obligation_id}/complete",
    response={200: ObligationOut, 400: ErrorOut, 413: ErrorOut, 415: ErrorOut, **ERROR_RESPONSES},
    summary="Mark an obligation done",
    operation_id="complete_obligation",
    url_name="response_incidentobligation_complete",
    openapi_extra=_COMPLETE_BODY,
    description="A date (not in the future) and a proof are required: "
    "`proof_reference` (JSON or multipart) and/or `proof_file` (multipart; "
    "stored as evidence with its SHA-256; 413 above the upload limit, 415 "
    "for a refused type). Requires `response.manage_obligations`, "
    "`evidence.add` for a file, and a write token.",
)
def complete(request: AuthenticatedRequest, obligation_id: Id) -> Any:
    require(request, MANAGE_OBLIGATIONS)
    obligation = get_visible(IncidentObligation, request, obligation_id)
    payload, proof_file = _complete_payload(request)
    service.complete_obligation(
        obligation,
        payload.done_at,
        user=request.user,
        proof_reference=payload.proof_reference,
        proof_file=proof_file,
    )
    return _queryset(request).get(pk=obligation.pk)


@router.post(
    "/obligations/{int:obligation_id}/not-applicable",
    response={200: ObligationOut, **ERROR_RESPONSES},
    summary="Mark an obligation not applicable",
    operation_id="mark_obligation_not_applicable",
    url_name="response_incidentobligation_not_applicable",
    description="A justification is required. Requires `response.manage_obligations` "
    "and a write token.",
)
def not_applicable(
    request: AuthenticatedRequest, obligation_id: Id, payload: NotApplicableIn
) -> Any:
    require(request, MANAGE_OBLIGATIONS)
    obligation = get_visible(IncidentObligation, request, obligation_id)
    service.mark_not_applicable(obligation, payload.justification, user=request.user)
    return _queryset(request).get(pk=obligation.pk)


@router.post(
    "/obligations/{int:obligation_id}/reopen",
    response={200: ObligationOut, **ERROR_RESPONSES},
    summary="Reopen an obligation",
    operation_id="reopen_obligation",
    url_name="response_incidentobligation_reopen",
    description="Back to pending; the decision stays in the timeline and the audit "
    "trail. Requires `response.manage_obligations` and a write token.",
)
def reopen(request: AuthenticatedRequest, obligation_id: Id) -> Any:
    require(request, MANAGE_OBLIGATIONS)
    obligation = get_visible(IncidentObligation, request, obligation_id)
    service.reopen_obligation(obligation, user=request.user)
    return _queryset(request).get(pk=obligation.pk)


# --- regulatory profiles -------------------------------------------------------------------


@router.get(
    "/establishments/{int:establishment_id}/regulatory-profile",
    response={200: RegulatoryProfileOut, **ERROR_RESPONSES},
    summary="Get an establishment's regulatory profile",
    operation_id="get_regulatory_profile",
    url_name="response_regulatoryprofile_detail",
    description="Created with defaults derived from the establishment on first read. "
    "Requires `response.view_incidents`.",
)
def get_profile(request: AuthenticatedRequest, establishment_id: Id) -> Any:
    require(request, VIEW_INCIDENTS)
    establishment = get_visible(Establishment, request, establishment_id)
    return service.regulatory_profile(establishment)


@router.put(
    "/establishments/{int:establishment_id}/regulatory-profile",
    response={200: RegulatoryProfileOut, **ERROR_RESPONSES},
    summary="Replace an establishment's regulatory profile",
    operation_id="replace_regulatory_profile",
    url_name="response_regulatoryprofile_replace",
    description="Re-assesses the establishment's open incidents. Requires "
    "`response.manage_obligations` and a write token.",
)
def put_profile(
    request: AuthenticatedRequest, establishment_id: Id, payload: RegulatoryProfileIn
) -> Any:
    require(request, MANAGE_OBLIGATIONS)
    establishment = get_visible(Establishment, request, establishment_id)
    profile = service.regulatory_profile(establishment)
    fields = payload.dict()
    fields["notification_emails"] = "\n".join(fields["notification_emails"])
    return service.save_profile(profile, request.user, **fields)
