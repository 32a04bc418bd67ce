"""Compliance API: the remediation plan.

No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Path, Query, Router, Schema
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.compliance.choices import ActionStatus, LinkKind
from hygie.compliance.models import Answer, Assessment, RemediationAction
from hygie.compliance.models.remediation import OPEN_STATUSES
from hygie.compliance.roles import ASSESS, VIEW
from hygie.compliance.services import remediation as service
from hygie.core.api.choice_values import choice_literal
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    check_visible_reference,
    get_visible,
    require,
)
from hygie.core.api.schemas import Id, InputFilters, InputSchema
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment, User

router = Router(tags=["Compliance remediation"])

if TYPE_CHECKING:
    ActionStatusValue = str
    LinkKindValue = str
else:
    ActionStatusValue = choice_literal(ActionStatus.values)
    LinkKindValue = choice_literal(LinkKind.values)


class ActionOut(Schema):
    id: int
    establishment_id: int
    title: str
    description: str
    owner_id: int | None
    due_date: date | None
    status: str
    is_overdue: bool
    answer_ids: list[int]
    requirement_urns: list[str]
    link_kind: str
    link_reference: str = Field(description="The linked object's id in its module.")
    link_url: str
    link_label: str
    reminders_sent: int
    last_reminder_at: datetime | None
    done_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_link_reference(obj: RemediationAction) -> str:
        return obj.link_id

    @staticmethod
    def resolve_answer_ids(obj: RemediationAction) -> list[int]:
        return sorted(obj.answers.values_list("pk", flat=True))

    @staticmethod
    def resolve_requirement_urns(obj: RemediationAction) -> list[str]:
        return sorted(obj.requirements.values_list("urn", flat=True))


class ActionIn(InputSchema):
    establishment_id: Id
    title: str = Field(..., min_length=1, max_length=300)
    description: str = Field("", max_length=10_000)
    owner_id: Id | None = None
    due_date: date | None = None
    status: ActionStatusValue = ActionStatus.OPEN
    answer_ids: list[Id] = Field(default_factory=list, max_length=500)
    link_kind: LinkKindValue = ""
    link_reference: str = Field("", max_length=64, description="The linked object's id.")
    link_url: str = Field("", max_length=500, description="A Hygie page (/response/…).")
    link_label: str = Field("", max_length=300)


class ActionPatch(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    description: str = Field(..., max_length=10_000)
    owner_id: Id | None = None  # PatchDict leaves optional types required without a default
    due_date: date | None = None
    status: ActionStatusValue
    link_kind: LinkKindValue
    link_reference: str = Field(..., max_length=64)
    link_url: str = Field(..., max_length=500)
    link_label: str = Field(..., max_length=300)


class ActionFilters(InputFilters):
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    status: ActionStatusValue | None = None


def _owner(owner_id: int | None, establishment_id: int) -> User | None:
    """The owner, who must see the establishment; any other id reads as unknown (user ids of
    other establishments cannot be probed)."""
    if owner_id is None:
        return None
    owner = User.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None or not (
        owner.sees_all_establishments or establishment_id in owner.visible_establishment_ids()
    ):
        raise ValidationError({"owner_id": [_("Unknown user.")]})
    return owner


@router.get(
    "/actions",
    response={200: list[ActionOut], **ERROR_RESPONSES},
    summary="List remediation actions",
    operation_id="list_remediation_actions",
    url_name="compliance_remediationaction_list",
    description="`overdue=true`: open actions past their due date. Requires `compliance.view`.",
)
@paginate(Pagination)
def list_actions(
    request: AuthenticatedRequest, filters: Query[ActionFilters], overdue: bool = Query(False)
) -> Any:
    require(request, VIEW)
    queryset = filters.filter(RemediationAction.objects.visible_to(request.user))
    if overdue:
        queryset = queryset.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
    return queryset.order_by("due_date", "pk")


@router.post(
    "/actions",
    response={201: ActionOut, **ERROR_RESPONSES},
    summary="Create a remediation action",
    operation_id="create_remediation_action",
    url_name="compliance_remediationaction_add",
    description="Requires `compliance.assess`.",
)
def create_action(
    request: AuthenticatedRequest, payload: ActionIn
) -> tuple[int, RemediationAction]:
    require(request, ASSESS)
    check_visible_reference(Establishment, request, "establishment_id", payload.establishment_id)
    for answer_id in payload.answer_ids:
        check_visible_reference(Answer, request, "answer_ids", answer_id)
    fields = payload.dict()
    establishment = Establishment.objects.get(pk=fields.pop("establishment_id"))
    answers = Answer.objects.filter(pk__in=fields.pop("answer_ids")).select_related(
        "assessment", "requirement"
    )
    fields["owner"] = _owner(fields.pop("owner_id"), establishment.pk)
    fields["link_id"] = fields.pop("link_reference")
    action = service.create_action(
        request.user,
        establishment=establishment,
        title=fields.pop("title"),
        answers=list(answers),
        **fields,
    )
    return 201, action


class PlanIn(InputSchema):
    due_date: date | None = Field(
        None, description="Due date of the actions whose answer has none (default: in 90 days)."
    )


class PlanOut(Schema):
    created: list[ActionOut]
    linked: list[ActionOut] = Field(
        description="Open actions already linked to the same requirement, now linked to the gap."
    )


@router.post(
    "/assessments/{int:assessment_id}/plan-actions",
    response={200: PlanOut, **ERROR_RESPONSES},
    summary="Plan actions for an assessment's gaps",
    operation_id="plan_assessment_actions",
    url_name="compliance_assessment_plan_actions",
    description="One action per gap (non-compliant or partially compliant answer) without one: "
    "owner = the answer's owner, else the caller; due date = the answer's, else `due_date`. An "
    "open action of the establishment already linked to the same requirement is reused. "
    "Requires `compliance.assess`.",
)
def plan_actions(
    request: AuthenticatedRequest, assessment_id: Path[Id], payload: PlanIn
) -> dict[str, Any]:
    require(request, ASSESS)
    assessment = get_visible(Assessment, request, assessment_id)
    plan = service.plan_gaps(request.user, assessment, due=payload.due_date)
    return {"created": plan.created, "linked": plan.linked}


@router.get(
    "/actions/{int:action_id}",
    response={200: ActionOut, **ERROR_RESPONSES},
    summary="Get a remediation action",
    operation_id="get_remediation_action",
    url_name="compliance_remediationaction_detail",
    description="Requires `compliance.view`.",
)
def get_action(request: AuthenticatedRequest, action_id: Path[Id]) -> RemediationAction:
    require(request, VIEW)
    return get_visible(RemediationAction, request, action_id)


@router.patch(
    "/actions/{int:action_id}",
    response={200: ActionOut, **ERROR_RESPONSES},
    summary="Change a remediation action",
    operation_id="update_remediation_action",
    url_name="compliance_remediationaction_edit",
    description="Requires `compliance.assess`.",
)
def update_action(
    request: AuthenticatedRequest, action_id: Path[Id], payload: PatchDict[ActionPatch]
) -> RemediationAction:
    require(request, ASSESS)
    action = get_visible(RemediationAction, request, action_id)
    fields = dict(payload)
    if "owner_id" in fields:
        fields["owner"] = _owner(fields.pop("owner_id"), action.establishment_id)
    if "link_reference" in fields:
        fields["link_id"] = fields.pop("link_reference")
    return service.update_action(request.user, action, **fields)


@router.delete(
    "/actions/{int:action_id}",
    response={204: None, **ERROR_RESPONSES},
    summary="Delete a remediation action",
    operation_id="delete_remediation_action",
    url_name="compliance_remediationaction_delete",
    description="Requires `compliance.assess`.",
)
def delete_action(request: AuthenticatedRequest, action_id: Path[Id]) -> tuple[int, None]:
    require(request, ASSESS)
    service.delete_action(request.user, get_visible(RemediationAction, request, action_id))
    return 204, None
