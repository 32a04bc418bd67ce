"""The privacy REST API, mounted at /api/v1/privacy: scan roots, scans, findings and triage.

Same error format, scoping and capability checks as the core API; every read of findings is
recorded in the audit trail, like the pages.
"""

from typing import Annotated, Any

from django.utils.translation import gettext as _
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
from hygie.core.api.resource import Resource, add_crud_routes
from hygie.core.api.schemas import ErrorOut, Id, InputFilters
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.services.crud import check_establishment_allowed
from hygie.privacy import services
from hygie.privacy.models import PHIFinding, ScanRoot, ScanRun
from hygie.privacy.roles import SCAN, TRIAGE, VIEW_FINDINGS
from hygie.privacy.schemas import (
    EntityTypeValue,
    ExposureValue,
    FRCategoryValue,
    HIPAAIdentifierValue,
    PHIFindingOut,
    RunStatusValue,
    ScanRootIn,
    ScanRootOut,
    ScanRunOut,
    ScanStartIn,
    ScanUploadIn,
    TriageIn,
    TriageStatusValue,
)

router = Router()


class ScanRootFilters(InputFilters):
    q: Annotated[str | None, FilterLookup(["label__icontains", "path__icontains"])] = None
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    exposure: ExposureValue | None = None
    is_enabled: bool | None = None


SCAN_ROOTS = Resource(
    model=ScanRoot,
    path="scan-roots",
    id_param="root_id",
    label="scan root",
    plural="scan roots",
    one="a scan root",
    schema_in=ScanRootIn,
    schema_out=ScanRootOut,
    filters=ScanRootFilters,
    orderings=("label", "exposure", "created_at", "updated_at"),
    view_capability=VIEW_FINDINGS,
    edit_capability=SCAN,
)
add_crud_routes(router, SCAN_ROOTS)


# --- scans ---------------------------------------------------------------------------------------


class ScanRunFilters(InputFilters):
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    root: Annotated[Id | None, FilterLookup("root_id")] = None
    status: RunStatusValue | None = None


RUN_ORDERINGS = ("created_at", "finished_at", "findings_count", "files_scanned", "status")


@router.get(
    "/scan-runs",
    response={200: list[ScanRunOut], **ERROR_RESPONSES},
    summary="List scan runs",
    operation_id="list_scan_runs",
    url_name="privacy_scanrun_list",
    tags=["Scan runs"],
    description="Scans of your establishments, newest first. Requires `privacy.view_findings`.",
)
@paginate(Pagination)
def list_scan_runs(
    request: AuthenticatedRequest,
    filters: Query[ScanRunFilters],
    ordering: str | None = Query(None, description=ordering_description(RUN_ORDERINGS)),
) -> Any:
    require(request, VIEW_FINDINGS)
    queryset = filters.filter(ScanRun.objects.visible_to(request.user))
    return apply_ordering(queryset, ordering, RUN_ORDERINGS)


@router.get(
    "/scan-runs/{int:run_id}",
    response={200: ScanRunOut, **ERROR_RESPONSES},
    summary="Get a scan run",
    operation_id="get_scan_run",
    url_name="privacy_scanrun_detail",
    tags=["Scan runs"],
    description="Counts, status and skipped files (paths relative "
    "to the root). Follow progress on "
    "`/jobs/{job_id}`. Requires "
    "`privacy.view_findings`.",
)
def get_scan_run(request: AuthenticatedRequest, run_id: Path[Id]) -> ScanRun:
    require(request, VIEW_FINDINGS)
    return get_visible(ScanRun, request, run_id)


@router.post(
    "/scan-runs",
    response={202: ScanRunOut, **ERROR_RESPONSES},
    summary="Scan a root",
    operation_id="start_scan",
    url_name="privacy_scanrun_add",
    tags=["Scan runs"],
    description="Queue a scan of a scan root as a background job. "
    "Requires `privacy.scan` and a write token.",
)
def start_root_scan(request: AuthenticatedRequest, payload: ScanStartIn) -> Any:
    require(request, SCAN)
    root = get_visible(ScanRoot, request, payload.root_id)
    return Status(202, services.start_scan(request.user, root=root))


@router.post(
    "/scan-runs/upload",
    response={202: ScanRunOut, 413: ErrorOut, **ERROR_RESPONSES},
    summary="Scan an uploaded file",
    operation_id="start_upload_scan",
    url_name="privacy_scanrun_upload",
    tags=["Scan runs"],
    description="multipart/form-data with `file` and `establishment_id`. The file is "
    "scanned by a background job and deleted afterwards; above the upload "
    "limit, 413. Requires `privacy.scan` and a write token.",
)
def start_upload_scan(
    request: AuthenticatedRequest, payload: Form[ScanUploadIn], file: File[UploadedFile]
) -> Any:
    require(request, SCAN)
    check_establishment_allowed(request.user, payload.establishment_id)
    establishment = get_visible(Establishment, request, payload.establishment_id)
    if file.size is not None and file.size > services.max_upload_bytes():
        raise HttpError(
            413,
            _("The file is larger than the upload limit (%(limit)d bytes).")
            % {"limit": services.max_upload_bytes()},
        )
    run = services.start_scan(request.user, upload=file, establishment=establishment)
    return Status(202, run)


# --- findings ------------------------------------------------------------------------------------


class FindingFilters(InputFilters):
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    root: Annotated[Id | None, FilterLookup("root_id")] = None
    entity_type: EntityTypeValue | None = None
    hipaa_identifier: HIPAAIdentifierValue | None = None
    fr_category: FRCategoryValue | None = None
    triage_status: TriageStatusValue | None = None
    is_present: bool | None = None
    min_risk: Annotated[float | None, FilterLookup("risk_score__gte")] = None
    q: Annotated[str | None, FilterLookup("relative_path__icontains")] = None


FINDING_ORDERINGS = (
    "risk_score",
    "last_seen_at",
    "first_seen_at",
    "count",
    "distinct_values",
    "entity_type",
    "hipaa_identifier",
    "fr_category",
    "relative_path",
)


@router.get(
    "/findings",
    response={200: list[PHIFindingOut], **ERROR_RESPONSES},
    summary="List PHI findings",
    operation_id="list_phi_findings",
    url_name="privacy_phifinding_list",
    tags=["PHI findings"],
    description="Highest risk first; filter by entity type, HIPAA Safe Harbor identifier "
    "(`hipaa_identifier`) or French category (`fr_category`). Each call is recorded in the "
    "audit trail with its filters. Requires `privacy.view_findings`.",
)
@paginate(Pagination)
def list_findings(
    request: AuthenticatedRequest,
    filters: Query[FindingFilters],
    ordering: str | None = Query(None, description=ordering_description(FINDING_ORDERINGS)),
) -> Any:
    require(request, VIEW_FINDINGS)
    queryset = apply_ordering(
        filters.filter(PHIFinding.objects.visible_to(request.user)), ordering, FINDING_ORDERINGS
    )
    used = filters.dict(exclude_none=True)
    if ordering:
        used["ordering"] = ordering
    services.record_findings_view(request.user, used, queryset.count())
    return queryset


@router.get(
    "/findings/{int:finding_id}",
    response={200: PHIFindingOut, **ERROR_RESPONSES},
    summary="Get a PHI finding",
    operation_id="get_phi_finding",
    url_name="privacy_phifinding_detail",
    tags=["PHI findings"],
    description="Recorded in the audit trail. Requires `privacy.view_findings`.",
)
def get_finding(request: AuthenticatedRequest, finding_id: Path[Id]) -> PHIFinding:
    require(request, VIEW_FINDINGS)
    finding = get_visible(PHIFinding, request, finding_id)
    services.record_finding_view(finding)
    return finding


@router.patch(
    "/findings/{int:finding_id}",
    response={200: PHIFindingOut, **ERROR_RESPONSES},
    summary="Triage a PHI finding",
    operation_id="triage_phi_finding",
    url_name="privacy_phifinding_triage",
    tags=["PHI findings"],
    description="Set the triage status (expected, to_remediate, remediated, "
    "false_positive, or back to untriaged) and a comment. Requires "
    "`privacy.triage` and a write token.",
)
def triage(request: AuthenticatedRequest, finding_id: Path[Id], payload: TriageIn) -> PHIFinding:
    require(request, TRIAGE)
    finding = get_visible(PHIFinding, request, finding_id)
    return services.triage_finding(
        finding, request.user, payload.triage_status, payload.triage_comment
    )
