"""Actions on the incident file: lifecycle, assignment, linked alerts, tasks, main courante,
observables, comments and watchers. Each is a POST answering htmx with its re-rendered section
(errors included) and other clients with a redirect to the section and a message.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from hygie.core.http import AuthenticatedRequest
from hygie.core.roles import VIEW_ALERTS
from hygie.core.views import generic
from hygie.response.choices import TaskStatus
from hygie.response.forms import (
    AlertLinkForm,
    AssignForm,
    CommentForm,
    ObservableForm,
    TaskForm,
    TaskStatusForm,
    TimelineEntryForm,
    TransitionForm,
    WatcherForm,
    wall_clock,
)
from hygie.response.models import Incident, Observable, Task
from hygie.response.roles import MANAGE_INCIDENTS, VIEW_INCIDENTS
from hygie.response.services import incidents as service
from hygie.response.views.incidents import IncidentViews, errors_to_form, section_context

# --- actions ----------------------------------------------------------------------------------


class IncidentActionView(IncidentViews, generic.ObjectViewMixin):
    """A POST on one incident; answers htmx with the re-rendered section, others with a
    redirect to the section."""

    http_method_names = ["get", "post"]
    section = ""
    action_capability: str | None = MANAGE_INCIDENTS
    # htmx events announced after a successful change, for the other parts of the incident
    # page to refresh themselves (the timeline shows the automatic entry of the change).
    announces: tuple[str, ...] = ("incident-timeline-changed",)

    def get_required_capability(self) -> str | None:
        if self.request.method == "GET":
            return VIEW_INCIDENTS
        return self.action_capability

    def get_incident(self) -> Incident:
        incident = get_object_or_404(
            Incident.objects.visible_to(self.request.user).select_related(
                "establishment", "assignee"
            ),
            pk=self.kwargs["pk"],
        )
        return incident

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        incident = self.get_incident()  # 404 outside the user's establishments, redirect or not
        if not self.section:
            return HttpResponseRedirect(reverse("response:incident_detail", args=[incident.pk]))
        return self.render_section(incident)

    def render_section(self, incident: Incident, **forms_in_error: Any) -> HttpResponse:
        context = section_context(self.request, incident, self.section, **forms_in_error)
        return render(self.request, f"response/partials/_incident_{self.section}.html", context)

    def done(self, incident: Incident, message: str = "", **forms_in_error: Any) -> HttpResponse:
        htmx = getattr(self.request, "htmx", None)
        if htmx and self.section:
            response = self.render_section(incident, **forms_in_error)
            if self.announces and not any(forms_in_error.values()):
                response["HX-Trigger"] = ", ".join(self.announces)
            return response
        if forms_in_error:
            problems: list[str] = []
            for value in forms_in_error.values():
                if isinstance(value, forms.BaseForm):
                    problems.extend(str(m) for errors in value.errors.values() for m in errors)
                elif value:
                    problems.append(str(value))
            messages.error(self.request, " ".join(problems) or _("Please check the form."))
        elif message:
            messages.success(self.request, message)
        anchor = f"#{self.section}" if self.section else ""
        return HttpResponseRedirect(
            reverse("response:incident_detail", args=[incident.pk]) + anchor
        )


class TransitionView(IncidentActionView):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        form = TransitionForm(request.POST, prefix="transition")
        if form.is_valid():
            try:
                service.transition(
                    request.user,
                    incident,
                    form.cleaned_data["to_status"],
                    form.cleaned_data["note"],
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                return self.done(
                    incident,
                    _("The incident is now in phase: %(status)s.")
                    % {"status": incident.get_status_display()},
                )
        return self.done(incident, transition_form=form)


class AssignView(IncidentActionView):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        form = AssignForm(
            request.POST, candidates=service.assignable_users(incident), prefix="assign"
        )
        if form.is_valid():
            assignee = form.cleaned_data["assignee"]
            service.assign(request.user, incident, assignee)
            return self.done(incident, _("Assigned.") if assignee else _("Unassigned."))
        return self.done(incident, assign_form=form)


class LinkAlertsView(IncidentActionView):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        if not request.user.can(VIEW_ALERTS):
            raise PermissionDenied
        form = AlertLinkForm(request.POST, prefix="alerts")
        if form.is_valid():
            try:
                alerts = service.visible_alerts(request.user, form.cleaned_data["alerts"])
                count = service.link_alerts(request.user, incident, alerts)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                return self.done(incident, _("%(count)d alert(s) linked.") % {"count": count})
        return self.done(incident, alert_link_form=form)


_TASK_EVENTS = ("incident-timeline-changed", "incident-task-updated")  # + playbook progress


class TasksView(IncidentActionView):
    section = "tasks"
    announces = _TASK_EVENTS

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        form = TaskForm(
            request.POST,
            candidates=service.task_owner_candidates(incident),
            zone_name=incident.establishment.timezone,
            prefix="task",
        )
        if form.is_valid():
            try:
                service.add_task(request.user, incident, **form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                return self.done(incident, _("Task added."))
        return self.done(incident, task_form=form)


class TaskStatusView(IncidentActionView):
    section = "tasks"
    announces = _TASK_EVENTS
    action_capability = VIEW_INCIDENTS  # a task's owner may move it on (checked by the service)

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        task = get_object_or_404(Task, pk=self.kwargs["task_pk"], incident=incident)
        form = TaskStatusForm(request.POST)
        if form.is_valid():
            try:
                service.set_task_status(
                    request.user,
                    task,
                    form.cleaned_data["status"],
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                return self.done(incident, task_error=" ".join(error.messages))
            return self.done(incident, _("Task updated."))
        return self.done(incident, task_error=_("Unknown task status."))


class TaskPanelView(IncidentActionView):
    """GET: one task in the side panel of the task list (htmx), or on a page of its own."""

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        task = get_object_or_404(
            Task.objects.select_related("owner"), pk=self.kwargs["task_pk"], incident=incident
        )
        can_manage = request.user.can(MANAGE_INCIDENTS)
        context = {
            "incident": incident,
            "task": task,
            "task_statuses": TaskStatus.choices,
            "can_manage": can_manage,
            "can_update": can_manage or task.owner_id == request.user.pk,
        }
        htmx = getattr(request, "htmx", None)
        template = "response/partials/_task_panel.html" if htmx else self.page_template
        return render(request, template, context)

    page_template = "response/incident_task_panel.html"


class TaskEditView(IncidentActionView):
    template_name = "response/incident_task_edit.html"

    def get_required_capability(self) -> str | None:
        return MANAGE_INCIDENTS

    def form(self, incident: Incident, task: Task, data: Any = None) -> TaskForm:
        zone = incident.establishment.timezone
        initial = {
            "title": task.title,
            "description": task.description,
            "phase": task.phase,
            "owner": task.owner_id or "",
            "due_at": wall_clock(task.due_at, zone),
            "is_decision": task.is_decision,
        }
        return TaskForm(
            data,
            candidates=service.task_owner_candidates(incident),
            zone_name=zone,
            initial=initial,
            prefix="task",
        )

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        task = get_object_or_404(Task, pk=self.kwargs["task_pk"], incident=incident)
        return self.render_page(incident, task, self.form(incident, task))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        task = get_object_or_404(Task, pk=self.kwargs["task_pk"], incident=incident)
        form = self.form(incident, task, request.POST)
        if form.is_valid():
            try:
                service.edit_task(request.user, task, form.cleaned_data)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(request, _("Task saved."))
                return HttpResponseRedirect(
                    reverse("response:incident_detail", args=[incident.pk]) + "#tasks"
                )
        return self.render_page(incident, task, form, status=422)

    def render_page(
        self, incident: Incident, task: Task, form: TaskForm, status: int = 200
    ) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "incident": incident,
                "task": task,
                "form": form,
                "cancel_url": reverse("response:incident_detail", args=[incident.pk]) + "#tasks",
            },
            status=status,
        )


class TimelineView(IncidentActionView):
    section = "timeline"
    announces = ()

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        form = TimelineEntryForm(
            request.POST, zone_name=incident.establishment.timezone, prefix="entry"
        )
        if form.is_valid():
            try:
                service.add_log_entry(
                    request.user,
                    incident,
                    form.cleaned_data["text"],
                    kind=form.cleaned_data["kind"],
                    at=form.cleaned_data["at"],
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                return self.done(incident, _("Entry added to the log."))
        return self.done(incident, entry_form=form)


class ObservablesView(IncidentActionView):
    section = "observables"

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        form = ObservableForm(request.POST, prefix="observable")
        if form.is_valid():
            data = form.cleaned_data
            try:
                _observable, created = service.add_observable(
                    request.user,
                    incident,
                    data["kind"],
                    data["value"],
                    note=data["note"],
                    is_ioc=data["is_ioc"],
                )
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                return self.done(
                    incident,
                    _("Observable added.")
                    if created
                    else _("This observable was already recorded."),
                )
        return self.done(incident, observable_form=form)


class ObservableDeleteView(IncidentActionView):
    section = "observables"

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        observable = get_object_or_404(Observable, pk=self.kwargs["item_pk"], incident=incident)
        service.remove_observable(request.user, observable)
        return self.done(incident, _("Observable removed."))


class CommentsView(IncidentActionView):
    section = "comments"
    action_capability = VIEW_INCIDENTS  # the service checks who may comment
    announces = ()  # not written in the timeline

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        if not service.can_comment(request.user):
            raise PermissionDenied
        form = CommentForm(request.POST, prefix="comment")
        if form.is_valid():
            try:
                service.add_comment(request.user, incident, form.cleaned_data["text"])
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                return self.done(incident, _("Comment added."))
        return self.done(incident, comment_form=form)


class WatchersView(IncidentActionView):
    """``action``: watch / unwatch (yourself), add / remove (someone else, managers)."""

    section = "watchers"
    action_capability = VIEW_INCIDENTS
    announces = ()  # not written in the timeline

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        action = request.POST.get("action", "")
        if action == "watch":
            service.watch(request.user, incident)
            return self.done(incident, _("You now follow this incident."))
        if action == "unwatch":
            service.unwatch(request.user, incident)
            return self.done(incident, _("You no longer follow this incident."))
        if not request.user.can(MANAGE_INCIDENTS):
            raise PermissionDenied
        if action == "remove":
            raw = request.POST.get("user", "")
            watcher = (
                incident.watchers.filter(pk=int(raw)).first()
                if raw.isdigit() and len(raw) < 19
                else None
            )
            if watcher is not None:
                service.remove_watcher(request.user, incident, watcher)
            return self.done(incident, _("Watcher removed."))
        form = WatcherForm(
            request.POST, candidates=service.task_owner_candidates(incident), prefix="watcher"
        )
        if action == "add" and form.is_valid() and form.cleaned_data["assignee"] is not None:
            try:
                service.add_watcher(request.user, incident, form.cleaned_data["assignee"])
            except ValidationError as error:
                return self.done(incident, watcher_error=" ".join(error.messages))
            return self.done(incident, _("Watcher added."))
        return self.done(incident, watcher_error=_("Choose a person who can read this incident."))
