"""Report pages: an assessment's audit-ready report (page, PDF, CSV, XLSX) and the executive
posture page, per establishment or for the whole organisation."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render

from hygie.compliance.models import Assessment
from hygie.compliance.roles import VIEW
from hygie.compliance.services import executive
from hygie.compliance.services import reports as service
from hygie.compliance.views.assessments import AssessmentViews
from hygie.compliance.views.common import badge
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.views.generic import CapabilityRequiredMixin


def file_response(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


class AssessmentReportView(AssessmentViews):
    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        assessment = self.get_object()
        assert isinstance(assessment, Assessment)
        report = service.build_report(assessment)
        for row in report.rows:
            row.badge = badge(row.answer.status)
        context = {
            **service.document_context(report),
            "object": assessment,
            "history_chart": service.history_chart(report, f"report-{assessment.pk}-history"),
        }
        return render(request, "compliance/report.html", context)


class AssessmentReportExportView(AssessmentViews):
    def get(self, request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
        if fmt not in service.FORMATS:
            raise Http404
        assessment = self.get_object()
        assert isinstance(assessment, Assessment)
        try:
            return file_response(*service.export_report(assessment, fmt))
        except ValidationError as error:
            raise Http404 from error


class ExecutiveView(CapabilityRequiredMixin):
    """The whole organisation (the establishments the user sees), or one establishment with
    ``?establishment=<id>``."""

    required_capability = VIEW

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        visible = Establishment.objects.visible_to(request.user).order_by("name", "pk")
        chosen = request.GET.get("establishment", "")
        selected = None
        if chosen.isdigit():
            selected = visible.filter(pk=int(chosen)).first()
            if selected is None:
                raise Http404
        establishments = [selected] if selected is not None else list(visible)
        posture = executive.posture(request.user, establishments)
        cards = []
        for item in posture.establishments:
            charts = []
            for entry in item.frameworks:
                chart_id = f"exec-{item.establishment.pk}-{entry.framework.pk}"
                charts.append(
                    (
                        entry,
                        executive.chart(
                            executive.trend_series(entry, item.establishment), chart_id
                        ),
                    )
                )
            cards.append({"posture": item, "frameworks": charts})
        context = {
            "posture": posture,
            "cards": cards,
            "selected": selected,
            "establishments": list(visible),
            "organisation_chart": executive.chart(
                executive.organisation_series(posture.frameworks), "exec-organisation"
            )
            if selected is None
            else None,
        }
        return render(request, "compliance/executive.html", context)
