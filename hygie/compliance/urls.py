"""Compliance pages, mounted at /compliance/: the module's only URL table.

Names follow ``<model>_<action>`` (``model`` = Django's model name); an assessment's answers are
nested (``assessment_answer_edit`` at ``assessments/<pk>/answers/<answer_pk>/edit/``). Each area
keeps its own list (the GDPR registers add ``register_patterns``).
"""

from django.urls import path

from hygie.compliance.models import DPIA, ProcessingActivity
from hygie.compliance.views import assessments, library, probes, registers, remediation, reports
from hygie.core.views import generic

app_name = "compliance"

_A = "assessments/<int:pk>/"
_ANSWER = _A + "answers/<int:answer_pk>/"

library_patterns = [
    path("frameworks/", library.FrameworkListView.as_view(), name="framework_list"),
    path("frameworks/import/", library.FrameworkImportView.as_view(), name="framework_import"),
    path("frameworks/<int:pk>/", library.FrameworkDetailView.as_view(), name="framework_detail"),
    path(
        "frameworks/<int:pk>/delete/",
        library.FrameworkDeleteView.as_view(),
        name="framework_delete",
    ),
]

assessment_patterns = [
    path("assessments/", assessments.AssessmentListView.as_view(), name="assessment_list"),
    path("assessments/add/", assessments.AssessmentCreateView.as_view(), name="assessment_add"),
    path(
        "assessments/compare/",
        assessments.AssessmentCompareView.as_view(),
        name="assessment_compare",
    ),
    path(_A, assessments.AssessmentDetailView.as_view(), name="assessment_detail"),
    path(_A + "edit/", assessments.AssessmentEditView.as_view(), name="assessment_edit"),
    path(_A + "delete/", assessments.AssessmentDeleteView.as_view(), name="assessment_delete"),
    path(_A + "gaps/", assessments.AssessmentGapsView.as_view(), name="assessment_gaps"),
    path(_ANSWER + "edit/", assessments.AnswerEditView.as_view(), name="assessment_answer_edit"),
    path(
        _ANSWER + "confirm/",
        assessments.AnswerConfirmView.as_view(),
        name="assessment_answer_confirm",
    ),
    path(
        _ANSWER + "evidence/",
        assessments.AnswerEvidenceView.as_view(),
        name="assessment_answer_evidence",
    ),
]

probe_patterns = [
    path("probes/", probes.ProbeRunListView.as_view(), name="proberun_list"),
    path("probes/run/", probes.ProbeRunRunView.as_view(), name="proberun_run"),
    path("probes/<int:pk>/", probes.ProbeRunDetailView.as_view(), name="proberun_detail"),
]

remediation_patterns = [
    path("actions/", remediation.ActionListView.as_view(), name="remediationaction_list"),
    path("actions/add/", remediation.ActionEditView.as_view(), name="remediationaction_add"),
    path(
        "actions/<int:pk>/",
        remediation.ActionDetailView.as_view(),
        name="remediationaction_detail",
    ),
    path(
        "actions/<int:pk>/edit/",
        remediation.ActionEditView.as_view(),
        name="remediationaction_edit",
    ),
    path(
        "actions/<int:pk>/delete/",
        remediation.ActionDeleteView.as_view(),
        name="remediationaction_delete",
    ),
]

_DPIA = "dpias/<int:pk>/"
register_patterns = [
    *generic.object_urlpatterns(
        ProcessingActivity,
        "processing-activities",
        list_view=registers.ProcessingActivityListView,
        detail_view=registers.ProcessingActivityDetailView,
        edit_view=registers.ProcessingActivityEditView,
        delete_view=registers.ProcessingActivityDeleteView,
    ),
    path(
        "processing-activities/export/<str:fmt>/",
        registers.ProcessingActivityExportView.as_view(),
        name="processingactivity_export",
    ),
    *generic.object_urlpatterns(
        DPIA,
        "dpias",
        list_view=registers.DPIAListView,
        detail_view=registers.DPIADetailView,
        edit_view=registers.DPIAEditView,
        delete_view=registers.DPIADeleteView,
    ),
    path(_DPIA + "principles/", registers.DPIAPrinciplesView.as_view(), name="dpia_principles"),
    path(
        _DPIA + "risks/<int:risk_pk>/edit/",
        registers.DPIARiskEditView.as_view(),
        name="dpia_risk_edit",
    ),
    path(_DPIA + "submit/", registers.DPIASubmitView.as_view(), name="dpia_submit"),
    path(_DPIA + "validate/", registers.DPIAValidateView.as_view(), name="dpia_validate"),
    path(_DPIA + "pdf/", registers.DPIAPDFView.as_view(), name="dpia_pdf"),
]

report_patterns = [
    path(_A + "report/", reports.AssessmentReportView.as_view(), name="assessment_report"),
    path(
        _A + "report/<str:fmt>/",
        reports.AssessmentReportExportView.as_view(),
        name="assessment_report_export",
    ),
    path("executive/", reports.ExecutiveView.as_view(), name="executive"),
]

urlpatterns = [
    *library_patterns,
    *assessment_patterns,
    *probe_patterns,
    *remediation_patterns,
    *register_patterns,
    *report_patterns,
]
