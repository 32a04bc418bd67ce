"""Detection's posture tiles: activity of the last 24 hours and the 30-day alert chart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.choices import SeverityChoice
from hygie.core.models import Alert, Establishment, User
from hygie.core.registries import DashboardTile, Series, TileData, TilePart, dashboard_tiles
from hygie.core.roles import VIEW_ALERTS
from hygie.core.services.dashboard import (
    chart_days,
    counts_by_establishment,
    daily_counts,
    day_label,
    query_string,
    series_for,
)
from hygie.detection.models import Event
from hygie.detection.roles import VIEW_EVENTS


def last_24_hours(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    since = timezone.now() - timedelta(hours=24)
    events = counts_by_establishment(
        Event.objects.visible_to(user).filter(
            establishment__in=establishments, received_at__gte=since
        )
    )
    alerts = counts_by_establishment(
        Alert.objects.visible_to(user).filter(
            establishment__in=establishments, first_seen_at__gte=since
        )
    )
    events_url = reverse("detection:event_list")
    alerts_url = reverse("core:alert_list")
    since_text = timezone.localtime(since).strftime("%Y-%m-%dT%H:%M")
    result = {}
    for est in establishments:
        raised = alerts.get(est.pk, 0)
        result[est.pk] = TileData(
            value=events.get(est.pk, 0),
            status="warning" if raised else "neutral",
            link=f"{events_url}?{query_string({'establishment': est.pk, 'since': since_text})}",
            detail=_("log events received"),
            parts=[
                TilePart(
                    _("Alerts raised"),
                    raised,
                    f"{alerts_url}?{query_string({'establishment': est.pk})}",
                )
            ],
        )
    return result


def alerts_30_days(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    days = chart_days()
    scoped = Alert.objects.visible_to(user).filter(establishment__in=establishments)
    counts = {
        _("All alerts"): daily_counts(scoped, "first_seen_at", days),
        _("High or critical"): daily_counts(
            scoped.filter(severity__gte=SeverityChoice.HIGH), "first_seen_at", days
        ),
    }
    labels = [day_label(day) for day in days]
    url = reverse("core:alert_list")
    return {
        est.pk: TileData(
            value=None,
            link=f"{url}?{query_string({'establishment': est.pk})}",
            series=Series(
                title=_("Alerts per day, last 30 days"),
                description=_("New alerts per day for %(name)s, by first detection.")
                % {"name": est.name},
                labels=labels,
                values=series_for(counts, est.pk, len(days)),
            ),
        )
        for est in establishments
    }


dashboard_tiles.register(
    "detection.last_24_hours",
    DashboardTile(
        id="detection.last_24_hours",
        title=gettext_lazy("Last 24 hours"),
        order=200,
        compute=last_24_hours,
        capability=VIEW_EVENTS,
    ),
)
dashboard_tiles.register(
    "detection.alerts_30_days",
    DashboardTile(
        id="detection.alerts_30_days",
        title=gettext_lazy("Alerts, last 30 days"),
        order=600,
        compute=alerts_30_days,
        capability=VIEW_ALERTS,
    ),
)
