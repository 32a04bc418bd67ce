"""Response pages: notification drafts, post-incident report, KPIs and the GDPR breach register."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.views import generic
from hygie.core.views.generic import CapabilityRequiredMixin, reverse_or_empty
from hygie.response.choices import DraftKind, DraftStatus, PersonalData
from hygie.response.models import Incident, NotificationDraft
from hygie.response.roles import MANAGE_OBLIGATIONS, VIEW_INCIDENTS
from hygie.response.services import drafts as draft_services
from hygie.response.services import reports

MAX_FIELD_LENGTH = 20000


def _htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not getattr(htmx, "boosted", False)


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- the incident panel -------------------------------------------------------------------------


class IncidentDraftsPanelView(CapabilityRequiredMixin):
    """The drafts & reports panel of the incident page (htmx fragment with its own forms)."""

    required_capability = VIEW_INCIDENTS

    def get_incident(self) -> Incident:
        return get_object_or_404(
            Incident.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        return self.render_panel(self.get_incident())

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        incident = self.get_incident()
        if not request.user.can(MANAGE_OBLIGATIONS):
            raise PermissionDenied
        kind = request.POST.get("kind", "")
        language = request.POST.get("language", "")
        reset = request.POST.get("reset") == "1"
        error = ""
        draft = None
        try:
            draft, created = draft_services.generate_draft(
                incident, kind, language, request.user, reset=reset
            )
        except ValidationError as exc:
            error = _error_text(exc)
        if not _htmx(request):
            if error:
                messages.error(request, error)
                return HttpResponseRedirect(
                    reverse_or_empty("response:incident_detail", pk)
                    or reverse("response:breach_register")
                )
            messages.success(request, _("Draft generated."))
            assert draft is not None
            return HttpResponseRedirect(reverse("response:notificationdraft_edit", args=[draft.pk]))
        response = self.render_panel(
            incident, error=error, notice=_("Draft generated.") if not error else ""
        )
        if not error:
            response["HX-Trigger"] = "incident-timeline-changed"  # its entry in the timeline
        return response

    def render_panel(
        self, incident: Incident, *, error: str = "", notice: str = ""
    ) -> HttpResponse:
        suggested = set(draft_services.suggested_draft_kinds(incident))
        drafts = list(
            NotificationDraft.objects.visible_to(self.request.user)
            .filter(incident=incident)
            .order_by("kind", "language")
        )
        rows = []
        for draft in drafts:
            obligation = (
                draft_services.matching_obligation(draft)
                if draft.status == DraftStatus.SENT
                else None
            )
            rows.append(
                {
                    "draft": draft,
                    "to_complete": draft_services.to_complete_count(draft.content),
                    "obligation": obligation,
                    "obligation_url": reverse_or_empty(
                        "response:incidentobligation_detail", obligation.pk
                    )
                    if obligation
                    else "",
                }
            )
        kpis = reports.incident_kpis(incident)
        # Opened directly (the incident page's "Open" link, no JavaScript): a whole page.
        template = (
            "response/partials/_drafts_panel.html"
            if _htmx(self.request)
            else "response/draft_incident.html"
        )
        return render(
            self.request,
            template,
            {
                "incident_url": reverse_or_empty("response:incident_detail", incident.pk),
                "incident": incident,
                "rows": rows,
                "kinds": [(value, label, value in suggested) for value, label in DraftKind.choices],
                "suggested": [label for value, label in DraftKind.choices if value in suggested],
                "can_manage": self.request.user.can(MANAGE_OBLIGATIONS),
                "kpis": kpis,
                "kpi_rows": [
                    (_("Time to detect"), reports.format_duration(kpis.time_to_detect)),
                    (_("Time to contain"), reports.format_duration(kpis.time_to_contain)),
                    (_("Time to recover"), reports.format_duration(kpis.time_to_recover)),
                    (
                        _("Obligations met on time"),
                        f"{kpis.obligations.on_time} / {kpis.obligations.total}",
                    ),
                ],
                "error": error,
                "notice": notice,
            },
        )


# --- one draft ----------------------------------------------------------------------------------


class DraftMixin(CapabilityRequiredMixin):
    required_capability = VIEW_INCIDENTS

    def get_draft(self) -> NotificationDraft:
        return get_object_or_404(
            NotificationDraft.objects.visible_to(self.request.user).select_related(
                "incident__establishment"
            ),
            pk=self.kwargs["pk"],
        )

    def draft_context(self, draft: NotificationDraft) -> dict[str, Any]:
        obligation = draft_services.matching_obligation(draft)
        return {
            "draft": draft,
            "content": draft.content,
            "incident": draft.incident,
            "to_complete": draft_services.to_complete_count(draft.content),
            "can_manage": self.request.user.can(MANAGE_OBLIGATIONS),
            "is_sent": draft.status == DraftStatus.SENT,
            "incident_url": reverse_or_empty("response:incident_detail", draft.incident_id),
            "obligation": obligation,
            "obligation_url": reverse_or_empty("response:incidentobligation_detail", obligation.pk)
            if obligation
            else "",
            "next_statuses": [
                (value, label)
                for value, label in DraftStatus.choices
                if value in draft_services.TRANSITIONS[DraftStatus(draft.status)]
            ],
            "formats": draft_services.EXPORT_FORMATS,
        }


class DraftDetailView(DraftMixin, generic.ObjectDetailView):
    """The draft as the regulator's form shows it; viewing it is audited (it may quote the
    incident's free text)."""

    model = NotificationDraft
    view_capability = VIEW_INCIDENTS
    edit_capability = MANAGE_OBLIGATIONS
    list_select_related = ("incident__establishment",)
    template_name = "response/draft_detail.html"
    audit_views = True

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, NotificationDraft)
        return self.draft_context(obj)


class DraftEditView(DraftMixin):
    required_capability = MANAGE_OBLIGATIONS

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        draft = self.get_draft()
        return render(request, "response/draft_edit.html", self.draft_context(draft))

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        draft = self.get_draft()
        values = {}
        for group in draft.content.get("groups", []):
            for item in group["fields"]:
                name = f"{group['key']}.{item['key']}"
                if name in request.POST:
                    values[name] = request.POST[name].replace("\r\n", "\n")
        try:
            changed = draft_services.update_draft(draft, values, request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
            context = self.draft_context(draft)
            return render(request, "response/draft_edit.html", context, status=400)
        if changed:
            messages.success(
                request, _("Draft saved: %(count)d field(s) changed.") % {"count": changed}
            )
        else:
            messages.info(request, _("Nothing to save: no field changed."))
        return HttpResponseRedirect(reverse("response:notificationdraft_detail", args=[pk]))


class DraftStatusView(DraftMixin):
    required_capability = MANAGE_OBLIGATIONS
    http_method_names = ["post"]

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        draft = self.get_draft()
        try:
            draft = draft_services.set_status(draft, request.POST.get("status", ""), request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request, _("Draft status: %(status)s.") % {"status": draft.get_status_display()}
            )
        return HttpResponseRedirect(reverse("response:notificationdraft_detail", args=[pk]))


class DraftExportView(DraftMixin):
    def get(self, request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
        draft = self.get_draft()
        if fmt not in draft_services.EXPORT_FORMATS:
            return HttpResponse(
                _("Export as pdf, docx or json."),
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        exported = draft_services.export_draft(draft, fmt)
        return _download(exported.data, exported.content_type, exported.filename)


class IncidentReportView(CapabilityRequiredMixin):
    required_capability = VIEW_INCIDENTS

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        incident = get_object_or_404(Incident.objects.visible_to(request.user), pk=pk)
        data = reports.render_report_pdf(incident)
        return _download(data, "application/pdf", f"{incident.reference}-report.pdf")


# --- across incidents ---------------------------------------------------------------------------


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


class RegisterFilterMixin(CapabilityRequiredMixin):
    required_capability = VIEW_INCIDENTS

    def filters(self) -> dict[str, Any]:
        get = self.request.GET
        establishments = list(Establishment.objects.visible_to(self.request.user).order_by("name"))
        establishment = get.get("establishment", "")
        if establishment not in {str(e.pk) for e in establishments}:
            establishment = ""
        personal_data = get.get("personal_data", "")
        if personal_data not in (PersonalData.YES, PersonalData.UNKNOWN):
            personal_data = ""
        since, until = _parse_date(get.get("since", "")), _parse_date(get.get("until", ""))
        return {
            "establishments": establishments,
            "establishment": establishment,
            "personal_data": personal_data,
            "since": since,
            "until": until,
            "bad_dates": bool((get.get("since") and not since) or (get.get("until") and not until)),
        }

    def register_queryset(self, filters: dict[str, Any]) -> Any:
        return reports.breach_incidents(
            Incident.objects.visible_to(self.request.user),
            since=filters["since"],
            until=filters["until"],
            personal_data=filters["personal_data"],
            establishment=int(filters["establishment"]) if filters["establishment"] else None,
        )


class BreachRegisterView(RegisterFilterMixin):
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        filters = self.filters()
        rows = reports.breach_register(self.register_queryset(filters))
        query = request.GET.urlencode()
        audit.record(
            "view",
            None,
            object_type="response.incident",
            object_repr="GDPR breach register",
            message="breach register viewed",
        )
        return render(
            request,
            "response/breachregister_list.html",
            {
                "rows": rows,
                "filters": filters,
                "personal_data_options": [
                    (PersonalData.YES, PersonalData.YES.label),
                    (PersonalData.UNKNOWN, PersonalData.UNKNOWN.label),
                ],
                "exports": [
                    (
                        fmt,
                        reverse("response:breach_register_export", args=[fmt])
                        + (f"?{query}" if query else ""),
                    )
                    for fmt in ("csv", "xlsx", "json")
                ],
                "kpis_url": reverse("response:kpi_list"),
            },
        )


class BreachRegisterExportView(RegisterFilterMixin):
    def get(self, request: AuthenticatedRequest, fmt: str) -> HttpResponse:
        if fmt not in ("csv", "xlsx", "json"):
            return HttpResponse(
                _("Export as csv, xlsx or json."),
                status=404,
                content_type="text/plain; charset=utf-8",
            )
        data, content_type, filename = reports.export_register(
            self.register_queryset(self.filters()), fmt
        )
        return _download(data, content_type, filename)


class KPIView(CapabilityRequiredMixin):
    required_capability = VIEW_INCIDENTS

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        today = timezone.localdate()
        since = _parse_date(request.GET.get("since", "")) or today - timedelta(days=365)
        until = _parse_date(request.GET.get("until", "")) or today
        if until < since:
            since, until = until, since
        zone = timezone.get_current_timezone()
        overall, per_establishment = reports.aggregate_kpis(
            Incident.objects.visible_to(request.user),
            since=datetime.combine(since, time.min, zone),
            until=datetime.combine(until + timedelta(days=1), time.min, zone),
        )

        def row(summary: reports.KPISummary) -> dict[str, Any]:
            return {
                "summary": summary,
                "metrics": [
                    (
                        summary.metrics[name],
                        reports.format_duration(summary.metrics[name].median),
                        reports.format_duration(summary.metrics[name].mean),
                    )
                    for name in reports.METRICS
                ],
                "rate": None if summary.on_time_rate is None else round(summary.on_time_rate * 100),
            }

        return render(
            request,
            "response/kpi_list.html",
            {
                "since": since,
                "until": until,
                "overall": row(overall),
                "rows": [row(s) for s in per_establishment],
                "metric_labels": [_("Time to detect"), _("Time to contain"), _("Time to recover")],
                "register_url": reverse("response:breach_register"),
            },
        )
