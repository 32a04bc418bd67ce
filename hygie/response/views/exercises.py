"""Response pages: crisis exercises (plan, run console, after-action review, report).

The run console polls ``response:exercise_live`` every few seconds with htmx: each poll delivers
the injects whose time has come and returns the refreshed clock, injects and log. The quick forms
sit outside the polled region (a poll never wipes what someone is typing); they post with htmx and
get the refreshed region back, plus a blank form swapped out-of-band. Without JavaScript the same
forms post normally and redirect to the console, whose page reload shows the new state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core import audit
from hygie.core.display import duration_words
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.tables import Column
from hygie.core.views import generic
from hygie.core.views.generic import CapabilityRequiredMixin
from hygie.core.views.uploads import BoundedUploadMixin
from hygie.response.choices import ExerciseStatus
from hygie.response.engine.scenarios import MAX_SCENARIO_BYTES, ScenarioError
from hygie.response.forms import AfterActionForm, EntryForm, ExercisePlanForm
from hygie.response.models import Exercise
from hygie.response.roles import MANAGE_EXERCISES, VIEW_INCIDENTS
from hygie.response.services import exercises as service

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

LIVE_TEMPLATE = "response/partials/_exercise_live.html"
ENTRY_FORM_TEMPLATE = "response/partials/_exercise_entry_form.html"
POLL_SECONDS = 5


def _scenario_title(exercise: Exercise) -> str:
    try:
        return service.scenario_of(exercise).title.get(translation.get_language())
    except ScenarioError:
        return exercise.scenario_key


def _apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# --- list, detail, plan, edit, delete -------------------------------------------------------


class ExerciseViews(generic.ObjectViewMixin):
    model = Exercise
    view_capability = VIEW_INCIDENTS
    edit_capability = MANAGE_EXERCISES
    list_select_related = ("establishment",)


class ExerciseListView(ExerciseViews, generic.ObjectListView):
    template_name = "response/exercise_list.html"
    columns = (
        Column("title", link=True),
        Column("scenario_key", label=gettext_lazy("Scenario"), render=_scenario_title),
        Column("planned_for"),
        Column("status", badge="status"),
        Column("establishment", sort="establishment__name"),
    )
    search_fields = ("title", "scenario_key")
    filters = ("status", "establishment")

    def extra_context(self, queryset: models.QuerySet[Any, Any]) -> dict[str, Any]:
        return {"establishment_status": service.exercise_status_by_establishment(self.request.user)}


class ExerciseDetailView(ExerciseViews, generic.ObjectDetailView):
    template_name = "response/exercise_detail.html"
    fields = (
        "establishment",
        "status",
        "planned_for",
        "started_at",
        "ended_at",
        "objectives",
        "other_participants",
    )

    def extra_context(self, obj: Any) -> dict[str, Any]:
        scenario = service.scenario_of(obj)
        language = translation.get_language()
        state = service.console_state(obj)
        delivered = {item.entry.inject_key for item in state.delivered}
        return {
            "scenario": scenario,
            "scenario_title": scenario.title.get(language),
            "scenario_summary": scenario.summary.get(language),
            "scenario_duration": duration_words(scenario.duration),
            "inject_count": len(scenario.injects),
            "injects": [
                {
                    "inject": item,
                    "at": service.clock(item.at),
                    "title": item.title.get(language),
                    "channel": service.CHANNEL_LABELS.get(item.channel, item.channel),
                    "is_delivered": item.id in delivered,
                    "expected": [action.text.get(language) for action in item.expected_actions],
                    "notes": item.facilitator_notes.get(language) if item.facilitator_notes else "",
                    "obligations": item.obligations,
                }
                for item in scenario.injects
            ]
            # The script is for the facilitators: players following the exercise with a
            # read-only role must not read ahead.
            if self.can_edit()
            else [],
            "participants": obj.participants.order_by("last_name", "username"),
            "entries": _entry_rows(obj, state),
            "is_planned": obj.status == ExerciseStatus.PLANNED,
            "is_running": obj.status == ExerciseStatus.RUNNING,
            "is_completed": obj.status == ExerciseStatus.COMPLETED,
            "delete_url": reverse("response:exercise_delete", args=[obj.pk])
            if self.can_edit() and obj.status in (ExerciseStatus.PLANNED, ExerciseStatus.CANCELLED)
            else "",
        }


def _entry_rows(exercise: Exercise, state: service.ConsoleState) -> list[dict[str, Any]]:
    language = translation.get_language()
    by_pk = {item.entry.pk: item for item in state.delivered}
    rows = []
    for entry in state.entries:
        offset = entry.at - exercise.started_at if exercise.started_at else None
        item = by_pk.get(entry.pk)
        inject = item.inject if item else None
        rows.append(
            {
                "entry": entry,
                "offset": service.clock(offset),
                "title": inject.title.get(language) if inject else entry.text,
                "content": inject.content.get(language) if inject else "",
                "channel": service.CHANNEL_LABELS.get(inject.channel, "") if inject else "",
                "sender": inject.sender if inject else "",
                "scheduled": service.clock(item.scheduled_at) if item else "",
                "was_early": bool(item and item.was_early),
                "author": (entry.author.get_full_name() or entry.author.get_username())
                if entry.author
                else "",
            }
        )
    return rows


class ExercisePlanView(ExerciseViews, BoundedUploadMixin, generic.ObjectViewMixin):
    """Plan an exercise (no ``pk``) or change its plan."""

    template_name = "response/exercise_edit.html"

    def get_required_capability(self) -> str | None:
        return MANAGE_EXERCISES

    def upload_limit(self) -> int:
        return MAX_SCENARIO_BYTES

    def current(self) -> Exercise | None:
        if "pk" not in self.kwargs:
            return None
        exercise = self.get_object()
        assert isinstance(exercise, Exercise)
        return exercise

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = self.current()
        if exercise is None:
            initial: dict[str, Any] = {"scenario_key": request.GET.get("scenario", "")}
            establishments = Establishment.objects.visible_to(request.user)
            if establishments.count() == 1:
                initial["establishment"] = establishments.first()
        else:
            initial = {
                "title": exercise.title,
                "objectives": exercise.objectives,
                "other_participants": exercise.other_participants,
                "planned_for": timezone.localtime(exercise.planned_for),
                "participants": list(exercise.participants.all()),
            }
        form = ExercisePlanForm(user=request.user, exercise=exercise, initial=initial)
        return self.render_form(form, exercise)

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = self.current()
        form = ExercisePlanForm(request.POST, request.FILES, user=request.user, exercise=exercise)
        if not self.flag_too_large(form) and form.is_valid():
            data = form.cleaned_data
            try:
                if exercise is None:
                    exercise = service.plan_exercise(
                        request.user,
                        establishment=data["establishment"],
                        title=data["title"],
                        planned_for=data["planned_for"],
                        scenario_key=data.get("scenario_key", ""),
                        scenario_source=data.get("scenario_source", ""),
                        objectives=data["objectives"],
                        participants=data["participants"],
                        other_participants=data["other_participants"],
                    )
                else:
                    fields = {
                        name: data[name] for name in ("title", "objectives", "other_participants")
                    }
                    if not fields["title"]:
                        fields.pop("title")
                    if "planned_for" in data:
                        fields["planned_for"] = data["planned_for"]
                    service.update_plan(
                        exercise, request.user, participants=data.get("participants"), **fields
                    )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("%(name)s saved.") % {"name": exercise})
                return HttpResponseRedirect(reverse("response:exercise_detail", args=[exercise.pk]))
        return self.render_form(form, exercise, status=422)

    def render_form(
        self, form: forms.Form, exercise: Exercise | None, status: int = 200
    ) -> HttpResponse:
        cancel = (
            reverse("response:exercise_detail", args=[exercise.pk])
            if exercise
            else reverse("response:exercise_list")
        )
        return render(
            self.request,
            self.template_name,
            {
                **self.base_context(),
                "form": form,
                "object": exercise,
                "cancel_url": cancel,
                "scenarios": [
                    (key, item.scenario) for key, item in service.shipped_scenarios().items()
                ],
                "language": translation.get_language(),
            },
            status=status,
        )


class ExerciseDeleteView(ExerciseViews, generic.ObjectDeleteView):
    def check_write_allowed(self, obj: Any) -> None:
        if not self.request.user.can(MANAGE_EXERCISES):
            raise PermissionDenied

    def check_deletable(self, obj: Any) -> None:
        service.check_deletable(obj)

    def extra_context(self, obj: Any) -> dict[str, Any]:
        return {
            "delete_warning": _(
                "Its log is deleted with it. Completed exercises cannot be "
                "deleted: they are compliance evidence."
            )
        }


# --- actions --------------------------------------------------------------------------------


class ExerciseActionView(CapabilityRequiredMixin):
    """POST-only state changes; errors come back as messages on the page they came from."""

    required_capability = MANAGE_EXERCISES
    success_message: StrOrPromise = ""

    def get_exercise(self) -> Exercise:
        return get_object_or_404(
            Exercise.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )

    def act(self, exercise: Exercise) -> Exercise:
        raise NotImplementedError

    def target(self, exercise: Exercise) -> str:
        return reverse("response:exercise_detail", args=[exercise.pk])

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = self.get_exercise()
        try:
            exercise = self.act(exercise)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            if self.success_message:
                messages.success(request, str(self.success_message))
        return HttpResponseRedirect(self.target(exercise))


class ExerciseStartView(ExerciseActionView):
    success_message = gettext_lazy("Exercise started: the first injects are being delivered.")

    def act(self, exercise: Exercise) -> Exercise:
        exercise = service.start_exercise(exercise, self.request.user)
        service.deliver_due_injects(exercise, self.request.user)
        return exercise

    def target(self, exercise: Exercise) -> str:
        return reverse("response:exercise_run", args=[exercise.pk])


class ExerciseCancelView(ExerciseActionView):
    success_message = gettext_lazy("Exercise cancelled.")

    def act(self, exercise: Exercise) -> Exercise:
        return service.cancel_exercise(exercise, self.request.user)


class ExerciseEndView(ExerciseActionView):
    success_message = gettext_lazy(
        "Exercise ended. Write the after-action review now, while memories are fresh."
    )

    def act(self, exercise: Exercise) -> Exercise:
        service.deliver_due_injects(exercise, self.request.user)
        return service.end_exercise(exercise, self.request.user)

    def target(self, exercise: Exercise) -> str:
        return reverse("response:exercise_after_action", args=[exercise.pk])


class LiveMixin(CapabilityRequiredMixin):
    def live_context(self, exercise: Exercise) -> dict[str, Any]:
        state = service.console_state(exercise)
        return {
            # Newest first: what just arrived is what the cell must read.
            "object": exercise,
            "state": state,
            "rows": list(reversed(_entry_rows(exercise, state))),
            "elapsed": service.clock(state.elapsed),
            "remaining": service.clock(state.remaining),
            "next_in": service.clock(state.next_in),
            "is_running": exercise.status == ExerciseStatus.RUNNING,
            "can_manage": self.request.user.can(MANAGE_EXERCISES),
            "poll_seconds": POLL_SECONDS,
        }


class ExerciseRunView(LiveMixin, CapabilityRequiredMixin):
    """The run console: clock, injects as they arrive, the log, and the facilitator's buttons."""

    required_capability = VIEW_INCIDENTS

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = get_object_or_404(Exercise.objects.visible_to(request.user), pk=kwargs["pk"])
        service.deliver_due_injects(exercise, request.user)
        return render(
            request,
            "response/exercise_run.html",
            {
                **self.live_context(exercise),
                "entry_form": EntryForm(),
                "scenario_title": _scenario_title(exercise),
            },
        )


class ExerciseLiveView(LiveMixin, CapabilityRequiredMixin):
    """The polled fragment: delivers the injects that are due, then renders the live region."""

    required_capability = VIEW_INCIDENTS

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = get_object_or_404(Exercise.objects.visible_to(request.user), pk=kwargs["pk"])
        service.deliver_due_injects(exercise, request.user)
        return render(request, LIVE_TEMPLATE, self.live_context(exercise))


class ExerciseDeliverView(LiveMixin, ExerciseActionView):
    """Facilitator: deliver the next inject (or a named one) now."""

    def act(self, exercise: Exercise) -> Exercise:
        service.deliver_due_injects(exercise, self.request.user)
        service.deliver_inject_now(
            exercise, self.request.user, self.request.POST.get("inject", "")[:100] or None
        )
        return exercise

    def target(self, exercise: Exercise) -> str:
        return reverse("response:exercise_run", args=[exercise.pk])

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not getattr(request, "htmx", False):
            return super().post(request, *args, **kwargs)
        exercise = self.get_exercise()
        context: dict[str, Any] = {}
        try:
            self.act(exercise)
        except ValidationError as error:
            context["live_errors"] = error.messages
        exercise.refresh_from_db()
        return render(request, LIVE_TEMPLATE, {**self.live_context(exercise), **context})


class ExerciseEntryAddView(LiveMixin, ExerciseActionView):
    """Log a decision or an observation from the console's quick form."""

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = self.get_exercise()
        form = EntryForm(request.POST)
        if form.is_valid():
            try:
                service.record_entry(
                    exercise, request.user, form.cleaned_data["kind"], form.cleaned_data["text"]
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                form = EntryForm(initial={"kind": form.cleaned_data["kind"]})
        is_valid = not form.errors
        if getattr(request, "htmx", False):
            context = {**self.live_context(exercise), "entry_form": form, "oob": True}
            return render(
                request,
                "response/partials/_exercise_entry_response.html",
                context,
                status=200 if is_valid else 422,
            )
        if is_valid:
            messages.success(request, _("Logged."))
        else:
            for errors in form.errors.values():
                for message in errors:  # an ErrorList yields the messages' text
                    messages.error(request, str(message))
        return HttpResponseRedirect(self.target(exercise))

    def target(self, exercise: Exercise) -> str:
        if exercise.status == ExerciseStatus.RUNNING:
            return reverse("response:exercise_run", args=[exercise.pk])
        return reverse("response:exercise_detail", args=[exercise.pk])


# --- after-action review and report ---------------------------------------------------------


class ExerciseAfterActionView(CapabilityRequiredMixin):
    required_capability = MANAGE_EXERCISES
    template_name = "response/exercise_after_action.html"

    def get_exercise(self) -> Exercise:
        return get_object_or_404(
            Exercise.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = self.get_exercise()
        return self.render_form(AfterActionForm(instance=exercise), exercise)

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        exercise = self.get_exercise()
        form = AfterActionForm(request.POST, instance=Exercise.objects.get(pk=exercise.pk))
        if form.is_valid():
            try:
                service.save_after_action(
                    exercise,
                    request.user,
                    **{name: form.cleaned_data[name] for name in AfterActionForm.Meta.fields},
                )
                if "generate" in request.POST:
                    service.generate_report(exercise, request.user)
            except (ValidationError, PermissionDenied) as error:
                if isinstance(error, PermissionDenied):
                    form.add_error(None, str(error) or _("You may not do this."))
                else:
                    _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("After-action report produced and kept as evidence.")
                    if "generate" in request.POST
                    else _("After-action review saved."),
                )
                return HttpResponseRedirect(reverse("response:exercise_detail", args=[exercise.pk]))
        return self.render_form(form, exercise, status=422)

    def render_form(
        self, form: forms.BaseForm, exercise: Exercise, status: int = 200
    ) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "object": exercise,
                "is_completed": exercise.status == ExerciseStatus.COMPLETED,
            },
            status=status,
        )


class ExerciseReportView(CapabilityRequiredMixin):
    """Download the latest after-action report (the stored evidence, as hashed)."""

    required_capability = VIEW_INCIDENTS

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        exercise = get_object_or_404(Exercise.objects.visible_to(request.user), pk=kwargs["pk"])
        try:
            handle, name = service.report_file(exercise)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return HttpResponseRedirect(reverse("response:exercise_detail", args=[exercise.pk]))
        audit.record("export", exercise, message="after-action report downloaded")
        return FileResponse(
            handle, as_attachment=True, filename=name, content_type="application/pdf"
        )
