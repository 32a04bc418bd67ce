"""The intel module's pages, mounted at /intel/ (URL names ``intel:<model>_<action>``)."""

from django.urls import URLPattern, URLResolver, path

from hygie.core.views.generic import object_urlpatterns
from hygie.intel.models import (
    Feed,
    Indicator,
    Partner,
    PartnerCredential,
    Sighting,
    TaxiiCollection,
)
from hygie.intel.views import collections, taxii
from hygie.intel.views import feeds as feed_views
from hygie.intel.views import indicators as indicator_views
from hygie.intel.views import partners as partner_views

app_name = "intel"

urlpatterns: list[URLPattern | URLResolver] = []

# Indicator store, sightings, feeds and partners
urlpatterns += [
    path(
        "indicators/import/",
        indicator_views.IndicatorImportView.as_view(),
        name="indicator_import",
    ),
    path(
        "indicators/export/",
        indicator_views.IndicatorExportView.as_view(),
        name="indicator_export",
    ),
    path(
        "indicators/retro-hunt/",
        indicator_views.RetroHuntView.as_view(),
        name="indicator_retro_hunt",
    ),
    path(
        "indicators/<int:pk>/retro-hunt/",
        indicator_views.IndicatorRetroHuntView.as_view(),
        name="indicator_retro_hunt_one",
    ),
    *object_urlpatterns(
        Indicator,
        "indicators",
        list_view=indicator_views.IndicatorListView,
        detail_view=indicator_views.IndicatorDetailView,
        edit_view=indicator_views.IndicatorEditView,
        delete_view=indicator_views.IndicatorDeleteView,
    ),
    *object_urlpatterns(
        Sighting,
        "sightings",
        list_view=indicator_views.SightingListView,
        detail_view=indicator_views.SightingDetailView,
    ),
    *object_urlpatterns(
        Feed,
        "feeds",
        list_view=feed_views.FeedListView,
        detail_view=feed_views.FeedDetailView,
        edit_view=feed_views.FeedEditView,
        delete_view=feed_views.FeedDeleteView,
    ),
    path("feeds/<int:pk>/poll/", feed_views.FeedPollView.as_view(), name="feed_poll"),
    *object_urlpatterns(
        Partner,
        "partners",
        list_view=partner_views.PartnerListView,
        detail_view=partner_views.PartnerDetailView,
        edit_view=partner_views.PartnerEditView,
        delete_view=partner_views.PartnerDeleteView,
    ),
]

# TAXII 2.1 server (partner credentials over HTTP Basic, TAXII media type and errors). The
# status route also answers without its trailing slash: taxii2-client builds it that way.
_COLLECTION = "taxii2/<slug:api_root>/collections/<str:collection_id>/"
_OBJECT = _COLLECTION + "objects/<str:object_id>/"
urlpatterns += [
    path("taxii2/", taxii.discovery, name="taxii_discovery"),
    path("taxii2/<slug:api_root>/", taxii.api_root, name="taxii_api_root"),
    path("taxii2/<slug:api_root>/status/<str:status_id>/", taxii.status, name="taxii_status"),
    path(
        "taxii2/<slug:api_root>/status/<str:status_id>",
        taxii.status,
        name="taxii_status_unslashed",
    ),
    path("taxii2/<slug:api_root>/collections/", taxii.collections, name="taxii_collections"),
    path(_COLLECTION, taxii.collection, name="taxii_collection"),
    path(_COLLECTION + "manifest/", taxii.manifest, name="taxii_manifest"),
    path(_COLLECTION + "objects/", taxii.objects, name="taxii_objects"),
    path(_OBJECT, taxii.stix_object, name="taxii_object"),
    path(_OBJECT + "versions/", taxii.object_versions, name="taxii_object_versions"),
]

# TAXII collections and partners' credentials (pages)
urlpatterns += [
    *object_urlpatterns(
        TaxiiCollection,
        "taxii/collections",
        list_view=collections.TaxiiCollectionListView,
        detail_view=collections.TaxiiCollectionDetailView,
        edit_view=collections.TaxiiCollectionEditView,
        delete_view=collections.TaxiiCollectionDeleteView,
    ),
    path(
        "taxii/collections/<int:pk>/access/",
        collections.TaxiiAccessView.as_view(),
        name="taxiicollection_access",
    ),
    path(
        "taxii/collections/<int:pk>/publish/",
        collections.TaxiiPublishView.as_view(),
        name="taxiicollection_publish",
    ),
    *object_urlpatterns(
        PartnerCredential,
        "taxii/credentials",
        list_view=collections.PartnerCredentialListView,
        delete_view=collections.PartnerCredentialDeleteView,
    ),
    path(
        "taxii/credentials/add/",
        collections.PartnerCredentialAddView.as_view(),
        name="partnercredential_add",
    ),
]

# Sharing an incident with a partner (helper I3b; the incident page links to share_prepare)
from hygie.intel.models import IncidentShare  # noqa: E402
from hygie.intel.views import sharing as share_views  # noqa: E402

urlpatterns += [
    *object_urlpatterns(
        IncidentShare,
        "shares",
        list_view=share_views.ShareListView,
        detail_view=share_views.ShareDetailView,
    ),
    path("shares/prepare/", share_views.ShareAddView.as_view(), name="incidentshare_prepare"),
    path(
        "shares/<int:pk>/approve/",
        share_views.ShareApproveView.as_view(),
        name="incidentshare_approve",
    ),
    path("shares/<int:pk>/send/", share_views.ShareSendView.as_view(), name="incidentshare_send"),
    path(
        "shares/<int:pk>/download/",
        share_views.ShareDownloadView.as_view(),
        name="incidentshare_download",
    ),
]
