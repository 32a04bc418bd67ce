"""The intel module's panel on the SOC analyst's landing page: the latest sightings of
partners' indicators in the establishment's own events."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from hygie.core.choices import Role
from hygie.core.models import User
from hygie.core.registries import LandingPanel, landing_panels
from hygie.intel.models import Sighting
from hygie.intel.roles import VIEW

ROWS = 8
DAYS = 7


def recent_sightings(user: User) -> Mapping[str, Any] | None:
    since = timezone.now() - timedelta(days=DAYS)
    queryset = (
        Sighting.objects.visible_to(user)
        .filter(at__gte=since)
        .select_related("indicator", "alert")
        .order_by("-at")
    )
    total = queryset.count()
    if not total:
        return None
    return {"total": total, "days": DAYS, "rows": list(queryset[:ROWS])}


landing_panels.register(
    "intel.recent_sightings",
    LandingPanel(
        id="intel.recent_sightings",
        title=gettext_lazy("Partners' indicators seen here"),
        order=150,
        roles=frozenset({Role.SOC_ANALYST, Role.RSSI}),
        template="intel/landing/_sightings.html",
        context=recent_sightings,
        capability=VIEW,
    ),
)
