"""Devices pages, mounted at /devices/ (URL names ``devices:<model>_<action>``)."""

from django.urls import path

from hygie.core.views.generic import object_urlpatterns
from hygie.devices.models import (
    Advisory,
    Device,
    DeviceVulnerability,
    DiscoveryRun,
    VendorAlias,
    Vulnerability,
)
from hygie.devices.views import discovery as discovery_views
from hygie.devices.views import pages as views

app_name = "devices"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    *object_urlpatterns(
        Device,
        "devices",
        list_view=views.DeviceListView,
        detail_view=views.DeviceDetailView,
        edit_view=views.DeviceEditView,
        delete_view=views.DeviceDeleteView,
    ),
    path("devices/<int:pk>/merge/", views.DeviceMergeView.as_view(), name="device_merge"),
    path("devices/<int:pk>/mds2/", views.DeviceMds2View.as_view(), name="device_mds2"),
    path("devices/<int:pk>/match/", views.DeviceMatchView.as_view(), name="device_match"),
    path("devices/<int:pk>/sbom/", views.DeviceSbomView.as_view(), name="device_sbom"),
    *object_urlpatterns(
        DeviceVulnerability,
        "device-vulnerabilities",
        list_view=views.DeviceVulnerabilityListView,
        detail_view=views.DeviceVulnerabilityDetailView,
    ),
    path(
        "device-vulnerabilities/<int:pk>/decide/",
        views.DeviceVulnerabilityDecideView.as_view(),
        name="devicevulnerability_decide",
    ),
    *object_urlpatterns(
        VendorAlias,
        "aliases",
        list_view=views.VendorAliasListView,
        detail_view=views.VendorAliasDetailView,
        edit_view=views.VendorAliasEditView,
        delete_view=views.VendorAliasDeleteView,
    ),
    path("aliases/apply/", views.VendorAliasApplyView.as_view(), name="vendoralias_apply"),
    *object_urlpatterns(
        Advisory,
        "advisories",
        list_view=views.AdvisoryListView,
        detail_view=views.AdvisoryDetailView,
    ),
    *object_urlpatterns(
        Vulnerability,
        "vulnerabilities",
        list_view=views.VulnerabilityListView,
        detail_view=views.VulnerabilityDetailView,
    ),
    path("feeds/", views.FeedImportListView.as_view(), name="feedimport_list"),
    path("feeds/add/", views.FeedImportAddView.as_view(), name="feedimport_add"),
    path("feeds/<int:pk>/", views.FeedImportDetailView.as_view(), name="feedimport_detail"),
    path("imports/", views.InventoryImportListView.as_view(), name="inventoryimport_list"),
    path("imports/add/", views.InventoryImportAddView.as_view(), name="inventoryimport_add"),
    path(
        "imports/<int:pk>/",
        views.InventoryImportDetailView.as_view(),
        name="inventoryimport_detail",
    ),
    path(
        "imports/<int:pk>/map/", views.InventoryImportMapView.as_view(), name="inventoryimport_map"
    ),
    path(
        "imports/<int:pk>/commit/",
        views.InventoryImportCommitView.as_view(),
        name="inventoryimport_commit",
    ),
    # passive discovery and segmentation (DISCOVERY)
    *object_urlpatterns(
        DiscoveryRun,
        "discoveries",
        list_view=discovery_views.DiscoveryRunListView,
        detail_view=discovery_views.DiscoveryRunDetailView,
    ),
    path(
        "discoveries/add/",
        discovery_views.DiscoveryRunAddView.as_view(),
        name="discoveryrun_add",
    ),
    path(
        "discoveries/candidates/<int:pk>/review/",
        discovery_views.CandidateActionView.as_view(),
        name="discoveredcandidate_review",
    ),
    path("segmentation/", discovery_views.SegmentationView.as_view(), name="segmentation"),
    path(
        "segmentation/export/",
        discovery_views.SegmentationExportView.as_view(),
        name="segmentation_export",
    ),
]
