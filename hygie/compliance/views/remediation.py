"""The remediation plan pages: actions (list with an overdue filter, detail, add, edit,
delete)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from hygie.compliance.forms import RemediationActionForm
from hygie.compliance.models import RemediationAction
from hygie.compliance.models.remediation import OPEN_STATUSES
from hygie.compliance.roles import ASSESS, VIEW
from hygie.core.tables import Column
from hygie.core.views import generic


def _overdue_text(obj: RemediationAction) -> str:
    return str(gettext_lazy("Overdue")) if obj.is_overdue else ""


class ActionViews(generic.ObjectViewMixin):
    model = RemediationAction
    view_capability = VIEW
    edit_capability = ASSESS
    list_select_related = ("establishment", "owner")


class ActionListView(ActionViews, generic.ObjectListView):
    template_name = "compliance/remediationaction_list.html"
    columns = (
        Column("title", link=True, main=True),
        Column("owner", sort="owner__username"),
        Column("due_date"),
        Column("status", badge="status"),
        Column("is_overdue", label=gettext_lazy("Overdue"), sort=False, render=_overdue_text),
        Column("establishment", sort="establishment__name"),
    )
    search_fields = ("title", "description")
    filters = ("status", "establishment")

    def get_queryset(self) -> models.QuerySet[Any, Any]:
        queryset = super().get_queryset()
        if self.request.GET.get("overdue") == "1":
            queryset = queryset.filter(status__in=OPEN_STATUSES, due_date__lt=timezone.localdate())
        return queryset

    def extra_context(self, queryset: models.QuerySet[Any, Any]) -> dict[str, Any]:
        visible = super().get_queryset()
        return {
            "overdue_only": self.request.GET.get("overdue") == "1",
            "overdue_count": visible.filter(
                status__in=OPEN_STATUSES, due_date__lt=timezone.localdate()
            ).count(),
        }


class ActionDetailView(ActionViews, generic.ObjectDetailView):
    template_name = "compliance/remediationaction_detail.html"
    fields = (
        "establishment",
        "status",
        "owner",
        "due_date",
        "description",
        "reminders_sent",
        "last_reminder_at",
        "done_at",
    )

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, RemediationAction)
        return {
            "answers": obj.answers.select_related(
                "assessment", "requirement", "assessment__framework"
            ),
            "is_overdue": obj.is_overdue,
        }


class ActionEditView(ActionViews, generic.ObjectEditView):
    form_class = RemediationActionForm


class ActionDeleteView(ActionViews, generic.ObjectDeleteView):
    pass
