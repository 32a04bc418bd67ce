"""The shell's pages: dashboard, search, and the core objects' list/detail/edit pages."""

from django.urls import path

from hygie.core.models import (
    Alert,
    Asset,
    Department,
    Establishment,
    Evidence,
    Job,
    Organisation,
    Person,
)
from hygie.core.views import (
    alerts,
    assets,
    directory,
    evidence,
    first_run,
    jobs,
    organisation,
    pages,
    pickers,
)
from hygie.core.views.generic import object_urlpatterns

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("search/", pages.search, name="search"),
    path("pickers/<slug:source>/", pickers.picker, name="picker"),
    path("help/api/", pages.api_guide, name="api_guide"),
    path("first-run/hide/", first_run.first_run_hide, name="firstrun_hide"),
    *object_urlpatterns(
        Organisation,
        "organisations",
        list_view=organisation.OrganisationListView,
        detail_view=organisation.OrganisationDetailView,
        edit_view=organisation.OrganisationEditView,
        delete_view=organisation.OrganisationDeleteView,
    ),
    *object_urlpatterns(
        Establishment,
        "establishments",
        list_view=organisation.EstablishmentListView,
        detail_view=organisation.EstablishmentDetailView,
        edit_view=organisation.EstablishmentEditView,
        delete_view=organisation.EstablishmentDeleteView,
    ),
    *object_urlpatterns(
        Department,
        "departments",
        list_view=organisation.DepartmentListView,
        detail_view=organisation.DepartmentDetailView,
        edit_view=organisation.DepartmentEditView,
        delete_view=organisation.DepartmentDeleteView,
    ),
    path("people/import/", directory.PersonImportView.as_view(), name="person_import"),
    path("people/export.csv", directory.PersonExportView.as_view(), name="person_export"),
    *object_urlpatterns(
        Person,
        "people",
        list_view=directory.PersonListView,
        detail_view=directory.PersonDetailView,
        edit_view=directory.PersonEditView,
        delete_view=directory.PersonDeleteView,
    ),
    path("assets/import/", assets.AssetImportView.as_view(), name="asset_import"),
    path("assets/export.csv", assets.AssetExportView.as_view(), name="asset_export"),
    *object_urlpatterns(
        Asset,
        "assets",
        list_view=assets.AssetListView,
        detail_view=assets.AssetDetailView,
        edit_view=assets.AssetEditView,
        delete_view=assets.AssetDeleteView,
    ),
    *object_urlpatterns(
        Alert, "alerts", list_view=alerts.AlertListView, detail_view=alerts.AlertDetailView
    ),
    path("alerts/<int:pk>/status/", alerts.AlertStatusView.as_view(), name="alert_status"),
    path("alerts/<int:pk>/assign/", alerts.AlertAssignView.as_view(), name="alert_assign"),
    *object_urlpatterns(
        Evidence,
        "evidence",
        list_view=evidence.EvidenceListView,
        detail_view=evidence.EvidenceDetailView,
    ),
    path("evidence/add/", evidence.EvidenceUploadView.as_view(), name="evidence_add"),
    path(
        "evidence/<int:pk>/download/",
        evidence.EvidenceDownloadView.as_view(),
        name="evidence_download",
    ),
    path(
        "evidence/<int:pk>/file-name/",
        evidence.EvidenceRevealNameView.as_view(),
        name="evidence_reveal_name",
    ),
    *object_urlpatterns(Job, "jobs", list_view=jobs.JobListView, detail_view=jobs.JobDetailView),
    path("jobs/<int:pk>/cancel/", jobs.JobCancelView.as_view(), name="job_cancel"),
]
