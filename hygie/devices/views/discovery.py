"""Passive discovery and segmentation pages: upload a capture (analysed in the background), a
discovery's candidate devices (accept, merge, dismiss) and flows, the segmentation policy
(edit, import, export as YAML), flow exports and the violations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.models.scoping import visible_objects
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
from hygie.devices.forms import EstablishmentChoiceMixin
from hygie.devices.models import (
    Device,
    DiscoveredCandidate,
    DiscoveryRun,
    SegmentationPolicy,
    SegmentationViolation,
)
from hygie.devices.models.discovery import CandidateStatus, FlowSource
from hygie.devices.roles import MANAGE, VIEW
from hygie.devices.services import discovery

EVIDENCE_LABELS = {
    "oui": gettext_lazy("Network card manufacturer (MAC OUI)"),
    "vendor": gettext_lazy("Vendor (from the DICOM implementation)"),
    "dicom.ae_title": gettext_lazy("DICOM AE title"),
    "dicom.calling_ae": gettext_lazy("DICOM calling AE title"),
    "dicom.called_ae": gettext_lazy("DICOM called AE title"),
    "dicom.responding_ae": gettext_lazy("DICOM responding AE title"),
    "dicom.implementation_uid": gettext_lazy("DICOM implementation class UID"),
    "dicom.implementation_version": gettext_lazy("DICOM implementation version"),
    "dicom.abstract_syntax": gettext_lazy("DICOM service (SOP class)"),
    "hl7.sending_application": gettext_lazy("HL7 sending application"),
    "hl7.sending_facility": gettext_lazy("HL7 sending facility"),
    "hl7.receiving_application": gettext_lazy("HL7 receiving application"),
    "hl7.receiving_facility": gettext_lazy("HL7 receiving facility"),
    "hl7.message_type": gettext_lazy("HL7 message type"),
    "hl7.version": gettext_lazy("HL7 version"),
    "http.user_agent": gettext_lazy("HTTP client (User-Agent)"),
    "http.server": gettext_lazy("HTTP server"),
    "ssdp.server": gettext_lazy("UPnP/SSDP server"),
    "ssdp.type": gettext_lazy("UPnP/SSDP device type"),
    "mdns.hostname": gettext_lazy("mDNS host name"),
    "mdns.service": gettext_lazy("mDNS service"),
    "mqtt.client_id": gettext_lazy("MQTT client identifier"),
    "dhcp.hostname": gettext_lazy("DHCP host name"),
    "dhcp.vendor_class": gettext_lazy("DHCP vendor class"),
    "dhcp.fingerprint": gettext_lazy("DHCP fingerprint (parameter request list)"),
}
MAX_FLOWS_SHOWN = 500


class CaptureUploadForm(EstablishmentChoiceMixin):
    file = forms.FileField(
        label=gettext_lazy("Capture (pcap or pcapng)"),
        help_text=gettext_lazy(
            "Recorded passively, e.g. from a mirror (SPAN) port or a network tap."
        ),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope(user)


class FlowUploadForm(EstablishmentChoiceMixin):
    kind = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[c for c in FlowSource.choices if c[0] != FlowSource.CAPTURE],
    )
    file = forms.FileField(label=gettext_lazy("File"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scope(user)


class PolicyForm(forms.Form):
    document = forms.CharField(
        label=gettext_lazy("Policy (YAML)"),
        widget=forms.Textarea(attrs={"rows": 18, "spellcheck": "false", "class": "mono"}),
        required=False,
    )
    file = forms.FileField(label=gettext_lazy("Or import a YAML file"), required=False)


# --- discoveries -------------------------------------------------------------------------------


class DiscoveryViews(generic.ObjectViewMixin):
    model = DiscoveryRun
    view_capability = VIEW
    edit_capability = MANAGE
    list_select_related = ("establishment", "created_by")


class DiscoveryRunListView(DiscoveryViews, generic.ObjectListView):
    columns = (
        Column("created_at", link=True),
        Column("name", main=True, breaks=True),
        Column("source"),
        Column("status", badge="status"),
        Column("establishment", sort="establishment__name", priority=SECONDARY),
        Column("created_by", priority=OPTIONAL),
    )
    search_fields = ("name",)
    filters = ("establishment", "source", "status")

    def base_context(self) -> dict[str, Any]:
        return {
            **super().base_context(),
            "add_url": reverse("devices:discoveryrun_add") if self.can_edit() else "",
        }


class DiscoveryRunAddView(DiscoveryViews):
    template_name = "devices/discoveryrun_add.html"

    def get_required_capability(self) -> str | None:
        return MANAGE

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(CaptureUploadForm(user=request.user))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = CaptureUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > discovery.MAX_CAPTURE_BYTES:
                form.add_error("file", _("The file is too large."))
            else:
                try:
                    run = discovery.start_capture(
                        request.user, form.cleaned_data["establishment"], upload.name, upload
                    )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    messages.success(request, _("Capture received: it is being analysed."))
                    return HttpResponseRedirect(
                        reverse("devices:discoveryrun_detail", args=[run.pk])
                    )
        return self.render_form(form, status=422)

    def render_form(self, form: CaptureUploadForm, status: int = 200) -> HttpResponse:
        return render(
            self.request, self.template_name, {**self.base_context(), "form": form}, status=status
        )


class DiscoveryRunDetailView(DiscoveryViews, generic.ObjectDetailView):
    fields = (
        "name",
        "source",
        "status",
        "establishment",
        "sha256",
        "created_by",
        "created_at",
        "finished_at",
        "error",
    )
    template_name = "devices/discoveryrun_detail.html"

    def can_edit(self) -> bool:
        return False  # a record of what was analysed; candidates are reviewed below

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, DiscoveryRun)
        candidates = []
        may_review = self.request.user.can(MANAGE)
        devices = list(
            Device.objects.filter(establishment=obj.establishment)
            .select_related("asset")
            .order_by("asset__hostname")[:1000]
        )
        index = discovery.address_index(obj.establishment)
        policy = discovery.policy_of(obj.establishment) if may_review else None
        for candidate in obj.candidates.all():
            pending = candidate.status == CandidateStatus.PENDING
            candidates.append(
                {
                    "object": candidate,
                    "evidence": [
                        (EVIDENCE_LABELS.get(e.get("kind", ""), _("Other")), e.get("value", ""))
                        for e in candidate.evidence
                    ],
                    "known": discovery.known_device(candidate, index) if pending else None,
                    "proposed": discovery.proposals(candidate, policy)
                    if pending and may_review
                    else {},
                }
            )
        counts = obj.counts or {}
        labels = {
            "frames": _("Frames"),
            "decoded": _("Decoded"),
            "candidates": _("Candidate devices"),
            "flows": _("Flows"),
            "records": _("Records"),
            "violations": _("Segmentation violations"),
        }
        return {
            "counts": [(labels.get(k, _("Other")), v) for k, v in counts.items()],
            "candidates": candidates,
            "devices": devices,
            "may_review": may_review,
            "flows": list(obj.flows.all()[:MAX_FLOWS_SHOWN]),
            "flows_total": obj.flows.count(),
        }


class CandidateActionView(generic.CapabilityRequiredMixin):
    required_capability = MANAGE

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        candidate = get_object_or_404(
            visible_objects(DiscoveredCandidate, request.user).select_related("establishment"),
            pk=pk,
        )
        action = request.POST.get("action", "")
        try:
            if action == "accept":
                device = discovery.accept_candidate(
                    request.user,
                    candidate,
                    request.POST.get("hostname", "")[:255],
                    model_name=request.POST.get("model_name"),
                    version=request.POST.get("version"),
                )
                messages.success(request, _("Device added to the inventory."))
            elif action == "merge":
                device = get_object_or_404(
                    visible_objects(Device, request.user), pk=request.POST.get("device") or 0
                )
                discovery.merge_candidate(request.user, candidate, device)
                messages.success(request, _("Candidate merged into the device."))
            elif action == "dismiss":
                discovery.dismiss_candidate(request.user, candidate)
                messages.success(request, _("Candidate dismissed."))
            else:
                raise ValidationError(_("Unknown action."))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return HttpResponseRedirect(
            reverse("devices:discoveryrun_detail", args=[candidate.run_id]) + "#candidates"
        )


# --- segmentation ----------------------------------------------------------------------------


class SegmentationView(generic.CapabilityRequiredMixin):
    """The policy of one establishment (chosen with ?establishment=), flow imports, violations."""

    required_capability = VIEW
    template_name = "devices/segmentation.html"

    def establishment(self) -> Establishment:
        visible = Establishment.objects.visible_to(self.request.user).order_by("name")
        wanted = self.request.GET.get("establishment") or self.request.POST.get("establishment")
        if wanted and str(wanted).isdigit():
            return get_object_or_404(visible, pk=int(wanted))
        first = visible.first()
        if first is None:
            raise PermissionDenied
        return first

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        where = self.establishment()
        stored = SegmentationPolicy.objects.filter(establishment=where).first()
        policy_form = PolicyForm(initial={"document": stored.document if stored else EXAMPLE})
        flow_form = FlowUploadForm(user=request.user, initial={"establishment": where.pk})
        return self.render_page(where, policy_form, flow_form)

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.can(MANAGE):
            raise PermissionDenied
        where = self.establishment()
        policy_form = PolicyForm()
        flow_form = FlowUploadForm(user=request.user, initial={"establishment": where.pk})
        if request.POST.get("action") == "flows":
            flow_form = FlowUploadForm(request.POST, request.FILES, user=request.user)
            if flow_form.is_valid():
                upload = flow_form.cleaned_data["file"]
                try:
                    run = discovery.import_flows(
                        request.user,
                        flow_form.cleaned_data["establishment"],
                        flow_form.cleaned_data["kind"],
                        upload.name,
                        upload.read(discovery.MAX_EXPORT_BYTES + 1),
                    )
                except ValidationError as error:
                    flow_form.add_error(None, error.messages)
                else:
                    messages.success(
                        request,
                        _("%(flows)s flows imported, %(violations)s outside the policy.")
                        % {
                            "flows": run.counts.get("flows", 0),
                            "violations": run.counts.get("violations", 0),
                        },
                    )
                    return HttpResponseRedirect(_page(where))
        else:
            policy_form = PolicyForm(request.POST, request.FILES)
            if policy_form.is_valid():
                upload = policy_form.cleaned_data.get("file")
                text = (
                    upload.read(discovery.MAX_POLICY_BYTES + 1).decode("utf-8", "replace")
                    if upload
                    else policy_form.cleaned_data["document"]
                )
                try:
                    discovery.save_policy(request.user, where, text)
                except ValidationError as error:
                    policy_form.add_error(None, error.messages)
                else:
                    messages.success(request, _("Segmentation policy saved."))
                    return HttpResponseRedirect(_page(where))
        return self.render_page(where, policy_form, flow_form, status=422)

    def render_page(
        self,
        where: Establishment,
        policy_form: PolicyForm,
        flow_form: FlowUploadForm,
        status: int = 200,
    ) -> HttpResponse:
        violations = SegmentationViolation.objects.filter(establishment=where).select_related(
            "alert"
        )[:500]
        context = {
            "establishment": where,
            "establishments": Establishment.objects.visible_to(self.request.user).order_by("name"),
            "policy_form": policy_form,
            "flow_form": flow_form,
            "violations": violations,
            "has_policy": SegmentationPolicy.objects.filter(establishment=where).exists(),
            "can_edit": self.request.user.can(MANAGE),
        }
        return render(self.request, self.template_name, context, status=status)


class SegmentationExportView(SegmentationView):
    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        where = self.establishment()
        stored = get_object_or_404(SegmentationPolicy, establishment=where)
        response = HttpResponse(stored.document, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="segmentation-{where.pk}.yaml"'
        return response


def _page(where: Establishment) -> str:
    return reverse("devices:segmentation") + f"?establishment={where.pk}"


EXAMPLE = """# Zones (networks in CIDR) and the flows allowed between them.
# Built-in zones: internet (public addresses) and unzoned (private addresses in no zone).
zones:
  - name: biomed
    networks: [10.20.0.0/16]
    description: Infusion pumps and monitors
  - name: pacs
    networks: [10.30.0.0/24]
allow:
  - {from: biomed, to: pacs, ports: [104, 11112], protocol: tcp, description: DICOM}
"""
