"""Response's posture tiles: open incidents, the next regulatory deadline with its countdown,
and incidents over 30 days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.choices import SeverityChoice
from hygie.core.models import Establishment, User
from hygie.core.registries import DashboardTile, Series, TileData, TilePart, dashboard_tiles
from hygie.core.services.dashboard import (
    chart_days,
    counts_by_establishment,
    daily_counts,
    day_label,
    query_string,
    series_for,
)
from hygie.response.choices import IncidentStatus
from hygie.response.models import Incident, IncidentObligation
from hygie.response.roles import VIEW_INCIDENTS
from hygie.response.services.obligations import UNTIMED_KINDS, obligation_label, pending_obligations
from hygie.response.views.obligations import countdown


def open_incidents(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    scoped = (
        Incident.objects.visible_to(user)
        .filter(establishment__in=establishments)
        .exclude(status=IncidentStatus.CLOSED)
    )
    counts = counts_by_establishment(scoped)
    severe = counts_by_establishment(scoped.filter(severity__gte=SeverityChoice.HIGH))
    url = reverse("response:incident_list")
    result = {}
    for est in establishments:
        count = counts.get(est.pk, 0)
        high = severe.get(est.pk, 0)
        result[est.pk] = TileData(
            value=count,
            status="critical" if high else ("warning" if count else "ok"),
            link=f"{url}?{query_string({'establishment': est.pk, 'state': 'open'})}",
            parts=[
                TilePart(
                    _("High or critical"),
                    high,
                    f"{url}?{query_string({'establishment': est.pk, 'state': 'open'})}",
                )
            ],
        )
    return result


def next_deadline(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    now = timezone.now()
    pending = (
        pending_obligations(user)
        .filter(incident__establishment__in=establishments, due_at__isnull=False)
        .exclude(deadline_kind__in=UNTIMED_KINDS)
        .order_by("due_at", "pk")
    )
    first: dict[int, IncidentObligation] = {}
    overdue: dict[int, int] = {}
    for obligation in pending:
        establishment_id = obligation.incident.establishment_id
        first.setdefault(establishment_id, obligation)
        if obligation.due_at is not None and obligation.due_at <= now:
            overdue[establishment_id] = overdue.get(establishment_id, 0) + 1
    list_url = reverse("response:incidentobligation_list")
    result = {}
    for est in establishments:
        found = first.get(est.pk)
        if found is None:
            result[est.pk] = TileData(
                value="—",
                status="ok",
                link=f"{list_url}?{query_string({'establishment': est.pk})}",
                detail=_("No regulatory deadline is pending."),
            )
            continue
        obligation = found
        text, is_overdue = countdown(obligation, now)
        soon = obligation.due_at is not None and (obligation.due_at - now).total_seconds() < 86400
        late = overdue.get(est.pk, 0)
        result[est.pk] = TileData(
            value=text,
            status="critical" if is_overdue else ("warning" if soon else "neutral"),
            link=reverse("response:incidentobligation_detail", args=[obligation.pk]),
            detail=_("%(obligation)s — incident %(reference)s")
            % {
                "obligation": obligation_label(obligation.obligation_id),
                "reference": obligation.incident.reference,
            },
            parts=[
                TilePart(
                    _("Overdue"),
                    late,
                    f"{list_url}?{query_string({'establishment': est.pk})}",
                    "severity-50" if late else "",
                )
            ],
        )
    return result


def incidents_30_days(
    user: User, establishments: Sequence[Establishment]
) -> Mapping[int, TileData]:
    days = chart_days()
    scoped = Incident.objects.visible_to(user).filter(establishment__in=establishments)
    counts = {_("Incidents"): daily_counts(scoped, "discovered_at", days)}
    labels = [day_label(day) for day in days]
    url = reverse("response:incident_list")
    return {
        est.pk: TileData(
            value=None,
            link=f"{url}?{query_string({'establishment': est.pk})}",
            series=Series(
                title=_("Incidents per day, last 30 days"),
                description=_("Incidents of %(name)s per day of discovery.") % {"name": est.name},
                labels=labels,
                values=series_for(counts, est.pk, len(days)),
            ),
        )
        for est in establishments
    }


dashboard_tiles.register(
    "response.open_incidents",
    DashboardTile(
        id="response.open_incidents",
        title=gettext_lazy("Open incidents"),
        order=400,
        compute=open_incidents,
        capability=VIEW_INCIDENTS,
    ),
)
dashboard_tiles.register(
    "response.next_deadline",
    DashboardTile(
        id="response.next_deadline",
        title=gettext_lazy("Next regulatory deadline"),
        order=450,
        compute=next_deadline,
        capability=VIEW_INCIDENTS,
    ),
)
dashboard_tiles.register(
    "response.incidents_30_days",
    DashboardTile(
        id="response.incidents_30_days",
        title=gettext_lazy("Incidents, last 30 days"),
        order=650,
        compute=incidents_30_days,
        capability=VIEW_INCIDENTS,
    ),
)
