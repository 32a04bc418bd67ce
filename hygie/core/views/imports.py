"""CSV import and export pages, shared by the directory and the inventory."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hygie.core.forms import CSVImportForm
from hygie.core.http import AuthenticatedRequest
from hygie.core.services import csv_io
from hygie.core.services.csv_io import MAX_FIELD_LENGTH, MAX_ROWS, ImportReport
from hygie.core.views import generic
from hygie.core.views.uploads import BoundedUploadMixin


class CSVImportView(BoundedUploadMixin, generic.ObjectViewMixin):
    """Upload form, then the report; a file with any error changes nothing."""

    import_function: Callable[[Any, bytes, Any], ImportReport]
    columns: Sequence[str] = ()
    required_columns: Sequence[str] = ()
    template_name = "core/csv_import.html"

    def get_required_capability(self) -> str | None:
        return self.edit_capability

    def upload_limit(self) -> int:
        return csv_io.MAX_IMPORT_BYTES

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_page(
            CSVImportForm(user=request.user, initial=self.initial_establishment())
        )

    def initial_establishment(self) -> dict[str, Any]:
        value = self.request.GET.get("establishment")
        return {"establishment": value} if value else {}

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CSVImportForm(request.POST, request.FILES, user=request.user)
        if self.flag_too_large(form):
            return self.render_page(form, status=413)
        report = None
        if form.is_valid():
            data = form.cleaned_data["file"].read()
            report = type(self).import_function(
                form.cleaned_data["establishment"], data, request.user
            )
        status = 200 if form.is_valid() and report is not None and report.is_ok else 422
        return self.render_page(form, report, status)

    def render_page(
        self, form: CSVImportForm, report: ImportReport | None = None, status: int = 200
    ) -> HttpResponse:
        context = {
            **self.base_context(),
            "form": form,
            "report": report,
            "columns": self.columns,
            "required_columns": self.required_columns,
            "max_rows": MAX_ROWS,
            "max_field_length": MAX_FIELD_LENGTH,
        }
        return render(self.request, self.template_name, context, status=status)


class CSVExportView(generic.ObjectListView):
    """The current list (same search and filters) as CSV; the service writes the audit entry."""

    export_function: Callable[[Any], str]
    export_filename = "export"

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        queryset = self.apply_search(
            self.get_queryset(), request.GET.get("q", "").strip()[: generic.MAX_SEARCH_LENGTH]
        )
        for control in self.filter_controls():
            if control.selected:
                queryset = queryset.filter(**{control.name: control.selected})
        content = type(self).export_function(queryset)
        filename = f"{self.export_filename}-{timezone.localdate():%Y%m%d}.csv"
        # The BOM makes Excel read UTF-8 correctly; Hygie's own import accepts it.
        response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
