"""The devices module's posture tiles: open vulnerabilities on medical devices (KEV and critical
clinical risk first), the inventory's coverage and operating systems out of support, and the
flows outside the segmentation policy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.models import Establishment, User
from hygie.core.registries import DashboardTile, TileData, TilePart, dashboard_tiles
from hygie.core.services.dashboard import query_string
from hygie.devices.choices import MatchStatus, Workflow
from hygie.devices.roles import VIEW
from hygie.devices.services import stats


def open_device_vulnerabilities(
    user: User, establishments: Sequence[Establishment]
) -> Mapping[int, TileData]:
    counts = stats.open_by_establishment(user, establishments)
    url = reverse("devices:devicevulnerability_list")
    result = {}
    for est in establishments:
        found = counts.get(est.pk, {"total": 0, "kev": 0, "critical": 0})
        query = query_string({"workflow": Workflow.OPEN, "status": MatchStatus.KNOWN_AFFECTED})
        status = "critical" if found["kev"] else "warning" if found["total"] else "ok"
        result[est.pk] = TileData(
            value=found["total"],
            status=status,
            link=f"{url}?{query}",
            detail=_("open vulnerabilities on medical devices, without a decision"),
            parts=(
                TilePart(_("known exploited"), found["kev"], css="severity-50"),
                TilePart(_("critical clinical risk"), found["critical"], css="severity-40"),
            ),
        )
    return result


def inventory_health(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    coverage = stats.coverage(establishments)
    unsupported = stats.unsupported_os(establishments)
    url = reverse("devices:device_list")
    result = {}
    for est in establishments:
        found = coverage.get(est.pk)
        if found is None or not found.medical_assets:
            continue
        bad, total = unsupported.get(est.pk, (0, 0))
        percent = round(100 * found.ratio)
        status = "ok" if percent >= 90 and not bad else "warning"
        result[est.pk] = TileData(
            value=f"{percent} %",
            status=status,
            link=f"{url}?{query_string({'establishment': est.pk})}",
            detail=_("of medical devices described (manufacturer, model, version)"),
            parts=(
                TilePart(_("devices"), total),
                TilePart(_("OS out of support"), bad, css="severity-40" if bad else ""),
            ),
        )
    return result


def segmentation(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    """Flows outside the zone policy still open; no tile where there is neither a policy nor a
    violation (nothing to say)."""
    found = stats.open_violations(establishments)
    url = reverse("devices:segmentation")
    result = {}
    for est in establishments:
        counts = found.get(est.pk)
        if counts is None or not (counts["policy"] or counts["total"]):
            continue
        status = "critical" if counts["critical"] else "warning" if counts["total"] else "ok"
        result[est.pk] = TileData(
            value=counts["total"],
            status=status,
            link=f"{url}?{query_string({'establishment': est.pk})}#violations-heading",
            detail=_("flows outside the segmentation policy, still open"),
            parts=(
                TilePart(_("to the internet"), counts["internet"], css="severity-40"),
                TilePart(
                    _("life-sustaining device to the internet"),
                    counts["critical"],
                    css="severity-50",
                ),
            ),
        )
    return result


dashboard_tiles.register(
    "devices.open_vulnerabilities",
    DashboardTile(
        id="devices.open_vulnerabilities",
        title=gettext_lazy("Medical device vulnerabilities"),
        order=350,
        compute=open_device_vulnerabilities,
        capability=VIEW,
    ),
)
dashboard_tiles.register(
    "devices.inventory",
    DashboardTile(
        id="devices.inventory",
        title=gettext_lazy("Medical device inventory"),
        order=351,
        compute=inventory_health,
        capability=VIEW,
    ),
)
dashboard_tiles.register(
    "devices.segmentation",
    DashboardTile(
        id="devices.segmentation",
        title=gettext_lazy("Medical network segmentation"),
        order=352,
        compute=segmentation,
        capability=VIEW,
    ),
)
