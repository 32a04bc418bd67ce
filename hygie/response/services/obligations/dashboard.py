"""The cross-establishment dashboard of pending obligations, grouped by urgency."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from hygie.response.choices import (
    ObligationStatus,
)
from hygie.response.models import IncidentObligation
from hygie.response.services.obligations.assessment import (
    UNTIMED_KINDS,
)

if TYPE_CHECKING:
    from hygie.core.models import User

# --- dashboard -----------------------------------------------------------------------------

GROUP_OVERDUE = "overdue"
GROUP_DAY = "day"
GROUP_WEEK = "week"
GROUP_LATER = "later"
GROUP_UNTIMED = "untimed"
GROUP_ORDER = (GROUP_OVERDUE, GROUP_DAY, GROUP_WEEK, GROUP_LATER, GROUP_UNTIMED)
GROUP_LABELS = {
    GROUP_OVERDUE: gettext_lazy("Overdue"),
    GROUP_DAY: gettext_lazy("Due within 24 hours"),
    GROUP_WEEK: gettext_lazy("Due within 7 days"),
    GROUP_LATER: gettext_lazy("Due later"),
    GROUP_UNTIMED: gettext_lazy("No fixed deadline (sans délai, without undue delay)"),
}


def pending_obligations(
    user: User | None,
    *,
    establishment_id: str = "",
    obligation_id: str = "",
    incident_status: str = "",
) -> QuerySet[IncidentObligation]:
    """Obligations that apply and wait for a decision, in the establishments the user sees;
    narrowed to one establishment, one obligation or one incident phase when given."""
    queryset = (
        IncidentObligation.objects.visible_to(user)
        .filter(applies=True, status=ObligationStatus.PENDING)
        .select_related("incident", "incident__establishment")
    )
    if establishment_id:
        queryset = queryset.filter(incident__establishment_id=establishment_id)
    if obligation_id:
        queryset = queryset.filter(obligation_id=obligation_id)
    if incident_status:
        queryset = queryset.filter(incident__status=incident_status)
    return queryset


def group_of(obligation: IncidentObligation, now: datetime) -> str:
    if obligation.deadline_kind in UNTIMED_KINDS or obligation.due_at is None:
        return GROUP_UNTIMED
    if obligation.due_at <= now:
        return GROUP_OVERDUE
    if obligation.due_at <= now + timedelta(hours=24):
        return GROUP_DAY
    if obligation.due_at <= now + timedelta(days=7):
        return GROUP_WEEK
    return GROUP_LATER


def group_obligations(
    obligations: Iterable[IncidentObligation], now: datetime | None = None
) -> dict[str, list[IncidentObligation]]:
    now = now or timezone.now()
    groups: dict[str, list[IncidentObligation]] = {key: [] for key in GROUP_ORDER}
    for obligation in obligations:
        groups[group_of(obligation, now)].append(obligation)
    for key in GROUP_ORDER:
        groups[key].sort(key=lambda o: (o.due_at or o.trigger_at, o.pk))
    return groups


def overdue_count(user: User | None, now: datetime | None = None) -> int:
    now = now or timezone.now()
    return (
        pending_obligations(user)
        .exclude(deadline_kind__in=UNTIMED_KINDS)
        .filter(due_at__lte=now)
        .count()
    )
