"""The vulnerability intelligence API: feed imports, advisories, vulnerabilities, device
vulnerabilities with their decision, and the remediation priorities."""

from typing import Annotated, Any

from django.shortcuts import get_object_or_404
from ninja import File, Form, Path, Query, Router, Status, UploadedFile
from ninja.errors import HttpError
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    apply_ordering,
    get_visible,
    ordering_description,
    require,
)
from hygie.core.api.schemas import Id, InputFilters
from hygie.core.http import AuthenticatedRequest
from hygie.devices.models import Advisory, DeviceVulnerability, FeedImport, Vulnerability
from hygie.devices.roles import MANAGE, TRIAGE, VIEW
from hygie.devices.schemas import (
    AdvisoryOut,
    DecisionIn,
    DeviceVulnerabilityOut,
    FeedImportOut,
    FeedUploadIn,
    MatchStatusValue,
    VulnerabilityOut,
    WorkflowValue,
)
from hygie.devices.services import feeds, vulnerabilities

router = Router()


# --- feeds -----------------------------------------------------------------------------------


@router.get(
    "/feeds",
    response={200: list[FeedImportOut], **ERROR_RESPONSES},
    summary="List feed imports",
    operation_id="list_feed_imports",
    url_name="devices_feedimport_list",
    tags=["Feeds"],
    description="Newest first. Requires `devices.view`.",
)
@paginate(Pagination)
def list_feeds(request: AuthenticatedRequest) -> Any:
    require(request, VIEW)
    return FeedImport.objects.visible_to(request.user).order_by("-started_at")


@router.post(
    "/feeds",
    response={201: FeedImportOut, **ERROR_RESPONSES},
    summary="Import a feed file",
    operation_id="import_feed",
    url_name="devices_feedimport_add",
    tags=["Feeds"],
    description="multipart/form-data with `kind` (csaf, nvd, kev, epss) and `file`. A CSAF "
    "advisory failing the schema or a mandatory test is refused (422) with the test named; "
    "nothing is written then. Matches the inventory and raises an alert when a new advisory "
    "or KEV entry affects a life-sustaining device. Requires `devices.manage` and a write token.",
)
def import_feed(
    request: AuthenticatedRequest, payload: Form[FeedUploadIn], file: File[UploadedFile]
) -> Any:
    require(request, MANAGE)
    if file.size is not None and file.size > feeds.MAX_FEED_BYTES:
        raise HttpError(413, "The file is too large.")
    return Status(201, feeds.import_feed(payload.kind, file.name or "", file.read(), request.user))


@router.get(
    "/feeds/{int:feed_id}",
    response={200: FeedImportOut, **ERROR_RESPONSES},
    summary="Get a feed import",
    operation_id="get_feed_import",
    url_name="devices_feedimport_detail",
    tags=["Feeds"],
    description="Counts and errors. Requires `devices.view`.",
)
def get_feed(request: AuthenticatedRequest, feed_id: Path[Id]) -> Any:
    require(request, VIEW)
    return get_visible(FeedImport, request, feed_id)


# --- advisories and vulnerabilities (installation-wide public data) --------------------------


class AdvisoryFilters(InputFilters):
    q: Annotated[str | None, FilterLookup(["tracking_id__icontains", "title__icontains"])] = None
    source: str | None = None


@router.get(
    "/advisories",
    response={200: list[AdvisoryOut], **ERROR_RESPONSES},
    summary="List advisories",
    operation_id="list_advisories",
    url_name="devices_advisory_list",
    tags=["Advisories"],
    description="CSAF advisories and NVD records imported. Requires `devices.view`.",
)
@paginate(Pagination)
def list_advisories(request: AuthenticatedRequest, filters: Query[AdvisoryFilters]) -> Any:
    require(request, VIEW)
    return filters.filter(Advisory.objects.visible_to(request.user))


@router.get(
    "/advisories/{int:advisory_id}",
    response={200: AdvisoryOut, **ERROR_RESPONSES},
    summary="Get an advisory",
    operation_id="get_advisory",
    url_name="devices_advisory_detail",
    tags=["Advisories"],
    description="Requires `devices.view`.",
)
def get_advisory(request: AuthenticatedRequest, advisory_id: Path[Id]) -> Any:
    require(request, VIEW)
    return get_visible(Advisory, request, advisory_id)


class VulnerabilityFilters(InputFilters):
    q: Annotated[str | None, FilterLookup(["cve__icontains", "description__icontains"])] = None
    kev: bool | None = None


@router.get(
    "/vulnerabilities",
    response={200: list[VulnerabilityOut], **ERROR_RESPONSES},
    summary="List vulnerabilities",
    operation_id="list_vulnerabilities",
    url_name="devices_vulnerability_list",
    tags=["Vulnerabilities"],
    description="CVEs with CVSS, KEV and EPSS. Requires `devices.view`.",
)
@paginate(Pagination)
def list_vulnerabilities(
    request: AuthenticatedRequest, filters: Query[VulnerabilityFilters]
) -> Any:
    require(request, VIEW)
    return filters.filter(Vulnerability.objects.all())


@router.get(
    "/vulnerabilities/{int:vulnerability_id}",
    response={200: VulnerabilityOut, **ERROR_RESPONSES},
    summary="Get a vulnerability",
    operation_id="get_vulnerability",
    url_name="devices_vulnerability_detail",
    tags=["Vulnerabilities"],
    description="Requires `devices.view`.",
)
def get_vulnerability(request: AuthenticatedRequest, vulnerability_id: Path[Id]) -> Any:
    require(request, VIEW)
    return get_object_or_404(Vulnerability, pk=vulnerability_id)


# --- device vulnerabilities ------------------------------------------------------------------


class LinkFilters(InputFilters):
    q: Annotated[
        str | None,
        FilterLookup(["vulnerability__cve__icontains", "device__asset__hostname__icontains"]),
    ] = None
    device: Annotated[Id | None, FilterLookup("device_id")] = None
    establishment: Annotated[Id | None, FilterLookup("device__establishment_id")] = None
    status: MatchStatusValue | None = None
    workflow: WorkflowValue | None = None
    kev: Annotated[bool | None, FilterLookup("vulnerability__kev")] = None
    min_risk: Annotated[float | None, FilterLookup("risk_score__gte")] = None


LINK_ORDERINGS = ("risk_score", "first_seen", "last_seen", "status", "workflow")


@router.get(
    "/device-vulnerabilities",
    response={200: list[DeviceVulnerabilityOut], **ERROR_RESPONSES},
    summary="List device vulnerabilities",
    operation_id="list_device_vulnerabilities",
    url_name="devices_devicevulnerability_list",
    tags=["Device vulnerabilities"],
    description="Highest clinical risk first by default. Requires `devices.view`.",
)
@paginate(Pagination)
def list_links(
    request: AuthenticatedRequest,
    filters: Query[LinkFilters],
    ordering: str | None = Query(None, description=ordering_description(LINK_ORDERINGS)),
) -> Any:
    require(request, VIEW)
    queryset = filters.filter(
        DeviceVulnerability.objects.visible_to(request.user).select_related("vulnerability")
    )
    if not ordering:
        return queryset.order_by("-risk_score", "pk")
    return apply_ordering(queryset, ordering, LINK_ORDERINGS)


@router.get(
    "/device-vulnerabilities/priorities",
    response={200: list[DeviceVulnerabilityOut], **ERROR_RESPONSES},
    summary="List remediation priorities",
    operation_id="list_remediation_priorities",
    url_name="devices_devicevulnerability_priorities",
    tags=["Device vulnerabilities"],
    description="Open, affected device vulnerabilities, highest clinical risk first (the "
    "biomedical engineering work list). Requires `devices.view`.",
)
@paginate(Pagination)
def list_priorities(request: AuthenticatedRequest) -> Any:
    require(request, VIEW)
    return vulnerabilities.remediation_queue(request.user)


@router.get(
    "/device-vulnerabilities/{int:link_id}",
    response={200: DeviceVulnerabilityOut, **ERROR_RESPONSES},
    summary="Get a device vulnerability",
    operation_id="get_device_vulnerability",
    url_name="devices_devicevulnerability_detail",
    tags=["Device vulnerabilities"],
    description="With the risk breakdown and the decision. Requires `devices.view`.",
)
def get_link(request: AuthenticatedRequest, link_id: Path[Id]) -> Any:
    require(request, VIEW)
    return get_visible(DeviceVulnerability, request, link_id)


@router.post(
    "/device-vulnerabilities/{int:link_id}/decision",
    response={200: DeviceVulnerabilityOut, **ERROR_RESPONSES},
    summary="Decide on a device vulnerability",
    operation_id="decide_device_vulnerability",
    url_name="devices_devicevulnerability_decide",
    tags=["Device vulnerabilities"],
    description="open, mitigated (describe the compensating control), patched, risk_accepted "
    "(justification and a future `accepted_until`), not_affected (a `vex_justification`). "
    "Recorded in the audit trail. Requires `devices.triage` and a write token.",
)
def decide(request: AuthenticatedRequest, link_id: Path[Id], payload: DecisionIn) -> Any:
    require(request, TRIAGE)
    link = get_visible(DeviceVulnerability, request, link_id)
    return vulnerabilities.decide(
        link,
        request.user,
        payload.workflow,
        justification=payload.justification,
        vex_justification=payload.vex_justification,
        accepted_until=payload.accepted_until,
    )
