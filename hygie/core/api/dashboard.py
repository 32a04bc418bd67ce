"""The posture dashboard as data: the same tiles, per establishment, as the home page."""

from typing import Any

from ninja import Router, Schema

from hygie.core.api.common import ERROR_RESPONSES
from hygie.core.http import AuthenticatedRequest
from hygie.core.services.dashboard import posture

router = Router(tags=["Dashboard"])


class TilePartOut(Schema):
    label: str
    value: int | str
    link: str


class SeriesOut(Schema):
    title: str
    description: str
    kind: str
    labels: list[str]
    values: dict[str, list[int]]


class TileOut(Schema):
    id: str
    title: str
    value: int | str | None
    status: str
    status_label: str
    detail: str
    link: str
    parts: list[TilePartOut]
    series: SeriesOut | None


class EstablishmentPostureOut(Schema):
    establishment_id: int
    establishment: str
    tiles: list[TileOut]


def _tile(cell: Any) -> dict[str, Any]:
    data = cell.data
    series = data.series
    return {
        "id": cell.tile.id,
        "title": str(cell.tile.title),
        "value": data.value,
        "status": data.status,
        "status_label": data.status_label,
        "detail": str(data.detail),
        "link": data.link,
        "parts": [
            {"label": str(part.label), "value": part.value, "link": part.link}
            for part in data.parts
        ],
        "series": None
        if series is None
        else {
            "title": str(series.title),
            "description": str(series.description),
            "kind": series.kind,
            "labels": list(series.labels),
            "values": {str(name): list(values) for name, values in series.values.items()},
        },
    }


@router.get(
    "/dashboard",
    response={200: list[EstablishmentPostureOut], **ERROR_RESPONSES},
    summary="Get the security posture",
    operation_id="get_posture",
    url_name="core_posture_detail",
    description="The dashboard's tiles for every establishment you see (open alerts by "
    "severity, failing checks, untriaged PHI findings, open incidents, next regulatory "
    "deadline, 30-day series…), each limited to what your role may see. Texts are in the "
    "language of the request.",
)
def get_posture(request: AuthenticatedRequest) -> Any:
    result = []
    for row in posture(request.user):
        cells = sorted(
            {cell.tile.id: cell for cell in [*row.charts, *row.figures]}.values(),
            key=lambda cell: (cell.tile.order, cell.tile.id),
        )
        result.append(
            {
                "establishment_id": row.establishment.pk,
                "establishment": row.establishment.name,
                "tiles": [_tile(cell) for cell in cells],
            }
        )
    return result
