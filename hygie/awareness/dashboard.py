"""The awareness module's posture tile: each establishment's last phishing simulation, validated
clicks against reports (a mail reported by more people than fell for it is the goal), with the
trend over its recent campaigns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.awareness.roles import VIEW
from hygie.awareness.services import results
from hygie.core.models import Establishment, User
from hygie.core.registries import DashboardTile, Series, TileData, TilePart, dashboard_tiles

WINDOW = timedelta(days=365)
TREND = 6


def last_simulation(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    """One aggregate query for every establishment: their campaigns of the last 12 months."""
    launched = results.launched_campaigns(user).filter(
        establishment__in=establishments, launched_at__gte=timezone.now() - WINDOW
    )
    by_establishment: dict[int, list[results.CampaignSummary]] = defaultdict(list)
    for row in results.summaries(launched):
        by_establishment[row.campaign.establishment_id].append(row)
    tiles = {}
    for est in establishments:
        rows = by_establishment.get(est.pk)
        if not rows:
            continue
        last = rows[0]  # launched_campaigns is latest first
        percents = last.percents
        running = last.campaign.status == "running"
        if running:
            status = "neutral"
        elif last.clicked_human > last.reported:
            status = "warning"
        else:
            status = "ok"
        recent = list(reversed(rows[:TREND]))
        series = None
        if len(recent) > 1:
            series = Series(
                title=_("Recent simulations"),
                description=_("Validated clicks and reports, in percent of delivered mails."),
                labels=[row.campaign.name[:16] for row in recent],
                values={
                    _("Clicked (%)"): [round(row.percents["clicked_human"]) for row in recent],
                    _("Reported (%)"): [round(row.percents["reported"]) for row in recent],
                },
                kind="lines",
            )
        url = reverse("awareness:campaign_results", args=[last.campaign.pk])
        tiles[est.pk] = TileData(
            value=f"{round(percents['clicked_human'])} %",
            status=status,
            link=url,
            detail=(
                _("validated clicks so far in “%(name)s”, running")
                if running
                else _("validated clicks in “%(name)s”")
            )
            % {"name": last.campaign.name},
            parts=(
                TilePart(_("reported"), f"{round(percents['reported'])} %", link=url),
                TilePart(_("raw clicks, scanners included"), last.clicked_raw, link=url),
                TilePart(_("data submitted"), last.submitted_human, link=url),
            ),
            series=series,
        )
    return tiles


dashboard_tiles.register(
    "awareness.last_simulation",
    DashboardTile(
        id="awareness.last_simulation",
        title=gettext_lazy("Phishing simulation"),
        order=460,
        compute=last_simulation,
        capability=VIEW,
    ),
)
