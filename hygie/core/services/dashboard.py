"""The posture dashboard: one row of tiles per establishment the user sees (design §3).

Tiles come from every module's ``dashboard.py`` through ``registries.dashboard_tiles``; this
service only scopes, asks each tile once for every establishment, and lays the answers out.
The helpers below are shared by the tiles so every chart counts days the same way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from hygie.core.charts import render_chart
from hygie.core.models import Establishment, User
from hygie.core.registries import DashboardTile, TileData, tiles_for

CHART_DAYS = 30


@dataclass(frozen=True)
class Cell:
    tile: DashboardTile
    data: TileData
    chart: SafeString | None = None


@dataclass
class PostureRow:
    """One establishment's card: figures first, then charts."""

    establishment: Establishment
    figures: list[Cell] = field(default_factory=list)
    charts: list[Cell] = field(default_factory=list)


def posture(user: User) -> list[PostureRow]:
    """Every establishment the user sees, with the tiles the user may see, in tile order.
    Each tile is computed once for all establishments (its query count does not grow with
    their number)."""
    establishments = list(Establishment.objects.visible_to(user).order_by("name", "pk"))
    if not establishments:
        return []
    rows = {est.pk: PostureRow(est) for est in establishments}
    for tile in tiles_for(user):
        answers = tile.compute(user, establishments)
        for est in establishments:
            data = answers.get(est.pk)
            if data is None:
                continue
            chart = None
            if data.series is not None:
                chart_id = f"chart-{est.pk}-{tile.id.replace('.', '-').replace('_', '-')}"
                chart = render_chart(data.series, chart_id)
            cell = Cell(tile, data, chart)
            if data.value is not None:
                rows[est.pk].figures.append(cell)
            if chart is not None:
                rows[est.pk].charts.append(cell)
    return list(rows.values())


def chart_days(days: int = CHART_DAYS) -> list[date]:
    """The last ``days`` days, today included, in the active time zone."""
    today = timezone.localdate()
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def day_label(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def daily_counts(
    queryset: QuerySet[Any],
    moment_field: str,
    days: Sequence[date],
    establishment_field: str = "establishment_id",
) -> dict[int, list[int]]:
    """How many rows of ``queryset`` fall on each of ``days`` (by ``moment_field`` in the
    active time zone), per establishment id, in one query."""
    start = timezone.make_aware(datetime.combine(days[0], datetime.min.time()))
    rows = (
        queryset.filter(**{f"{moment_field}__gte": start})
        .order_by()
        .annotate(day=TruncDate(moment_field))
        .values(establishment_field, "day")
        .annotate(total=Count("pk"))
    )
    index = {day: i for i, day in enumerate(days)}
    result: dict[int, list[int]] = {}
    for row in rows:
        position = index.get(row["day"])
        if position is None:
            continue
        counts = result.setdefault(row[establishment_field], [0] * len(days))
        counts[position] += row["total"]
    return result


def counts_by_establishment(
    queryset: QuerySet[Any], establishment_field: str = "establishment_id"
) -> dict[int, int]:
    """Row count per establishment id, in one query."""
    rows = queryset.order_by().values(establishment_field).annotate(total=Count("pk"))
    return {row[establishment_field]: row["total"] for row in rows}


def query_string(params: Mapping[str, object]) -> str:
    """A list page's filter query (``establishment=3&severity=40``) for a tile's link."""
    return urlencode({key: str(value) for key, value in params.items()})


def establishment_ids(establishments: Sequence[Establishment]) -> list[int]:
    return [est.pk for est in establishments]


def series_for(
    per_establishment: Mapping[str, Mapping[int, list[int]]], establishment_id: int, length: int
) -> dict[str, list[int]]:
    """Pick one establishment's values out of several ``daily_counts`` results (zeros when
    the establishment had nothing)."""
    return {
        name: list(counts.get(establishment_id, [0] * length))
        for name, counts in per_establishment.items()
    }
