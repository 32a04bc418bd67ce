"""Incident pages: the list, the incident file (detail with its sections), declaring and editing
an incident, and every action on it (lifecycle, assignment, tasks, main courante, observables,
evidence and custody, comments, watchers).

Sections of the incident file are htmx fragments: their forms post with htmx and get the
re-rendered section back (errors included); without JavaScript the same forms post normally and
the page reloads with a message. Other areas of the response app add their panels by URL name
(``response:incident_playbooks``, ``_obligations``, ``_drafts``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.models import Alert, User
from hygie.core.roles import VIEW_ALERTS, VIEW_EVIDENCE
from hygie.core.services import evidence as core_evidence
from hygie.core.tables import Column
from hygie.core.views import generic
from hygie.core.views.uploads import BoundedUploadMixin
from hygie.response import filters as incident_filters
from hygie.response.choices import IncidentStatus, TaskStatus
from hygie.response.engine import lifecycle
from hygie.response.forms import (
    AlertLinkForm,
    AssignForm,
    CommentForm,
    CustodyForm,
    EvidenceForm,
    IncidentForm,
    ObservableForm,
    TaskForm,
    TaskStatusForm,
    TimelineEntryForm,
    TransitionForm,
    WatcherForm,
    wall_clock,
)
from hygie.response.models import Incident, IncidentEvidence, Observable, Task
from hygie.response.roles import MANAGE_INCIDENTS, VIEW_INCIDENTS
from hygie.response.services import evidence as evidence_service
from hygie.response.services import incidents as service

SECTIONS = ("tasks", "timeline", "observables", "evidence", "comments", "watchers")


def _errors_to_form(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.error_dict.items():
            target = field if field in form.fields else None
            for problem in problems:
                form.add_error(target, problem)
    else:
        form.add_error(None, error)


class IncidentViews:
    model = Incident
    view_capability = VIEW_INCIDENTS
    edit_capability = MANAGE_INCIDENTS
    list_select_related = ("establishment", "assignee")


# --- list -------------------------------------------------------------------------------------

class IncidentListView(IncidentViews, generic.ObjectListView):
    columns = (Column("reference", label=gettext_lazy("Incident"), link=True, render=str),
               Column("severity", badge="severity"), Column("status", badge="status"),
               Column("category"), Column("care_impact"),
               Column("establishment", sort="establishment__name"),
               Column("assignee", sort="assignee__username"), Column("discovered_at"))
    search_fields = ("reference", "title", "description")
    filters = ("status", "category", "severity", "care_impact", "establishment")
    template_name = "response/incident_list.html"

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        queryset = incident_filters.by_state(queryset, self.request.GET.get("state"))
        return incident_filters.by_assignee(queryset, self.request.GET.get("assigned"),
                                            self.request.user)

    def extra_context(self, queryset: models.QuerySet) -> dict[str, Any]:
        state = self.request.GET.get("state", "")
        assigned = self.request.GET.get("assigned", "")
        extra = {"state": state if state in incident_filters.STATES else "",
                 "assigned": assigned if assigned in incident_filters.ASSIGNED
                 or assigned.isdigit() else ""}
        everything = Incident.objects.visible_to(self.request.user)
        return {**extra, "has_extra_filters": any(extra.values()),
                "counts": service.status_counts(everything),
                "open_count": everything.exclude(status=IncidentStatus.CLOSED).count(),
                "assignees": User.objects.filter(
                    pk__in=everything.values("assignee")).order_by("username"),
                "from_alerts_url": reverse("response:incident_from_alerts")
                if self.can_edit() and self.request.user.can(VIEW_ALERTS) else ""}


# --- the incident file ------------------------------------------------------------------------

def _steps(incident: Incident) -> list[dict[str, Any]]:
    current = lifecycle.position(incident.status)
    declaration = incident.transitions.filter(from_status="").order_by("at", "pk").first()
    declared_at = declaration.at if declaration is not None else incident.created_at
    steps = []
    for index, (value, label) in enumerate(IncidentStatus.choices):
        field = lifecycle.MILESTONE_FIELDS.get(value)
        steps.append({"value": value, "label": label,
                      "state": "done" if index < current else
                      ("current" if index == current else "upcoming"),
                      "at": getattr(incident, field) if field else declared_at})
    return steps


def section_context(request: HttpRequest, incident: Incident, section: str,
                    **forms_in_error: Any) -> dict[str, Any]:
    """What one section of the incident file needs (also used to render it alone)."""
    user = request.user
    can_manage = user.can(MANAGE_INCIDENTS)
    zone = incident.establishment.timezone
    context: dict[str, Any] = {"incident": incident, "can_manage": can_manage,
                               "section": section}
    if section == "tasks":
        candidates = service.task_owner_candidates(incident) if can_manage else []
        context.update(
            tasks=service.tasks_in_phase_order(incident),
            task_form=forms_in_error.get("task_form") or TaskForm(
                candidates=candidates, zone_name=zone, prefix="task"),
            task_statuses=TaskStatus.choices, task_error=forms_in_error.get("task_error"))
    elif section == "timeline":
        context.update(
            entries=incident.timeline.select_related("author").all(),
            entry_form=forms_in_error.get("entry_form") or TimelineEntryForm(
                zone_name=zone, prefix="entry"))
    elif section == "observables":
        context.update(
            observables=incident.observables.all(),
            observable_form=forms_in_error.get("observable_form") or ObservableForm(
                prefix="observable"))
    elif section == "evidence":
        items = list(incident.evidence.select_related("evidence", "evidence__collected_by")
                     .prefetch_related("custody__actor"))
        for item in items:
            # One form per item, same field names, ids unique on the page.
            item.custody_form = CustodyForm(prefix="custody",
                                            auto_id=f"id_custody_{item.pk}_%s")
        context.update(
            items=items, can_download=user.can(VIEW_EVIDENCE),
            can_add_evidence=evidence_service.can_add_evidence(user),
            evidence_form=forms_in_error.get("evidence_form") or EvidenceForm(prefix="evidence"),
            custody_error=forms_in_error.get("custody_error"),
            max_bytes=core_evidence.max_upload_bytes())
    elif section == "comments":
        context.update(
            comments=incident.comments.select_related("author").all(),
            can_comment=service.can_comment(user),
            comment_form=forms_in_error.get("comment_form") or CommentForm(prefix="comment"))
    elif section == "watchers":
        watchers = list(incident.watchers.order_by("username"))
        context.update(
            watchers=watchers, is_watching=any(w.pk == user.pk for w in watchers),
            watcher_form=WatcherForm(candidates=[
                c for c in service.task_owner_candidates(incident) if c not in watchers],
                prefix="watcher") if can_manage else None,
            watcher_error=forms_in_error.get("watcher_error"))
    return context


class IncidentDetailView(IncidentViews, generic.ObjectDetailView):
    template_name = "response/incident_detail.html"
    audit_views = True  # incidents may hold patient data: every reading is recorded
    list_select_related = ("establishment", "assignee", "created_by")

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Incident)
        user = self.request.user
        can_manage = user.can(MANAGE_INCIDENTS)
        moves = service.available_moves(obj) if can_manage else []
        sections = {name: section_context(self.request, obj, name) for name in SECTIONS}
        return {
            "incident": obj, "steps": _steps(obj), "moves": moves,
            "transition_form": TransitionForm(prefix="transition"),
            "assign_form": AssignForm(candidates=service.assignable_users(obj),
                                      initial={"assignee": obj.assignee_id or ""},
                                      prefix="assign") if can_manage else None,
            "sections": sections, "can_manage": can_manage,
            "alerts": obj.alerts.visible_to(user).select_related("establishment")
            if user.can(VIEW_ALERTS) else None,
            "alert_link_form": AlertLinkForm(prefix="alerts") if can_manage else None,
            "open_tasks": service.open_task_count(obj),
            "affected_establishments": obj.affected_establishments.all(),
            "departments": obj.departments.select_related("establishment"),
            "assets": obj.assets.select_related("establishment"),
            "transitions": obj.transitions.select_related("by").all(),
            "data_category_labels": _data_category_labels(obj),
        }


def _data_category_labels(incident: Incident) -> list[str]:
    from hygie.response.choices import DataCategory

    labels = dict(DataCategory.choices)
    return [str(labels.get(value, value)) for value in incident.data_categories or []]


# --- declaring and editing --------------------------------------------------------------------

class IncidentCreateView(IncidentViews, generic.ObjectViewMixin):
    template_name = "response/incident_form.html"

    def get_required_capability(self) -> str | None:
        return MANAGE_INCIDENTS

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = {key: value for key, value in request.GET.items()
                   if key in ("category", "source", "establishment", "severity")}
        form = IncidentForm(user=request.user, initial=initial, assignees=self.assignees())
        return self.render_form(form)

    def assignees(self) -> list[Any]:
        return service.incident_managers(self.request.user.visible_establishment_ids())

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = IncidentForm(request.POST, user=request.user, assignees=self.assignees())
        if form.is_valid():
            values = form.service_values()
            try:
                incident = service.create_incident(request.user, **values)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Incident %(reference)s declared.")
                                 % {"reference": incident.reference})
                return HttpResponseRedirect(reverse("response:incident_detail",
                                                    args=[incident.pk]))
        return self.render_form(form, status=422)

    def render_form(self, form: IncidentForm, status: int = 200, **extra: Any) -> HttpResponse:
        return render(self.request, self.template_name, {
            **self.base_context(), "form": form, "object": None,
            "cancel_url": reverse("response:incident_list"), **extra}, status=status)


class IncidentFromAlertsView(IncidentCreateView):
    """``?alert=<id>&alert=<id>``: the alerts, and the incident they suggest, ready to save."""

    template_name = "response/incident_from_alerts.html"

    def alerts(self) -> list[Alert]:
        if not self.request.user.can(VIEW_ALERTS):
            raise PermissionDenied
        raw = self.request.GET.getlist("alert") or self.request.POST.getlist("alert")
        ids = [int(value) for value in raw if value.isdigit() and len(value) < 19]
        if not ids or len(ids) != len(raw):
            raise ValidationError({"alerts": [_("Choose at least one alert.")]})
        return service.visible_alerts(self.request.user, ids)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            alerts = self.alerts()
        except ValidationError as error:
            return self.render_problem(error)
        suggestion = service.suggest_from_alerts(alerts)
        establishments = [suggestion.establishment, *suggestion.affected_establishments]
        zone = suggestion.establishment.timezone
        initial = {
            "establishment": suggestion.establishment.pk, "title": suggestion.title,
            "description": suggestion.description, "severity": suggestion.severity,
            "category": suggestion.category, "source": suggestion.source,
            "source_reference": suggestion.source_reference,
            "discovered_at": wall_clock(suggestion.discovered_at, zone),
            "assets": [asset.pk for asset in suggestion.assets],
            "affected_establishments": [e.pk for e in suggestion.affected_establishments],
        }
        form = IncidentForm(user=request.user, initial=initial, assignees=self.assignees(),
                            establishments=establishments)
        return self.render_form(form, alerts=alerts, **self.alert_context(alerts))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            alerts = self.alerts()
        except ValidationError as error:
            return self.render_problem(error)
        establishments = list({alert.establishment_id: alert.establishment
                               for alert in alerts}.values())
        form = IncidentForm(request.POST, user=request.user, assignees=self.assignees(),
                            establishments=establishments)
        if form.is_valid():
            values = form.service_values()
            try:
                incident = service.create_from_alerts(request.user, alerts, **values)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Incident %(reference)s declared from %(count)d "
                                            "alert(s).") % {"reference": incident.reference,
                                                            "count": len(alerts)})
                return HttpResponseRedirect(reverse("response:incident_detail",
                                                    args=[incident.pk]))
        return self.render_form(form, status=422, alerts=alerts, **self.alert_context(alerts))

    def alert_context(self, alerts: list[Alert]) -> dict[str, Any]:
        rows = [(alert, list(alert.incidents.visible_to(self.request.user)))
                for alert in alerts]
        return {"alert_rows": rows,
                "alert_query": urlencode([("alert", a.pk) for a in alerts])}

    def render_problem(self, error: ValidationError) -> HttpResponse:
        return render(self.request, self.template_name, {
            **self.base_context(), "form": None, "object": None, "problem": error.messages,
            "cancel_url": reverse("core:alert_list")}, status=404)


class IncidentEditView(IncidentViews, generic.ObjectViewMixin):
    template_name = "response/incident_form.html"

    def get_required_capability(self) -> str | None:
        return MANAGE_INCIDENTS

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_object()
        return self.render_form(IncidentForm(instance=incident, user=request.user), incident)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_object()
        assert isinstance(incident, Incident)
        form = IncidentForm(request.POST, instance=Incident.objects.select_related(
            "establishment").get(pk=incident.pk), user=request.user)
        if form.is_valid():
            values = form.service_values()
            changes = {name: values[name] for name in form.fields if name in values}
            try:
                changed = service.update_incident(request.user, incident, changes)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("%(count)d change(s) saved.")
                                 % {"count": len(changed)} if changed
                                 else _("Nothing changed."))
                return HttpResponseRedirect(reverse("response:incident_detail",
                                                    args=[incident.pk]))
        return self.render_form(form, incident, status=422)

    def render_form(self, form: IncidentForm, incident: Any, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {
            **self.base_context(), "form": form, "object": incident,
            "cancel_url": reverse("response:incident_detail", args=[incident.pk])},
            status=status)


# --- actions ----------------------------------------------------------------------------------

class _IncidentActionView(IncidentViews, generic.ObjectViewMixin):
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
        incident = get_object_or_404(Incident.objects.visible_to(self.request.user)
                                     .select_related("establishment", "assignee"),
                                     pk=self.kwargs["pk"])
        return incident

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()  # 404 outside the user's establishments, redirect or not
        if not self.section:
            return HttpResponseRedirect(reverse("response:incident_detail", args=[incident.pk]))
        return self.render_section(incident)

    def render_section(self, incident: Incident, **forms_in_error: Any) -> HttpResponse:
        context = section_context(self.request, incident, self.section, **forms_in_error)
        return render(self.request, f"response/partials/_incident_{self.section}.html", context)

    def done(self, incident: Incident, message: str = "", **forms_in_error: Any
             ) -> HttpResponse:
        htmx = getattr(self.request, "htmx", None)
        if htmx and self.section:
            response = self.render_section(incident, **forms_in_error)
            if self.announces and not any(forms_in_error.values()):
                response["HX-Trigger"] = ", ".join(self.announces)
            return response
        if forms_in_error:
            problems = []
            for value in forms_in_error.values():
                if isinstance(value, forms.BaseForm):
                    problems.extend(str(m) for errors in value.errors.values() for m in errors)
                elif value:
                    problems.append(str(value))
            messages.error(self.request, " ".join(problems) or _("Please check the form."))
        elif message:
            messages.success(self.request, message)
        anchor = f"#{self.section}" if self.section else ""
        return HttpResponseRedirect(reverse("response:incident_detail", args=[incident.pk])
                                    + anchor)


class TransitionView(_IncidentActionView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        form = TransitionForm(request.POST, prefix="transition")
        if form.is_valid():
            try:
                service.transition(request.user, incident, form.cleaned_data["to_status"],
                                   form.cleaned_data["note"])
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                return self.done(incident, _("The incident is now in phase: %(status)s.")
                                 % {"status": incident.get_status_display()})
        return self.done(incident, transition_form=form)


class AssignView(_IncidentActionView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        form = AssignForm(request.POST, candidates=service.assignable_users(incident),
                          prefix="assign")
        if form.is_valid():
            assignee = form.cleaned_data["assignee"]
            service.assign(request.user, incident, assignee)
            return self.done(incident, _("Assigned.") if assignee else _("Unassigned."))
        return self.done(incident, assign_form=form)


class LinkAlertsView(_IncidentActionView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        if not request.user.can(VIEW_ALERTS):
            raise PermissionDenied
        form = AlertLinkForm(request.POST, prefix="alerts")
        if form.is_valid():
            try:
                alerts = service.visible_alerts(request.user, form.cleaned_data["alerts"])
                count = service.link_alerts(request.user, incident, alerts)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                return self.done(incident, _("%(count)d alert(s) linked.") % {"count": count})
        return self.done(incident, alert_link_form=form)


_TASK_EVENTS = ("incident-timeline-changed", "incident-task-updated")  # + playbook progress


class TasksView(_IncidentActionView):
    section = "tasks"
    announces = _TASK_EVENTS

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        form = TaskForm(request.POST, candidates=service.task_owner_candidates(incident),
                        zone_name=incident.establishment.timezone, prefix="task")
        if form.is_valid():
            try:
                service.add_task(request.user, incident, **form.cleaned_data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                return self.done(incident, _("Task added."))
        return self.done(incident, task_form=form)


class TaskStatusView(_IncidentActionView):
    section = "tasks"
    announces = _TASK_EVENTS
    action_capability = VIEW_INCIDENTS  # a task's owner may move it on (checked by the service)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        task = get_object_or_404(Task, pk=self.kwargs["task_pk"], incident=incident)
        form = TaskStatusForm(request.POST)
        if form.is_valid():
            try:
                service.set_task_status(request.user, task, form.cleaned_data["status"],
                                        decision=form.cleaned_data["decision"],
                                        note=form.cleaned_data["note"])
            except ValidationError as error:
                return self.done(incident, task_error=" ".join(error.messages))
            return self.done(incident, _("Task updated."))
        return self.done(incident, task_error=_("Unknown task status."))


class TaskEditView(_IncidentActionView):
    template_name = "response/incident_task_edit.html"

    def get_required_capability(self) -> str | None:
        return MANAGE_INCIDENTS

    def form(self, incident: Incident, task: Task, data: Any = None) -> TaskForm:
        zone = incident.establishment.timezone
        initial = {"title": task.title, "description": task.description, "phase": task.phase,
                   "owner": task.owner_id or "", "due_at": wall_clock(task.due_at, zone),
                   "is_decision": task.is_decision}
        return TaskForm(data, candidates=service.task_owner_candidates(incident),
                        zone_name=zone, initial=initial, prefix="task")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        task = get_object_or_404(Task, pk=self.kwargs["task_pk"], incident=incident)
        return self.render_page(incident, task, self.form(incident, task))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        task = get_object_or_404(Task, pk=self.kwargs["task_pk"], incident=incident)
        form = self.form(incident, task, request.POST)
        if form.is_valid():
            try:
                service.edit_task(request.user, task, form.cleaned_data)
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                messages.success(request, _("Task saved."))
                return HttpResponseRedirect(reverse("response:incident_detail",
                                                    args=[incident.pk]) + "#tasks")
        return self.render_page(incident, task, form, status=422)

    def render_page(self, incident: Incident, task: Task, form: TaskForm,
                    status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name, {
            "incident": incident, "task": task, "form": form,
            "cancel_url": reverse("response:incident_detail", args=[incident.pk]) + "#tasks"},
            status=status)


class TimelineView(_IncidentActionView):
    section = "timeline"
    announces = ()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        form = TimelineEntryForm(request.POST, zone_name=incident.establishment.timezone,
                                 prefix="entry")
        if form.is_valid():
            try:
                service.add_log_entry(request.user, incident, form.cleaned_data["text"],
                                      kind=form.cleaned_data["kind"],
                                      at=form.cleaned_data["at"])
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                return self.done(incident, _("Entry added to the log."))
        return self.done(incident, entry_form=form)


class ObservablesView(_IncidentActionView):
    section = "observables"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        form = ObservableForm(request.POST, prefix="observable")
        if form.is_valid():
            data = form.cleaned_data
            try:
                _observable, created = service.add_observable(
                    request.user, incident, data["kind"], data["value"], note=data["note"],
                    is_ioc=data["is_ioc"])
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                return self.done(incident, _("Observable added.") if created
                                 else _("This observable was already recorded."))
        return self.done(incident, observable_form=form)


class ObservableDeleteView(_IncidentActionView):
    section = "observables"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        observable = get_object_or_404(Observable, pk=self.kwargs["item_pk"], incident=incident)
        service.remove_observable(request.user, observable)
        return self.done(incident, _("Observable removed."))


class EvidenceView(BoundedUploadMixin, _IncidentActionView):
    section = "evidence"

    def upload_limit(self) -> int:
        return core_evidence.max_upload_bytes()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        if not evidence_service.can_add_evidence(request.user):
            raise PermissionDenied
        form = EvidenceForm(request.POST, request.FILES, prefix="evidence")
        if self.flag_too_large(form):
            return self.done(incident, evidence_form=form)
        if form.is_valid():
            data = form.cleaned_data
            try:
                evidence_service.attach_evidence(
                    request.user, incident, title=data["title"], uploaded_file=data["file"],
                    description=data["description"], location=data["location"])
            except ValidationError as error:
                _errors_to_form(form, _file_error(error))
            else:
                return self.done(incident, _("Evidence added."))
        return self.done(incident, evidence_form=form)


def _file_error(error: ValidationError) -> ValidationError:
    """Errors of the core's upload checks concern the file field."""
    if hasattr(error, "error_dict"):
        return error
    return ValidationError({"file": error.messages})


class _EvidenceItemView(_IncidentActionView):
    section = "evidence"

    def get_item(self, incident: Incident) -> IncidentEvidence:
        return get_object_or_404(IncidentEvidence.objects.select_related("evidence"),
                                 pk=self.kwargs["item_pk"], incident=incident)


class EvidenceDownloadView(_EvidenceItemView):
    http_method_names = ["get"]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        if not request.user.can(VIEW_EVIDENCE):
            raise PermissionDenied
        handle, content_type, filename = evidence_service.open_evidence(
            request.user, self.get_item(incident))
        response = FileResponse(handle, as_attachment=True, filename=filename,
                                content_type=content_type)
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class CustodyView(_EvidenceItemView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        item = self.get_item(incident)
        form = CustodyForm(request.POST, prefix="custody")
        if form.is_valid():
            try:
                evidence_service.record_custody(request.user, item, **form.cleaned_data)
            except ValidationError as error:
                return self.done(incident, custody_error=" ".join(error.messages))
            return self.done(incident, _("Chain of custody updated."))
        return self.done(incident, custody_error=" ".join(
            str(m) for errors in form.errors.values() for m in errors))


class VerifyView(_EvidenceItemView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        result = evidence_service.verify_evidence(request.user, self.get_item(incident))
        if result.matches:
            return self.done(incident, _("Integrity verified: the SHA-256 matches."))
        return self.done(incident, custody_error=_(
            "Integrity check FAILED: the stored file no longer matches its SHA-256. An alert "
            "was raised."))


class CommentsView(_IncidentActionView):
    section = "comments"
    action_capability = VIEW_INCIDENTS  # the service checks who may comment
    announces = ()  # not written in the timeline

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_incident()
        if not service.can_comment(request.user):
            raise PermissionDenied
        form = CommentForm(request.POST, prefix="comment")
        if form.is_valid():
            try:
                service.add_comment(request.user, incident, form.cleaned_data["text"])
            except ValidationError as error:
                _errors_to_form(form, error)
            else:
                return self.done(incident, _("Comment added."))
        return self.done(incident, comment_form=form)


class WatchersView(_IncidentActionView):
    """``action``: watch / unwatch (yourself), add / remove (someone else, managers)."""

    section = "watchers"
    action_capability = VIEW_INCIDENTS
    announces = ()  # not written in the timeline

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
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
            watcher = incident.watchers.filter(pk=int(raw)).first() if raw.isdigit() and \
                len(raw) < 19 else None
            if watcher is not None:
                service.remove_watcher(request.user, incident, watcher)
            return self.done(incident, _("Watcher removed."))
        form = WatcherForm(request.POST, candidates=service.task_owner_candidates(incident),
                           prefix="watcher")
        if action == "add" and form.is_valid() and form.cleaned_data["assignee"] is not None:
            try:
                service.add_watcher(request.user, incident, form.cleaned_data["assignee"])
            except ValidationError as error:
                return self.done(incident, watcher_error=" ".join(error.messages))
            return self.done(incident, _("Watcher added."))
        return self.done(incident, watcher_error=_("Choose a person who can read this "
                                                   "incident."))


_I = "incidents/<int:pk>/"

urlpatterns = [
    path("incidents/", IncidentListView.as_view(), name="incident_list"),
    path("incidents/add/", IncidentCreateView.as_view(), name="incident_add"),
    path("incidents/from-alerts/", IncidentFromAlertsView.as_view(),
         name="incident_from_alerts"),
    path(_I, IncidentDetailView.as_view(), name="incident_detail"),
    path(_I + "edit/", IncidentEditView.as_view(), name="incident_edit"),
    path(_I + "transition/", TransitionView.as_view(), name="incident_transition"),
    path(_I + "assign/", AssignView.as_view(), name="incident_assign"),
    path(_I + "alerts/", LinkAlertsView.as_view(), name="incident_link_alerts"),
    path(_I + "tasks/", TasksView.as_view(), name="incident_tasks"),
    path(_I + "tasks/<int:task_pk>/status/", TaskStatusView.as_view(),
         name="incident_task_status"),
    path(_I + "tasks/<int:task_pk>/edit/", TaskEditView.as_view(), name="incident_task_edit"),
    path(_I + "timeline/", TimelineView.as_view(), name="incident_timeline"),
    path(_I + "observables/", ObservablesView.as_view(), name="incident_observables"),
    path(_I + "observables/<int:item_pk>/delete/", ObservableDeleteView.as_view(),
         name="incident_observable_delete"),
    path(_I + "evidence/", EvidenceView.as_view(), name="incident_evidence"),
    path(_I + "evidence/<int:item_pk>/download/", EvidenceDownloadView.as_view(),
         name="incident_evidence_download"),
    path(_I + "evidence/<int:item_pk>/custody/", CustodyView.as_view(),
         name="incident_evidence_custody"),
    path(_I + "evidence/<int:item_pk>/verify/", VerifyView.as_view(),
         name="incident_evidence_verify"),
    path(_I + "comments/", CommentsView.as_view(), name="incident_comments"),
    path(_I + "watchers/", WatchersView.as_view(), name="incident_watchers"),
]
