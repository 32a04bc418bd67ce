"""Pages of the GDPR registers: the record of processing activities (art. 30, with health
presets and exports for auditors) and the DPIAs (CNIL method: context, principles, feared
events, risk map, DPO opinion, PDF).

The breach register is the response module's page: linked by URL name, never imported.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from hygie.compliance.forms.registers import (
    DPIAForm,
    DPIAPrinciplesForm,
    DPIARiskForm,
    DPIAValidationForm,
    ProcessingActivityForm,
)
from hygie.compliance.models import DPIA, DPIARisk, ProcessingActivity
from hygie.compliance.models.registers import DPIACriterion, DPIAStatus, ProcessingStatus
from hygie.compliance.roles import MANAGE_REGISTERS, VIEW_REGISTERS
from hygie.compliance.services import registers as service
from hygie.compliance.views.common import apply_errors
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.tables import Column
from hygie.core.views import generic

STATUS_BADGES = {
    "draft": "status-new",
    "active": "status-closed",
    "retired": "status-false_positive",
    "in_progress": "status-acknowledged",
    "submitted": "status-acknowledged",
    "validated": "status-closed",
    "to_revise": "status-escalated",
}
ZONE_BADGES = {
    "acceptable": "status-closed",
    "to_reduce": "status-acknowledged",
    "unacceptable": "status-escalated",
    "not_assessed": "status-new",
}


def _breach_context(user: Any) -> dict[str, Any]:
    return {
        "breach_url": generic.reverse_or_empty(service.BREACH_REGISTER_URL_NAME),
        "breach_counts": service.breach_register_counts(user),
        "breach_evidence": service.breach_register_evidence(user),
    }


# --- record of processing activities ---------------------------------------------------------


class ProcessingActivityViews(generic.ObjectViewMixin):
    model = ProcessingActivity
    view_capability = VIEW_REGISTERS
    edit_capability = MANAGE_REGISTERS
    list_select_related = ("establishment",)


class ProcessingActivityListView(ProcessingActivityViews, generic.ObjectListView):
    template_name = "compliance/registers/processingactivity_list.html"
    columns = (
        Column("reference"),
        Column("name", link=True),
        Column("legal_basis"),
        Column("status", badge="status"),
        Column("establishment", sort="establishment__name"),
        Column("updated_at"),
    )
    search_fields = ("name", "reference", "purposes", "data_categories")
    filters = ("status", "legal_basis", "establishment")

    def extra_context(self, queryset: models.QuerySet[Any, Any]) -> dict[str, Any]:
        language = translation.get_language()
        query = self.request.GET.urlencode()
        add_url = reverse("compliance:processingactivity_add")
        return {
            "presets": [
                {
                    "name": preset.name.get(language),
                    "url": f"{add_url}?preset={preset.key}",
                    "unverified": preset.verification_status == "unverified",
                }
                for preset in service.presets()
            ]
            if self.can_edit()
            else [],
            "exports": [
                (
                    fmt.upper(),
                    reverse("compliance:processingactivity_export", args=[fmt])
                    + (f"?{query}" if query else ""),
                )
                for fmt in service.EXPORT_FORMATS
            ],
            "dpia_list_url": reverse("compliance:dpia_list"),
            **_breach_context(self.request.user),
        }


class ProcessingActivityDetailView(ProcessingActivityViews, generic.ObjectDetailView):
    template_name = "compliance/registers/processingactivity_detail.html"
    fields = (
        "establishment",
        "reference",
        "status",
        "controller",
        "joint_controllers",
        "dpo",
        "purposes",
        "legal_basis",
        "legal_basis_details",
        "has_special_categories",
        "special_category_exception",
        "data_subjects",
        "data_categories",
        "special_categories",
        "data_source",
        "recipients_internal",
        "recipients_external",
        "processors",
        "transfers_outside_eu",
        "transfers",
        "retention",
        "security_measures",
        "created_at",
        "updated_at",
    )

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, ProcessingActivity)
        criteria = dict(DPIACriterion.choices)
        dpias = list(obj.dpias.all())
        preset = service.preset(obj.preset) if obj.preset else None
        return {
            "criteria": [criteria.get(value, value) for value in obj.dpia_criteria or []],
            "dpia_required": obj.is_dpia_required,
            "dpias": [(dpia, STATUS_BADGES.get(dpia.status, "")) for dpia in dpias],
            "dpia_add_url": reverse("compliance:dpia_add")
            + f"?establishment={obj.establishment_id}&processing={obj.pk}"
            if self.can_edit()
            else "",
            "preset_name": preset.name.get(translation.get_language()) if preset else "",
            "preset_note": preset.note.get(translation.get_language()) if preset else "",
        }


class ProcessingActivityEditView(ProcessingActivityViews, generic.ObjectEditView):
    form_class = ProcessingActivityForm

    def initial_from_query(self) -> dict[str, Any]:
        initial = super().initial_from_query()
        key = self.request.GET.get("preset", "")
        if key and "pk" not in self.kwargs:
            establishments = Establishment.objects.visible_to(self.request.user)
            only = establishments.first() if establishments.count() == 1 else None
            initial = {**service.preset_initial(key, only), **initial}
            initial["preset_key"] = initial.pop("preset", "")
            found = service.preset(key)
            if found is not None and self.request.method == "GET":
                messages.info(
                    self.request,
                    _("Prefilled from the preset “%(name)s”: check and adapt every line.")
                    % {"name": found.name.get(translation.get_language())},
                )
        return initial


class ProcessingActivityDeleteView(ProcessingActivityViews, generic.ObjectDeleteView):
    pass


class ProcessingActivityExportView(generic.CapabilityRequiredMixin):
    required_capability = VIEW_REGISTERS

    def get(self, request: AuthenticatedRequest, fmt: str) -> HttpResponse:
        if fmt not in service.EXPORT_FORMATS:
            return HttpResponse(_("Export as csv, xlsx or pdf."), status=404)
        queryset = ProcessingActivity.objects.visible_to(request.user)
        establishment = request.GET.get("establishment", "")
        if establishment.isdigit():
            queryset = queryset.filter(establishment_id=int(establishment))
        status = request.GET.get("status", "")
        if status in ProcessingStatus.values:
            queryset = queryset.filter(status=status)
        data, content_type, name = service.export_register(queryset, fmt)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# --- DPIAs -----------------------------------------------------------------------------------


class DPIAViews(generic.ObjectViewMixin):
    model = DPIA
    view_capability = VIEW_REGISTERS
    edit_capability = MANAGE_REGISTERS
    list_select_related = ("establishment", "processing")


class DPIAListView(DPIAViews, generic.ObjectListView):
    columns = (
        Column("title", link=True),
        Column("processing", sort="processing__name"),
        Column("status", badge="status"),
        Column("establishment", sort="establishment__name"),
        Column("updated_at"),
    )
    search_fields = ("title", "processing__name")
    filters = ("status", "establishment")


class DPIADetailView(DPIAViews, generic.ObjectDetailView):
    template_name = "compliance/registers/dpia_detail.html"
    fields = (
        "establishment",
        "processing",
        "status",
        "description",
        "data_description",
        "lifecycle",
        "supports",
        "action_plan",
    )

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, DPIA)
        context = service.dpia_document_context(obj)
        can_edit = self.can_edit()
        return {
            **context,
            "risks": [
                {
                    **row,
                    "initial_badge": ZONE_BADGES.get(row["initial_zone"], ""),
                    "residual_badge": ZONE_BADGES.get(row["residual_zone"], ""),
                    "edit_url": reverse("compliance:dpia_risk_edit", args=[obj.pk, row["risk"].pk])
                    if can_edit
                    else "",
                }
                for row in context["risks"]
            ],
            "status_badge": STATUS_BADGES.get(obj.status, ""),
            "principles_url": reverse("compliance:dpia_principles", args=[obj.pk])
            if can_edit
            else "",
            "submit_url": reverse("compliance:dpia_submit", args=[obj.pk])
            if can_edit and obj.status not in (DPIAStatus.SUBMITTED, DPIAStatus.VALIDATED)
            else "",
            "validate_url": reverse("compliance:dpia_validate", args=[obj.pk])
            if can_edit and obj.status == DPIAStatus.SUBMITTED
            else "",
            "pdf_url": reverse("compliance:dpia_pdf", args=[obj.pk]),
        }


class DPIAEditView(DPIAViews, generic.ObjectEditView):
    form_class = DPIAForm


class DPIADeleteView(DPIAViews, generic.ObjectDeleteView):
    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        return {"delete_warning": _("Its principles, feared events and opinion go with it.")}


class _DPIAActionView(DPIAViews):
    """A page acting on one DPIA: the write capability, the DPIA read through the scope."""

    def get_required_capability(self) -> str | None:
        return MANAGE_REGISTERS

    def dpia(self) -> DPIA:
        obj = self.get_object()
        assert isinstance(obj, DPIA)
        return obj

    def detail_url(self, dpia: DPIA) -> str:
        return reverse("compliance:dpia_detail", args=[dpia.pk])


class DPIAPrinciplesView(_DPIAActionView):
    template_name = "compliance/registers/dpia_principles.html"

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        dpia = self.dpia()
        return self.show(dpia, DPIAPrinciplesForm(dpia=dpia))

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        dpia = self.dpia()
        form = DPIAPrinciplesForm(request.POST, dpia=dpia)
        if form.is_valid():
            try:
                service.update_principles(dpia, request.user, form.answers())
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("Fundamental principles saved."))
                return HttpResponseRedirect(self.detail_url(dpia))
        return self.show(dpia, form, status=422)

    def show(self, dpia: DPIA, form: DPIAPrinciplesForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"object": dpia, "form": form, "cancel_url": self.detail_url(dpia)},
            status=status,
        )


class DPIARiskEditView(_DPIAActionView):
    template_name = "compliance/registers/dpia_risk_edit.html"

    def risk(self, dpia: DPIA) -> DPIARisk:
        return get_object_or_404(DPIARisk, dpia=dpia, pk=self.kwargs["risk_pk"])

    def get(self, request: AuthenticatedRequest, pk: int, risk_pk: int) -> HttpResponse:
        dpia = self.dpia()
        risk = self.risk(dpia)
        return self.show(dpia, risk, DPIARiskForm(instance=risk))

    def post(self, request: AuthenticatedRequest, pk: int, risk_pk: int) -> HttpResponse:
        dpia = self.dpia()
        risk = self.risk(dpia)
        form = DPIARiskForm(request.POST, instance=risk)
        if form.is_valid():
            try:
                service.update_risk(
                    risk, request.user, **{name: form.cleaned_data[name] for name in form.fields}
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("%(risk)s saved.") % {"risk": risk})
                return HttpResponseRedirect(self.detail_url(dpia))
        return self.show(dpia, risk, form, status=422)

    def show(
        self, dpia: DPIA, risk: DPIARisk, form: DPIARiskForm, status: int = 200
    ) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"object": dpia, "risk": risk, "form": form, "cancel_url": self.detail_url(dpia)},
            status=status,
        )


class DPIASubmitView(_DPIAActionView):
    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        dpia = self.dpia()
        try:
            service.submit(dpia, request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("DPIA submitted to the DPO."))
        return HttpResponseRedirect(self.detail_url(dpia))


class DPIAValidateView(_DPIAActionView):
    template_name = "compliance/registers/dpia_validate.html"

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        dpia = self.dpia()
        return self.show(dpia, DPIAValidationForm())

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        dpia = self.dpia()
        form = DPIAValidationForm(request.POST)
        if form.is_valid():
            try:
                service.validate(
                    dpia,
                    request.user,
                    form.cleaned_data["dpo_decision"],
                    form.cleaned_data["dpo_opinion"],
                )
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("The DPO's opinion is recorded."))
                return HttpResponseRedirect(self.detail_url(dpia))
        return self.show(dpia, form, status=422)

    def show(self, dpia: DPIA, form: DPIAValidationForm, status: int = 200) -> HttpResponse:
        context = service.dpia_document_context(dpia)
        return render(
            self.request,
            self.template_name,
            {
                "object": dpia,
                "form": form,
                "findings": context["findings"],
                "assessment": context["assessment"],
                "cancel_url": self.detail_url(dpia),
            },
            status=status,
        )


class DPIAPDFView(DPIAViews):
    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        dpia = self.get_object()
        assert isinstance(dpia, DPIA)
        data, content_type, name = service.export_dpia_pdf(dpia)
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
