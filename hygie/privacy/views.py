"""Privacy pages: scan roots, scan runs (with live progress), findings inventory and triage,
and a summary per establishment. Every view of findings lands in the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core import audit
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.tables import ESSENTIAL, OPTIONAL, SECONDARY, Column, column_classes
from hygie.core.views import generic
from hygie.core.views.uploads import BoundedUploadMixin
from hygie.privacy import services
from hygie.privacy.choices import (
    ENTITY_CHOICES,
    FR_CATEGORY_CHOICES,
    HIPAA_CHOICES,
    TriageStatus,
    fr_category_description,
    hipaa_description,
)
from hygie.privacy.forms import ScanRootForm, StartScanForm, TriageForm
from hygie.privacy.models import PHIFinding, ScanRoot, ScanRun
from hygie.privacy.roles import SCAN, TRIAGE, VIEW_FINDINGS


class _YesNoFilters(generic.ObjectListView):
    """Boolean filters offered as Yes/No (the generic view lists raw values)."""

    def filter_options(self, field: Any) -> list[tuple[str, str]]:
        if isinstance(field, models.BooleanField):
            return [("True", _("Yes")), ("False", _("No"))]
        return super().filter_options(field)


# --- scan roots ----------------------------------------------------------------------------------


class ScanRootViews(generic.ObjectViewMixin):
    model = ScanRoot
    view_capability = VIEW_FINDINGS
    edit_capability = SCAN
    list_select_related = ("establishment",)


class ScanRootListView(ScanRootViews, _YesNoFilters):
    columns = (
        Column("label", link=True),
        Column("path", breaks=True),
        Column("exposure"),
        Column("is_enabled"),
        Column("establishment", sort="establishment__name"),
    )
    search_fields = ("label", "path")
    filters = ("establishment", "exposure", "is_enabled")


class ScanRootDetailView(ScanRootViews, generic.ObjectDetailView):
    fields = (
        "label",
        "establishment",
        "path",
        "exposure",
        "is_enabled",
        "created_at",
        "updated_at",
    )
    template_name = "privacy/scanroot_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, ScanRoot)
        return {
            "can_scan": self.request.user.can(SCAN) and obj.is_enabled,
            "runs": obj.runs.order_by("-created_at", "-pk")[:10],
        }

    def related_links(self, obj: models.Model) -> list[generic.RelatedLink]:
        present = PHIFinding.objects.filter(root=obj.pk, is_present=True)
        return [
            generic.RelatedLink(
                _("Findings still present"),
                reverse("privacy:phifinding_list") + f"?root={obj.pk}&is_present=True",
                present.count(),
            )
        ]


class ScanRootEditView(ScanRootViews, generic.ObjectEditView):
    form_class = ScanRootForm


class ScanRootDeleteView(ScanRootViews, generic.ObjectDeleteView):
    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        return {"delete_warning": _("Its scans and findings are deleted with it.")}


class ScanRootScanView(ScanRootViews, generic.ObjectViewMixin):
    """POST: scan this root now."""

    http_method_names = ["post"]

    def get_required_capability(self) -> str | None:
        return SCAN

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        root = self.get_object()
        assert isinstance(root, ScanRoot)
        try:
            run = services.start_scan(request.user, root=root)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return HttpResponseRedirect(reverse("privacy:scanroot_detail", args=[root.pk]))
        messages.success(request, _("Scan started."))
        return HttpResponseRedirect(reverse("privacy:scanrun_detail", args=[run.pk]))


# --- scan runs -----------------------------------------------------------------------------------


class ScanRunViews(generic.ObjectViewMixin):
    model = ScanRun
    view_capability = VIEW_FINDINGS
    edit_capability = SCAN
    list_select_related = ("establishment", "root", "created_by")


class ScanRunListView(ScanRunViews, generic.ObjectListView):
    columns = (
        Column("id", label=gettext_lazy("Scan"), link=True, sort="pk", render=str),
        Column("root", sort="root__label"),
        Column("status", badge="status"),
        Column("files_scanned", priority=SECONDARY),
        Column("files_skipped", priority=OPTIONAL),
        Column("findings_count"),
        Column("establishment", sort="establishment__name", priority=SECONDARY),
        Column("created_at", priority=OPTIONAL),
        Column("finished_at"),
    )
    search_fields = ("root__label",)
    filters = ("establishment", "root", "status")


class ScanRunDetailView(ScanRunViews, generic.ObjectDetailView):
    fields = (
        "root",
        "establishment",
        "status",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "files_scanned",
        "files_skipped",
        "findings_count",
        "error",
    )
    template_name = "privacy/scanrun_detail.html"

    def can_edit(self) -> bool:
        return False  # a scan is a record: nothing to edit or delete

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.boosted:
            # The poll of the progress box: the box, and out of band the details and results,
            # so that nothing on the page contradicts it when the job finishes.
            run = self.get_object()
            assert isinstance(run, ScanRun)
            return render(
                request,
                "privacy/partials/_run_poll.html",
                {
                    "object": run,
                    "detail_rows": self.detail_rows(run),
                    **self.progress_context(run),
                    **self.results_context(run),
                },
            )
        return super().get(request, *args, **kwargs)

    def progress_context(self, run: Any) -> dict[str, Any]:
        return {"run": run, "job": run.job, "size": filesizeformat(run.bytes_scanned)}

    def results_context(self, run: ScanRun) -> dict[str, Any]:
        """What the run found, by entity type, inside archives, and what it skipped."""
        labels = dict(ENTITY_CHOICES)
        summary = run.summary or {}
        by_entity = sorted(
            (
                (labels.get(entity, entity), entity, stats)
                for entity, stats in summary.get("by_entity", {}).items()
            ),
            key=lambda row: -row[2].get("locations", 0),
        )
        return {
            "by_entity": by_entity,
            **category_rows(summary.get("by_category") or {}),
            "skipped_rows": run.skipped or [],
            "members_scanned": int(summary.get("members_scanned") or 0),
            "member_rows": summary.get("members_with_findings") or [],
        }

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, ScanRun)
        audit.record("view", obj, message="scan run viewed")
        return {**self.progress_context(obj), **self.results_context(obj)}


class StartScanView(ScanRunViews, BoundedUploadMixin, generic.ObjectViewMixin):
    template_name = "privacy/scan_start.html"

    def upload_limit(self) -> int:
        return services.max_upload_bytes()

    def get_required_capability(self) -> str | None:
        return SCAN

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial = {}
        if request.GET.get("root", "").isdigit():
            initial["root"] = request.GET["root"]
        return self.render_form(StartScanForm(user=request.user, initial=initial))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = StartScanForm(request.POST, request.FILES, user=request.user)
        if self.flag_too_large(form):
            return self.render_form(form, status=413)
        if form.is_valid():
            data = form.cleaned_data
            try:
                run = services.start_scan(
                    request.user,
                    root=data.get("root"),
                    upload=data.get("file"),
                    establishment=data.get("establishment"),
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            except PermissionDenied:
                raise
            else:
                messages.success(request, _("Scan started."))
                return HttpResponseRedirect(reverse("privacy:scanrun_detail", args=[run.pk]))
        return self.render_form(form, status=422)

    def render_form(self, form: StartScanForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {**self.base_context(), "form": form, "max_bytes": self.upload_limit()},
            status=status,
        )


# --- findings ------------------------------------------------------------------------------------


class FindingViews(generic.ObjectViewMixin):
    model = PHIFinding
    view_capability = VIEW_FINDINGS
    edit_capability = TRIAGE
    list_select_related = ("establishment", "root")


class FindingListView(FindingViews, _YesNoFilters):
    columns = (
        Column("entity_type", link=True),
        Column("hipaa_identifier", priority=OPTIONAL),
        Column("fr_category", priority=OPTIONAL),
        Column("relative_path", main=True, breaks=True),
        Column("location", sort=False, priority=OPTIONAL),
        Column("root", sort="root__label", priority=OPTIONAL),
        Column("masked_sample", sort=False, priority=SECONDARY, breaks=True),
        Column("count", priority=SECONDARY),
        Column("distinct_values", priority=OPTIONAL),
        Column("risk_score"),
        Column("triage_status", badge="triage"),
        Column("is_present", priority=OPTIONAL),
        Column("establishment", sort="establishment__name", priority=SECONDARY),
        Column("last_seen_at", priority=SECONDARY),
    )
    search_fields = ("relative_path",)
    filters = (
        "establishment",
        "entity_type",
        "hipaa_identifier",
        "fr_category",
        "triage_status",
        "root",
        "is_present",
    )
    template_name = "privacy/phifinding_list.html"

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().get(request, *args, **kwargs)
        if response.status_code == 200:
            used = {control.name: control.selected for control in self.filter_controls()}
            used["q"] = request.GET.get("q", "").strip()[: generic.MAX_SEARCH_LENGTH]
            used["sort"] = request.GET.get("sort", "")
            services.record_findings_view(request.user, used, self._count)
        return response

    def extra_context(self, queryset: models.QuerySet) -> dict[str, Any]:
        self._count = queryset.count()
        return {}


class FindingDetailView(FindingViews, generic.ObjectDetailView):
    fields = (
        "entity_type",
        "hipaa_identifier",
        "fr_category",
        "establishment",
        "root",
        "relative_path",
        "location",
        "count",
        "distinct_values",
        "validated_count",
        "max_confidence",
        "masked_sample",
        "risk_score",
        "is_present",
        "triage_status",
        "triage_comment",
        "triaged_by",
        "triaged_at",
        "first_seen_at",
        "last_seen_at",
        "scan_run",
    )
    template_name = "privacy/phifinding_detail.html"
    audit_views = True

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, PHIFinding)
        can_triage = self.request.user.can(TRIAGE)
        return {
            "can_triage": can_triage,
            "triage_form": TriageForm.for_finding(obj) if can_triage else None,
        }


class FindingTriageView(FindingViews, generic.ObjectViewMixin):
    http_method_names = ["post"]

    def get_required_capability(self) -> str | None:
        return TRIAGE

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        finding = self.get_object()
        assert isinstance(finding, PHIFinding)
        form = TriageForm(request.POST)
        if form.is_valid():
            try:
                services.triage_finding(
                    finding,
                    request.user,
                    form.cleaned_data["triage_status"],
                    form.cleaned_data["triage_comment"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("Triage saved: %(status)s.")
                    % {"status": finding.get_triage_status_display()},
                )
        else:
            messages.error(
                request, _("The triage could not be saved: check the status and the comment.")
            )
        return HttpResponseRedirect(reverse("privacy:phifinding_detail", args=[finding.pk]))


# --- summary -------------------------------------------------------------------------------------


def category_rows(by_category: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """A scan's or an inventory's counts by HIPAA identifier and by French category, as table
    rows in the order of categories.yml, each with its short and full label in the reader's
    language (what a DPO reads first). ``by_category``: {"hipaa": {code: stats}, "fr": {...}}."""
    tables = (
        ("hipaa_rows", "hipaa", HIPAA_CHOICES, hipaa_description),
        ("fr_rows", "fr", FR_CATEGORY_CHOICES, fr_category_description),
    )
    rows: dict[str, list[dict[str, Any]]] = {}
    for key, kind, choices, describe in tables:
        stats = by_category.get(kind) or {}
        rows[key] = [
            {"code": code, "label": label, "description": _adds_to(label, describe(code))}
            | stats[code]
            for code, label in choices
            if code in stats
        ]
    return rows


def _adds_to(label: object, description: str) -> str:
    """The full wording, or "" when the short label already says it all ("A: Names")."""
    return "" if description in str(label) else description


class SummaryIndexView(generic.CapabilityRequiredMixin):
    """The establishments the user sees, with their PHI inventory at a glance."""

    required_capability = VIEW_FINDINGS

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        establishments = (
            Establishment.objects.visible_to(request.user)
            .annotate(
                locations=models.Count(
                    "phi_findings", filter=models.Q(phi_findings__is_present=True)
                ),
                untriaged=models.Count(
                    "phi_findings",
                    filter=models.Q(
                        phi_findings__is_present=True,
                        phi_findings__triage_status=TriageStatus.UNTRIAGED,
                    ),
                ),
                top_risk=models.Max(
                    "phi_findings__risk_score", filter=models.Q(phi_findings__is_present=True)
                ),
            )
            .order_by("name")
        )
        return render(request, "privacy/summary_index.html", {"establishments": establishments})


def _trend_priority(age: int) -> int:
    """The last four scans always show; the two before them fold at 1280 px, older ones first."""
    return ESSENTIAL if age <= 4 else SECONDARY if age <= 6 else OPTIONAL


class EstablishmentSummaryView(generic.CapabilityRequiredMixin):
    required_capability = VIEW_FINDINGS

    def get(
        self, request: AuthenticatedRequest, pk: int, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        establishment = get_object_or_404(Establishment.objects.visible_to(request.user), pk=pk)
        summary = services.inventory_summary(establishment)
        by_category = category_rows(
            {
                "hipaa": {row.pop("hipaa_identifier"): row for row in summary["by_hipaa"]},
                "fr": {row.pop("fr_category"): row for row in summary["by_fr_category"]},
            }
        )
        labels = dict(ENTITY_CHOICES)
        for row in summary["by_entity"] + summary["by_root"]:
            row["label"] = labels.get(row["entity_type"], row["entity_type"])
        entities = sorted({entity for point in summary["trend"] for entity in point["by_entity"]})
        # One row per entity type and one column per scan (oldest first), so that twelve scans
        # and ten entity types fit: the oldest scans' columns fold away first on narrow screens.
        trend = summary["trend"]
        classes = [column_classes(_trend_priority(len(trend) - i)) for i in range(len(trend))]
        trend_runs = list(zip([point["run"] for point in trend], classes, strict=True))
        trend_totals = list(zip([point["findings"] for point in trend], classes, strict=True))
        trend_rows = [
            (
                labels.get(entity, entity),
                list(zip([p["by_entity"].get(entity, 0) for p in trend], classes, strict=True)),
            )
            for entity in entities
        ]
        audit.record("view", establishment, message="PHI inventory summary viewed")
        return render(
            request,
            "privacy/establishment_summary.html",
            {
                "establishment": establishment,
                "summary": summary,
                **by_category,
                "trend_runs": trend_runs,
                "trend_totals": trend_totals,
                "trend_rows": trend_rows,
                "status_rows": [
                    (value, label, summary["by_status"].get(value, 0))
                    for value, label in TriageStatus.choices
                ],
            },
        )
