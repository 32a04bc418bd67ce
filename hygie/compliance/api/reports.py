"""Compliance API: an assessment's audit-ready report (PDF, CSV, XLSX; audited downloads) and
the executive posture summary.

No ``from __future__ import annotations``: ninja reads the annotations at import time.
"""

from typing import Any, Literal

from django.http import Http404, HttpResponse
from ninja import Path, Router

from hygie.compliance.models import Assessment
from hygie.compliance.roles import VIEW
from hygie.compliance.services import executive
from hygie.compliance.services import reports as service
from hygie.core.api.common import ERROR_RESPONSES, get_visible, require
from hygie.core.api.schemas import Id
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment

router = Router(tags=["Compliance reports"])

_FILE_RESPONSE = {
    "responses": {
        "200": {
            "description": "The report.",
            "content": {"application/pdf": {}, "text/csv": {}, service.XLSX_TYPE: {}},
        }
    }
}


def _file(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@router.get(
    "/assessments/{int:assessment_id}/report",
    response={200: dict[str, Any], **ERROR_RESPONSES},
    summary="An assessment's report as data",
    operation_id="get_assessment_report",
    url_name="compliance_assessment_report_detail",
    description="The report's content as JSON: scope, scores (overall, per chapter, over "
    "time), each requirement with its status, maturity, justification, evidence (masked file "
    "names, SHA-256), probe results with their dates and remediation actions, the action "
    "plan. Recorded in the audit trail. Requires `compliance.view`.",
)
def get_report(request: AuthenticatedRequest, assessment_id: Path[Id]) -> dict[str, Any]:
    require(request, VIEW)
    return service.report_data(get_visible(Assessment, request, assessment_id))


@router.get(
    "/assessments/{int:assessment_id}/report/{fmt}",
    response={200: None, **ERROR_RESPONSES},
    summary="Download an assessment's report",
    operation_id="export_assessment_report",
    url_name="compliance_assessment_report",
    openapi_extra=_FILE_RESPONSE,
    description="The audit-ready report as `pdf`, `csv` (one row per requirement) or `xlsx` "
    "(summary, requirements, action plan): scope, scores (overall, per chapter, over time), "
    "each requirement's status, maturity, justification, evidence (masked file names, "
    "SHA-256) and probe results with their dates, gaps and action plan. Recorded in the audit "
    "trail. Requires `compliance.view`.",
)
def export_report(
    request: AuthenticatedRequest,
    assessment_id: Path[Id],
    fmt: Literal["pdf", "csv", "xlsx"],
) -> HttpResponse:
    require(request, VIEW)
    assessment = get_visible(Assessment, request, assessment_id)
    return _file(*service.export_report(assessment, fmt))


@router.get(
    "/executive",
    response={200: dict[str, Any], **ERROR_RESPONSES},
    summary="The executive posture summary",
    operation_id="get_executive_summary",
    url_name="compliance_executive_summary",
    description="Per establishment you see (or only `establishment`): the score of each "
    "framework's latest assessment with its trend (earlier assessments, then the latest one's "
    "daily history over 90 days), the probes failing, the "
    "overdue remediation actions, open incidents and the next regulatory deadline (when the "
    "response module is installed and you may see incidents); and for the whole "
    "organisation, each framework's average, lowest and highest score. Requires "
    "`compliance.view`.",
)
def executive_summary(
    request: AuthenticatedRequest, establishment: Id | None = None
) -> dict[str, Any]:
    require(request, VIEW)
    visible = Establishment.objects.visible_to(request.user).order_by("name", "pk")
    if establishment is not None:
        chosen = list(visible.filter(pk=establishment))
        if not chosen:
            raise Http404
    else:
        chosen = list(visible)
    return executive.summary(executive.posture(request.user, chosen))
