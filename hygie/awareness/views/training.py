"""Training pages: the catalogue and a module's preview, assignments to groups of the people
directory, completion rates by department, and the public pages staff reach through their
personal link (no account: the token is the capability, an expired link gets a clear page)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hygie.awareness.models import TrainingAssignment, TrainingModule
from hygie.awareness.roles import MANAGE, VIEW
from hygie.awareness.services import training
from hygie.awareness.services.training_catalogue import CatalogueError, catalogue_image
from hygie.core.charts import render_chart
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Department, Establishment
from hygie.core.registries import Series
from hygie.core.tables import SECONDARY, Column
from hygie.core.views.generic import ObjectListView
from hygie.core.widgets import IsoDateInput

_ROBOTS = "noindex, nofollow, noarchive"


def _require(request: HttpRequest, capability: str) -> AuthenticatedRequest:
    if not request.user.is_authenticated:
        raise PermissionDenied
    if not request.user.can(capability):
        raise PermissionDenied
    return request  # type: ignore[return-value]


def _signed_in(view: Any) -> Any:
    from django.contrib.auth.decorators import login_required

    return login_required(view)


# --- Back office ----------------------------------------------------------------------------


@_signed_in
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every published module (both languages side by side) with its assignment figures."""
    request = _require(request, VIEW)
    modules = list(training.published_modules(request.user))
    rows: dict[tuple[int | None, str], dict[str, Any]] = {}
    for module in modules:
        row = rows.setdefault(
            (module.establishment_id, module.slug),
            {"slug": module.slug, "establishment": module.establishment, "languages": {}},
        )
        row["languages"].setdefault(module.language, module)
    visible = TrainingAssignment.objects.visible_to(request.user)
    for row in rows.values():
        slug_assignments = visible.filter(module__slug=row["slug"])
        row["assigned"] = slug_assignments.count()
        row["passed"] = slug_assignments.filter(passed=True).count()
        language = translation.get_language() or "en"
        row["main"] = row["languages"].get(language[:2]) or next(iter(row["languages"].values()))
    return render(
        request,
        "awareness/training/catalogue.html",
        {
            "rows": sorted(rows.values(), key=lambda row: str(row["main"].title)),
            "can_manage": request.user.can(MANAGE),
        },
    )


@_signed_in
def module_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A module as staff will read it, then its quiz with the right answers and explanations."""
    request = _require(request, VIEW)
    module = get_object_or_404(TrainingModule.objects.visible_to(request.user), pk=pk)
    try:
        questions = training.module_questions(module)
    except CatalogueError:
        questions = ()
    versions = TrainingModule.objects.visible_to(request.user).filter(
        establishment=module.establishment, slug=module.slug, language=module.language
    )
    other = training.current_module(
        module.slug, "en" if module.language == "fr" else "fr", module.establishment
    )
    return render(
        request,
        "awareness/training/module_detail.html",
        {
            "module": module,
            "body": training.render_markdown(module.body_markdown),
            "questions": questions,
            "versions": versions.order_by("-version"),
            "other_language": other if other and other.language != module.language else None,
            "can_manage": request.user.can(MANAGE),
        },
    )


@require_POST
@_signed_in
def sync(request: HttpRequest) -> HttpResponse:
    request = _require(request, MANAGE)
    if not request.user.sees_all_establishments:  # the catalogue is the whole installation's
        raise PermissionDenied(_("Only users with organisation-wide access may do this."))
    try:
        report = training.sync_catalogue()
    except CatalogueError as error:
        messages.error(
            request, _("The shipped catalogue could not be read: %(error)s") % {"error": error}
        )
        return redirect("awareness:training_catalogue")
    messages.success(
        request,
        _(
            "Catalogue synchronised: %(created)s new module(s), %(versions)s new version(s), "
            "%(unchanged)s unchanged."
        )
        % {
            "created": len(report.created),
            "versions": len(report.new_versions),
            "unchanged": report.unchanged,
        },
    )
    return redirect("awareness:training_catalogue")


class AssignForm(forms.Form):
    module = forms.ChoiceField(label=gettext_lazy("Module"))
    establishments = forms.ModelMultipleChoiceField(
        queryset=Establishment.objects.none(),
        label=gettext_lazy("Establishments"),
        widget=forms.CheckboxSelectMultiple,
    )
    departments = forms.ModelMultipleChoiceField(
        queryset=Department.objects.none(),
        required=False,
        label=gettext_lazy("Departments"),
        help_text=gettext_lazy("Empty: every department."),
    )
    professions = forms.CharField(
        required=False,
        max_length=500,
        label=gettext_lazy("Professions"),
        help_text=gettext_lazy(
            "Comma-separated, as written in the people directory (nurse, secretary…). "
            "Empty: every profession."
        ),
    )
    due_date = forms.DateField(label=gettext_lazy("Due date"), widget=IsoDateInput())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slugs: dict[str, str] = {}
        language = (translation.get_language() or "en")[:2]
        for module in training.published_modules(user):
            if module.slug not in slugs or module.language == language:
                slugs[module.slug] = str(module.title)
        self.fields["module"].choices = sorted(  # type: ignore[attr-defined]
            ((slug, title) for slug, title in slugs.items()), key=lambda item: item[1]
        )
        establishments = Establishment.objects.visible_to(user).order_by("name")
        self.fields["establishments"].queryset = establishments  # type: ignore[attr-defined]
        self.fields["departments"].queryset = (  # type: ignore[attr-defined]
            Department.objects.filter(establishment__in=establishments)
            .select_related("establishment")
            .order_by("establishment__name", "name")
        )
        if establishments.count() == 1:
            self.fields["establishments"].initial = list(establishments)

    def clean_due_date(self) -> Any:
        value = self.cleaned_data["due_date"]
        if value <= timezone.localdate():
            raise forms.ValidationError(_("The due date must be in the future."))
        return value

    def professions_list(self) -> list[str]:
        raw = self.cleaned_data.get("professions") or ""
        return [item.strip() for item in raw.split(",") if item.strip()]


@_signed_in
def assign(request: HttpRequest) -> HttpResponse:
    """Assign a module to a group: establishments, departments and professions of the people
    directory, with a due date; invitations leave with the next reminder run."""
    request = _require(request, MANAGE)
    form = AssignForm(request.POST or None, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        people = training.active_people(
            form.cleaned_data["establishments"],
            department_ids=[d.pk for d in form.cleaned_data["departments"]],
            professions=form.professions_list(),
        )
        due_at = timezone.make_aware(datetime.combine(form.cleaned_data["due_date"], time(23, 59)))
        report = training.assign(
            form.cleaned_data["module"], people, due_at=due_at, assigned_by=request.user
        )
        messages.success(
            request,
            _(
                "%(created)s assignment(s) created; %(already)s person(s) already had this module "
                "open. Invitations are mailed by the next reminder run."
            )
            % {"created": len(report.created), "already": report.already_assigned},
        )
        return redirect("awareness:trainingassignment_list")
    return render(request, "awareness/training/assign.html", {"form": form})


def _percent(value: Any) -> str:
    return "—" if value is None else f"{value}\u00a0%"


class TrainingAssignmentListView(ObjectListView):
    model = TrainingAssignment
    view_capability = VIEW
    edit_capability = None
    list_select_related = ("person", "module", "establishment", "person__department")
    search_fields = ("person__last_name", "person__first_name", "module__title")
    filters = ("passed", "source", "establishment")
    columns = (
        Column("person", gettext_lazy("Person"), sort="person__last_name", main=True),
        Column("person__department", gettext_lazy("Department"), sort=False, priority=SECONDARY),
        Column("module", gettext_lazy("Module"), sort="module__title"),
        Column("module__version", gettext_lazy("Version"), sort=False, priority=SECONDARY),
        Column("due_at", gettext_lazy("Due")),
        Column("completed_at", gettext_lazy("Completed at")),
        Column("score", gettext_lazy("Score"), render=lambda row: _percent(row.score)),
        Column("passed", gettext_lazy("Passed")),
    )


@_signed_in
def completion(request: HttpRequest) -> HttpResponse:
    """Completion rates by department (staff trained in the last 12 months) and completions per
    month over 12 months."""
    request = _require(request, VIEW)
    establishments: Sequence[Establishment] = list(
        Establishment.objects.visible_to(request.user).order_by("name")
    )
    rates = training.completion_by_department(establishments)
    labels, values = training.monthly_completions(establishments)
    chart = None
    if values:
        chart = render_chart(
            Series(
                title=_("Training completed per month"),
                description=_("Modules passed each month over the last 12 months, by department."),
                labels=labels,
                values=values,
            ),
            "training-monthly",
        )
    people = sum(rate.people for rate in rates)
    trained = sum(rate.trained for rate in rates)
    return render(
        request,
        "awareness/training/completion.html",
        {
            "rates": rates,
            "chart": chart,
            "people": people,
            "trained": trained,
            "percent": round(100 * trained / people) if people else 0,
        },
    )


# --- Public pages (personal link) ---------------------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = _ROBOTS
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    return response


def image(request: HttpRequest, name: str) -> HttpResponse:
    """A shipped catalogue illustration (public: the same SVG for everyone)."""
    content = catalogue_image(name)
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type="image/svg+xml")
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=86400"
    return response


@never_cache
@csrf_exempt  # no session or cookie is read: the 144-bit token in the path is the capability
def take(request: HttpRequest, token: str) -> HttpResponse:
    """The module and its quiz (GET), the result with an explanation for each answer (POST)."""
    if request.method not in {"GET", "POST"}:
        return HttpResponseNotAllowed(["GET", "POST"])
    assignment, state = training.assignment_for_token(token)
    if assignment is None:
        return _private(render(request, "awareness/public/not_found.html", status=404))
    language = assignment.module.language
    with translation.override(language):
        if state == training.EXPIRED:
            return _private(
                render(
                    request,
                    "awareness/training/public/expired.html",
                    {"assignment": assignment, "language": language},
                    status=410,
                )
            )
        module = assignment.module
        questions = training.module_questions(module)
        context: dict[str, Any] = {
            "assignment": assignment,
            "module": module,
            "language": language,
            "questions": questions,
            "token": token,
        }
        if request.method == "POST":
            answers = training.answers_from_post(questions, request.POST)
            try:
                result = training.submit_quiz(assignment, answers)
            except training.AttemptRefused:
                context["refused"] = True
                return _private(render(request, "awareness/training/public/take.html", context))
            context.update(
                {
                    "result": result,
                    "percent": round(result.score * 100),
                    "review": [
                        {
                            "question": question,
                            "right": question.id not in result.wrong,
                            "choices": [
                                {
                                    "choice": choice,
                                    "chosen": choice.id in answers.get(question.id, set()),
                                }
                                for choice in question.choices
                            ],
                        }
                        for question in questions
                    ],
                }
            )
            return _private(render(request, "awareness/training/public/result.html", context))
        training.mark_started(assignment)
        context["body"] = training.render_markdown(module.body_markdown)
        return _private(render(request, "awareness/training/public/take.html", context))


@never_cache
def certificate(request: HttpRequest, token: str) -> HttpResponse:
    assignment, state = training.assignment_for_token(token)
    if assignment is None or state != training.VALID or not assignment.passed:
        return _private(render(request, "awareness/public/not_found.html", status=404))
    pdf = training.certificate_pdf(assignment)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{assignment.module.slug}.pdf"'
    )
    return _private(response)


@_signed_in
def assignment_certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The certificate of a passed assignment, for the trainer or the auditor."""
    request = _require(request, VIEW)
    assignment = get_object_or_404(
        TrainingAssignment.objects.visible_to(request.user).select_related(
            "module", "person", "establishment"
        ),
        pk=pk,
        passed=True,
    )
    response = HttpResponse(training.certificate_pdf(assignment), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{assignment.module.slug}-{assignment.pk}.pdf"'
    )
    return response
