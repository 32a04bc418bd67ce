"""The triage screen: one list for every module's alerts, with status and assignment actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from hygie.core.choices import AlertStatus
from hygie.core.models import Alert, User
from hygie.core.roles import TRIAGE_ALERTS, VIEW_ALERTS
from hygie.core.services import alerts as alert_service
from hygie.core.tables import Column
from hygie.core.views import generic


class AlertViews:
    model = Alert
    view_capability = VIEW_ALERTS
    edit_capability = TRIAGE_ALERTS
    list_select_related = ("establishment", "asset", "assignee")


class AlertListView(AlertViews, generic.ObjectListView):
    columns = (Column("severity", badge="severity"), Column("title", link=True),
               Column("status", badge="status"), Column("source"), Column("occurrences"),
               Column("asset", sort="asset__hostname"),
               Column("establishment", sort="establishment__name"),
               Column("assignee", sort="assignee__username"), Column("last_seen_at"))
    search_fields = ("title", "rule_id", "source", "asset__hostname")
    filters = ("status", "severity", "source", "establishment")
    template_name = "core/alert_list.html"

    def extra_context(self, queryset: models.QuerySet) -> dict[str, Any]:
        # Counts over everything the user sees (not the filtered page): the triage overview.
        return {"counts": alert_service.alert_counts(self.get_queryset())}


class AlertDetailView(AlertViews, generic.ObjectDetailView):
    fields = ("title", "severity", "status", "source", "rule_id", "establishment", "asset",
              "assignee", "occurrences", "first_seen_at", "last_seen_at", "group_key", "tags",
              "description")
    template_name = "core/alert_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Alert)
        can_triage = self.request.user.can(TRIAGE_ALERTS)
        return {
            "can_triage": can_triage,
            "statuses": AlertStatus.choices,
            "assignable": alert_service.assignable_users(obj) if can_triage else [],
            "details": sorted((obj.details or {}).items()),
        }


class _AlertActionView(AlertViews, generic.ObjectViewMixin):
    http_method_names = ["post"]

    def get_required_capability(self) -> str | None:
        return TRIAGE_ALERTS

    def back(self, alert: models.Model) -> HttpResponse:
        return HttpResponseRedirect(reverse("core:alert_detail", args=[alert.pk]))


class AlertStatusView(_AlertActionView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        alert = self.get_object()
        assert isinstance(alert, Alert)
        try:
            alert_service.change_alert_status(alert, request.user, request.POST.get("status", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Alert status: %(status)s.")
                             % {"status": alert.get_status_display()})
        return self.back(alert)


class AlertAssignView(_AlertActionView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        alert = self.get_object()
        assert isinstance(alert, Alert)
        raw = request.POST.get("assignee", "")
        assignee = None
        if raw == "me":
            assignee = request.user
        elif raw:
            assignee = User.objects.filter(pk=raw).first() if raw.isdigit() else None
            if assignee is None:
                messages.error(request, _("Unknown user."))
                return self.back(alert)
        try:
            alert_service.assign_alert(alert, request.user, assignee)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Alert assigned.") if assignee else _("Alert unassigned."))
        return self.back(alert)
