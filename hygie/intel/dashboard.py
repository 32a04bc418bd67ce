"""The intel module's posture tile: indicators in use for matching, sightings of the last 7 days,
and whether a feed was updated in the last 7 days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.models import Establishment, User
from hygie.core.registries import DashboardTile, TileData, TilePart, dashboard_tiles
from hygie.core.services.dashboard import query_string
from hygie.intel.models import Feed
from hygie.intel.probes import FRESH_DAYS
from hygie.intel.roles import VIEW
from hygie.intel.services import indicators


def threat_intelligence(
    user: User, establishments: Sequence[Establishment]
) -> Mapping[int, TileData]:
    ids = [est.pk for est in establishments]
    found = indicators.counts(ids)
    latest = dict(
        Feed.objects.filter(establishment_id__in=ids, is_active=True)
        .values("establishment_id")
        .annotate(last=Max("last_success_at"))
        .values_list("establishment_id", "last")
    )
    since = timezone.now() - timedelta(days=FRESH_DAYS)
    url = reverse("intel:indicator_list")
    sightings_url = reverse("intel:sighting_list")
    result = {}
    for est in establishments:
        counts = found.get(est.pk, {"active": 0, "sightings": 0})
        if not counts["active"] and est.pk not in latest:
            continue
        last = latest.get(est.pk)
        stale = last is None or last < since
        status = "critical" if counts["sightings"] else "warning" if stale else "ok"
        result[est.pk] = TileData(
            value=counts["active"],
            status=status,
            link=f"{url}?{query_string({'establishment': est.pk, 'is_active': 'True'})}",
            detail=_("indicators used for matching"),
            parts=(
                TilePart(
                    _("sightings in 7 days"),
                    counts["sightings"],
                    link=sightings_url,
                    css="severity-40" if counts["sightings"] else "",
                ),
                TilePart(
                    _("last feed update"),
                    last.date().isoformat() if last else "—",
                    link=reverse("intel:feed_list"),
                    css="severity-30" if stale else "",
                ),
            ),
        )
    return result


dashboard_tiles.register(
    "intel.threat_intelligence",
    DashboardTile(
        id="intel.threat_intelligence",
        title=gettext_lazy("Threat intelligence"),
        order=550,
        compute=threat_intelligence,
        capability=VIEW,
    ),
)
