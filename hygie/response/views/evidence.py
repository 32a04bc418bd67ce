"""Evidence of an incident: upload, download, chain of custody and integrity checks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from hygie.core.http import AuthenticatedRequest
from hygie.core.roles import VIEW_EVIDENCE
from hygie.core.services import evidence as core_evidence
from hygie.core.views.uploads import BoundedUploadMixin
from hygie.response.forms import (
    CustodyForm,
    EvidenceForm,
)
from hygie.response.models import Incident, IncidentEvidence
from hygie.response.services import evidence as evidence_service
from hygie.response.views.incident_actions import IncidentActionView
from hygie.response.views.incidents import errors_to_form


class EvidenceView(BoundedUploadMixin, IncidentActionView):
    section = "evidence"

    def upload_limit(self) -> int:
        return core_evidence.max_upload_bytes()

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        if not evidence_service.can_add_evidence(request.user):
            raise PermissionDenied
        form = EvidenceForm(request.POST, request.FILES, prefix="evidence")
        if self.flag_too_large(form):
            return self.done(incident, evidence_form=form)
        if form.is_valid():
            data = form.cleaned_data
            try:
                evidence_service.attach_evidence(
                    request.user,
                    incident,
                    title=data["title"],
                    uploaded_file=data["file"],
                    description=data["description"],
                    location=data["location"],
                )
            except ValidationError as error:
                errors_to_form(form, _file_error(error))
            else:
                return self.done(incident, _("Evidence added."))
        return self.done(incident, evidence_form=form)


def _file_error(error: ValidationError) -> ValidationError:
    """Errors of the core's upload checks concern the file field."""
    if hasattr(error, "error_dict"):
        return error
    return ValidationError({"file": error.messages})


class _EvidenceItemView(IncidentActionView):
    section = "evidence"

    def get_item(self, incident: Incident) -> IncidentEvidence:
        return get_object_or_404(
            IncidentEvidence.objects.select_related("evidence"),
            pk=self.kwargs["item_pk"],
            incident=incident,
        )


class EvidenceDownloadView(_EvidenceItemView):
    http_method_names = ["get"]

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> FileResponse:
        incident = self.get_incident()
        if not request.user.can(VIEW_EVIDENCE):
            raise PermissionDenied
        handle, content_type, filename = evidence_service.open_evidence(
            request.user, self.get_item(incident)
        )
        response = FileResponse(
            handle, as_attachment=True, filename=filename, content_type=content_type
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class CustodyView(_EvidenceItemView):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        item = self.get_item(incident)
        form = CustodyForm(request.POST, prefix="custody")
        if form.is_valid():
            try:
                evidence_service.record_custody(request.user, item, **form.cleaned_data)
            except ValidationError as error:
                return self.done(incident, custody_error=" ".join(error.messages))
            return self.done(incident, _("Chain of custody updated."))
        return self.done(
            incident,
            custody_error=" ".join(str(m) for errors in form.errors.values() for m in errors),
        )


class VerifyView(_EvidenceItemView):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        result = evidence_service.verify_evidence(request.user, self.get_item(incident))
        if result.matches:
            return self.done(incident, _("Integrity verified: the SHA-256 matches."))
        return self.done(
            incident,
            custody_error=_(
                "Integrity check FAILED: the stored file no longer matches its SHA-256. An alert "
                "was raised."
            ),
        )
