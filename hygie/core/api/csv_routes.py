"""CSV import and export next to a directory resource: ``/people/import``, ``/people/export.csv``.

The parsing, the all-or-nothing transaction and the export audit entry live in
``hygie.core.services.csv_io``; these handlers check access, size and map the report.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, FilterSchema, Query, Router, Status, UploadedFile
from ninja.errors import HttpError

from hygie.core.api.common import ERROR_RESPONSES, get_visible, require
from hygie.core.api.errors import error_body
from hygie.core.api.resource import Resource
from hygie.core.api.schemas import MAX_ID, ErrorOut, ImportReportOut
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.models.scoping import visible_objects
from hygie.core.services.crud import check_establishment_allowed
from hygie.core.services.csv_io import ImportReport

Importer = Callable[[Establishment, bytes, Any], ImportReport]
Exporter = Callable[[Any], str]


def report_fields(report: ImportReport) -> dict[str, list[str]]:
    """Row errors in the API's error format: ``"row 3.email": ["…"]`` (row 0 = the whole file)."""
    fields: dict[str, list[str]] = {}
    for error in report.errors:
        location = f"row {error.row}.{error.column}" if error.column else f"row {error.row}"
        fields.setdefault(location, []).append(error.message)
    return fields


def add_csv_routes(
    router: Router, resource: Resource, importer: Importer, exporter: Exporter
) -> None:
    # Chosen at run time; a type checker sees the base class (see add_crud_routes).
    if TYPE_CHECKING:
        filters_type: TypeAlias = FilterSchema
    else:
        filters_type = resource.filters

    @router.post(
        f"/{resource.path}/import",
        response={200: ImportReportOut, 413: ErrorOut, **ERROR_RESPONSES},
        summary=f"Import {resource.plural} from CSV",
        tags=[resource.tag],
        operation_id=f"import_{resource.plural}_csv",
        url_name=f"{resource.url_name_prefix}_import",
        description=f"Creates or updates {resource.plural} of one establishment; "
        f"a file with any bad row imports nothing and answers 422 with "
        f"one entry per problem (`row N.column`). "
        f"Requires `{resource.edit_capability}` and a write token.",
    )
    def import_csv(
        request: AuthenticatedRequest,
        file: File[UploadedFile],
        establishment: int = Query(
            ..., ge=1, le=MAX_ID, description="Establishment to import into."
        ),
    ) -> Any:
        require(request, resource.edit_capability)
        check_establishment_allowed(request.user, establishment)
        target = get_visible(Establishment, request, establishment)
        if file.size is not None and file.size > settings.HYGIE_MAX_UPLOAD_BYTES:
            raise HttpError(413, _("The file is larger than the upload limit."))
        report = importer(target, file.read(), request.user)
        if not report.is_ok:
            message = _("Nothing was imported: the file has problems, listed per row.")
            return Status(422, error_body("invalid_csv", message, report_fields(report)))
        return report

    @router.get(
        f"/{resource.path}/export.csv",
        response={200: None, **ERROR_RESPONSES},
        summary=f"Export {resource.plural} as CSV",
        tags=[resource.tag],
        operation_id=f"export_{resource.plural}_csv",
        url_name=f"{resource.url_name_prefix}_export",
        openapi_extra={
            "responses": {
                200: {
                    "description": "CSV in the import's column order (UTF-8).",
                    "content": {"text/csv": {"schema": {"type": "string"}}},
                }
            }
        },
        description=f"The {resource.plural} you can see, with the list's filters, in "
        f"the import format. Audited. Requires `{resource.view_capability}`.",
    )
    def export_csv(request: AuthenticatedRequest, filters: Query[filters_type]) -> HttpResponse:
        require(request, resource.view_capability)
        queryset = filters.filter(visible_objects(resource.model, request.user))
        response = HttpResponse(exporter(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{resource.path}.csv"'
        return response
