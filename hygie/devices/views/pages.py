"""Devices pages: the clinical inventory (list, detail with the risk breakdown, add, edit,
delete, merge, MDS2 form), inventory imports with their mapping step, vendor aliases, device
vulnerabilities with their decision, advisories, vulnerabilities, feed imports and the
dashboard of the module."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, Value, When
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from hygie.core.charts import render_chart
from hygie.core.http import AuthenticatedRequest
from hygie.core.registries import Series
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
from hygie.devices.choices import ClinicalFunction, InventoryImportStatus, Workflow
from hygie.devices.forms import (
    DecisionForm,
    DeviceForm,
    FeedUploadForm,
    InventoryUploadForm,
    MappingForm,
    Mds2UploadForm,
    MergeForm,
    SbomUploadForm,
    VendorAliasForm,
)
from hygie.devices.models import (
    Advisory,
    Device,
    DeviceVulnerability,
    FeedImport,
    InventoryImport,
    VendorAlias,
    Vulnerability,
)
from hygie.devices.roles import MANAGE, TRIAGE, VIEW
from hygie.devices.services import (
    feeds,
    imports,
    inventory,
    mds2,
    sbom,
    stats,
    vulnerabilities,
)

MAX_UPLOAD_BYTES = feeds.MAX_FEED_BYTES


class _YesNoFilters(generic.ObjectListView):
    def filter_options(self, field: Any) -> list[tuple[str, str]]:
        if isinstance(field, models.BooleanField):
            return [("True", _("Yes")), ("False", _("No"))]
        return super().filter_options(field)


class _InstallationWide(generic.ObjectViewMixin):
    """Public reference data (advisories, CVEs, feeds, aliases): the whole installation's, not
    an establishment's; readable by whoever may view devices."""

    def get_queryset(self) -> models.QuerySet[Any, Any]:
        queryset = self.model._default_manager.all()
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        return queryset


def _risk_text(row: DeviceVulnerability) -> str:
    """The list's risk column (a table column's renderer receives the row, not the value)."""
    return number_format(round(row.risk_score or 0), 0)


# --- devices ---------------------------------------------------------------------------------


class DeviceViews(generic.ObjectViewMixin):
    model = Device
    view_capability = VIEW
    edit_capability = MANAGE
    list_select_related = ("establishment", "asset", "department")


class DeviceListView(DeviceViews, _YesNoFilters):
    columns = (
        Column("asset__hostname", label=gettext_lazy("Host name"), link=True, breaks=True),
        Column("manufacturer"),
        Column("model_name", main=True),
        Column("version", priority=SECONDARY),
        Column("clinical_function", badge="function"),
        Column("patient_connected", priority=OPTIONAL),
        Column("network_zone", priority=SECONDARY),
        Column("os_end_of_support", priority=OPTIONAL),
        Column("location", priority=OPTIONAL),
        Column("establishment", sort="establishment__name", priority=SECONDARY),
    )
    search_fields = ("asset__hostname", "manufacturer", "model_name", "serial_number", "location")
    filters = ("establishment", "clinical_function", "network_zone", "patient_connected")
    template_name = "devices/device_list.html"


class DeviceDetailView(DeviceViews, generic.ObjectDetailView):
    fields = (
        "asset",
        "establishment",
        "manufacturer",
        "model_name",
        "version",
        "serial_number",
        "udi_di",
        "eu_class",
        "fda_class",
        "clinical_function",
        "patient_connected",
        "stores_phi",
        "location",
        "department",
        "network_zone",
        "internet_reachable",
        "os_name",
        "os_version",
        "os_end_of_support",
        "support_end",
        "warranty_end",
        "owner",
        "vendor_contact",
        "cpe",
        "purl",
        "notes",
    )
    template_name = "devices/device_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Device)
        links = list(
            obj.vulnerabilities.select_related("vulnerability", "advisory").order_by(
                "-risk_score", "pk"
            )
        )
        risk = vulnerabilities.device_risk(obj)
        language = get_language()
        user = self.request.user
        # The device's score is its worst open vulnerability's: show what made that one.
        worst = next((link for link in links if vulnerabilities.is_open(link)), None)
        return {
            "links": links,
            "risk": risk,
            "risk_rows": vulnerabilities.breakdown_rows(risk.to_dict(), language),
            "worst_link": worst,
            "worst_rows": vulnerabilities.breakdown_rows(worst.risk_breakdown, language)
            if worst is not None
            else [],
            "os_unsupported": obj.os_unsupported(),
            "controls": _control_labels(obj.compensating_controls),
            "mds2_rows": mds2.summary_rows(obj.mds2),
            "can_manage": user.can(MANAGE),
            "mds2_form": Mds2UploadForm() if user.can(MANAGE) else None,
            "sbom": sbom.device_sbom(obj),
            "sbom_form": SbomUploadForm() if user.can(MANAGE) else None,
            "merge_form": MergeForm(device=obj, user=user) if user.can(MANAGE) else None,
        }


def _control_labels(values: list[str]) -> list[tuple[str, str]]:
    from hygie.devices.choices import CompensatingControl

    labels = dict(CompensatingControl.choices)
    return [(value, str(labels.get(value, value))) for value in values or []]


class DeviceEditView(DeviceViews, generic.ObjectEditView):
    form_class = DeviceForm

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # A new device may create its asset first: both or neither.
        with transaction.atomic():
            response = super().post(request, *args, **kwargs)
            if response.status_code != 302:
                transaction.set_rollback(True)
        if response.status_code == 302:
            pk = _pk_of(response["Location"])
            device = Device.objects.filter(pk=pk).first() if pk is not None else None
            if device is not None:
                feeds.device_saved(device)
        return response


def _pk_of(location: str) -> int | None:
    parts = [part for part in location.split("/") if part]
    return int(parts[-1]) if parts and parts[-1].isdigit() else None


class DeviceDeleteView(DeviceViews, generic.ObjectDeleteView):
    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        return {
            "delete_warning": _(
                "Its vulnerabilities and decisions are deleted with it; the asset stays in the "
                "inventory."
            )
        }


class _DevicePost(DeviceViews):
    http_method_names = ["post"]

    def get_required_capability(self) -> str | None:
        return MANAGE

    def back(self, device: models.Model) -> HttpResponse:
        return HttpResponseRedirect(reverse("devices:device_detail", args=[device.pk]))


class DeviceMergeView(_DevicePost):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        device = self.get_object()
        assert isinstance(device, Device)
        form = MergeForm(request.POST, device=device, user=request.user)
        if not form.is_valid():
            messages.error(request, _("Choose the duplicate to merge."))
            return self.back(device)
        try:
            inventory.merge_devices(request.user, device, form.cleaned_data["other"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The duplicate was merged into this device."))
        return self.back(device)


class DeviceMds2View(_DevicePost):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        device = self.get_object()
        assert isinstance(device, Device)
        form = Mds2UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > mds2.MAX_BYTES:
                messages.error(request, _("The MDS2 file is too large."))
                return self.back(device)
            try:
                mds2.import_mds2(device, request.user, upload.read())
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("MDS2 form imported."))
        else:
            messages.error(request, _("Choose the MDS2 file."))
        return self.back(device)


class DeviceSbomView(_DevicePost):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        device = self.get_object()
        assert isinstance(device, Device)
        form = SbomUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _("Choose the SBOM file."))
            return self.back(device)
        upload = form.cleaned_data["file"]
        if upload.size > feeds.MAX_FEED_BYTES:
            messages.error(request, _("The file is too large."))
            return self.back(device)
        try:
            feed = sbom.import_sbom(device, upload.name or "", upload.read(), request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("SBOM attached: %(components)d component(s), %(statements)d VEX statement(s).")
                % {
                    "components": feed.counts.get("components", 0),
                    "statements": feed.counts.get("vex_statements", 0),
                },
            )
        return self.back(device)


class DeviceMatchView(_DevicePost):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        device = self.get_object()
        assert isinstance(device, Device)
        created = feeds.match_devices([device])
        messages.success(
            request,
            _("Matched against the advisories: %(count)d new relation(s).")
            % {"count": len(created)},
        )
        return self.back(device)


# --- device vulnerabilities ----------------------------------------------------------------


class DeviceVulnerabilityViews(generic.ObjectViewMixin):
    model = DeviceVulnerability
    view_capability = VIEW
    edit_capability = TRIAGE
    list_select_related = (
        "device",
        "device__asset",
        "device__establishment",
        "vulnerability",
        "advisory",
    )


class DeviceVulnerabilityListView(DeviceVulnerabilityViews, generic.ObjectListView):
    columns = (
        Column("vulnerability__cve", label=gettext_lazy("CVE"), link=True),
        Column("device", sort="device__asset__hostname", main=True),
        Column("risk_score", render=_risk_text),
        Column("status", badge="match"),
        Column("workflow", badge="workflow"),
        Column("vulnerability__kev", label=gettext_lazy("KEV"), priority=SECONDARY),
        Column("advisory__tracking_id", label=gettext_lazy("Advisory"), priority=OPTIONAL),
        Column(
            "device__clinical_function", label=gettext_lazy("Clinical function"), priority=SECONDARY
        ),
        Column(
            "device__establishment",
            label=gettext_lazy("Establishment"),
            sort="device__establishment__name",
            priority=OPTIONAL,
        ),
    )
    search_fields = (
        "vulnerability__cve",
        "device__asset__hostname",
        "advisory__tracking_id",
        "device__manufacturer",
        "device__model_name",
    )
    filters = ("status", "workflow")
    template_name = "devices/devicevulnerability_list.html"

    def get_queryset(self) -> models.QuerySet[Any, Any]:
        # The remediation list: what still needs a decision first (affected, under
        # investigation, to review, and open), by clinical risk; then the rest (fixed, not
        # affected, decided), which the demo listed among the first by their potential risk.
        actionable = Case(
            When(
                status__in=vulnerabilities.UNDECIDED_STATUSES,
                workflow=Workflow.OPEN,
                then=Value(1),
            ),
            default=Value(0),
            output_field=models.IntegerField(),
        )
        return (
            super()
            .get_queryset()
            .annotate(actionable=actionable)
            .order_by("-actionable", "-risk_score", "pk")
        )


class DeviceVulnerabilityDetailView(DeviceVulnerabilityViews, generic.ObjectDetailView):
    fields = (
        "device",
        "vulnerability",
        "advisory",
        "product_id",
        "status",
        "why",
        "remediation",
        "workflow",
        "justification",
        "vex_justification",
        "accepted_until",
        "decided_by",
        "decided_at",
        "first_seen",
        "last_seen",
    )
    template_name = "devices/devicevulnerability_detail.html"

    def can_edit(self) -> bool:
        return False  # matched by the engine; only the decision is the user's

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, DeviceVulnerability)
        can_triage = self.request.user.can(TRIAGE)
        return {
            "risk_rows": vulnerabilities.breakdown_rows(obj.risk_breakdown, get_language()),
            "breakdown": obj.risk_breakdown,
            "can_triage": can_triage,
            "decision_form": DecisionForm(instance=obj) if can_triage else None,
        }


class DeviceVulnerabilityDecideView(DeviceVulnerabilityViews):
    http_method_names = ["post"]

    def get_required_capability(self) -> str | None:
        return TRIAGE

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        link = self.get_object()
        assert isinstance(link, DeviceVulnerability)
        form = DecisionForm(request.POST, instance=DeviceVulnerability.objects.get(pk=link.pk))
        if form.is_valid():
            data = form.cleaned_data
            try:
                vulnerabilities.decide(
                    link,
                    request.user,
                    data["workflow"],
                    justification=data.get("justification") or "",
                    vex_justification=data.get("vex_justification") or "",
                    accepted_until=data.get("accepted_until"),
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(
                    request,
                    _("Decision saved: %(decision)s.") % {"decision": link.get_workflow_display()},
                )
        else:
            messages.error(request, _("The decision could not be saved: check the fields."))
        return HttpResponseRedirect(reverse("devices:devicevulnerability_detail", args=[link.pk]))


# --- aliases ---------------------------------------------------------------------------------


class VendorAliasViews(_InstallationWide):
    model = VendorAlias
    view_capability = VIEW
    edit_capability = MANAGE

    def can_edit(self) -> bool:
        return super().can_edit() and self.request.user.sees_all_establishments

    def check_write_allowed(self, obj: models.Model | None) -> None:
        inventory.require_installation_wide(self.request.user)


class VendorAliasListView(VendorAliasViews, generic.ObjectListView):
    columns = (
        Column("alias", link=True, main=True),
        Column("canonical"),
        Column("kind"),
        Column("vendor", priority=SECONDARY),
    )
    search_fields = ("alias", "canonical", "vendor")
    filters = ("kind",)
    template_name = "devices/vendoralias_list.html"


class VendorAliasDetailView(VendorAliasViews, generic.ObjectDetailView):
    fields = ("kind", "alias", "canonical", "vendor", "created_at")


class VendorAliasEditView(VendorAliasViews, generic.ObjectEditView):
    form_class = VendorAliasForm


class VendorAliasDeleteView(VendorAliasViews, generic.ObjectDeleteView):
    pass


class VendorAliasApplyView(VendorAliasViews):
    http_method_names = ["post"]

    def get_required_capability(self) -> str | None:
        return MANAGE

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        changed = inventory.apply_aliases(request.user)
        messages.success(
            request, _("%(count)d device(s) renamed through the aliases.") % {"count": changed}
        )
        return HttpResponseRedirect(reverse("devices:vendoralias_list"))


# --- advisories, vulnerabilities, feeds ------------------------------------------------------


class AdvisoryViews(generic.ObjectViewMixin):
    # Public documents are everyone's; a device's SBOM only its establishment's (scoping).
    model = Advisory
    view_capability = VIEW


class AdvisoryListView(AdvisoryViews, generic.ObjectListView):
    columns = (
        Column("tracking_id", link=True),
        Column("title", main=True),
        Column("source"),
        Column("publisher", priority=SECONDARY),
        Column("current_release", priority=OPTIONAL),
    )
    search_fields = ("tracking_id", "title", "publisher")
    filters = ("source",)


class AdvisoryDetailView(AdvisoryViews, generic.ObjectDetailView):
    fields = (
        "tracking_id",
        "title",
        "source",
        "publisher",
        "initial_release",
        "current_release",
        "revision",
        "url",
        "sha256",
        "feed_import",
    )
    template_name = "devices/advisory_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Advisory)
        return {
            "cves": obj.vulnerabilities.order_by("cve"),
            "links": DeviceVulnerability.objects.visible_to(self.request.user)
            .filter(advisory=obj)
            .select_related("device", "device__asset", "vulnerability")
            .order_by("-risk_score")[:200],
        }


class VulnerabilityViews(_InstallationWide):
    model = Vulnerability
    view_capability = VIEW


class VulnerabilityListView(VulnerabilityViews, _YesNoFilters):
    columns = (
        Column("cve", link=True),
        Column("cvss_score"),
        Column("kev"),
        Column("epss_score", priority=SECONDARY),
        Column("kev_date_added", priority=OPTIONAL),
        Column("description", main=True, priority=OPTIONAL, sort=False),
    )
    search_fields = ("cve", "description")
    filters = ("kev",)


class VulnerabilityDetailView(VulnerabilityViews, generic.ObjectDetailView):
    fields = (
        "cve",
        "description",
        "cvss_vector",
        "cvss_score",
        "kev",
        "kev_date_added",
        "kev_due_date",
        "kev_ransomware",
        "epss_score",
        "epss_percentile",
        "epss_date",
        "published",
    )

    def related_links(self, obj: models.Model) -> list[generic.RelatedLink]:
        count = DeviceVulnerability.objects.visible_to(self.request.user).filter(
            vulnerability=obj.pk
        )
        return [
            generic.RelatedLink(
                _("Devices concerned"),
                reverse("devices:devicevulnerability_list") + f"?q={getattr(obj, 'cve', '')}",
                count.count(),
            )
        ]


class FeedImportViews(generic.ObjectViewMixin):
    # Public feeds are everyone's; a device's SBOM file only its establishment's (scoping).
    model = FeedImport
    view_capability = VIEW
    edit_capability = MANAGE
    list_select_related = ("started_by",)

    def can_edit(self) -> bool:
        return super().can_edit() and self.request.user.sees_all_establishments


class FeedImportListView(FeedImportViews, generic.ObjectListView):
    columns = (
        Column("started_at", link=True),
        Column("kind"),
        Column("name", main=True, breaks=True),
        Column("status", badge="status"),
        Column("started_by", priority=OPTIONAL),
    )
    search_fields = ("name",)
    filters = ("kind", "status")

    def base_context(self) -> dict[str, Any]:
        return {
            **super().base_context(),
            "add_url": reverse("devices:feedimport_add") if self.can_edit() else "",
        }


class FeedImportDetailView(FeedImportViews, generic.ObjectDetailView):
    fields = ("kind", "name", "status", "sha256", "started_by", "started_at", "finished_at")
    template_name = "devices/feedimport_detail.html"

    def can_edit(self) -> bool:
        return False  # a record of what was imported

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, FeedImport)
        return {"counts": sorted((obj.counts or {}).items()), "errors": obj.errors or []}


class FeedImportAddView(FeedImportViews):
    template_name = "devices/feedimport_add.html"

    def get_required_capability(self) -> str | None:
        return MANAGE

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if request.user.is_authenticated and not request.user.sees_all_establishments:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(FeedUploadForm())

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = FeedUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > MAX_UPLOAD_BYTES:
                form.add_error("file", _("The file is too large."))
            else:
                try:
                    feed = feeds.import_feed(
                        form.cleaned_data["kind"], upload.name, upload.read(), request.user
                    )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    messages.success(request, _("Feed imported."))
                    return HttpResponseRedirect(
                        reverse("devices:feedimport_detail", args=[feed.pk])
                    )
        return self.render_form(form, status=422)

    def render_form(self, form: FeedUploadForm, status: int = 200) -> HttpResponse:
        return render(
            self.request, self.template_name, {**self.base_context(), "form": form}, status=status
        )


# --- inventory imports -------------------------------------------------------------------


class InventoryImportViews(generic.ObjectViewMixin):
    model = InventoryImport
    view_capability = MANAGE
    edit_capability = MANAGE
    list_select_related = ("establishment", "created_by")


class InventoryImportListView(InventoryImportViews, generic.ObjectListView):
    columns = (
        Column("created_at", link=True),
        Column("status", badge="status"),
        Column("establishment", sort="establishment__name"),
        Column("created_by", priority=SECONDARY),
        Column("committed_at", priority=OPTIONAL),
    )
    filters = ("establishment", "status")


class InventoryImportAddView(InventoryImportViews):
    template_name = "devices/inventoryimport_add.html"

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(InventoryUploadForm(user=request.user))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = InventoryUploadForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > imports.MAX_IMPORT_BYTES:
                form.add_error("file", _("The file is too large."))
            else:
                try:
                    job = imports.start(
                        request.user, form.cleaned_data["establishment"], upload.read()
                    )
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    return HttpResponseRedirect(
                        reverse("devices:inventoryimport_detail", args=[job.pk])
                    )
        return self.render_form(form, status=422)

    def render_form(self, form: InventoryUploadForm, status: int = 200) -> HttpResponse:
        context = {
            **self.base_context(),
            "form": form,
            "fields": [(name, label) for name, (label, _s) in imports.FIELDS.items()],
        }
        return render(self.request, self.template_name, context, status=status)


class InventoryImportDetailView(InventoryImportViews, generic.ObjectDetailView):
    """The mapping step: detected columns with a sample, the mapping form, the check report,
    and the commit button once the check is clean."""

    fields = ("establishment", "status", "created_by", "created_at", "committed_at")
    template_name = "devices/inventoryimport_detail.html"

    def can_edit(self) -> bool:
        return False

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, InventoryImport)
        initial = {name: str(index) for name, index in (obj.mapping or {}).items()}
        return {
            "job": obj,
            "columns": list(enumerate(obj.columns)),
            "row_count": len(obj.rows),
            "mapping_form": MappingForm(columns=obj.columns, initial=initial),
            "report": obj.report or None,
            "can_commit": obj.status == InventoryImportStatus.VALIDATED,
            "committed": obj.status == InventoryImportStatus.COMMITTED,
        }


class _ImportPost(InventoryImportViews):
    http_method_names = ["post"]

    def back(self, job: models.Model) -> HttpResponse:
        return HttpResponseRedirect(reverse("devices:inventoryimport_detail", args=[job.pk]))


class InventoryImportMapView(_ImportPost):
    """Store the mapping and check every row (the dry run)."""

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self.get_object()
        assert isinstance(job, InventoryImport)
        form = MappingForm(request.POST, columns=job.columns)
        if form.is_valid():
            try:
                imports.check(request.user, job, form.mapping())
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
        return self.back(job)


class InventoryImportCommitView(_ImportPost):
    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        job = self.get_object()
        assert isinstance(job, InventoryImport)
        try:
            imports.commit(request.user, job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("%(count)d device(s) written.") % {"count": (job.report or {}).get("written", 0)},
            )
        return self.back(job)


# --- dashboard -------------------------------------------------------------------------------

RISK_LEVELS = (
    ("critical", gettext_lazy("Critical")),
    ("high", gettext_lazy("High")),
    ("medium", gettext_lazy("Medium")),
    ("low", gettext_lazy("Low")),
    ("none", gettext_lazy("No open vulnerability")),
)


class DashboardView(generic.CapabilityRequiredMixin):
    """Devices by function and risk, KEV exposure, unsupported OS share, advisories without a
    decision, and the remediation priorities."""

    required_capability = VIEW

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        table = stats.by_function_and_risk(user)
        functions = [(v, str(label)) for v, label in ClinicalFunction.choices if v in table]
        series = Series(
            title=_("Devices by clinical function and risk"),
            description=_(
                "Number of devices per clinical function, by the risk level of their "
                "worst open vulnerability."
            ),
            labels=[label for _v, label in functions],
            values={
                str(label): [table[value].get(level, 0) for value, _l in functions]
                for level, label in RISK_LEVELS
            },
        )
        from hygie.core.models import Establishment

        establishments = list(Establishment.objects.visible_to(user))
        unsupported = stats.unsupported_os(establishments)
        bad = sum(u for u, _t in unsupported.values())
        total = sum(t for _u, t in unsupported.values())
        context = {
            "chart": render_chart(series, "devices-function-risk") if functions else "",
            "series": series,
            "kev": stats.kev_exposure(user),
            "unsupported": bad,
            "device_total": total,
            "unsupported_share": round(100 * bad / total) if total else 0,
            "undecided_advisories": stats.advisories_without_decision(user),
            "queue": list(vulnerabilities.remediation_queue(user)[:25]),
            "feeds": FeedImport.objects.visible_to(user).order_by("-started_at")[:5],
        }
        return render(request, "devices/dashboard.html", context)
