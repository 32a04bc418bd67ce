"""Detection pages: stored events (search, filters, time range, detail), the rule library with
per-establishment enable/disable, and alert forwarding targets. Alerts use the core alert queue."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from hygie.core import audit
from hygie.core.charts import render_chart
from hygie.core.http import AuthenticatedRequest, signed_in_user
from hygie.core.models import Establishment
from hygie.core.tables import OPTIONAL, SECONDARY, Column
from hygie.core.views import generic
from hygie.core.views.uploads import BoundedUploadMixin
from hygie.detection import forwarding, logfiles, mail_reports, queries, services
from hygie.detection.engine.reported_mail import MAX_MAIL_BYTES
from hygie.detection.forms import (
    ForwardingTargetForm,
    LogFileUploadForm,
    MailReportForm,
    RulePackImportForm,
)
from hygie.detection.models import AlertDelivery, DeliveryStatus, Event, ForwardingTarget
from hygie.detection.roles import (
    INGEST,
    MANAGE_FORWARDING,
    MANAGE_RULES,
    REPORT_MAIL,
    VIEW_EVENTS,
)
from hygie.lib.ipsearch import ip_query

# Sigma log source names in two words or more, as the event filters show them.
LOG_SOURCE_LABELS: dict[str, Any] = {
    "ehr_audit": gettext_lazy("EHR audit trail"),
    "process_creation": gettext_lazy("Process creation"),
    "network_connection": gettext_lazy("Network connection"),
    "file_event": gettext_lazy("File event"),
    "file_delete": gettext_lazy("File deletion"),
    "image_load": gettext_lazy("Image load"),
    "registry_event": gettext_lazy("Registry event"),
    "registry_set": gettext_lazy("Registry value set"),
    "dns_query": gettext_lazy("DNS query"),
    "ps_script": gettext_lazy("PowerShell script"),
    "driver_load": gettext_lazy("Driver load"),
    "pipe_created": gettext_lazy("Named pipe created"),
    "process_access": gettext_lazy("Process access"),
    "create_remote_thread": gettext_lazy("Remote thread created"),
    "wmi_event": gettext_lazy("WMI event"),
}


def _log_source(event: Any) -> str:
    return "/".join(part for part in (event.product, event.service or event.category) if part)


def _message(event: Any) -> str:
    if event.parse_error:
        return _("Parse error: %(error)s — %(message)s") % {
            "error": event.parse_error,
            "message": event.short_message,
        }
    return str(event.short_message)


class EventListView(generic.ObjectListView):
    model = Event
    view_capability = VIEW_EVENTS
    list_select_related = ("establishment", "asset")
    template_name = "detection/event_list.html"
    columns = (
        Column("received_at", link=True),
        Column("occurred_at"),
        Column("establishment", sort="establishment__name"),
        Column("host"),
        # One column for the Sigma log source (product/service or category), and the asset
        # on the detail page only: room for the message at 1280 px.
        Column("product", label=gettext_lazy("Log source"), render=_log_source, kind="data"),
        # The parse error, when any, leads the message cell (the filter lists them alone).
        Column(
            "short_message",
            label=gettext_lazy("Message"),
            sort=False,
            render=_message,
            kind="data",
        ),
    )
    search_fields = ("raw", "host")
    filters = ("establishment", "source", "product", "service", "category")

    def filter_options(self, field: Any) -> list[tuple[str, str]]:
        """Sigma log source names (``ehr_audit``, ``process_creation``) read as words."""
        options = super().filter_options(field)
        if field.name in ("product", "service", "category"):
            return [(value, str(LOG_SOURCE_LABELS.get(value, label))) for value, label in options]
        return options

    def get_queryset(self) -> models.QuerySet:
        queryset = super().get_queryset()
        since = generic.form_moment(self.request.GET.get("since", ""))
        until = generic.form_moment(self.request.GET.get("until", ""), end_of_day=True)
        if since is not None:
            queryset = queryset.filter(received_at__gte=since)
        if until is not None:
            queryset = queryset.filter(received_at__lte=until)
        host = self.request.GET.get("host", "").strip()[:253]
        if host:
            queryset = queryset.filter(host__icontains=host)
        rule = self.request.GET.get("rule", "").strip()[:100]
        if rule:
            queryset = queries.filter_by_rule(queryset, self.request.user, rule)
        ip = ip_query(self.request.GET.get("ip", "")[:64])
        if ip is not None:
            queryset = queries.filter_by_ip(queryset, ip)
        if self.request.GET.get("parse_errors") == "1":
            queryset = queryset.exclude(parse_error="")
        return queryset

    def extra_context(self, queryset: models.QuerySet) -> dict[str, Any]:
        extra = {
            "since": self.request.GET.get("since", "")[:40],
            "until": self.request.GET.get("until", "")[:40],
            "host": self.request.GET.get("host", "")[:253],
            "rule": self.request.GET.get("rule", "")[:100],
            "ip": self.request.GET.get("ip", "")[:64],
            "parse_errors": self.request.GET.get("parse_errors") == "1",
        }
        since = generic.form_moment(self.request.GET.get("since", ""))
        until = generic.form_moment(self.request.GET.get("until", ""), end_of_day=True)
        histogram = queries.event_histogram(queryset, since, until)
        return {
            **extra,
            "has_extra_filters": any(extra.values()),
            "can_ingest": self.request.user.can(INGEST),
            "histogram": render_chart(histogram, "event-histogram") if histogram else "",
        }


class EventDetailView(generic.ObjectDetailView):
    """One event: normalised fields (matched ones marked), raw text, parse error, asset, the
    alerts it fed and the rules it matches today."""

    model = Event
    view_capability = VIEW_EVENTS
    list_select_related = ("establishment", "asset")
    template_name = "detection/event_detail.html"
    fields = (
        "establishment",
        "received_at",
        "occurred_at",
        "source",
        "product",
        "service",
        "category",
        "host",
        "asset",
        "parse_error",
    )

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, Event)
        alerts = queries.alerts_for_event(obj, self.request.user)
        rules = queries.matching_rules(obj)
        matched: set[str] = set()
        for alert in alerts:
            matched.update(str(n) for n in (alert.details or {}).get("matched_fields") or [])
        for _rule, names in rules:
            matched.update(names)
        return {"alerts": alerts, "rules": rules, "field_rows": queries.field_rows(obj, matched)}


class RuleListView(generic.CapabilityRequiredMixin):
    """Every loaded rule with its level, tags and status for one establishment."""

    required_capability = VIEW_EVENTS

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        establishments = Establishment.objects.visible_to(request.user).order_by("name")
        selected = establishments.filter(pk=_int(request.GET.get("establishment"))).first()
        selected = selected or establishments.first()
        rules = queries.rule_rows(selected)
        return render(
            request,
            "detection/rule_list.html",
            {
                "rules": rules,
                "problems": queries.rule_problems(),
                "establishments": establishments,
                "selected": selected,
                "can_manage": request.user.can(MANAGE_RULES),
                "can_import": request.user.can(MANAGE_RULES)
                and request.user.sees_all_establishments,
                "packs": queries.pack_summaries(),
            },
        )


class RuleToggleView(generic.CapabilityRequiredMixin):
    required_capability = MANAGE_RULES
    http_method_names = ["post"]

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        establishment = get_object_or_404(
            Establishment.objects.visible_to(request.user),
            pk=_int(request.POST.get("establishment")),
        )
        rule_id = request.POST.get("rule_id", "")[:100]
        if rule_id not in queries.known_rule_ids():
            raise PermissionDenied(_("Unknown rule."))
        is_enabled = request.POST.get("is_enabled") == "1"
        services.set_rule_enabled(establishment, rule_id, is_enabled)
        messages.success(request, _("Rule enabled.") if is_enabled else _("Rule disabled."))
        return HttpResponseRedirect(
            reverse("detection:rule_list") + f"?establishment={establishment.pk}"
        )


# dispatch is overridden below, so as_view() no longer sees the mixin's csrf_exempt: the CSRF
# middleware would read the upload before the size limit is installed (500 in a browser).
@method_decorator(csrf_exempt, name="dispatch")
class RulePackImportView(BoundedUploadMixin, generic.CapabilityRequiredMixin):
    """Upload a Sigma pack; it applies to the whole installation, so organisation-wide users
    with the rule management capability only."""

    required_capability = MANAGE_RULES
    template_name = "detection/rulepack_import.html"

    def upload_limit(self) -> int:
        return int(getattr(settings, "HYGIE_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = signed_in_user(request)
        if user is not None and not user.sees_all_establishments:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(RulePackImportForm())

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = RulePackImportForm(request.POST, request.FILES)
        if self.flag_too_large(form):
            return self.render_form(form, status=413)
        if form.is_valid():
            try:
                result = services.import_rule_pack(
                    form.cleaned_data["name"], form.cleaned_data["file"]
                )
            except services.RulePackImportError as error:
                form.add_error("file", error.message)
            else:
                audit.record(
                    "create",
                    None,
                    object_type="detection.rulepack",
                    object_id=result.name,
                    object_repr=result.name,
                    changes={
                        "files": result.files,
                        "valid": result.valid,
                        "invalid": len(result.problems),
                    },
                    message="Sigma rule pack imported",
                )
                messages.success(
                    request,
                    _("Pack %(name)s imported: %(valid)s valid rule(s), %(invalid)s invalid.")
                    % {"name": result.name, "valid": result.valid, "invalid": len(result.problems)},
                )
                return HttpResponseRedirect(reverse("detection:rule_list"))
        return self.render_form(form, status=422)

    def render_form(self, form: RulePackImportForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, "max_bytes": self.upload_limit()},
            status=status,
        )


class LogFileUploadView(BoundedUploadMixin, generic.CapabilityRequiredMixin):
    """Import a log file from the browser: the same reader and ingestion as `hygie ingest`,
    run as a background job whose page shows the progress and the result."""

    required_capability = INGEST
    template_name = "detection/event_import.html"

    def upload_limit(self) -> int:
        return logfiles.max_upload_bytes()

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(LogFileUploadForm(user=request.user))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = LogFileUploadForm(request.POST, request.FILES, user=request.user)
        if self.flag_too_large(form):
            return self.render_form(form, status=413)
        if form.is_valid():
            data = form.cleaned_data
            try:
                job = logfiles.start_file_ingest(
                    request.user, data["establishment"], data["file"], data["log_format"]
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    form.add_error(None, error)
                else:
                    form.add_error("file", error)
            else:
                messages.success(request, _("Import started; the result appears below."))
                return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
        return self.render_form(form, status=422)

    def render_form(self, form: LogFileUploadForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {"form": form, "max_bytes": self.upload_limit()},
            status=status,
        )


# --- alert forwarding ----------------------------------------------------------------------------


class ForwardingTargetViews(generic.ObjectViewMixin):
    model = ForwardingTarget
    # The pages show the webhook signing secret: rule managers, not every analyst.
    view_capability = MANAGE_FORWARDING
    edit_capability = MANAGE_FORWARDING
    list_select_related = ("organisation", "establishment")


class ForwardingTargetListView(ForwardingTargetViews, generic.ObjectListView):
    template_name = "detection/forwardingtarget_list.html"
    columns = (
        Column("name", link=True),
        Column("kind", priority=SECONDARY),
        Column("address", gettext_lazy("Address"), sort=False, breaks=True),
        Column("establishment", sort="establishment__name", priority=SECONDARY),
        Column("min_severity", badge="severity", priority=OPTIONAL),
        Column("is_enabled"),
        Column("last_success_at", priority=SECONDARY),
        Column("last_error", sort=False, priority=OPTIONAL, breaks=True),
    )
    search_fields = ("name", "host", "url")
    filters = ("kind", "establishment", "is_enabled")


class ForwardingTargetDetailView(ForwardingTargetViews, generic.ObjectDetailView):
    template_name = "detection/forwardingtarget_detail.html"
    audit_views = True  # the page shows the signing secret
    fields = (
        "name",
        "kind",
        "address",
        "organisation",
        "establishment",
        "min_severity",
        "sources",
        "syslog_facility",
        "timeout_seconds",
        "max_attempts",
        "is_enabled",
        "last_attempt_at",
        "last_success_at",
        "last_error",
    )

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, ForwardingTarget)
        deliveries = (
            AlertDelivery.objects.filter(target=obj)
            .select_related("alert")
            .order_by("-created_at", "-pk")
        )
        counts = dict(
            deliveries.order_by().values_list("status").annotate(total=models.Count("pk"))
        )
        return {
            "deliveries": deliveries[:25],
            "delivery_counts": [
                (value, label, counts.get(value, 0)) for value, label in DeliveryStatus.choices
            ],
            "signature_header": forwarding.SIGNATURE_HEADER,
            "timestamp_header": forwarding.TIMESTAMP_HEADER,
        }


class ForwardingTargetEditView(ForwardingTargetViews, generic.ObjectEditView):
    form_class = ForwardingTargetForm


class ForwardingTargetDeleteView(ForwardingTargetViews, generic.ObjectDeleteView):
    pass


class ForwardingTargetTestView(ForwardingTargetViews, generic.ObjectViewMixin):
    """Send a test message now and say how it went."""

    http_method_names = ["post"]

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.get_object()
        assert isinstance(target, ForwardingTarget)
        try:
            error = forwarding.send_test(target)
        except forwarding.TestRateLimited as limited:
            messages.error(request, limited.message)
            return HttpResponseRedirect(
                reverse("detection:forwardingtarget_detail", args=[target.pk])
            )
        if error:
            messages.error(
                request, _("The test message was not delivered: %(error)s") % {"error": error}
            )
        else:
            messages.success(
                request, _("Test message sent to %(address)s.") % {"address": target.address}
            )
        return HttpResponseRedirect(reverse("detection:forwardingtarget_detail", args=[target.pk]))


class ForwardingTargetSecretView(ForwardingTargetViews, generic.ObjectViewMixin):
    """Replace the webhook signing secret (after a leak, or periodically)."""

    http_method_names = ["post"]

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.get_object()
        assert isinstance(target, ForwardingTarget)
        forwarding.regenerate_secret(target)
        messages.success(request, _("New signing secret generated: update the receiver."))
        return HttpResponseRedirect(reverse("detection:forwardingtarget_detail", args=[target.pk]))


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --- suspicious e-mails reported by staff --------------------------------------------------------


class MailReportView(BoundedUploadMixin, generic.CapabilityRequiredMixin):
    """Report a suspicious e-mail: the .eml goes to the security team as a detection alert
    (every role may; the page shows the reporter their latest reports back)."""

    required_capability = REPORT_MAIL
    template_name = "detection/mail_report.html"

    def upload_limit(self) -> int:
        return min(MAX_MAIL_BYTES, int(settings.HYGIE_MAX_UPLOAD_BYTES))

    def get(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.render_form(MailReportForm(user=request.user))

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = MailReportForm(request.POST, request.FILES, user=request.user)
        if self.flag_too_large(form):
            return self.render_form(form, status=413)
        if form.is_valid():
            data = form.cleaned_data
            try:
                mail_reports.report_suspicious_mail(
                    user=request.user,
                    establishment=data["establishment"],
                    data=data["file"].read(MAX_MAIL_BYTES + 1),
                    note=data["note"],
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you: the security team has received the e-mail. Delete it "
                        "from your mailbox and do not open its links or attachments."
                    ),
                )
                return HttpResponseRedirect(reverse("detection:mail_report"))
        return self.render_form(form, status=422)

    def render_form(self, form: MailReportForm, status: int = 200) -> HttpResponse:
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "max_bytes": self.upload_limit(),
                "reports": mail_reports.reports_by(self.request.user),
            },
            status=status,
        )
