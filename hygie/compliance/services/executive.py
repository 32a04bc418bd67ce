"""The executive posture: per establishment and for the whole organisation, the score of each
framework with its trend, the probes failing, the overdue remediation actions, and — read from
the other modules through the core's dashboard tile registry, never imported — open incidents
and the running regulatory clocks.

Shared by the page, the API and the dashboard tiles (``hygie/compliance/dashboard.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.db.models import OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from hygie.compliance.models import Assessment, ProbeRun, RemediationAction, ScoreSnapshot
from hygie.compliance.models.remediation import OPEN_STATUSES
from hygie.compliance.services import assessments as assessment_service
from hygie.compliance.services import probes as probe_service
from hygie.core.charts import render_chart
from hygie.core.registries import Series, TileData, dashboard_tiles

if TYPE_CHECKING:
    from hygie.core.models import Establishment, User

FAILING = ("fail", "error")
TREND_DAYS = 90  # the latest assessment's daily history
HISTORY_YEARS = 3  # earlier assessments shown before it
# The tiles of other modules the page shows (read through the registry: compliance imports
# no sibling module); absent when the module is not installed or the user may not see them.
INCIDENT_TILE = "response.open_incidents"
CLOCK_TILE = "response.next_deadline"


@dataclass
class FrameworkPosture:
    """One framework at one establishment: its latest assessment, score and trend."""

    framework: Any
    assessment: Assessment
    score: float | None
    assessed: int
    total: int
    trend: list[tuple[date, float]] = field(default_factory=list)  # score at each day

    @property
    def change(self) -> float | None:
        """The score's change over the trend window (None with fewer than two points)."""
        if len(self.trend) < 2:
            return None
        return round(self.trend[-1][1] - self.trend[0][1], 1)

    @property
    def since(self) -> date | None:
        return self.trend[0][0] if self.trend else None


@dataclass
class EstablishmentPosture:
    establishment: Establishment
    frameworks: list[FrameworkPosture] = field(default_factory=list)
    failing: list[ProbeRun] = field(default_factory=list)
    overdue: list[RemediationAction] = field(default_factory=list)
    incidents: TileData | None = None
    clock: TileData | None = None


@dataclass
class OrganisationFramework:
    """One framework across the establishments assessed against it."""

    framework: Any
    establishments: int
    average: float | None
    lowest: float | None
    highest: float | None


@dataclass
class Posture:
    establishments: list[EstablishmentPosture]
    frameworks: list[OrganisationFramework]
    incidents_shown: bool
    clocks_shown: bool

    @property
    def failing_count(self) -> int:
        return sum(len(item.failing) for item in self.establishments)

    @property
    def overdue_count(self) -> int:
        return sum(len(item.overdue) for item in self.establishments)

    @property
    def open_incidents(self) -> int | None:
        if not self.incidents_shown:
            return None
        return sum(
            item.incidents.value
            for item in self.establishments
            if item.incidents is not None and isinstance(item.incidents.value, int)
        )


def _tile(tile_id: str, user: User, establishments: Sequence[Establishment]) -> dict[int, TileData]:
    """Another module's tile, computed for these establishments (empty when absent or not
    allowed)."""
    if tile_id not in dashboard_tiles:
        return {}
    tile = dashboard_tiles.get(tile_id)
    if tile.capability is not None and not user.can(tile.capability):
        return {}
    return dict(tile.compute(user, list(establishments)))


def assessments_by_pair(
    establishment_ids: Sequence[int],
) -> dict[tuple[int, int], list[Assessment]]:
    """(establishment, framework) → its assessments, latest first (by date, then creation)."""
    found: dict[tuple[int, int], list[Assessment]] = {}
    for item in (
        Assessment.objects.filter(establishment_id__in=list(establishment_ids))
        .select_related("framework", "establishment")
        .order_by("-date", "-pk")
    ):
        found.setdefault((item.establishment_id, item.framework_id), []).append(item)
    return found


def latest_assessments(establishment_ids: Sequence[int]) -> list[Assessment]:
    """The latest assessment (by date, then creation) of each framework at each
    establishment."""
    latest = [items[0] for items in assessments_by_pair(establishment_ids).values()]
    return sorted(latest, key=lambda a: (a.establishment.name, a.framework.name))


@dataclass(frozen=True)
class CurrentScore:
    score: float | None
    assessed: int
    total: int


def current_scores(assessments: Sequence[Assessment]) -> dict[int, CurrentScore]:
    """Each assessment's current score from its latest snapshot (one is taken on every change),
    in two queries whatever their number; computed afresh for one without a snapshot."""
    ids = [item.pk for item in assessments]
    last = (
        ScoreSnapshot.objects.filter(assessment=OuterRef("pk"))
        .order_by("-taken_at", "-pk")
        .values("pk")[:1]
    )
    latest = (
        Assessment.objects.filter(pk__in=ids)
        .annotate(last=Subquery(last))
        .values_list("last", flat=True)
    )
    found = {}
    for snapshot in ScoreSnapshot.objects.filter(pk__in=[pk for pk in latest if pk]):
        counts = snapshot.compliant + snapshot.partial + snapshot.non_compliant
        total = counts + snapshot.not_applicable + snapshot.not_assessed
        found[snapshot.assessment_id] = CurrentScore(
            snapshot.score, total - snapshot.not_assessed, total
        )
    for item in assessments:
        if item.pk not in found:
            value = assessment_service.assessment_score(item)
            found[item.pk] = CurrentScore(value.score, value.assessed, value.total)
    return found


def trends(
    by_pair: dict[tuple[int, int], list[Assessment]],
    scores: dict[int, CurrentScore],
    days: int = TREND_DAYS,
    years: int = HISTORY_YEARS,
) -> dict[tuple[int, int], list[tuple[date, float]]]:
    """(establishment, framework) → its score over time: each earlier assessment of the last
    ``years`` years at its date (its final score), then the latest assessment's score on each
    day it changed over the last ``days`` days (the last snapshot of a day)."""
    latest_ids = [items[0].pk for items in by_pair.values()]
    since = timezone.now() - timedelta(days=days)
    daily: dict[int, dict[date, float]] = {}
    for assessment_id, taken_at, score in (
        ScoreSnapshot.objects.filter(
            assessment_id__in=latest_ids, taken_at__gte=since, score__isnull=False
        )
        .order_by("taken_at", "pk")
        .values_list("assessment_id", "taken_at", "score")
    ):
        if score is not None:
            daily.setdefault(assessment_id, {})[timezone.localtime(taken_at).date()] = float(score)
    oldest = timezone.localdate() - timedelta(days=365 * years)
    result: dict[tuple[int, int], list[tuple[date, float]]] = {}
    for key, items in by_pair.items():
        points: dict[date, float] = {}
        for earlier in sorted(items[1:], key=lambda a: (a.date, a.pk)):
            value = scores.get(earlier.pk)
            if earlier.date >= oldest and value is not None and value.score is not None:
                points[earlier.date] = value.score
        latest = items[0]
        history = daily.get(latest.pk) or {}
        if not history:
            value = scores.get(latest.pk)
            if value is not None and value.score is not None:
                history = {latest.date: value.score}
        for day, score in sorted(history.items()):
            # The latest assessment's days follow the earlier assessments' dates.
            if not points or day > max(points):
                points[day] = score
        result[key] = sorted(points.items())
    return result


def posture(user: User, establishments: Sequence[Establishment]) -> Posture:
    """The executive posture of these establishments (already scoped to the user)."""
    ids = [item.pk for item in establishments]
    result = {item.pk: EstablishmentPosture(item) for item in establishments}
    by_pair = assessments_by_pair(ids)
    latest = sorted(
        (items[0] for items in by_pair.values()),
        key=lambda a: (a.establishment.name, a.framework.name),
    )
    scores = current_scores([item for items in by_pair.values() for item in items])
    history = trends(by_pair, scores)
    by_framework: dict[int, list[float]] = {}
    frameworks: dict[int, Any] = {}
    for assessment in latest:
        score = scores[assessment.pk]
        result[assessment.establishment_id].frameworks.append(
            FrameworkPosture(
                framework=assessment.framework,
                assessment=assessment,
                score=score.score,
                assessed=score.assessed,
                total=score.total,
                trend=history.get((assessment.establishment_id, assessment.framework_id), []),
            )
        )
        frameworks[assessment.framework_id] = assessment.framework
        if score.score is not None:
            by_framework.setdefault(assessment.framework_id, []).append(score.score)
    for run in probe_service.latest_runs(ids):
        if run.status in FAILING:
            result[run.establishment_id].failing.append(run)
    for action in (
        RemediationAction.objects.filter(
            establishment_id__in=ids,
            status__in=OPEN_STATUSES,
            due_date__lt=timezone.localdate(),
        )
        .select_related("owner", "establishment")
        .order_by("due_date", "pk")
    ):
        result[action.establishment_id].overdue.append(action)
    incidents = _tile(INCIDENT_TILE, user, establishments)
    clocks = _tile(CLOCK_TILE, user, establishments)
    for pk, item in result.items():
        item.incidents = incidents.get(pk)
        item.clock = clocks.get(pk)
    organisation = [
        OrganisationFramework(
            framework=framework,
            establishments=sum(1 for a in latest if a.framework_id == framework_id),
            average=round(sum(scores) / len(scores), 1) if scores else None,
            lowest=min(scores) if scores else None,
            highest=max(scores) if scores else None,
        )
        for framework_id, framework in frameworks.items()
        for scores in [by_framework.get(framework_id, [])]
    ]
    organisation.sort(key=lambda item: item.framework.name)
    return Posture(
        establishments=list(result.values()),
        frameworks=organisation,
        incidents_shown=bool(INCIDENT_TILE in dashboard_tiles and incidents),
        clocks_shown=bool(CLOCK_TILE in dashboard_tiles and clocks),
    )


# --- charts ------------------------------------------------------------------------------------


def trend_series(item: FrameworkPosture, establishment: Establishment) -> Series | None:
    """A framework's score over time as a line (None with fewer than two points)."""
    if len(item.trend) < 2:
        return None
    return Series(
        title=_("%(framework)s: score over time") % {"framework": item.framework.name},
        description=_(
            "Score of %(framework)s at %(establishment)s (percent): earlier assessments at "
            "their date, then each day the latest one changed; from %(first)s %% on %(since)s "
            "to %(last)s %%."
        )
        % {
            "framework": item.framework.name,
            "establishment": establishment.name,
            "since": formats.date_format(item.trend[0][0], "SHORT_DATE_FORMAT"),
            "first": formats.number_format(round(item.trend[0][1])),
            "last": formats.number_format(round(item.trend[-1][1])),
        },
        labels=[formats.date_format(day, "SHORT_DATE_FORMAT") for day, _score in item.trend],
        values={_("Score (%)"): [int(round(score)) for _day, score in item.trend]},
        kind="lines",
    )


def short_name(framework: Any) -> str:
    """A framework's name up to its subtitle (“Programme CaRE”), for a chart's axis."""
    return str(framework.name).split(" — ")[0].strip()[:40]


def organisation_series(frameworks: Sequence[OrganisationFramework]) -> Series | None:
    """The average score of each framework across the organisation, as bars."""
    scored = [item for item in frameworks if item.average is not None]
    if not scored:
        return None
    return Series(
        title=_("Average score per framework"),
        description=_(
            "Average of the latest assessment's score (percent) at each establishment assessed, "
            "per framework: %(values)s."
        )
        % {
            "values": "; ".join(
                f"{item.framework.name} {round(item.average or 0)} %" for item in scored
            )
        },
        labels=[short_name(item.framework) for item in scored],
        values={_("Average score (%)"): [int(round(item.average or 0)) for item in scored]},
    )


def chart(series: Series | None, chart_id: str) -> SafeString | None:
    return render_chart(series, chart_id) if series is not None else None


# --- the JSON summary (API) --------------------------------------------------------------------


def _tile_dict(data: TileData | None) -> dict[str, Any] | None:
    if data is None:
        return None
    return {
        "value": data.value,
        "status": data.status,
        "detail": str(data.detail),
        "link": data.link,
    }


def _url(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def summary(result: Posture) -> dict[str, Any]:
    """The posture as plain data (the API's answer)."""
    return {
        "generated_at": timezone.now(),
        "organisation": {
            "frameworks": [
                {
                    "framework_id": item.framework.framework_id,
                    "name": item.framework.name,
                    "establishments": item.establishments,
                    "average_score": item.average,
                    "lowest_score": item.lowest,
                    "highest_score": item.highest,
                }
                for item in result.frameworks
            ],
            "failing_probes": result.failing_count,
            "overdue_actions": result.overdue_count,
            "open_incidents": result.open_incidents,
        },
        "establishments": [
            {
                "id": item.establishment.pk,
                "name": item.establishment.name,
                "frameworks": [
                    {
                        "framework_id": entry.framework.framework_id,
                        "name": entry.framework.name,
                        "assessment_id": entry.assessment.pk,
                        "assessment_date": entry.assessment.date,
                        "score": None if entry.score is None else round(entry.score, 1),
                        "assessed": entry.assessed,
                        "total": entry.total,
                        "change": entry.change,
                        "since": entry.since,
                        "trend": [
                            {"date": day, "score": round(score, 1)} for day, score in entry.trend
                        ],
                        "report_url": _url("compliance:assessment_report", entry.assessment.pk),
                    }
                    for entry in item.frameworks
                ],
                "failing_probes": [
                    {
                        "id": run.pk,
                        "probe_id": run.probe_id,
                        "title": run.title_display,
                        "status": run.status,
                        "summary": run.summary_display,
                        "ran_at": run.ran_at,
                    }
                    for run in item.failing
                ],
                "overdue_actions": [
                    {
                        "id": action.pk,
                        "title": action.title,
                        "due_date": action.due_date,
                        "status": action.status,
                        "owner": action.owner.get_username() if action.owner else None,
                    }
                    for action in item.overdue
                ],
                "open_incidents": _tile_dict(item.incidents),
                "next_regulatory_deadline": _tile_dict(item.clock),
            }
            for item in result.establishments
        ],
    }
