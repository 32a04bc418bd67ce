"""The triage screen: one list for every module's alerts, with status and assignment actions.

A module may add a block to the alert page for the alerts it raises (detection shows the
matching events with the matched fields highlighted): it registers a provider in
``alert_sections`` under its source name, at import of its ``alert_sections.py`` (autodiscovered,
``hygie.modules.CONVENTIONAL_MODULES``). A module that acts on every alert whatever its source
(response opens incidents from them) registers a provider in ``alert_extensions`` under its own
name, from the same file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from hygie.core.choices import AlertStatus
from hygie.core.display import detail_label
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Alert, User
from hygie.core.models.alerts import module_label
from hygie.core.roles import TRIAGE_ALERTS, VIEW_ALERTS
from hygie.core.services import alerts as alert_service
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
from hygie.lib.registry import Registry


@dataclass(frozen=True)
class AlertSection:
    """A block a module adds to the page of an alert it raised."""

    template_name: str
    context: dict[str, Any] = field(default_factory=dict)


# Alert source (module) → provider(alert, user) returning its block, or None to add nothing.
# The provider must apply the user's scope and capabilities to whatever it reads.
AlertSectionProvider = Callable[[Alert, Any], AlertSection | None]
alert_sections: Registry[AlertSectionProvider] = Registry("alert detail sections")
# Module name → provider called for every alert (after the source's own section).
alert_extensions: Registry[AlertSectionProvider] = Registry("alert detail extensions")
# Module name → an action on ticked alerts (their ids travel as ?alert=…).
alert_bulk_actions: Registry[generic.BulkAction] = Registry("alert bulk actions")


class AlertViews(generic.ObjectViewMixin):
    model = Alert
    view_capability = VIEW_ALERTS
    edit_capability = TRIAGE_ALERTS
    list_select_related = ("establishment", "asset", "assignee")


class AlertListView(AlertViews, generic.ObjectListView):
    columns = (
        Column("severity", badge="severity"),
        Column("title", link=True, main=True),
        Column("status", badge="status"),
        Column("source", priority=SECONDARY),
        Column("occurrences", priority=OPTIONAL),
        Column("asset", sort="asset__hostname"),
        Column("establishment", sort="establishment__name", priority=SECONDARY),
        Column("assignee", sort="assignee__username", priority=OPTIONAL),
        Column("last_seen_at"),
    )
    search_fields = ("title", "rule_id", "source", "asset__hostname")
    filters = ("status", "severity", "source", "establishment")
    template_name = "core/alert_list.html"
    selection_param = "alert"

    def filter_options(self, field: Any) -> list[tuple[str, str]]:
        options = super().filter_options(field)
        if field.name == "source":
            return [(value, module_label(value)) for value, _label in options]
        return options

    def bulk_actions(self) -> list[generic.BulkAction]:
        return alert_bulk_actions.values()

    def get_queryset(self) -> models.QuerySet:
        return self.time_and_assignee(super().get_queryset())

    def time_and_assignee(self, queryset: models.QuerySet) -> models.QuerySet:
        """Seen-between (last seen) and assignee filters, on top of the generic ones."""
        since = generic.form_moment(self.request.GET.get("since", ""))
        until = generic.form_moment(self.request.GET.get("until", ""), end_of_day=True)
        if since is not None:
            queryset = queryset.filter(last_seen_at__gte=since)
        if until is not None:
            queryset = queryset.filter(last_seen_at__lte=until)
        assigned = self.request.GET.get("assigned", "")
        if assigned == "me":
            queryset = queryset.filter(assignee=self.request.user)
        elif assigned == "nobody":
            queryset = queryset.filter(assignee__isnull=True)
        return queryset

    def extra_context(self, queryset: models.QuerySet) -> dict[str, Any]:
        # Counts over the user's alerts in the chosen period and assignment (not narrowed by the
        # status or severity being looked at): the triage overview.
        extra = {
            "since": self.request.GET.get("since", "")[:40],
            "until": self.request.GET.get("until", "")[:40],
            "assigned": self.request.GET.get("assigned", "")
            if self.request.GET.get("assigned") in {"me", "nobody"}
            else "",
        }
        kept = urlencode({key: value for key, value in extra.items() if value})
        return {
            "counts": alert_service.alert_counts(self.get_queryset()),
            "count_query": f"&{kept}" if kept else "",
            "open_count": self.get_queryset()
            .filter(status__in=alert_service.OPEN_STATUSES)
            .count(),
            **extra,
            "has_extra_filters": any(extra.values()),
        }


class AlertDetailView(AlertViews, generic.ObjectDetailView):
    fields = (
        "title",
        "severity",
        "status",
        "source",
        "establishment",
        "asset",
        "assignee",
        "occurrences",
        "first_seen_at",
        "last_seen_at",
        "tags",
        "description",
    )
    template_name = "core/alert_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Alert)
        can_triage = self.request.user.can(TRIAGE_ALERTS)
        section = None
        if obj.source in alert_sections:
            section = alert_sections.get(obj.source)(obj, self.request.user)
        return {
            "can_triage": can_triage,
            "statuses": AlertStatus.choices,
            "assignable": alert_service.assignable_users(obj) if can_triage else [],
            # Identifiers and the raw data the rule saw: shown as data (code), under a label.
            "identifiers": [
                (label, value)
                for label, value in (
                    (_("Rule"), obj.rule_id),
                    (_("Grouping key"), obj.group_key),
                )
                if value
            ],
            "details": [
                (*detail_label(key), value) for key, value in sorted((obj.details or {}).items())
            ],
            "module_section": section,
            "extension_sections": [
                extension
                for provider in alert_extensions.values()
                if (extension := provider(obj, self.request.user))
            ],
        }


class _AlertActionView(AlertViews, generic.ObjectViewMixin):
    http_method_names = ["post"]

    def get_required_capability(self) -> str | None:
        return TRIAGE_ALERTS

    def back(self, alert: models.Model) -> HttpResponse:
        return HttpResponseRedirect(reverse("core:alert_detail", args=[alert.pk]))


class AlertStatusView(_AlertActionView):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        alert = self.get_object()
        assert isinstance(alert, Alert)
        try:
            alert_service.change_alert_status(alert, request.user, request.POST.get("status", ""))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request, _("Alert status: %(status)s.") % {"status": alert.get_status_display()}
            )
        return self.back(alert)


class AlertAssignView(_AlertActionView):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
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
