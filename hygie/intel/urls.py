"""The intel module's pages, mounted at /intel/ (URL names ``intel:<model>_<action>``)."""

from django.urls import URLPattern, URLResolver, include, path

from hygie.core.views.generic import object_urlpatterns
from hygie.intel.models import Feed, Indicator, Partner, Sighting
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

# TAXII 2.1 server: partner credentials over HTTP Basic, TAXII media type and errors
urlpatterns += [path("taxii2/", include(taxii.urlpatterns)), *collections.urlpatterns]
