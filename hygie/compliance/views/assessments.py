"""Assessment pages: the list, a new assessment, the assessment page (scores, chapters, the
requirement tree with filters, answers edited in place with htmx), confirm a proposal, attach
evidence, the score over time and the comparison of two assessments."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.compliance.choices import AnswerStatus
from hygie.compliance.forms import (
    AnswerForm,
    AssessmentCreateForm,
    AssessmentEditForm,
    EvidenceUploadForm,
)
from hygie.compliance.models import Answer, Assessment
from hygie.compliance.roles import ASSESS, VIEW
from hygie.compliance.services import assessments as service
from hygie.compliance.services import library
from hygie.compliance.services import remediation as remediation_service
from hygie.compliance.views.common import apply_errors, badge
from hygie.core.charts import render_chart
from hygie.core.http import AuthenticatedRequest
from hygie.core.registries import Series
from hygie.core.services.evidence import max_upload_bytes
from hygie.core.tables import Column
from hygie.core.views import generic
from hygie.core.views.generic import CapabilityRequiredMixin
from hygie.core.views.uploads import BoundedUploadMixin
from hygie.core.widgets import IsoDateInput

ROW_TEMPLATE = "compliance/partials/_answer_row.html"
FORM_TEMPLATE = "compliance/partials/_answer_form.html"


def _score_text(obj: Assessment) -> str:
    value = service.assessment_score(obj)
    return "—" if value.score is None else f"{value.score:.0f} %"


class AssessmentViews(generic.ObjectViewMixin):
    model = Assessment
    view_capability = VIEW
    edit_capability = ASSESS
    list_select_related = ("establishment", "framework")


class AssessmentListView(AssessmentViews, generic.ObjectListView):
    template_name = "compliance/assessment_list.html"
    columns = (
        Column("title", link=True, main=True),
        Column("framework", sort="framework__framework_id"),
        Column("date"),
        Column("status", badge="status"),
        Column("pk", label=gettext_lazy("Score"), sort=False, render=_score_text),
        Column("establishment", sort="establishment__name"),
    )
    search_fields = ("title", "framework__name_en", "framework__name_fr")
    filters = ("status", "establishment", "framework")


class AssessmentCreateView(AssessmentViews):
    def get_required_capability(self) -> str | None:
        return ASSESS

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        library.ensure_library()
        initial: dict[str, Any] = {}
        framework = request.GET.get("framework", "")
        if framework.isdigit():
            initial["framework"] = int(framework)

        initial["date"] = timezone.localdate()
        form = AssessmentCreateForm(user=request.user, initial=initial)
        return render(request, "compliance/assessment_add.html", {"form": form})

    def post(self, request: AuthenticatedRequest) -> HttpResponse:
        library.ensure_library()
        form = AssessmentCreateForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assessment = service.create_assessment(
                    request.user,
                    establishment=data["establishment"],
                    framework=data["framework"],
                    on=data["date"],
                    title=data["title"],
                    scope=data["scope"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Assessment created."))
                return HttpResponseRedirect(
                    reverse("compliance:assessment_detail", args=[assessment.pk])
                )
        return render(request, "compliance/assessment_add.html", {"form": form}, status=400)


def _history_chart(assessment: Assessment) -> str:
    history = service.score_history(assessment)
    if len(history) < 2:
        return ""
    series = Series(
        title=_("Score over time"),
        description=_("Score of the assessment (percent) on each day it changed."),
        labels=[snapshot.taken_at.date().isoformat()[5:] for snapshot in history],
        values={
            _("Score (%)"): [int(round(snapshot.score or 0)) for snapshot in history],
        },
        kind="lines",
    )
    return str(render_chart(series, f"assessment-{assessment.pk}-history"))


class AssessmentDetailView(AssessmentViews):
    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        assessment = self.get_object()
        assert isinstance(assessment, Assessment)
        status = request.GET.get("status", "")
        status = status if status in AnswerStatus.values else ""
        show = request.GET.get("show", "")
        text = request.GET.get("q", "")[:100]
        rows = service.tree(assessment, status=status, show=show, text=text)
        score = service.assessment_score(assessment)
        sections = service.section_scores(assessment)
        chapters = [item for item in sections if item.depth == 0]
        context = {
            "object": assessment,
            "assessment": assessment,
            "groups": _groups(assessment, rows, self.can_edit() and assessment.is_open, chapters),
            "score": score,
            "chapters": chapters,
            "sections": sections,
            "history_chart": _history_chart(assessment),
            "status_choices": AnswerStatus.choices,
            "selected_status": status,
            "selected_show": show,
            "query": text,
            "can_edit": self.can_edit() and assessment.is_open,
            "can_manage": self.can_edit(),
            "others": Assessment.objects.visible_to(request.user)
            .exclude(pk=assessment.pk)
            .select_related("framework", "establishment")[:50],
            "filtered": bool(status or show or text),
            "badge": badge,
            "status_badge": badge(assessment.status),
            "default_due": timezone.localdate() + remediation_service.DEFAULT_DUE,
        }
        if getattr(request, "htmx", False) and request.GET.get("fragment") == "tree":
            return render(request, "compliance/partials/_assessment_tree.html", context)
        return render(request, "compliance/assessment_detail.html", context)


def _groups(
    assessment: Assessment,
    rows: list[service.TreeRow],
    editable: bool,
    chapters: list[service.ChapterScore],
) -> list[dict[str, Any]]:
    """The tree cut into chapters (top-level headings), each with its score, collapsible."""
    scores = {item.chapter.pk if item.chapter else None: item.score for item in chapters}
    groups: list[dict[str, Any]] = []
    for row in rows:
        key = (
            row.chapter_pk
            if row.chapter_pk is not None
            else (row.requirement.pk if not row.requirement.is_assessable else None)
        )
        if not groups or groups[-1]["key"] != key:
            groups.append(
                {
                    "key": key,
                    "heading": row.requirement if key == row.requirement.pk else None,
                    "rows": [],
                    "score": scores.get(key),
                }
            )
            if key == row.requirement.pk:
                continue
        groups[-1]["rows"].append(_row(row, editable))
    return groups


def _row(row: service.TreeRow, editable: bool) -> dict[str, Any]:
    answer = row.answer
    return {
        "requirement": row.requirement,
        "answer": answer,
        "depth": min(row.depth, 6),
        "is_heading": not row.requirement.is_assessable,
        "chapter_pk": row.chapter_pk,
        "badge": badge(answer.status) if answer else "",
        "proposed_badge": badge(answer.proposed_status) if answer else "",
        "editable": editable,
    }


class AssessmentEditView(AssessmentViews):
    def get_required_capability(self) -> str | None:
        return ASSESS

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        assessment = self.get_object()
        form = AssessmentEditForm(instance=assessment)
        return render(
            request, "compliance/assessment_edit.html", {"form": form, "object": assessment}
        )

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        assessment = self.get_object()
        assert isinstance(assessment, Assessment)
        form = AssessmentEditForm(request.POST, instance=Assessment.objects.get(pk=assessment.pk))
        if form.is_valid():
            try:
                service.update_assessment(
                    request.user,
                    assessment,
                    **{key: form.cleaned_data[key] for key in ("title", "date", "status", "scope")},
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Assessment saved."))
                return HttpResponseRedirect(
                    reverse("compliance:assessment_detail", args=[assessment.pk])
                )
        return render(
            request,
            "compliance/assessment_edit.html",
            {"form": form, "object": assessment},
            status=400,
        )


class AssessmentDeleteView(AssessmentViews):
    def get_required_capability(self) -> str | None:
        return ASSESS

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        return render(request, "compliance/assessment_delete.html", {"object": self.get_object()})

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        assessment = self.get_object()
        assert isinstance(assessment, Assessment)
        service.delete_assessment(request.user, assessment)
        messages.success(request, _("Assessment deleted."))
        return HttpResponseRedirect(reverse("compliance:assessment_list"))


# --- answers ---------------------------------------------------------------------------------


class AnswerMixin(CapabilityRequiredMixin):
    required_capability = ASSESS

    def answer(self, request: AuthenticatedRequest, pk: int, answer_pk: int) -> Answer:
        assessment = get_object_or_404(Assessment.objects.visible_to(request.user), pk=pk)
        return get_object_or_404(
            Answer.objects.select_related("assessment", "requirement", "owner"),
            pk=answer_pk,
            assessment=assessment,
        )

    def row_response(self, request: AuthenticatedRequest, answer: Answer) -> HttpResponse:
        answer = Answer.objects.select_related(
            "assessment", "requirement", "owner", "proposed_from_run"
        ).get(pk=answer.pk)
        row = service.TreeRow(answer.requirement, answer, answer.requirement.depth, None)
        return render(
            request,
            ROW_TEMPLATE,
            {"row": _row(row, answer.assessment.is_open), "assessment": answer.assessment},
        )


class AnswerEditView(AnswerMixin):
    """GET: the inline form (htmx) or a page; POST: save, then the refreshed row (htmx) or a
    redirect to the assessment."""

    def get(self, request: AuthenticatedRequest, pk: int, answer_pk: int) -> HttpResponse:
        answer = self.answer(request, pk, answer_pk)
        if request.GET.get("cancel") and getattr(request, "htmx", False):
            return self.row_response(request, answer)
        return self._form(request, answer, AnswerForm(answer=answer))

    def _form(
        self, request: AuthenticatedRequest, answer: Answer, form: AnswerForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "answer": answer,
            "assessment": answer.assessment,
            "changes": answer.changes.select_related("changed_by")[:20],
            "evidence": answer.evidence.all(),
            "evidence_form": EvidenceUploadForm(),
            "badge": badge(answer.proposed_status),
        }
        template = (
            FORM_TEMPLATE if getattr(request, "htmx", False) else "compliance/answer_edit.html"
        )
        return render(request, template, context, status=status)

    def post(self, request: AuthenticatedRequest, pk: int, answer_pk: int) -> HttpResponse:
        answer = self.answer(request, pk, answer_pk)
        form = AnswerForm(request.POST, answer=answer)
        if form.is_valid():
            data = form.cleaned_data
            try:
                service.answer_requirement(
                    request.user,
                    answer,
                    status=data["status"],
                    justification=data["justification"],
                    maturity=data["maturity"],
                    owner=data["owner"],
                    due_date=data["due_date"],
                    comments=data["comments"],
                )
            except ValidationError as error:
                answer.refresh_from_db()
                apply_errors(form, error)
            else:
                if getattr(request, "htmx", False):
                    return self.row_response(request, answer)
                messages.success(request, _("Answer saved."))
                return HttpResponseRedirect(
                    reverse("compliance:assessment_detail", args=[pk]) + f"#answer-{answer.pk}"
                )
        return self._form(
            request, answer, form, status=400 if not getattr(request, "htmx", False) else 200
        )


class AnswerConfirmView(AnswerMixin):
    def post(self, request: AuthenticatedRequest, pk: int, answer_pk: int) -> HttpResponse:
        answer = self.answer(request, pk, answer_pk)
        try:
            service.confirm_answer(request.user, answer)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        if getattr(request, "htmx", False):
            return self.row_response(request, answer)
        return HttpResponseRedirect(
            reverse("compliance:assessment_detail", args=[pk]) + f"#answer-{answer.pk}"
        )


class AnswerEvidenceView(BoundedUploadMixin, AnswerMixin):
    def upload_limit(self) -> int:
        return max_upload_bytes()

    def post(self, request: AuthenticatedRequest, pk: int, answer_pk: int) -> HttpResponse:
        answer = self.answer(request, pk, answer_pk)
        form = EvidenceUploadForm(request.POST, request.FILES)
        if not self.flag_too_large(form) and form.is_valid():
            try:
                service.attach_evidence(
                    request.user,
                    answer,
                    title=form.cleaned_data["title"],
                    uploaded_file=form.cleaned_data["file"],
                )
            except (ValidationError, PermissionDenied) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, _("Evidence attached."))
        else:
            messages.error(
                request, " ".join(str(e) for errors in form.errors.values() for e in errors)
            )
        return HttpResponseRedirect(
            reverse("compliance:assessment_answer_edit", args=[pk, answer.pk])
        )


class AssessmentGapsView(AssessmentViews):
    """POST: one remediation action per gap that has none."""

    def get_required_capability(self) -> str | None:
        return ASSESS

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        assessment = self.get_object()
        assert isinstance(assessment, Assessment)
        field = forms.DateField(required=False, widget=IsoDateInput())
        try:
            due = field.clean(request.POST.get("due_date", ""))
        except ValidationError:
            messages.error(request, _("Enter a valid due date."))
            return HttpResponseRedirect(reverse("compliance:assessment_detail", args=[pk]))
        plan = remediation_service.plan_gaps(request.user, assessment, due=due)
        messages.success(
            request,
            _("%(count)s remediation action(s) created.") % {"count": len(plan.created)},
        )
        if plan.linked:
            messages.info(
                request,
                _("%(count)s gap(s) linked to an open action of the same requirement.")
                % {"count": len(plan.linked)},
            )
        return HttpResponseRedirect(
            reverse("compliance:remediationaction_list")
            + f"?establishment={assessment.establishment_id}"
        )


class AssessmentCompareView(CapabilityRequiredMixin):
    required_capability = VIEW

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        visible = Assessment.objects.visible_to(request.user).select_related(
            "framework", "establishment"
        )
        left = _pick(visible, request.GET.get("left", ""))
        right = _pick(visible, request.GET.get("right", ""))
        comparison = (
            service.compare_assessments(left, right) if left and right and left != right else None
        )
        only_changes = request.GET.get("changes") == "1"
        rows = [
            {
                "row": row,
                "left_badge": badge(row.left.status) if row.left else "",
                "right_badge": badge(row.right.status) if row.right else "",
            }
            for row in (comparison.rows if comparison else [])
            if row.differs or not only_changes
        ]
        return render(
            request,
            "compliance/assessment_compare.html",
            {
                "assessments": visible.order_by("-date")[:200],
                "left": left,
                "right": right,
                "comparison": comparison,
                "rows": rows,
                "only_changes": only_changes,
            },
        )


def _pick(queryset: models.QuerySet[Assessment], value: str) -> Assessment | None:
    return queryset.filter(pk=int(value)).first() if value.isdigit() else None
