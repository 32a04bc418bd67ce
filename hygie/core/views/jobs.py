"""Background jobs as users follow them: progress refreshed by htmx polling, and cancellation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Job, JobStatus, User
from hygie.core.roles import EDIT_ORGANISATION, VIEW_JOBS
from hygie.core.services import jobs as job_service
from hygie.core.services.jobs import job_kinds
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic

ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)


class JobViews(generic.ObjectViewMixin):
    model = Job
    view_capability = VIEW_JOBS
    list_select_related = ("establishment", "created_by")


def may_cancel(user: User, job: Job) -> bool:
    """Whether to offer the cancel button (the job service makes the final decision)."""
    return (
        job.status in ACTIVE_STATUSES
        and not job.cancel_requested
        and (job.created_by_id == user.pk or user.can(EDIT_ORGANISATION))
    )


class JobListView(JobViews, generic.ObjectListView):
    columns = (
        Column("title", link=True, main=True),
        Column("kind", priority=SECONDARY),
        Column("status", badge="status"),
        Column("percent", label=gettext_lazy("Progress"), sort=False, kind="progress"),
        Column("establishment", sort="establishment__name", priority=SECONDARY),
        Column("created_by", sort="created_by__username", priority=OPTIONAL),
        Column("created_at"),
    )
    search_fields = ("title", "kind")
    filters = ("status", "kind", "establishment")
    table_template_name = "core/partials/_job_table.html"
    template_name = "core/job_list.html"

    def filter_options(self, field: Any) -> list[tuple[str, str]]:
        """Job kinds by their titles, not their keys (``core.prune_history``)."""
        options = super().filter_options(field)
        if field.name == "kind":
            titled = [
                (value, str(job_kinds.get(value).title) if value in job_kinds else label)
                for value, label in options
            ]
            return sorted(titled, key=lambda option: option[1].lower())
        return options

    def extra_context(self, queryset: models.QuerySet[Any, Any]) -> dict[str, Any]:
        return {"is_polling": queryset.filter(status__in=ACTIVE_STATUSES).exists()}


class JobDetailView(JobViews, generic.ObjectDetailView):
    fields = (
        "title",
        "kind",
        "status",
        "establishment",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "error",
    )
    template_name = "core/job_detail.html"

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.boosted:
            job = self.get_object()
            assert isinstance(job, Job)
            return render(
                request,
                "core/partials/_job_progress.html",
                {"job": job, "can_cancel": may_cancel(request.user, job)},
            )
        return super().get(request, *args, **kwargs)

    def extra_context(self, obj: Any) -> dict[str, Any]:
        return {
            "job": obj,
            "can_cancel": may_cancel(self.request.user, obj),
            "result_items": result_items(obj),
        }


def result_items(job: Job) -> list[tuple[str, bool, Any]]:
    """The job's result as (label, whether it is a label rather than a key, value)."""
    labels: Any = {}
    if job.kind in job_kinds:
        labels = job_kinds.get(job.kind).result_labels
    items = []
    for key, value in sorted((job.result or {}).items()):
        label = labels.get(key)
        items.append((str(label), True, value) if label else (key, False, value))
    return items


class JobCancelView(JobViews, generic.ObjectViewMixin):
    http_method_names = ["post"]

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self.get_object()
        assert isinstance(job, Job)
        if not may_cancel(request.user, job):
            messages.error(request, _("This job cannot be cancelled."))
        else:
            try:
                job_service.request_cancel(job, request.user)
            except PermissionDenied as denied:
                messages.error(request, str(denied) or _("You may not cancel this job."))
                return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
            messages.success(
                request, _("Cancellation requested; the job stops at its next checkpoint.")
            )
        return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
