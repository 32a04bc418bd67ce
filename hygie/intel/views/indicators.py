"""Indicator pages: the store (list with filters, detail with provenance and sightings, add,
edit, delete), the import page (preview with located errors, then confirm), the export page and
the sightings list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
from hygie.intel.engine.convert import Input
from hygie.intel.engine.model import TLP
from hygie.intel.forms import ExportForm, ImportForm, IndicatorForm, RetroHuntForm
from hygie.intel.models import Indicator, Partner, Sighting
from hygie.intel.roles import MANAGE, VIEW
from hygie.intel.services import indicators, retro_hunt

PREVIEW_ROWS = 50


class _YesNoFilters(generic.ObjectListView):
    def filter_options(self, field: Any) -> list[tuple[str, str]]:
        if isinstance(field, models.BooleanField):
            return [("True", _("Yes")), ("False", _("No"))]
        return super().filter_options(field)


def _tlp_text(row: Any) -> str:
    return TLP(row.tlp).label if row.tlp else ""


class IndicatorViews(generic.ObjectViewMixin):
    model = Indicator
    view_capability = VIEW
    edit_capability = MANAGE
    list_select_related = ("establishment",)


class IndicatorListView(IndicatorViews, _YesNoFilters):
    columns = (
        Column("kind", link=True),
        Column("value", main=True, breaks=True, kind="data"),
        Column("tlp", render=_tlp_text, badge="tlp"),
        Column("confidence", priority=SECONDARY),
        Column("is_active", priority=SECONDARY),
        Column("sighting_count", priority=SECONDARY),
        Column("valid_until", priority=OPTIONAL),
        Column("updated_at", priority=OPTIONAL),
        Column("establishment", sort="establishment__name", priority=OPTIONAL),
    )
    search_fields = ("value", "description", "sources__source_name")
    filters = ("establishment", "kind", "tlp", "is_active", "revoked")
    template_name = "intel/indicator_list.html"

    def apply_search(self, queryset: models.QuerySet, search: str) -> models.QuerySet:
        return super().apply_search(queryset, search).distinct()


class IndicatorDetailView(IndicatorViews, generic.ObjectDetailView):
    fields = (
        "establishment",
        "kind",
        "value",
        "tlp",
        "confidence",
        "valid_from",
        "valid_until",
        "is_active",
        "revoked",
        "to_ids",
        "description",
        "labels",
        "stix_id",
        "pattern",
        "first_seen_at",
        "last_seen_at",
        "sighting_count",
        "last_confirmed_at",
        "created_at",
    )
    template_name = "intel/indicator_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Indicator)
        return {
            "sources": obj.sources.select_related("feed", "partner").order_by("-imported_at"),
            "sightings": obj.sightings.select_related("alert").order_by("-at")[:50],
            "attack": obj.kill_chain or [],
        }


class IndicatorEditView(IndicatorViews, generic.ObjectEditView):
    form_class = IndicatorForm


class IndicatorDeleteView(IndicatorViews, generic.ObjectDeleteView):
    pass


# --- import ----------------------------------------------------------------------------------


class IndicatorImportView(IndicatorViews):
    """Upload or paste → preview (counts, first indicators, warnings, or the located error) →
    confirm. The upload waits in a private staging file, one hour, for its user only."""

    template_name = "intel/indicator_import.html"

    def get_required_capability(self) -> str | None:
        return MANAGE

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.page(ImportForm(user=request.user))

    def page(self, form: ImportForm, status: int = 200, **extra: Any) -> HttpResponse:
        context = {**self.base_context(), "form": form, **extra}
        return render(self.request, self.template_name, context, status=status)

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = request.POST.get("token", "")
        if token:
            return self.confirm(request, token)
        form = ImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.page(form, status=422)
        data = form.cleaned_data
        upload = data.get("file")
        if upload is not None:
            if upload.size > indicators.MAX_IMPORT_BYTES:
                form.add_error("file", _("The file is too large."))
                return self.page(form, status=422)
            name, content = upload.name[:200], upload.read()
        else:
            name, content = "pasted.txt", data["text"].encode("utf-8")
        options = {
            "establishment": data["establishment"].pk,
            "format": data["format"],
            "default_tlp": data["default_tlp"],
            "source": data.get("source") or "",
            "partner": data["partner"].pk if data.get("partner") else None,
        }
        try:
            report = self.run(name, content, options, dry_run=True)
        except ValidationError as error:
            return self.page(form, status=422, import_errors=error.messages)
        token = indicators.stage(request.user, name, content, options)
        return self.page(form, report=report, token=token, file_name=name)

    def run(
        self, name: str, content: bytes, options: dict[str, Any], *, dry_run: bool
    ) -> indicators.ImportReport:
        establishment = Establishment.objects.visible_to(self.request.user).get(
            pk=options["establishment"]
        )
        partner_id = options.get("partner")
        partner = (
            Partner.objects.visible_to(self.request.user)
            .filter(pk=int(partner_id), establishment=establishment)
            .first()
            if partner_id
            else None
        )
        return indicators.import_data(
            establishment,
            [Input(name, content)],
            from_=options["format"],
            default_tlp=TLP(options["default_tlp"]),
            source=options.get("source") or (partner.name if partner else ""),
            partner=partner,
            dry_run=dry_run,
            preview_rows=PREVIEW_ROWS,
        )

    def confirm(self, request: AuthenticatedRequest, token: str) -> HttpResponse:
        found = indicators.staged(request.user, token)
        if found is None:
            messages.error(request, _("This preview has expired: upload the file again."))
            return HttpResponseRedirect(reverse("intel:indicator_import"))
        name, content, options = found
        try:
            report = self.run(name, content, options, dry_run=False)
        except (ValidationError, Establishment.DoesNotExist) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return HttpResponseRedirect(reverse("intel:indicator_import"))
        indicators.discard(token)
        messages.success(
            request,
            _("%(read)s indicator(s) imported: %(created)s new, %(updated)s updated.")
            % {"read": report.read, "created": report.created, "updated": report.updated},
        )
        for warning in report.warnings[:10]:
            messages.warning(request, warning)
        return HttpResponseRedirect(reverse("intel:indicator_list"))


# --- export ----------------------------------------------------------------------------------


class IndicatorExportView(IndicatorViews):
    template_name = "intel/indicator_export.html"

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "format" not in request.GET:
            form = ExportForm(user=request.user, initial={"active_only": True})
            return render(request, self.template_name, {**self.base_context(), "form": form})
        form = ExportForm(request.GET, user=request.user)
        if not form.is_valid():
            return render(
                request, self.template_name, {**self.base_context(), "form": form}, status=422
            )
        data = form.cleaned_data
        queryset = self.get_queryset()
        if data.get("establishment"):
            queryset = queryset.filter(establishment=data["establishment"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        queryset = indicators.exportable(
            queryset, max_tlp=TLP(data["max_tlp"]), active_only=bool(data.get("active_only"))
        )
        exported = indicators.export(queryset, data["format"])
        audit.record(
            "export",
            object_type="intel.indicator",
            message=f"intel indicators exported: {exported.count} as {data['format']}, "
            f"up to {TLP(data['max_tlp']).label}",
            establishment_id=data["establishment"].pk if data.get("establishment") else None,
        )
        response = HttpResponse(exported.content, content_type=exported.content_type)
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
        return response


# --- retro-hunt ------------------------------------------------------------------------------


def _job_page(job: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))


class IndicatorRetroHuntView(IndicatorViews):
    """ "Search past events" for one indicator (POST only): a retro-hunt job, then its page."""

    http_method_names = ["post"]

    def get_required_capability(self) -> str | None:
        return MANAGE

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        indicator = self.get_object()
        assert isinstance(indicator, Indicator)
        job = retro_hunt.start(request.user, indicator.establishment, indicator_ids=[indicator.pk])
        messages.success(request, _("The search of past events is queued."))
        return _job_page(job)


class RetroHuntView(IndicatorViews):
    """ "Search past events" for every active indicator of an establishment: choose how far
    back, then follow the job."""

    template_name = "intel/retro_hunt.html"

    def get_required_capability(self) -> str | None:
        return MANAGE

    def page(self, form: RetroHuntForm, status: int = 200) -> HttpResponse:
        context = {**self.base_context(), "form": form}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        initial: dict[str, Any] = {"days": retro_hunt.default_days()}
        establishments = Establishment.objects.visible_to(request.user)
        if establishments.count() == 1:
            initial["establishment"] = establishments.first()
        return self.page(RetroHuntForm(user=request.user, initial=initial))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = RetroHuntForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.page(form, status=422)
        try:
            job = retro_hunt.start(
                request.user, form.cleaned_data["establishment"], days=form.cleaned_data["days"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
            return self.page(form, status=422)
        messages.success(request, _("The search of past events is queued."))
        return _job_page(job)


# --- sightings -------------------------------------------------------------------------------


class SightingViews(generic.ObjectViewMixin):
    model = Sighting
    view_capability = VIEW
    edit_capability = None
    list_select_related = ("indicator", "indicator__establishment", "alert")


class SightingListView(SightingViews, generic.ObjectListView):
    columns = (
        Column("at", link=True),
        Column("indicator", sort="indicator__value", main=True, breaks=True),
        Column("observed_value", priority=SECONDARY, kind="data", breaks=True),
        Column("source", priority=SECONDARY, render=lambda row: row.source_label),
        Column("event_ref", priority=OPTIONAL, kind="data"),
        Column("alert", priority=OPTIONAL, sort=False),
    )
    search_fields = ("indicator__value", "observed_value", "event_ref")
    filters = ("source",)


class SightingDetailView(SightingViews, generic.ObjectDetailView):
    fields = ("indicator", "at", "observed_value", "event_ref", "alert", "created_at")
    template_name = "intel/sighting_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Sighting)
        return {
            "context_items": sorted((obj.context or {}).items()),
            "seen_by": obj.source_label,
        }
