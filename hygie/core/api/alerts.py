"""Alerts raised by every module: list and filter them, read one, triage it."""

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Path, Query, Router
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.core import roles
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    apply_ordering,
    get_visible,
    ordering_description,
    require,
)
from hygie.core.api.schemas import (
    AlertIn,
    AlertOut,
    AlertStatusValue,
    Id,
    InputFilters,
    InstantParam,
)
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Alert
from hygie.core.services.alerts import assign_alert, assignable_users, change_alert_status

ORDERINGS = ("last_seen_at", "first_seen_at", "severity", "status", "occurrences", "source")

router = Router(tags=["Alerts"])


class AlertFilters(InputFilters):
    status: AlertStatusValue | None = None
    severity_min: Annotated[int | None, Field(ge=0, le=100), FilterLookup("severity__gte")] = None
    source: str | None = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    asset: Annotated[Id | None, FilterLookup("asset_id")] = None
    since: Annotated[InstantParam | None, FilterLookup("last_seen_at__gte")] = None
    until: Annotated[InstantParam | None, FilterLookup("last_seen_at__lte")] = None
    rule_id: Annotated[str | None, Field(max_length=200)] = None
    assignee: Annotated[Id | None, FilterLookup("assignee_id")] = None
    is_unassigned: Annotated[bool | None, FilterLookup("assignee__isnull")] = None
    q: Annotated[str | None, FilterLookup(["title__icontains", "rule_id__icontains"])] = None


@router.get(
    "/alerts",
    response={200: list[AlertOut], **ERROR_RESPONSES},
    summary="List alerts",
    operation_id="list_alerts",
    url_name="core_alert_list",
    description="Alerts of your establishments, most recent first. `severity_min` takes "
    "the numeric severity (10 informational … 50 critical); `since` and "
    "`until` bound the last time an alert was seen; `assignee` (a user id) "
    "or `is_unassigned` filter on who works on it. Requires `alerts.view`.",
)
@paginate(Pagination)
def list_alerts(
    request: AuthenticatedRequest,
    filters: Query[AlertFilters],
    ordering: str | None = Query(None, description=ordering_description(ORDERINGS)),
) -> Any:
    require(request, roles.VIEW_ALERTS)
    queryset = filters.filter(Alert.objects.visible_to(request.user))
    return apply_ordering(queryset, ordering, ORDERINGS)


@router.get(
    "/alerts/{int:alert_id}",
    response={200: AlertOut, **ERROR_RESPONSES},
    summary="Get an alert",
    operation_id="get_alert",
    url_name="core_alert_detail",
    description="Requires `alerts.view`.",
)
def get_alert(request: AuthenticatedRequest, alert_id: Path[Id]) -> Alert:
    require(request, roles.VIEW_ALERTS)
    return get_visible(Alert, request, alert_id)


@router.patch(
    "/alerts/{int:alert_id}",
    response={200: AlertOut, **ERROR_RESPONSES},
    summary="Triage an alert",
    operation_id="update_alert",
    url_name="core_alert_edit",
    description="Change the status and/or the assignee (`null` unassigns). The "
    "assignee must be able to triage alerts of the alert's establishment. "
    "Requires `alerts.triage` and a write token.",
)
def update_alert(
    request: AuthenticatedRequest, alert_id: Path[Id], payload: PatchDict[AlertIn]
) -> Alert:
    require(request, roles.TRIAGE_ALERTS)
    alert = get_visible(Alert, request, alert_id)
    with transaction.atomic():
        if "status" in payload:
            alert = change_alert_status(alert, request.user, payload["status"])
        if "assignee_id" in payload:
            alert = assign_alert(alert, request.user, _assignee(alert, payload["assignee_id"]))
    return alert


def _assignee(alert: Alert, user_id: int | None) -> Any:
    if user_id is None:
        return None
    # Only people who can work on this alert are looked up, so the answer never tells whether
    # an id belongs to a user of another establishment.
    for candidate in assignable_users(alert):
        if candidate.pk == user_id:
            return candidate
    raise ValidationError({"assignee_id": [_("No user with this id can work on this alert.")]})
