"""Feed pages: the feeds an establishment polls (MISP feed, STIX or CSV URL, file, TAXII), their
state and last error, and a "poll now" button that runs the poll in the task runner."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hygie.core.http import AuthenticatedRequest
from hygie.core.services.jobs import start_job
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
from hygie.intel.forms import FeedForm
from hygie.intel.jobs import POLL_ONE_KIND
from hygie.intel.models import Feed
from hygie.intel.roles import MANAGE, VIEW


class FeedViews(generic.ObjectViewMixin):
    model = Feed
    view_capability = VIEW
    edit_capability = MANAGE
    list_select_related = ("establishment", "partner")


class FeedListView(FeedViews, generic.ObjectListView):
    columns = (
        Column("name", link=True, main=True),
        Column("kind"),
        Column("partner", sort="partner__name", priority=SECONDARY),
        Column("last_success_at", priority=SECONDARY),
        Column("is_active", priority=OPTIONAL),
        Column("establishment", sort="establishment__name", priority=OPTIONAL),
    )
    search_fields = ("name", "url")
    filters = ("establishment", "kind", "partner", "is_active")


class FeedDetailView(FeedViews, generic.ObjectDetailView):
    fields = (
        "establishment",
        "name",
        "kind",
        "partner",
        "url",
        "collection_id",
        "poll_interval_minutes",
        "default_tlp",
        "default_confidence",
        "is_active",
        "last_polled_at",
        "last_success_at",
        "last_added_after",
        "last_error",
    )
    template_name = "intel/feed_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Feed)
        return {
            "counts": sorted(
                (key, value)
                for key, value in (obj.last_counts or {}).items()
                if isinstance(value, int) and not isinstance(value, bool)
            ),
            "by_kind": sorted(((obj.last_counts or {}).get("by_kind") or {}).items()),
            "indicator_count": obj.indicator_sources.count(),
            "events_known": len((obj.state or {}).get("events", {})),
        }


class FeedEditView(FeedViews, generic.ObjectEditView):
    form_class = FeedForm


class FeedDeleteView(FeedViews, generic.ObjectDeleteView):
    pass


class FeedPollView(FeedViews):
    """Queue a poll of this feed now (POST only); the job page shows its progress."""

    http_method_names = ["post"]

    def get_required_capability(self) -> str | None:
        return MANAGE

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        feed = self.get_object()
        assert isinstance(feed, Feed)
        job = start_job(
            POLL_ONE_KIND,
            gettext_noop("Poll of the feed %(name)s"),
            establishment=feed.establishment,
            user=request.user,
            title_params={"name": feed.name},
            feed_id=feed.pk,
        )
        messages.success(request, _("The poll is queued."))
        return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
