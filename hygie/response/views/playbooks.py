"""Response pages: the playbook library, the YAML editor, and the incident's playbooks panel.

Shipped playbooks are read-only files addressed by key; the organisation's own are ``Playbook``
rows addressed by id, read through ``Playbook.objects.visible_to(user)`` like every scoped model.
Every write goes through ``services.playbooks``; YAML problems come back with their path and line
and are shown next to the editor.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Organisation
from hygie.core.views import generic
from hygie.core.views.generic import CapabilityRequiredMixin
from hygie.core.views.uploads import BoundedUploadMixin
from hygie.response.choices import IncidentCategory, IncidentStatus
from hygie.response.engine.playbooks import (
    MAX_PLAYBOOK_BYTES,
    Playbook,
    PlaybookError,
    PlaybookProblem,
)
from hygie.response.forms import PlaybookSourceForm, PlaybookUploadForm
from hygie.response.models import Incident
from hygie.response.models import Playbook as PlaybookRow
from hygie.response.roles import MANAGE_INCIDENTS, MANAGE_PLAYBOOKS, VIEW_INCIDENTS
from hygie.response.services import playbooks as service

NEW_PLAYBOOK_TEMPLATE = """\
schema_version: 1
key: my-playbook
version: "1.0.0"
title:
  fr: Mon playbook
  en: My playbook
categories: [other]
contacts:
  - role: rssi
    who: {fr: RSSI, en: CISO}
    when: {fr: Immédiatement, en: Immediately}
    phone: to_complete
phases:
  triage:
    steps:
      - id: first-step
        title: {fr: Première étape, en: First step}
        owner_role: rssi
        due_after: PT1H
"""


def _category_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in IncidentCategory.choices}


def _phase_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in IncidentStatus.choices}


def _organisations(request: AuthenticatedRequest) -> list[Organisation]:
    return service.organisations_for(request.user)


def _single_or_chosen(form: forms.Form, organisations: list[Organisation]) -> Organisation | None:
    if "organisation" in form.fields:
        chosen: Organisation | None = form.cleaned_data.get("organisation")
        return chosen
    return organisations[0] if organisations else None


def _problem_rows(
    problems: tuple[PlaybookProblem, ...] | list[PlaybookProblem],
) -> list[dict[str, Any]]:
    return [
        {"path": problem.path, "line": problem.line, "message": problem.message}
        for problem in problems
    ]


def _validation_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


class PlaybookListView(CapabilityRequiredMixin, View):
    required_capability = VIEW_INCIDENTS

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        labels = _category_labels()
        category = request.GET.get("category", "")
        if category not in labels:
            category = ""
        entries = service.library_for(request.user, category=category)
        language = get_language()
        rows = [
            {
                "entry": entry,
                "title": entry.playbook.title.get(language),
                "categories": [labels.get(c, c) for c in entry.playbook.categories],
                "url": reverse("response:playbook_detail", args=[entry.row.pk])
                if entry.row
                else reverse("response:playbook_shipped", args=[entry.key]),
            }
            for entry in entries
        ]
        return render(
            request,
            "response/playbook_list.html",
            {
                "rows": rows,
                "categories": sorted(labels.items(), key=lambda item: item[1]),
                "category": category,
                "can_manage": request.user.can(MANAGE_PLAYBOOKS),
            },
        )


def _detail_context(
    request: AuthenticatedRequest, playbook: Playbook, source: str
) -> dict[str, Any]:
    language = get_language()
    phase_labels = _phase_labels()
    category_labels = _category_labels()
    return {
        "playbook": playbook,
        "source": source,
        "language": language,
        "title": playbook.title.get(language),
        "summary": playbook.summary.get(language) if playbook.summary else "",
        "categories": [category_labels.get(c, c) for c in playbook.categories],
        "phases": [
            {
                "key": phase.key,
                "label": phase_labels.get(phase.key, phase.key),
                "steps": [
                    {
                        "step": step,
                        "title": step.title.get(language),
                        "description": step.description.get(language) if step.description else "",
                        "question": step.decision.question.get(language) if step.decision else "",
                        "options": [o.get(language) for o in step.decision.options]
                        if step.decision
                        else [],
                        "references": [playbook.reference(r) for r in step.references],
                    }
                    for step in phase.steps
                ],
            }
            for phase in playbook.phases
        ],
        "contacts": [
            {
                "contact": contact,
                "who": contact.who.get(language),
                "when": contact.when.get(language),
            }
            for contact in playbook.contacts
        ],
        "can_manage": request.user.can(MANAGE_PLAYBOOKS),
    }


class ShippedPlaybookView(CapabilityRequiredMixin, View):
    required_capability = VIEW_INCIDENTS

    def get(self, request: AuthenticatedRequest, key: str) -> HttpResponse:
        item = service.shipped(key)
        if item is None:
            raise Http404
        own = PlaybookRow.objects.visible_to(request.user).filter(key=key).first()
        return render(
            request,
            "response/playbook_detail.html",
            {
                **_detail_context(request, item.playbook, item.source),
                "row": None,
                "own_copy": own,
                "filename": item.filename,
            },
        )


class ShippedPlaybookCopyView(CapabilityRequiredMixin, View):
    """POST: copy a shipped playbook into the organisation; ``adopt=1`` also marks it reviewed."""

    required_capability = MANAGE_PLAYBOOKS

    def post(self, request: AuthenticatedRequest, key: str) -> HttpResponse:
        if service.shipped(key) is None:
            raise Http404
        organisations = _organisations(request)
        organisation = _chosen_organisation(request, organisations)
        if organisation is None:
            messages.error(request, _("Choose an organisation."))
            return HttpResponseRedirect(reverse("response:playbook_shipped", args=[key]))
        try:
            if request.POST.get("adopt"):
                row = service.adopt_shipped(request.user, organisation, key)
                messages.success(request, _("Playbook adopted and marked reviewed."))
            else:
                row = service.copy_playbook(request.user, organisation, key=key)
                messages.success(request, _("Playbook copied: you can now edit it."))
        except ValidationError as error:
            for message in _validation_messages(error):
                messages.error(request, message)
            return HttpResponseRedirect(reverse("response:playbook_shipped", args=[key]))
        return HttpResponseRedirect(reverse("response:playbook_detail", args=[row.pk]))


def _chosen_organisation(
    request: AuthenticatedRequest, organisations: list[Organisation]
) -> Organisation | None:
    if len(organisations) == 1:
        return organisations[0]
    wanted = request.POST.get("organisation", "")
    return next((org for org in organisations if str(org.pk) == wanted), None)


class PlaybookRowMixin(CapabilityRequiredMixin, View):
    def get_row(self, pk: int) -> PlaybookRow:
        return get_object_or_404(
            PlaybookRow.objects.visible_to(self.request.user).select_related(
                "organisation", "updated_by"
            ),
            pk=pk,
        )


class PlaybookViews(generic.ObjectViewMixin):
    """What the generic object pages need to know of an organisation's playbook."""

    model = PlaybookRow
    view_capability = VIEW_INCIDENTS
    edit_capability = MANAGE_PLAYBOOKS
    list_select_related = ("organisation", "updated_by")


class PlaybookDetailView(PlaybookViews, generic.ObjectDetailView):
    """The parsed playbook (phases, tasks, references) with its YAML; shipped ones have their
    own read-only page (``ShippedPlaybookView``), not a row."""

    template_name = "response/playbook_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, PlaybookRow)
        return {
            **_detail_context(self.request, service.parse_row(obj), obj.source),
            "row": obj,
            "organisations": _organisations(self.request),
            "is_review_due": service.is_review_due(obj),
        }


class PlaybookEditView(PlaybookRowMixin):
    """The YAML editor, for a new playbook (no ``pk``) or one of the organisation's."""

    required_capability = MANAGE_PLAYBOOKS

    def get(self, request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
        row = self.get_row(pk) if pk else None
        initial = {"source": row.source if row else NEW_PLAYBOOK_TEMPLATE}
        form = PlaybookSourceForm(
            initial=initial, organisations=None if row else _organisations(request)
        )
        return self.render_editor(form, row)

    def post(self, request: AuthenticatedRequest, pk: int | None = None) -> HttpResponse:
        row = self.get_row(pk) if pk else None
        organisations = [] if row else _organisations(request)
        form = PlaybookSourceForm(request.POST, organisations=organisations)
        problems: list[dict[str, Any]] = []
        if form.is_valid():
            source = form.cleaned_data["source"]
            try:
                if row is None:
                    organisation = _single_or_chosen(form, organisations)
                    saved = service.save_playbook(request.user, source, organisation=organisation)
                else:
                    saved = service.save_playbook(request.user, source, instance=row)
            except PlaybookError as error:
                problems = _problem_rows(error.problems)
            except ValidationError as error:
                for message in _validation_messages(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("Playbook “%(title)s” saved (version %(version)s).")
                    % {"title": saved.title, "version": saved.version},
                )
                return HttpResponseRedirect(reverse("response:playbook_detail", args=[saved.pk]))
        return self.render_editor(form, row, problems, status=422)

    def render_editor(
        self,
        form: forms.Form,
        row: PlaybookRow | None,
        problems: list[dict[str, Any]] | None = None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            self.request,
            "response/playbook_edit.html",
            {
                "form": form,
                "row": row,
                "problems": problems or [],
                "cancel_url": reverse("response:playbook_detail", args=[row.pk])
                if row
                else reverse("response:playbook_list"),
            },
            status=status,
        )


class PlaybookUploadView(BoundedUploadMixin, CapabilityRequiredMixin, View):
    required_capability = MANAGE_PLAYBOOKS

    def upload_limit(self) -> int:
        return MAX_PLAYBOOK_BYTES

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        return self.render_form(PlaybookUploadForm(organisations=_organisations(request)))

    def post(self, request: AuthenticatedRequest) -> HttpResponse:
        organisations = _organisations(request)
        form = PlaybookUploadForm(request.POST, request.FILES, organisations=organisations)
        if self.flag_too_large(form):
            return self.render_form(form, status=413)
        problems: list[dict[str, Any]] = []
        if form.is_valid():
            try:
                saved = service.save_playbook(
                    request.user,
                    form.cleaned_data["file"],
                    organisation=_single_or_chosen(form, organisations),
                )
            except PlaybookError as error:
                problems = _problem_rows(error.problems)
            except ValidationError as error:
                for message in _validation_messages(error):
                    form.add_error(None, message)
            else:
                messages.success(
                    request, _("Playbook “%(title)s” imported.") % {"title": saved.title}
                )
                return HttpResponseRedirect(reverse("response:playbook_detail", args=[saved.pk]))
        return self.render_form(form, problems, status=422)

    def render_form(
        self, form: forms.Form, problems: list[dict[str, Any]] | None = None, status: int = 200
    ) -> HttpResponse:
        return render(
            self.request,
            "response/playbook_upload.html",
            {"form": form, "problems": problems or []},
            status=status,
        )


class PlaybookReviewView(PlaybookRowMixin):
    required_capability = MANAGE_PLAYBOOKS

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        row = service.mark_reviewed(request.user, self.get_row(pk))
        messages.success(request, _("Review recorded for “%(title)s”.") % {"title": row.title})
        return HttpResponseRedirect(reverse("response:playbook_detail", args=[row.pk]))


class PlaybookCopyView(PlaybookRowMixin):
    required_capability = MANAGE_PLAYBOOKS

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        row = self.get_row(pk)
        try:
            copy = service.copy_playbook(request.user, row.organisation, row=row)
        except ValidationError as error:
            for message in _validation_messages(error):
                messages.error(request, message)
            return HttpResponseRedirect(reverse("response:playbook_detail", args=[row.pk]))
        messages.success(request, _("Copy created under the key “%(key)s”.") % {"key": copy.key})
        return HttpResponseRedirect(reverse("response:playbook_edit", args=[copy.pk]))


class PlaybookDeleteView(PlaybookViews, generic.ObjectDeleteView):
    def check_write_allowed(self, obj: models.Model) -> None:
        assert isinstance(obj, PlaybookRow)
        service.check_can_manage(self.request.user, obj.organisation)

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, PlaybookRow)
        warning = _(
            "This removes the playbook from %(org)s's library. Incidents it was applied "
            "to keep their tasks and the frozen copy of the playbook."
        ) % {"org": obj.organisation}
        if obj.based_on:
            warning += " " + _(
                "The shipped playbook “%(key)s” will be used again for new incidents."
            ) % {"key": obj.based_on}
        return {"delete_warning": warning}

    def delete_object(self, obj: models.Model) -> None:
        assert isinstance(obj, PlaybookRow)
        service.delete_playbook(self.request.user, obj)


class PlaybookDownloadView(PlaybookRowMixin):
    """The YAML as a file, to keep under version control or share with another organisation."""

    required_capability = VIEW_INCIDENTS

    def get(
        self, request: AuthenticatedRequest, pk: int | None = None, key: str = ""
    ) -> HttpResponse:
        if key:
            item = service.shipped(key)
            if item is None:
                raise Http404
            source, name = item.source, item.playbook.key
        else:
            row = self.get_row(pk or 0)
            source, name = row.source, row.key
        response = HttpResponse(source, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.yaml"'
        return response


class IncidentPlaybooksView(CapabilityRequiredMixin, View):
    """The incident page's panel (htmx fragment): applied playbooks with per-phase progress, and
    the form applying another one (the incident's category first). POST applies and re-renders."""

    required_capability = VIEW_INCIDENTS

    def get_incident(self, pk: int) -> Incident:
        return get_object_or_404(
            Incident.objects.visible_to(self.request.user).select_related("establishment"), pk=pk
        )

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        return self.render_panel(self.get_incident(pk))

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        if not request.user.can(MANAGE_INCIDENTS):
            raise PermissionDenied
        incident = self.get_incident(pk)
        key = request.POST.get("key", "")[:100]
        error = notice = ""
        try:
            applied = service.apply_playbook(request.user, incident, key)
        except ValidationError as problem:
            error = " ".join(_validation_messages(problem))
        else:
            notice = _("Playbook “%(title)s” applied: its steps are now tasks of the incident.") % {
                "title": applied.title
            }
        htmx = getattr(request, "htmx", None)
        # htmx does not swap 4xx answers: the panel comes back with its error shown.
        response = self.render_panel(
            incident, error=error, notice=notice, status=422 if error and not htmx else 200
        )
        if not error:
            # The incident page refreshes its task list when it hears this event.
            response["HX-Trigger"] = "incident-tasks-changed"
        return response

    def render_panel(
        self, incident: Incident, *, error: str = "", notice: str = "", status: int = 200
    ) -> HttpResponse:
        language = get_language()
        phase_labels = _phase_labels()
        applied = [
            {
                "applied": item,
                "phases": [
                    {"label": phase_labels.get(p.phase, p.phase), "progress": p} for p in progress
                ],
                "done": sum(p.done for p in progress),
                "total": sum(p.total for p in progress),
            }
            for item, progress in service.applied_with_progress(incident)
        ]
        available = service.available_for_incident(incident)
        options = [
            {
                "key": p.key,
                "title": p.title.get(language),
                "fits": incident.category in p.categories,
            }
            for p in available
        ]
        htmx = getattr(self.request, "htmx", None)
        # Opened directly (the incident page's "Open" link, no JavaScript): a whole page.
        template = (
            "response/partials/_playbook_panel.html"
            if htmx and not htmx.boosted
            else "response/playbook_incident.html"
        )
        try:
            incident_url = reverse("response:incident_detail", args=[incident.pk])
        except NoReverseMatch:
            incident_url = ""
        return render(
            self.request,
            template,
            {
                "incident": incident,
                "applied": applied,
                "incident_url": incident_url,
                "fitting": [o for o in options if o["fits"]],
                "others": [o for o in options if not o["fits"]],
                "can_apply": self.request.user.can(MANAGE_INCIDENTS),
                "error": error,
                "notice": notice,
            },
            status=status,
        )
