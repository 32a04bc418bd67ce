"""Simulation results over the API: a campaign's funnel (raw and validated) with its
breakdowns and delay distributions, its exports, and the trend over campaigns."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpResponse
from ninja import Router, Schema

from hygie.awareness.models import Campaign
from hygie.awareness.roles import VIEW
from hygie.awareness.services import results
from hygie.core.api.common import ERROR_RESPONSES, get_visible, require
from hygie.core.api.schemas import Id
from hygie.core.http import AuthenticatedRequest

router = Router()

_FILE_RESPONSE = {
    "responses": {
        "200": {"description": "The file.", "content": {"text/csv": {}, "application/pdf": {}}}
    }
}


class FunnelOut(Schema):
    recipients: int
    delivered: int
    opened: int
    clicked_raw: int
    clicked_human: int
    clicked_automated: int
    clicked_unconfirmed: int
    submitted_raw: int
    submitted_human: int
    reported: int


class GroupOut(Schema):
    label: str
    funnel: FunnelOut


class DelayBucketOut(Schema):
    label: str
    clicks: int
    reports: int


class CampaignResultsOut(Schema):
    campaign_id: int
    name: str
    status: str
    funnel: FunnelOut
    by_department: list[GroupOut]
    by_profession: list[GroupOut]
    by_establishment: list[GroupOut]
    by_variant: list[GroupOut]
    delays: list[DelayBucketOut]
    median_seconds_to_click: float | None
    median_seconds_to_report: float | None
    automated_signs: dict[str, int]
    repeat_clickers: int


class CampaignSummaryOut(Schema):
    campaign_id: int
    name: str
    status: str
    establishment_id: int
    launched_at: datetime | None
    delivered: int
    clicked_raw: int
    clicked_human: int
    submitted_human: int
    reported: int


def _groups(groups: list[results.GroupResult]) -> list[dict[str, Any]]:
    return [{"label": g.label, "funnel": g.funnel.as_dict()} for g in groups]


@router.get(
    "/campaigns/{int:campaign_id}/results",
    response={200: CampaignResultsOut, **ERROR_RESPONSES},
    summary="Get a campaign's results",
    operation_id="get_campaign_results",
    url_name="awareness_campaign_results",
    tags=["Simulation results"],
    description="The funnel, raw (every request on the link, mail scanners included) and "
    "validated (clicks confirmed in a browser without a machine sign); by department, "
    "profession, establishment and template; time-to-click and time-to-report distributions "
    "(seconds after delivery). Requires `awareness.view`.",
)
def get_campaign_results(request: AuthenticatedRequest, campaign_id: Id) -> Any:
    require(request, VIEW)
    campaign = get_visible(Campaign, request, campaign_id)
    found = results.campaign_results(campaign)
    return {
        "campaign_id": campaign.pk,
        "name": campaign.name,
        "status": campaign.status,
        "funnel": found.funnel.as_dict(),
        "by_department": _groups(found.by_department),
        "by_profession": _groups(found.by_profession),
        "by_establishment": _groups(found.by_establishment),
        "by_variant": _groups(found.by_variant),
        "delays": [
            {"label": str(label), "clicks": clicks, "reports": reports}
            for (_bound, label), clicks, reports in zip(
                results.DELAY_BUCKETS, found.click_delays, found.report_delays, strict=True
            )
        ],
        "median_seconds_to_click": found.median_seconds_to_click,
        "median_seconds_to_report": found.median_seconds_to_report,
        "automated_signs": dict(found.automated_reasons),
        "repeat_clickers": len(found.repeat_clickers),
    }


@router.get(
    "/campaigns/{int:campaign_id}/results/export/{fmt}",
    response={200: None, **ERROR_RESPONSES},
    summary="Export a campaign's results",
    operation_id="export_campaign_results",
    url_name="awareness_campaign_results_export",
    openapi_extra=_FILE_RESPONSE,
    tags=["Simulation results"],
    description="`csv` (one row per recipient: events, click verdict and machine signs, the "
    "names of the landing form's fields, never their values) or `pdf` (the report). Recorded "
    "in the audit trail. Requires `awareness.view`.",
)
def export_campaign_results(
    request: AuthenticatedRequest, campaign_id: Id, fmt: Literal["csv", "pdf"]
) -> HttpResponse:
    require(request, VIEW)
    campaign = get_visible(Campaign, request, campaign_id)
    data, content_type, name = results.export_results(campaign, fmt)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/results/trend",
    response={200: list[CampaignSummaryOut], **ERROR_RESPONSES},
    summary="Trend over campaigns",
    operation_id="list_campaign_trend",
    url_name="awareness_campaign_trend",
    tags=["Simulation results"],
    description="The last 12 launched campaigns you can see, oldest first, with their headline "
    "figures (validated clicks, submissions after a validated click, reports). Requires "
    "`awareness.view`.",
)
def list_campaign_trend(request: AuthenticatedRequest) -> Any:
    require(request, VIEW)
    return [
        {
            "campaign_id": row.campaign.pk,
            "name": row.campaign.name,
            "status": row.campaign.status,
            "establishment_id": row.campaign.establishment_id,
            "launched_at": row.campaign.launched_at,
            "delivered": row.delivered,
            "clicked_raw": row.clicked_raw,
            "clicked_human": row.clicked_human,
            "submitted_human": row.submitted_human,
            "reported": row.reported,
        }
        for row in results.trend(request.user)
    ]
