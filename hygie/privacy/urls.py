"""Privacy pages, mounted at /privacy/ (URL names ``privacy:<model>_list|_detail|_add…``)."""

from django.urls import path

from hygie.core.views.generic import object_urlpatterns
from hygie.privacy import views
from hygie.privacy.models import PHIFinding, ScanRoot

app_name = "privacy"

urlpatterns = [
    path("", views.SummaryIndexView.as_view(), name="summary"),
    path(
        "establishments/<int:pk>/",
        views.EstablishmentSummaryView.as_view(),
        name="establishment_summary",
    ),
    *object_urlpatterns(
        ScanRoot,
        "scan-roots",
        list_view=views.ScanRootListView,
        detail_view=views.ScanRootDetailView,
        edit_view=views.ScanRootEditView,
        delete_view=views.ScanRootDeleteView,
    ),
    path("scan-roots/<int:pk>/scan/", views.ScanRootScanView.as_view(), name="scanroot_scan"),
    path("scans/", views.ScanRunListView.as_view(), name="scanrun_list"),
    path("scans/add/", views.StartScanView.as_view(), name="scanrun_add"),
    path("scans/<int:pk>/", views.ScanRunDetailView.as_view(), name="scanrun_detail"),
    *object_urlpatterns(
        PHIFinding, "findings", list_view=views.FindingListView, detail_view=views.FindingDetailView
    ),
    path("findings/<int:pk>/triage/", views.FindingTriageView.as_view(), name="phifinding_triage"),
]
