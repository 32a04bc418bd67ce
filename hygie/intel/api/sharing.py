"""Incident shares API: prepare (scrubbed preview), read, approve, send, download.

The incident is named by ``incident_ref`` (the response module's incident id) and read through
``hygie.core.incident_sources``; the same rules as the pages apply (decision 0040)."""

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from ninja import Field, Path, Router, Schema, Status

from hygie.core.api.choice_values import choice_literal
from hygie.core.api.common import ERROR_RESPONSES, get_visible, require
from hygie.core.api.schemas import Id, InputSchema
from hygie.core.http import AuthenticatedRequest
from hygie.intel.models import IncidentShare, Partner
from hygie.intel.models.choices import ShareFormat, TlpLevel
from hygie.intel.roles import SHARE, VIEW
from hygie.intel.services import sharing

if TYPE_CHECKING:
    FormatValue = str
    TlpValue = str
else:
    FormatValue = choice_literal(ShareFormat.values)
    TlpValue = choice_literal([v for v in TlpLevel.values if v != TlpLevel.RED])

router = Router()
TAG = "Incident shares"


class ShareIn(InputSchema):
    incident_ref: str = Field(min_length=1, max_length=100)
    partner_id: Id | None = None
    format: FormatValue = ShareFormat.STIX21.value
    tlp: TlpValue = TlpLevel.AMBER.value
    keep_staff_names: bool = False


class ShareOut(Schema):
    id: int
    establishment_id: int
    incident_ref: str
    incident_title: str
    partner_id: int | None
    format: str
    tlp: str
    status: str
    removed: list[dict[str, str]]
    bundle: dict[str, Any]
    prepared_by_id: int | None
    approved_by_id: int | None
    approved_at: datetime | None
    sent_at: datetime | None
    destination: str
    error: str
    created_at: datetime


@router.get(
    "/shares",
    response={200: list[ShareOut], **ERROR_RESPONSES},
    summary="List incident shares",
    operation_id="list_incident_shares",
    url_name="intel_incidentshare_list",
    tags=[TAG],
    description="The latest 200 shares the caller may see. Requires `intel.view`.",
)
def list_shares(request: AuthenticatedRequest) -> Any:
    require(request, VIEW)
    return list(IncidentShare.objects.visible_to(request.user).order_by("-created_at")[:200])


@router.get(
    "/shares/{int:share_id}",
    response={200: ShareOut, **ERROR_RESPONSES},
    summary="Read an incident share",
    operation_id="get_incident_share",
    url_name="intel_incidentshare_detail",
    tags=[TAG],
    description="The scrubbed content and what was removed (masked). Requires `intel.view`.",
)
def get_share(request: AuthenticatedRequest, share_id: Path[Id]) -> Any:
    require(request, VIEW)
    return get_visible(IncidentShare, request, share_id)


@router.post(
    "/shares",
    response={201: ShareOut, **ERROR_RESPONSES},
    summary="Prepare an incident share",
    operation_id="create_incident_share",
    url_name="intel_incidentshare_create",
    tags=[TAG],
    description="Scrub the incident (privacy engine: PHI, staff names unless kept) and build "
    "the STIX 2.1 bundle or MISP event: a draft to approve. TLP:RED is refused, and a partner "
    "never gets more than its clearance. Requires `intel.share` and a write token.",
)
def create_share(request: AuthenticatedRequest, payload: ShareIn) -> Any:
    require(request, SHARE)
    partner = (
        get_visible(Partner, request, payload.partner_id)
        if payload.partner_id is not None
        else None
    )
    share = sharing.prepare(
        request.user,
        payload.incident_ref,
        partner=partner,
        fmt=payload.format,
        tlp=payload.tlp,
        keep_staff_names=payload.keep_staff_names,
    )
    return Status(201, share)


def _action(request: AuthenticatedRequest, share_id: int) -> IncidentShare:
    require(request, SHARE)
    return get_visible(IncidentShare, request, share_id)


@router.post(
    "/shares/{int:share_id}/approve",
    response={200: ShareOut, **ERROR_RESPONSES},
    summary="Approve an incident share",
    operation_id="approve_incident_share",
    url_name="intel_incidentshare_approve",
    tags=[TAG],
    description="Approve the draft as it stands (audited). With two-person approval on "
    "(`HYGIE_INTEL_TWO_PERSON_APPROVAL`), the person who prepared it may not: 422. Requires "
    "`intel.share` and a write token.",
)
def approve_share(request: AuthenticatedRequest, share_id: Path[Id]) -> Any:
    return sharing.approve(request.user, _action(request, share_id))


@router.post(
    "/shares/{int:share_id}/send",
    response={200: ShareOut, **ERROR_RESPONSES},
    summary="Send an approved incident share",
    operation_id="send_incident_share",
    url_name="intel_incidentshare_send",
    tags=[TAG],
    description="Push to the partner's TAXII collection (STIX) or MISP instance (MISP); noted "
    "on the incident's timeline. A failed push answers 422 and keeps the error on the share. "
    "Requires `intel.share` and a write token.",
)
def send_share(request: AuthenticatedRequest, share_id: Path[Id]) -> Any:
    share = _action(request, share_id)
    try:
        return sharing.send(request.user, share)
    except sharing.ShareError as error:
        raise ValidationError(str(error)) from None


@router.post(
    "/shares/{int:share_id}/download",
    response={200: None, **ERROR_RESPONSES},
    summary="Download an approved incident share",
    operation_id="download_incident_share",
    url_name="intel_incidentshare_download",
    tags=[TAG],
    description="The scrubbed JSON document (audited, noted on the incident's timeline). "
    "Requires `intel.share` and a write token.",
)
def download_share(request: AuthenticatedRequest, share_id: Path[Id]) -> Any:
    made = sharing.download(request.user, _action(request, share_id))
    response = HttpResponse(made.content, content_type=made.content_type)
    response["Content-Disposition"] = f'attachment; filename="{made.filename}"'
    return response
