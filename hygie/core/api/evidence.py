"""Evidence: metadata, download, and upload of files (size-limited, type-checked by content)."""

from typing import Annotated, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile as DjangoUploadedFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Path, Query, Router, Status, UploadedFile
from ninja.errors import HttpError
from ninja.filter_schema import FilterLookup
from ninja.pagination import paginate

from hygie.core import audit, roles
from hygie.core.api.common import (
    ERROR_RESPONSES,
    Pagination,
    apply_ordering,
    get_visible,
    ordering_description,
    require,
)
from hygie.core.api.schemas import (
    ErrorOut,
    EvidenceFileNameOut,
    EvidenceIn,
    EvidenceOut,
    Id,
    InputFilters,
    InstantParam,
)
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment, Evidence
from hygie.core.services.crud import check_establishment_allowed
from hygie.core.services.evidence import (
    add_evidence,
    detect_content_kind,
    open_for_download,
    reveal_original_name,
)

ORDERINGS = ("collected_at", "title", "size")
_SNIFF_BYTES = 8192

router = Router(tags=["Evidence"])


class EvidenceFilters(InputFilters):
    establishment: Annotated[Id | None, FilterLookup("establishment_id")] = None
    q: Annotated[str | None, FilterLookup(["title__icontains", "description__icontains"])] = None
    sha256: Annotated[str | None, FilterLookup("sha256__iexact")] = None
    since: Annotated[InstantParam | None, FilterLookup("collected_at__gte")] = None


@router.get(
    "/evidence",
    response={200: list[EvidenceOut], **ERROR_RESPONSES},
    summary="List evidence",
    operation_id="list_evidence",
    url_name="core_evidence_list",
    description="Metadata only; download the content with `/evidence/{id}/download`. "
    "Requires `evidence.view`.",
)
@paginate(Pagination)
def list_evidence(
    request: AuthenticatedRequest,
    filters: Query[EvidenceFilters],
    ordering: str | None = Query(None, description=ordering_description(ORDERINGS)),
) -> Any:
    require(request, roles.VIEW_EVIDENCE)
    queryset = filters.filter(Evidence.objects.visible_to(request.user))
    return apply_ordering(queryset, ordering, ORDERINGS)


@router.get(
    "/evidence/{int:evidence_id}",
    response={200: EvidenceOut, **ERROR_RESPONSES},
    summary="Get evidence metadata",
    operation_id="get_evidence",
    url_name="core_evidence_detail",
    description="Requires `evidence.view`.",
)
def get_evidence(request: AuthenticatedRequest, evidence_id: Path[Id]) -> Evidence:
    require(request, roles.VIEW_EVIDENCE)
    return get_visible(Evidence, request, evidence_id)


@router.get(
    "/evidence/{int:evidence_id}/download",
    response={200: None, **ERROR_RESPONSES},
    summary="Download evidence",
    operation_id="download_evidence",
    url_name="core_evidence_download",
    openapi_extra={
        "responses": {
            200: {
                "description": "The stored file (or the JSON snapshot) as an attachment.",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
    description="Recorded in the audit trail. Requires `evidence.view`.",
)
def download_evidence(request: AuthenticatedRequest, evidence_id: Path[Id]) -> FileResponse:
    require(request, roles.VIEW_EVIDENCE)
    evidence = get_visible(Evidence, request, evidence_id)
    handle, content_type, filename = open_for_download(evidence)
    audit.record("export", evidence, message="evidence downloaded")
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


@router.post(
    "/evidence/{int:evidence_id}/file-name",
    response={200: EvidenceFileNameOut, **ERROR_RESPONSES},
    summary="Show an uploaded file's original name",
    operation_id="reveal_evidence_name",
    url_name="core_evidence_reveal_name",
    description="The name the file had when uploaded, which may name a patient: lists "
    "and details give it masked (`file_name`). Each call is recorded in "
    "the audit trail. Requires `evidence.view` and `evidence.reveal_names`.",
)
def reveal_evidence_name(request: AuthenticatedRequest, evidence_id: Path[Id]) -> Any:
    require(request, roles.VIEW_EVIDENCE)
    require(request, roles.REVEAL_FILE_NAMES)
    evidence = get_visible(Evidence, request, evidence_id)
    return {"id": evidence.pk, "original_name": reveal_original_name(request.user, evidence)}


@router.post(
    "/evidence",
    response={201: EvidenceOut, 413: ErrorOut, 415: ErrorOut, **ERROR_RESPONSES},
    summary="Upload evidence",
    operation_id="create_evidence",
    url_name="core_evidence_add",
    description="multipart/form-data with `file`, `establishment_id`, `title` and "
    "optional `description`. The type is judged by the content (PDF, PNG, "
    "JPEG, text, CSV, JSON, ZIP, .docx, .xlsx) and must match the file "
    "name's extension, else 415; above the upload limit, 413. The SHA-256 "
    "is computed by the server. Requires `evidence.add` and a write token.",
)
def create_evidence(
    request: AuthenticatedRequest, payload: Form[EvidenceIn], file: File[UploadedFile]
) -> Any:
    require(request, roles.ADD_EVIDENCE)
    check_establishment_allowed(request.user, payload.establishment_id)
    establishment = get_visible(Establishment, request, payload.establishment_id)
    check_upload(file)
    evidence = add_evidence(
        establishment,
        request.user,
        payload.title,
        uploaded_file=file,
        description=payload.description,
    )
    return Status(201, evidence)


def check_upload(file: DjangoUploadedFile) -> None:
    """Answer with the precise HTTP status (413, 415) before the service's own checks."""
    if file.size is not None and file.size > settings.HYGIE_MAX_UPLOAD_BYTES:
        raise HttpError(
            413,
            _("The file is larger than the upload limit (%(limit)d bytes).")
            % {"limit": settings.HYGIE_MAX_UPLOAD_BYTES},
        )
    head = file.read(_SNIFF_BYTES)
    file.seek(0)
    if not head or detect_content_kind(head, file.name or "", file) is None:
        raise HttpError(
            415,
            _(
                "This type of file is not accepted, or its content does not "
                "match its extension. Accepted: PDF, PNG, JPEG, text, CSV, JSON, "
                "ZIP, Word (.docx) and Excel (.xlsx)."
            ),
        )
