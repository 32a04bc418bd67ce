"""Incident pages: the list, the incident file (detail with its sections), declaring and editing
an incident. The actions on the file live in ``incident_actions`` (lifecycle, assignment, tasks,
main courante, observables, comments, watchers) and ``evidence`` (evidence and custody).

Sections of the incident file are htmx fragments: their forms post with htmx and get the
re-rendered section back (errors included); without JavaScript the same forms post normally and
the page reloads with a message. Other areas of the response app add their panels by URL name
(``response:incident_playbooks``, ``_obligations``, ``_drafts``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.http import AuthenticatedRequest
from hygie.core.incident_sources import share_links
from hygie.core.models import Alert, User
from hygie.core.pickers import alert_label
from hygie.core.roles import VIEW_ALERTS, VIEW_EVIDENCE
from hygie.core.services import evidence as core_evidence
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
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
    TimelineEntryForm,
    TransitionForm,
    WatcherForm,
    wall_clock,
)
from hygie.response.models import Incident
from hygie.response.roles import MANAGE_INCIDENTS, VIEW_INCIDENTS
from hygie.response.services import evidence as evidence_service
from hygie.response.services import incidents as service

PICKER_FALLBACK = 100  # alerts listed by the link picker when scripts do not run
SECTIONS = ("tasks", "timeline", "observables", "evidence", "comments", "watchers")


def errors_to_form(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, problems in error.error_dict.items():
            target = field if field in form.fields else None
            for problem in problems:
                form.add_error(target, problem)
    else:
        form.add_error(None, error)


class IncidentViews(generic.ObjectViewMixin):
    model = Incident
    view_capability = VIEW_INCIDENTS
    edit_capability = MANAGE_INCIDENTS
    list_select_related: Sequence[str] = ("establishment", "assignee")


# --- list -------------------------------------------------------------------------------------


def _linkable_establishments(incident: Incident) -> list[int]:
    """An incident links alerts of its establishment and of those it affects."""
    return [
        incident.establishment_id,
        *incident.affected_establishments.values_list("pk", flat=True),
    ]


def _alert_candidates(incident: Incident, user: User) -> list[tuple[int, str]]:
    """The alerts offered by the link picker without scripts: the latest ones of the incident's
    establishment not linked yet (with scripts, the picker searches all the user's alerts)."""
    alerts = (
        Alert.objects.visible_to(user)
        .filter(establishment__in=_linkable_establishments(incident))
        .exclude(pk__in=incident.alerts.values("pk"))
        .select_related("establishment")
        .order_by("-last_seen_at", "-pk")[:PICKER_FALLBACK]
    )
    return [(alert.pk, alert_label(alert, user)) for alert in alerts]


class IncidentListView(IncidentViews, generic.ObjectListView):
    columns = (
        Column("reference", label=gettext_lazy("Incident"), link=True, render=str),
        Column("severity", badge="severity"),
        Column("status", badge="status"),
        Column("category", priority=SECONDARY),
        Column("care_impact", priority=SECONDARY),
        Column("establishment", sort="establishment__name", priority=SECONDARY),
        Column("assignee", sort="assignee__username", priority=OPTIONAL),
        Column("discovered_at"),
    )
    search_fields = ("reference", "title", "description")
    filters = ("status", "category", "severity", "care_impact", "establishment")
    template_name = "response/incident_list.html"

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        queryset = incident_filters.by_state(queryset, self.request.GET.get("state"))
        return incident_filters.by_assignee(
            queryset, self.request.GET.get("assigned"), self.request.user
        )

    def extra_context(self, queryset: models.QuerySet) -> dict[str, Any]:
        state = self.request.GET.get("state", "")
        assigned = self.request.GET.get("assigned", "")
        extra = {
            "state": state if state in incident_filters.STATES else "",
            "assigned": assigned
            if assigned in incident_filters.ASSIGNED or assigned.isdigit()
            else "",
        }
        everything = Incident.objects.visible_to(self.request.user)
        return {
            **extra,
            "has_extra_filters": any(extra.values()),
            "counts": service.status_counts(everything),
            "open_count": everything.exclude(status=IncidentStatus.CLOSED).count(),
            "assignees": User.objects.filter(pk__in=everything.values("assignee")).order_by(
                "username"
            ),
            "from_alerts_url": reverse("response:incident_from_alerts")
            if self.can_edit() and self.request.user.can(VIEW_ALERTS)
            else "",
        }


# --- the incident file ------------------------------------------------------------------------


def _steps(incident: Incident) -> list[dict[str, Any]]:
    current = lifecycle.position(incident.status)
    declaration = incident.transitions.filter(from_status="").order_by("at", "pk").first()
    declared_at = declaration.at if declaration is not None else incident.created_at
    steps = []
    for index, (value, label) in enumerate(IncidentStatus.choices):
        field = lifecycle.MILESTONE_FIELDS.get(value)
        steps.append(
            {
                "value": value,
                "label": label,
                "state": "done"
                if index < current
                else ("current" if index == current else "upcoming"),
                "at": getattr(incident, field) if field else declared_at,
            }
        )
    return steps


def section_context(
    request: AuthenticatedRequest, incident: Incident, section: str, **forms_in_error: Any
) -> dict[str, Any]:
    """What one section of the incident file needs (also used to render it alone)."""
    user = request.user
    can_manage = user.can(MANAGE_INCIDENTS)
    zone = incident.establishment.timezone
    context: dict[str, Any] = {"incident": incident, "can_manage": can_manage, "section": section}
    if section == "tasks":
        candidates = service.task_owner_candidates(incident) if can_manage else []
        context.update(
            tasks=service.tasks_in_phase_order(incident),
            task_form=forms_in_error.get("task_form")
            or TaskForm(candidates=candidates, zone_name=zone, prefix="task"),
            task_statuses=TaskStatus.choices,
            task_error=forms_in_error.get("task_error"),
        )
    elif section == "timeline":
        context.update(
            entries=incident.timeline.select_related("author").all(),
            entry_form=forms_in_error.get("entry_form")
            or TimelineEntryForm(zone_name=zone, prefix="entry"),
        )
    elif section == "observables":
        context.update(
            observables=incident.observables.all(),
            observable_form=forms_in_error.get("observable_form")
            or ObservableForm(prefix="observable"),
        )
    elif section == "evidence":
        # Each item with its custody form: same field names, ids unique on the page.
        items = [
            (item, CustodyForm(prefix="custody", auto_id=f"id_custody_{item.pk}_%s"))
            for item in incident.evidence.select_related(
                "evidence", "evidence__collected_by"
            ).prefetch_related("custody__actor")
        ]
        context.update(
            items=items,
            can_download=user.can(VIEW_EVIDENCE),
            can_add_evidence=evidence_service.can_add_evidence(user),
            evidence_form=forms_in_error.get("evidence_form") or EvidenceForm(prefix="evidence"),
            custody_error=forms_in_error.get("custody_error"),
            max_bytes=core_evidence.max_upload_bytes(),
        )
    elif section == "comments":
        context.update(
            comments=incident.comments.select_related("author").all(),
            can_comment=service.can_comment(user),
            comment_form=forms_in_error.get("comment_form") or CommentForm(prefix="comment"),
        )
    elif section == "watchers":
        watchers = list(incident.watchers.order_by("username"))
        context.update(
            watchers=watchers,
            is_watching=any(w.pk == user.pk for w in watchers),
            watcher_form=WatcherForm(
                candidates=[
                    c for c in service.task_owner_candidates(incident) if c not in watchers
                ],
                prefix="watcher",
            )
            if can_manage
            else None,
            watcher_error=forms_in_error.get("watcher_error"),
        )
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
            "incident": obj,
            "steps": _steps(obj),
            "moves": moves,
            "transition_form": TransitionForm(prefix="transition"),
            "assign_form": AssignForm(
                candidates=service.assignable_users(obj),
                initial={"assignee": obj.assignee_id or ""},
                prefix="assign",
            )
            if can_manage
            else None,
            "sections": sections,
            "can_manage": can_manage,
            "alerts": obj.alerts.visible_to(user).select_related("establishment")
            if user.can(VIEW_ALERTS)
            else None,
            "alert_link_form": AlertLinkForm(
                prefix="alerts",
                candidates=_alert_candidates(obj, user),
                establishments=_linkable_establishments(obj),
            )
            if can_manage and user.can(VIEW_ALERTS)
            else None,
            "open_tasks": service.open_task_count(obj),
            "affected_establishments": obj.affected_establishments.all(),
            "departments": obj.departments.select_related("establishment"),
            "assets": obj.assets.select_related("establishment"),
            "transitions": obj.transitions.select_related("by").all(),
            "data_category_labels": _data_category_labels(obj),
            # Links of the modules that share incidents (intel), when installed: decision 0040.
            "share_links": share_links(user, str(obj.pk)),
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

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = {
            key: value
            for key, value in request.GET.items()
            if key in ("category", "source", "establishment", "severity")
        }
        form = IncidentForm(user=request.user, initial=initial, assignees=self.assignees())
        return self.render_form(form)

    def assignees(self) -> list[Any]:
        return service.incident_managers(self.request.user.visible_establishment_ids())

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = IncidentForm(request.POST, user=request.user, assignees=self.assignees())
        if form.is_valid():
            values = form.service_values()
            try:
                incident = service.create_incident(request.user, **values)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Incident %(reference)s declared.") % {"reference": incident.reference},
                )
                return HttpResponseRedirect(reverse("response:incident_detail", args=[incident.pk]))
        return self.render_form(form, status=422)

    def render_form(self, form: IncidentForm, status: int = 200, **extra: Any) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                **self.base_context(),
                "form": form,
                "object": None,
                "cancel_url": reverse("response:incident_list"),
                **extra,
            },
            status=status,
        )


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

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            alerts = self.alerts()
        except ValidationError as error:
            return self.render_problem(error)
        suggestion = service.suggest_from_alerts(alerts)
        establishments = [suggestion.establishment, *suggestion.affected_establishments]
        zone = suggestion.establishment.timezone
        initial = {
            "establishment": suggestion.establishment.pk,
            "title": suggestion.title,
            "description": suggestion.description,
            "severity": suggestion.severity,
            "category": suggestion.category,
            "source": suggestion.source,
            "source_reference": suggestion.source_reference,
            "discovered_at": wall_clock(suggestion.discovered_at, zone),
            "assets": [asset.pk for asset in suggestion.assets],
            "affected_establishments": [e.pk for e in suggestion.affected_establishments],
        }
        form = IncidentForm(
            user=request.user,
            initial=initial,
            assignees=self.assignees(),
            establishments=establishments,
        )
        return self.render_form(form, alerts=alerts, **self.alert_context(alerts))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            alerts = self.alerts()
        except ValidationError as error:
            return self.render_problem(error)
        establishments = list(
            {alert.establishment_id: alert.establishment for alert in alerts}.values()
        )
        form = IncidentForm(
            request.POST,
            user=request.user,
            assignees=self.assignees(),
            establishments=establishments,
        )
        if form.is_valid():
            values = form.service_values()
            try:
                incident = service.create_from_alerts(request.user, alerts, **values)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("Incident %(reference)s declared from %(count)d alert(s).")
                    % {"reference": incident.reference, "count": len(alerts)},
                )
                return HttpResponseRedirect(reverse("response:incident_detail", args=[incident.pk]))
        return self.render_form(form, status=422, alerts=alerts, **self.alert_context(alerts))

    def alert_context(self, alerts: list[Alert]) -> dict[str, Any]:
        rows = [(alert, list(alert.incidents.visible_to(self.request.user))) for alert in alerts]
        return {"alert_rows": rows, "alert_query": urlencode([("alert", a.pk) for a in alerts])}

    def render_problem(self, error: ValidationError) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                **self.base_context(),
                "form": None,
                "object": None,
                "problem": error.messages,
                "cancel_url": reverse("core:alert_list"),
            },
            status=404,
        )


class IncidentEditView(IncidentViews, generic.ObjectViewMixin):
    template_name = "response/incident_form.html"

    def get_required_capability(self) -> str | None:
        return MANAGE_INCIDENTS

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_object()
        return self.render_form(IncidentForm(instance=incident, user=request.user), incident)

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        incident = self.get_object()
        assert isinstance(incident, Incident)
        form = IncidentForm(
            request.POST,
            instance=Incident.objects.select_related("establishment").get(pk=incident.pk),
            user=request.user,
        )
        if form.is_valid():
            values = form.service_values()
            changes = {name: values[name] for name in form.fields if name in values}
            try:
                changed = service.update_incident(request.user, incident, changes)
            except ValidationError as error:
                errors_to_form(form, error)
            else:
                messages.success(
                    request,
                    _("%(count)d change(s) saved.") % {"count": len(changed)}
                    if changed
                    else _("Nothing changed."),
                )
                return HttpResponseRedirect(reverse("response:incident_detail", args=[incident.pk]))
        return self.render_form(form, incident, status=422)

    def render_form(self, form: IncidentForm, incident: Any, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                **self.base_context(),
                "form": form,
                "object": incident,
                "cancel_url": reverse("response:incident_detail", args=[incident.pk]),
            },
            status=status,
        )
