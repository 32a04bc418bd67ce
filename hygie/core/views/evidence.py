"""Evidence pages: list, detail, upload and download (attachment, never rendered inline)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.forms import EvidenceUploadForm
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Evidence
from hygie.core.roles import ADD_EVIDENCE, VIEW_EVIDENCE
from hygie.core.services import evidence as evidence_service
from hygie.core.tables import Column
from hygie.core.views import generic
from hygie.core.views.uploads import BoundedUploadMixin


class EvidenceViews(generic.ObjectViewMixin):
    model = Evidence
    view_capability = VIEW_EVIDENCE
    edit_capability = ADD_EVIDENCE
    list_select_related = ("establishment", "collected_by")


class EvidenceListView(EvidenceViews, generic.ObjectListView):
    columns = (
        Column("title", link=True),
        Column("establishment", sort="establishment__name"),
        Column("content_type_label"),
        Column("size", render=lambda evidence: filesizeformat(evidence.size)),
        Column("collected_by", sort="collected_by__username"),
        Column("collected_at"),
    )
    search_fields = ("title", "description", "sha256")
    filters = ("establishment",)


class EvidenceDetailView(EvidenceViews, generic.ObjectDetailView):
    fields = (
        "title",
        "description",
        "establishment",
        "original_name",
        "content_type_label",
        "size",
        "sha256",
        "collected_by",
        "collected_at",
    )
    revealed_name = ""

    def detail_rows(self, obj: models.Model) -> list[generic.DetailRow]:
        assert isinstance(obj, Evidence)
        # The original name may identify a patient: masked here (decision 0017).
        return [
            generic.DetailRow(row.label, obj.file_name or "—") if name == "original_name" else row
            for name, row in zip(self.fields, super().detail_rows(obj), strict=True)
        ]

    template_name = "core/evidence_detail.html"

    def can_edit(self) -> bool:
        return False  # evidence is immutable: a proof that can be edited proves nothing

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Evidence)
        snapshot = None
        if obj.snapshot is not None:
            snapshot = json.dumps(obj.snapshot, indent=2, ensure_ascii=False, sort_keys=True)
        return {
            "download_url": reverse("core:evidence_download", args=[obj.pk]),
            "snapshot_json": snapshot,
            "revealed_name": self.revealed_name,
            "can_reveal_name": bool(obj.original_name)
            and evidence_service.can_reveal_names(self.request.user),
        }


class EvidenceRevealNameView(EvidenceDetailView):
    """The detail page with the original file name in full: an explicit, audited request (POST,
    so that no link prefetch, history or proxy log ever carries it)."""

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        evidence = self.get_object()  # 404 for evidence this user may not see, as on POST
        return HttpResponseRedirect(reverse("core:evidence_detail", args=[evidence.pk]))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        evidence = self.get_object()
        assert isinstance(evidence, Evidence)
        try:
            self.revealed_name = evidence_service.reveal_original_name(request.user, evidence)
        except PermissionDenied:
            return HttpResponseForbidden(_("You may not see the original names of uploaded files."))
        response = super().get(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class EvidenceUploadView(EvidenceViews, BoundedUploadMixin, generic.ObjectViewMixin):
    template_name = "core/evidence_upload.html"

    def upload_limit(self) -> int:
        return evidence_service.max_upload_bytes()

    def get_required_capability(self) -> str | None:
        return ADD_EVIDENCE

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(EvidenceUploadForm(user=request.user))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = EvidenceUploadForm(request.POST, request.FILES, user=request.user)
        if self.flag_too_large(form):
            return self.render_form(form, status=413)
        if form.is_valid():
            data = form.cleaned_data
            try:
                evidence = evidence_service.add_evidence(
                    data["establishment"],
                    request.user,
                    data["title"],
                    uploaded_file=data["file"],
                    description=data["description"],
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(request, _("Evidence added."))
                return HttpResponseRedirect(reverse("core:evidence_detail", args=[evidence.pk]))
        return self.render_form(form, status=422)

    def render_form(self, form: EvidenceUploadForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {**self.base_context(), "form": form, "max_bytes": evidence_service.max_upload_bytes()},
            status=status,
        )


class EvidenceDownloadView(EvidenceViews, generic.ObjectViewMixin):
    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> FileResponse:
        evidence = self.get_object()
        assert isinstance(evidence, Evidence)
        handle, content_type, filename = evidence_service.open_for_download(evidence)
        audit.record("view", evidence, message="download")
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
