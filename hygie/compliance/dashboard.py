"""Compliance's posture tiles: the score of each framework (the tile leads to the executive
posture page), the probes whose latest stored result fails, and the overdue remediation
actions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from hygie.compliance.models import Framework, RemediationAction
from hygie.compliance.models.remediation import OPEN_STATUSES
from hygie.compliance.roles import VIEW
from hygie.compliance.services import probes as probe_service
from hygie.compliance.services.executive import (
    FAILING,
    current_scores,
    latest_assessments,
    short_name,
)
from hygie.core.models import Establishment, User
from hygie.core.registries import DashboardTile, TileData, TilePart, dashboard_tiles
from hygie.core.services.dashboard import counts_by_establishment, query_string

LOW_SCORE = 50
GOOD_SCORE = 80


def _percent(value: float) -> str:
    return f"{formats.number_format(round(value))}\u00a0%"  # never split from its figure


def framework_scores(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    """The lowest framework score (the figure) and every framework's score (the parts)."""
    latest = latest_assessments([est.pk for est in establishments])
    scores = current_scores(latest)
    by_establishment: dict[int, list[tuple[Framework, float | None, int]]] = {}
    for assessment in latest:
        score = scores[assessment.pk].score
        by_establishment.setdefault(assessment.establishment_id, []).append(
            (assessment.framework, score, assessment.pk)
        )
    executive = reverse("compliance:executive")
    result = {}
    for est in establishments:
        link = f"{executive}?{query_string({'establishment': est.pk})}"
        entries = by_establishment.get(est.pk, [])
        scored = [value for _name, value, _pk in entries if value is not None]
        if not scored:
            result[est.pk] = TileData(
                value="—",
                status="neutral",
                link=link,
                detail=_("No assessment answered yet.")
                if not entries
                else _("Nothing scored yet."),
            )
            continue
        lowest = min(scored)
        status = "critical" if lowest < LOW_SCORE else ("warning" if lowest < GOOD_SCORE else "ok")
        result[est.pk] = TileData(
            value=_percent(lowest),
            status=status,
            link=link,
            detail=ngettext(
                "the only framework assessed",
                "the lowest of %(count)s frameworks assessed",
                len(scored),
            )
            % {"count": len(scored)},
            parts=[
                TilePart(
                    short_name(framework),
                    "—" if value is None else _percent(value),
                    reverse("compliance:assessment_report", args=[pk]),
                )
                for framework, value, pk in entries
            ],
        )
    return result


def failing_probes(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    """The probes whose latest stored result fails (the probe pages show the evidence)."""
    failing: dict[int, list[tuple[str, int]]] = {}
    for run in probe_service.latest_runs([est.pk for est in establishments]):
        if run.status in FAILING:
            failing.setdefault(run.establishment_id, []).append((run.title_display, run.pk))
    url = reverse("compliance:proberun_list")
    result = {}
    for est in establishments:
        items = sorted(failing.get(est.pk, []))
        result[est.pk] = TileData(
            value=len(items),
            status="critical" if items else "ok",
            link=f"{url}?{query_string({'establishment': est.pk})}",
            parts=[
                TilePart(title, "✗", reverse("compliance:proberun_detail", args=[pk]))
                for title, pk in items
            ],
        )
    return result


def overdue_actions(user: User, establishments: Sequence[Establishment]) -> Mapping[int, TileData]:
    counts = counts_by_establishment(
        RemediationAction.objects.visible_to(user).filter(
            establishment__in=establishments,
            status__in=OPEN_STATUSES,
            due_date__lt=timezone.localdate(),
        )
    )
    url = reverse("compliance:remediationaction_list")
    result = {}
    for est in establishments:
        count = counts.get(est.pk, 0)
        result[est.pk] = TileData(
            value=count,
            status="warning" if count else "ok",
            link=f"{url}?{query_string({'overdue': 1, 'establishment': est.pk})}",
            detail=_("remediation actions past their due date") if count else "",
        )
    return result


dashboard_tiles.register(
    "compliance.framework_scores",
    DashboardTile(
        id="compliance.framework_scores",
        title=gettext_lazy("Compliance scores"),
        order=500,
        compute=framework_scores,
        capability=VIEW,
    ),
)
dashboard_tiles.register(
    "compliance.failing_probes",
    DashboardTile(
        id="compliance.failing_probes",
        title=gettext_lazy("Probes failing"),
        order=520,
        compute=failing_probes,
        capability=VIEW,
        # The stored results (with their evidence) replace the core's live re-run of every probe.
        supersedes=("core.failing_probes",),
    ),
)
dashboard_tiles.register(
    "compliance.overdue_actions",
    DashboardTile(
        id="compliance.overdue_actions",
        title=gettext_lazy("Overdue remediation actions"),
        order=540,
        compute=overdue_actions,
        capability=VIEW,
    ),
)
