"""Response pages, mounted at /response/: the module's only URL table.

Names follow ``<model>_<action>`` (``model`` = Django's model name); the incident file's
htmx sections are ``incident_<section>``; paths are kebab-case and plural.
"""

from django.urls import path

from hygie.response.views import (
    drafts,
    evidence,
    exercises,
    incident_actions,
    incidents,
    obligations,
    playbooks,
)

app_name = "response"

_I = "incidents/<int:pk>/"  # the incident file and its sections

incident_patterns = [
    path("incidents/", incidents.IncidentListView.as_view(), name="incident_list"),
    path("incidents/add/", incidents.IncidentCreateView.as_view(), name="incident_add"),
    path(
        "incidents/from-alerts/",
        incidents.IncidentFromAlertsView.as_view(),
        name="incident_from_alerts",
    ),
    path(_I, incidents.IncidentDetailView.as_view(), name="incident_detail"),
    path(_I + "edit/", incidents.IncidentEditView.as_view(), name="incident_edit"),
    path(_I + "transition/", incident_actions.TransitionView.as_view(), name="incident_transition"),
    path(_I + "assign/", incident_actions.AssignView.as_view(), name="incident_assign"),
    path(_I + "alerts/", incident_actions.LinkAlertsView.as_view(), name="incident_link_alerts"),
    path(_I + "tasks/", incident_actions.TasksView.as_view(), name="incident_tasks"),
    path(
        _I + "tasks/<int:task_pk>/status/",
        incident_actions.TaskStatusView.as_view(),
        name="incident_task_status",
    ),
    path(
        _I + "tasks/<int:task_pk>/",
        incident_actions.TaskPanelView.as_view(),
        name="incident_task_panel",
    ),
    path(
        _I + "tasks/<int:task_pk>/edit/",
        incident_actions.TaskEditView.as_view(),
        name="incident_task_edit",
    ),
    path(_I + "timeline/", incident_actions.TimelineView.as_view(), name="incident_timeline"),
    path(
        _I + "observables/", incident_actions.ObservablesView.as_view(), name="incident_observables"
    ),
    path(
        _I + "observables/<int:item_pk>/delete/",
        incident_actions.ObservableDeleteView.as_view(),
        name="incident_observable_delete",
    ),
    path(_I + "evidence/", evidence.EvidenceView.as_view(), name="incident_evidence"),
    path(
        _I + "evidence/<int:item_pk>/download/",
        evidence.EvidenceDownloadView.as_view(),
        name="incident_evidence_download",
    ),
    path(
        _I + "evidence/<int:item_pk>/custody/",
        evidence.CustodyView.as_view(),
        name="incident_evidence_custody",
    ),
    path(
        _I + "evidence/<int:item_pk>/verify/",
        evidence.VerifyView.as_view(),
        name="incident_evidence_verify",
    ),
    path(_I + "comments/", incident_actions.CommentsView.as_view(), name="incident_comments"),
    path(_I + "watchers/", incident_actions.WatchersView.as_view(), name="incident_watchers"),
]

playbook_patterns = [
    path("playbooks/", playbooks.PlaybookListView.as_view(), name="playbook_list"),
    path("playbooks/add/", playbooks.PlaybookEditView.as_view(), name="playbook_add"),
    path("playbooks/upload/", playbooks.PlaybookUploadView.as_view(), name="playbook_upload"),
    path(
        "playbooks/shipped/<slug:key>/",
        playbooks.ShippedPlaybookView.as_view(),
        name="playbook_shipped",
    ),
    path(
        "playbooks/shipped/<slug:key>/copy/",
        playbooks.ShippedPlaybookCopyView.as_view(),
        name="playbook_shipped_copy",
    ),
    path(
        "playbooks/shipped/<slug:key>/download/",
        playbooks.PlaybookDownloadView.as_view(),
        name="playbook_shipped_download",
    ),
    path("playbooks/<int:pk>/", playbooks.PlaybookDetailView.as_view(), name="playbook_detail"),
    path("playbooks/<int:pk>/edit/", playbooks.PlaybookEditView.as_view(), name="playbook_edit"),
    path(
        "playbooks/<int:pk>/delete/", playbooks.PlaybookDeleteView.as_view(), name="playbook_delete"
    ),
    path(
        "playbooks/<int:pk>/review/", playbooks.PlaybookReviewView.as_view(), name="playbook_review"
    ),
    path("playbooks/<int:pk>/copy/", playbooks.PlaybookCopyView.as_view(), name="playbook_copy"),
    path(
        "playbooks/<int:pk>/download/",
        playbooks.PlaybookDownloadView.as_view(),
        name="playbook_download",
    ),
    path(_I + "playbooks/", playbooks.IncidentPlaybooksView.as_view(), name="incident_playbooks"),
]

obligation_patterns = [
    path(
        "obligations/",
        obligations.ObligationDashboardView.as_view(),
        name="incidentobligation_list",
    ),
    path(
        "obligations/<int:pk>/",
        obligations.ObligationDetailView.as_view(),
        name="incidentobligation_detail",
    ),
    path(
        "obligations/<int:pk>/complete/",
        obligations.CompleteView.as_view(),
        name="incidentobligation_complete",
    ),
    path(
        "obligations/<int:pk>/not-applicable/",
        obligations.NotApplicableView.as_view(),
        name="incidentobligation_not_applicable",
    ),
    path(
        "obligations/<int:pk>/reopen/",
        obligations.ReopenView.as_view(),
        name="incidentobligation_reopen",
    ),
    path(
        _I + "obligations/",
        obligations.IncidentObligationsPanel.as_view(),
        name="incident_obligations",
    ),
    path(
        _I + "obligations/reassess/", obligations.ReassessView.as_view(), name="incident_reassess"
    ),
    path(
        "establishments/<int:pk>/regulatory-profile/",
        obligations.RegulatoryProfileEditView.as_view(),
        name="establishment_regulatoryprofile",
    ),
]

draft_patterns = [
    path(_I + "drafts/", drafts.IncidentDraftsPanelView.as_view(), name="incident_drafts"),
    path(_I + "report/", drafts.IncidentReportView.as_view(), name="incident_report"),
    path("drafts/<int:pk>/", drafts.DraftDetailView.as_view(), name="notificationdraft_detail"),
    path("drafts/<int:pk>/edit/", drafts.DraftEditView.as_view(), name="notificationdraft_edit"),
    path(
        "drafts/<int:pk>/status/", drafts.DraftStatusView.as_view(), name="notificationdraft_status"
    ),
    path(
        "drafts/<int:pk>/export/<str:fmt>/",
        drafts.DraftExportView.as_view(),
        name="notificationdraft_export",
    ),
    path("breach-register/", drafts.BreachRegisterView.as_view(), name="breach_register"),
    path(
        "breach-register/export/<str:fmt>/",
        drafts.BreachRegisterExportView.as_view(),
        name="breach_register_export",
    ),
    path("kpis/", drafts.KPIView.as_view(), name="kpi_list"),
]

exercise_patterns = [
    path("exercises/", exercises.ExerciseListView.as_view(), name="exercise_list"),
    path("exercises/add/", exercises.ExercisePlanView.as_view(), name="exercise_add"),
    path("exercises/<int:pk>/", exercises.ExerciseDetailView.as_view(), name="exercise_detail"),
    path("exercises/<int:pk>/edit/", exercises.ExercisePlanView.as_view(), name="exercise_edit"),
    path(
        "exercises/<int:pk>/delete/", exercises.ExerciseDeleteView.as_view(), name="exercise_delete"
    ),
    path("exercises/<int:pk>/start/", exercises.ExerciseStartView.as_view(), name="exercise_start"),
    path(
        "exercises/<int:pk>/cancel/", exercises.ExerciseCancelView.as_view(), name="exercise_cancel"
    ),
    path("exercises/<int:pk>/end/", exercises.ExerciseEndView.as_view(), name="exercise_end"),
    path("exercises/<int:pk>/run/", exercises.ExerciseRunView.as_view(), name="exercise_run"),
    path("exercises/<int:pk>/live/", exercises.ExerciseLiveView.as_view(), name="exercise_live"),
    path(
        "exercises/<int:pk>/deliver/",
        exercises.ExerciseDeliverView.as_view(),
        name="exercise_deliver",
    ),
    path(
        "exercises/<int:pk>/entries/add/",
        exercises.ExerciseEntryAddView.as_view(),
        name="exercise_entry_add",
    ),
    path(
        "exercises/<int:pk>/after-action/",
        exercises.ExerciseAfterActionView.as_view(),
        name="exercise_after_action",
    ),
    path(
        "exercises/<int:pk>/report.pdf",
        exercises.ExerciseReportView.as_view(),
        name="exercise_report",
    ),
]

urlpatterns = [
    *incident_patterns,
    *playbook_patterns,
    *obligation_patterns,
    *draft_patterns,
    *exercise_patterns,
]
