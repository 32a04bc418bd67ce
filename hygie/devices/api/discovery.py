"""The passive discovery and segmentation API: captures analysed in the background, candidate
devices accepted or merged into the inventory, flow exports, the zone policy, violations."""

from datetime import datetime
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Path, Query, Router, Schema, Status, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import paginate

from hygie.core.api.common import ERROR_RESPONSES, Pagination, get_visible, require
from hygie.core.api.schemas import Id, InputSchema
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.services import crud
from hygie.devices.models import (
    Device,
    DiscoveredCandidate,
    DiscoveryRun,
    SegmentationPolicy,
    SegmentationViolation,
)
from hygie.devices.models.discovery import CandidateStatus
from hygie.devices.roles import MANAGE, VIEW
from hygie.devices.services import discovery

router = Router()
TAGS = ["Passive discovery and segmentation"]


class DiscoveryRunOut(Schema):
    id: int
    establishment_id: int
    name: str
    source: str = Field(description="capture, netflow or zeek")
    status: str = Field(description="queued, succeeded or failed")
    counts: dict[str, int]
    error: str
    created_at: datetime
    finished_at: datetime | None


class EvidenceOut(Schema):
    kind: str
    value: str
    weight: float
    count: int


class ProposalOut(Schema):
    value: str
    source: str = Field(
        description="The evidence kind (e.g. dicom.implementation_version) or policy"
    )
    seen: str = Field(description="The value seen (or the address placed in the zone)")


class CandidateOut(Schema):
    id: int
    run_id: int
    key: str
    ip_addresses: list[str]
    mac_addresses: list[str]
    manufacturer: str
    name: str
    confidence: float
    evidence: list[EvidenceOut]
    first_seen: datetime | None
    last_seen: datetime | None
    status: str = Field(description="pending, accepted, merged or dismissed")
    device_id: int | None
    proposals: dict[str, ProposalOut] = Field(
        description="What accepting would set beside the addresses: model_name and version "
        "(from the DICOM implementation version name, HL7 MSH-3, HTTP/SSDP Server or DHCP vendor "
        "class), network_zone_label and network_zone (the segmentation policy's zone holding "
        "the address, and its category). Pending candidates only."
    )

    @staticmethod
    def resolve_proposals(obj: DiscoveredCandidate) -> dict[str, dict[str, str]]:
        if obj.status != CandidateStatus.PENDING:
            return {}
        return discovery.proposals(obj, discovery.policy_of(obj.establishment))


class FlowOut(Schema):
    id: int
    src: str
    dst: str
    port: int
    protocol: str
    application: str
    bytes: int
    packets: int
    first_seen: datetime | None
    last_seen: datetime | None


class ViolationOut(Schema):
    id: int
    establishment_id: int
    src: str
    dst: str
    port: int
    protocol: str
    src_zone: str
    dst_zone: str
    bytes: int
    packets: int
    occurrences: int
    first_seen: datetime | None
    last_seen: datetime | None
    alert_id: int | None


class CaptureIn(InputSchema):
    establishment_id: Id


class FlowsIn(InputSchema):
    establishment_id: Id
    kind: Literal["netflow", "zeek"] = Field(
        description="netflow: NetFlow/IPFIX CSV (nfdump -o csv or IPFIX names); zeek: conn.log"
    )


class AcceptIn(InputSchema):
    hostname: str = Field("", max_length=255, description="Default: the name seen on the wire.")
    model_name: str | None = Field(
        None, max_length=200, description='Default: the candidate\'s proposal; "" for none.'
    )
    version: str | None = Field(
        None, max_length=100, description='Default: the candidate\'s proposal; "" for none.'
    )


class MergeIntoIn(InputSchema):
    device_id: Id


class PolicyIn(InputSchema):
    document: str = Field(max_length=1_000_000, description="The policy in YAML (or JSON).")


class PolicyOut(Schema):
    establishment_id: int
    document: str
    updated_at: datetime


class ViolationFilters(Schema):
    establishment: Id | None = None


@router.get(
    "/discoveries",
    response={200: list[DiscoveryRunOut], **ERROR_RESPONSES},
    summary="List discoveries",
    operation_id="list_device_discoveries",
    url_name="devices_discoveryrun_list",
    tags=TAGS,
    description="Captures and flow exports analysed, newest first. Requires `devices.view`.",
)
@paginate(Pagination)
def list_discoveries(request: AuthenticatedRequest) -> Any:
    require(request, VIEW)
    return DiscoveryRun.objects.visible_to(request.user).order_by("-created_at")


@router.post(
    "/discoveries",
    response={201: DiscoveryRunOut, **ERROR_RESPONSES},
    summary="Analyse a capture",
    operation_id="create_device_discovery",
    url_name="devices_discoveryrun_add",
    tags=TAGS,
    description="multipart/form-data with `file` (pcap or pcapng) and `establishment_id`. The "
    "file is checked at once, then analysed by a background job (status `queued`, then "
    "`succeeded` or `failed`). Passive: nothing is sent on the network. Requires "
    "`devices.manage` and a write token.",
)
def create_discovery(
    request: AuthenticatedRequest, payload: Form[CaptureIn], file: File[UploadedFile]
) -> Any:
    require(request, MANAGE)
    crud.check_establishment_allowed(request.user, payload.establishment_id)
    establishment = get_visible(Establishment, request, payload.establishment_id)
    if file.size is not None and file.size > discovery.MAX_CAPTURE_BYTES:
        raise HttpError(413, "The file is too large.")
    run = discovery.start_capture(request.user, establishment, file.name or "", file)
    return Status(201, run)


@router.get(
    "/discoveries/{int:discovery_id}",
    response={200: DiscoveryRunOut, **ERROR_RESPONSES},
    summary="Get a discovery",
    operation_id="get_device_discovery",
    url_name="devices_discoveryrun_detail",
    tags=TAGS,
    description="Status and counts. Requires `devices.view`.",
)
def get_discovery(request: AuthenticatedRequest, discovery_id: Path[Id]) -> Any:
    require(request, VIEW)
    return get_visible(DiscoveryRun, request, discovery_id)


@router.get(
    "/discoveries/{int:discovery_id}/candidates",
    response={200: list[CandidateOut], **ERROR_RESPONSES},
    summary="List a discovery's candidate devices",
    operation_id="list_discovered_candidates",
    url_name="devices_discoveredcandidate_list",
    tags=TAGS,
    description="Each with its evidence and confidence. Requires `devices.view`.",
)
def list_candidates(request: AuthenticatedRequest, discovery_id: Path[Id]) -> Any:
    require(request, VIEW)
    return list(get_visible(DiscoveryRun, request, discovery_id).candidates.all())


@router.get(
    "/discoveries/{int:discovery_id}/flows",
    response={200: list[FlowOut], **ERROR_RESPONSES},
    summary="List a discovery's observed flows",
    operation_id="list_discovery_flows",
    url_name="devices_observedflow_list",
    tags=TAGS,
    description="Client → server port, with packets, bytes, first and last seen. Requires "
    "`devices.view`.",
)
@paginate(Pagination)
def list_flows(request: AuthenticatedRequest, discovery_id: Path[Id]) -> Any:
    require(request, VIEW)
    return get_visible(DiscoveryRun, request, discovery_id).flows.all()


def _candidate(request: AuthenticatedRequest, candidate_id: int) -> DiscoveredCandidate:
    require(request, MANAGE)
    return get_visible(DiscoveredCandidate, request, candidate_id)


@router.post(
    "/candidates/{int:candidate_id}/accept",
    response={200: CandidateOut, **ERROR_RESPONSES},
    summary="Add a candidate to the inventory",
    operation_id="accept_discovered_candidate",
    url_name="devices_discoveredcandidate_accept",
    tags=TAGS,
    description="A new device with the candidate's addresses and manufacturer. Requires "
    "`devices.manage` and a write token.",
)
def accept_candidate(
    request: AuthenticatedRequest, candidate_id: Path[Id], payload: AcceptIn
) -> Any:
    candidate = _candidate(request, candidate_id)
    discovery.accept_candidate(
        request.user,
        candidate,
        payload.hostname,
        model_name=payload.model_name,
        version=payload.version,
    )
    return candidate


@router.post(
    "/candidates/{int:candidate_id}/merge",
    response={200: CandidateOut, **ERROR_RESPONSES},
    summary="Merge a candidate into a device",
    operation_id="merge_discovered_candidate",
    url_name="devices_discoveredcandidate_merge",
    tags=TAGS,
    description="The candidate's addresses are added to the device (and its manufacturer when "
    "the device has none). Requires `devices.manage` and a write token.",
)
def merge_candidate(
    request: AuthenticatedRequest, candidate_id: Path[Id], payload: MergeIntoIn
) -> Any:
    candidate = _candidate(request, candidate_id)
    device = get_visible(Device, request, payload.device_id)
    discovery.merge_candidate(request.user, candidate, device)
    return candidate


@router.post(
    "/candidates/{int:candidate_id}/dismiss",
    response={200: CandidateOut, **ERROR_RESPONSES},
    summary="Dismiss a candidate",
    operation_id="dismiss_discovered_candidate",
    url_name="devices_discoveredcandidate_dismiss",
    tags=TAGS,
    description="Requires `devices.manage` and a write token.",
)
def dismiss_candidate(request: AuthenticatedRequest, candidate_id: Path[Id]) -> Any:
    candidate = _candidate(request, candidate_id)
    discovery.dismiss_candidate(request.user, candidate)
    return candidate


@router.post(
    "/flows",
    response={201: DiscoveryRunOut, **ERROR_RESPONSES},
    summary="Import observed flows",
    operation_id="import_device_flows",
    url_name="devices_observedflow_add",
    tags=TAGS,
    description="multipart/form-data with `file`, `kind` (netflow or zeek) and "
    "`establishment_id`; all or nothing; the flows are checked against the establishment's "
    "segmentation policy. Requires `devices.manage` and a write token.",
)
def import_flows(
    request: AuthenticatedRequest, payload: Form[FlowsIn], file: File[UploadedFile]
) -> Any:
    require(request, MANAGE)
    crud.check_establishment_allowed(request.user, payload.establishment_id)
    establishment = get_visible(Establishment, request, payload.establishment_id)
    if file.size is not None and file.size > discovery.MAX_EXPORT_BYTES:
        raise HttpError(413, "The file is too large.")
    run = discovery.import_flows(
        request.user, establishment, payload.kind, file.name or "", file.read()
    )
    return Status(201, run)


@router.get(
    "/establishments/{int:establishment_id}/segmentation-policy",
    response={200: PolicyOut, **ERROR_RESPONSES},
    summary="Get an establishment's segmentation policy",
    operation_id="get_segmentation_policy",
    url_name="devices_segmentationpolicy_detail",
    tags=TAGS,
    description="Zones and allowed flows, as stored (YAML). Requires `devices.view`.",
)
def get_policy(request: AuthenticatedRequest, establishment_id: Path[Id]) -> Any:
    require(request, VIEW)
    establishment = get_visible(Establishment, request, establishment_id)
    return get_object_or_404(SegmentationPolicy, establishment=establishment)


@router.put(
    "/establishments/{int:establishment_id}/segmentation-policy",
    response={200: PolicyOut, **ERROR_RESPONSES},
    summary="Replace an establishment's segmentation policy",
    operation_id="replace_segmentation_policy",
    url_name="devices_segmentationpolicy_edit",
    tags=TAGS,
    description="Validated first: an invalid policy is refused with the line. Requires "
    "`devices.manage` and a write token.",
)
def put_policy(request: AuthenticatedRequest, establishment_id: Path[Id], payload: PolicyIn) -> Any:
    require(request, MANAGE)
    establishment = get_visible(Establishment, request, establishment_id)
    return discovery.save_policy(request.user, establishment, payload.document)


@router.get(
    "/segmentation-violations",
    response={200: list[ViolationOut], **ERROR_RESPONSES},
    summary="List segmentation violations",
    operation_id="list_segmentation_violations",
    url_name="devices_segmentationviolation_list",
    tags=TAGS,
    description="One per (source, destination, port, protocol), most recent first; filter by "
    "`establishment`. Requires `devices.view`.",
)
@paginate(Pagination)
def list_violations(request: AuthenticatedRequest, filters: Query[ViolationFilters]) -> Any:
    require(request, VIEW)
    queryset = SegmentationViolation.objects.visible_to(request.user)
    if filters.establishment:
        queryset = queryset.filter(establishment_id=filters.establishment)
    return queryset.order_by("-last_seen", "pk")
