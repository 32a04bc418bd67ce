"""Privacy's posture tiles: PHI findings waiting for triage, and the 30-day findings trend."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from hygie.core.models import Establishment, User
from hygie.core.registries import DashboardTile, Series, TileData, dashboard_tiles
from hygie.core.services.dashboard import (
    chart_days,
    counts_by_establishment,
    daily_counts,
    day_label,
    query_string,
    series_for,
)
from hygie.privacy.choices import TriageStatus
from hygie.privacy.models import PHIFinding
from hygie.privacy.roles import VIEW_FINDINGS


def untriaged_findings(
    user: User, establishments: Sequence[Establishment]
) -> Mapping[int, TileData]:
    counts = counts_by_establishment(
        PHIFinding.objects.visible_to(user).filter(
            establishment__in=establishments,
            is_present=True,
            triage_status=TriageStatus.UNTRIAGED,
        )
    )
    url = reverse("privacy:phifinding_list")
    result = {}
    for est in establishments:
        count = counts.get(est.pk, 0)
        query = {"establishment": est.pk, "triage_status": TriageStatus.UNTRIAGED}
        result[est.pk] = TileData(
            value=count,
            status="warning" if count else "ok",
            link=f"{url}?{query_string(query)}",
            detail=_("files with patient data still present, not yet triaged"),
        )
    return result


def findings_trend(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    days = chart_days()
    scoped = PHIFinding.objects.visible_to(user).filter(establishment__in=establishments)
    counts = {
        pgettext("PHI findings per day", "Found"): daily_counts(scoped, "first_seen_at", days),
        pgettext("PHI findings per day", "Remediated"): daily_counts(
            scoped.filter(triage_status=TriageStatus.REMEDIATED), "triaged_at", days
        ),
    }
    labels = [day_label(day) for day in days]
    url = reverse("privacy:phifinding_list")
    return {
        est.pk: TileData(
            value=None,
            link=f"{url}?{query_string({'establishment': est.pk})}",
            series=Series(
                title=_("PHI findings, last 30 days"),
                description=_(
                    "Patient data found per day in %(name)s's files, and findings remediated."
                )
                % {"name": est.name},
                labels=labels,
                values=series_for(counts, est.pk, len(days)),
                kind="lines",
            ),
        )
        for est in establishments
    }


dashboard_tiles.register(
    "privacy.untriaged_findings",
    DashboardTile(
        id="privacy.untriaged_findings",
        title=gettext_lazy("Untriaged PHI findings"),
        order=300,
        compute=untriaged_findings,
        capability=VIEW_FINDINGS,
    ),
)
dashboard_tiles.register(
    "privacy.findings_trend",
    DashboardTile(
        id="privacy.findings_trend",
        title=gettext_lazy("PHI findings trend"),
        order=700,
        compute=findings_trend,
        capability=VIEW_FINDINGS,
    ),
)
