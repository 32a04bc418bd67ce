"""Response pages: regulatory clocks (dashboard, incident panel, decisions, regulatory profile).

The incident page loads ``response:incident_obligations`` as an htmx panel; its forms post to
the decision routes, which answer an htmx request with the refreshed panel and a plain request
with a redirect (or the obligation's page with the errors), so everything works without
JavaScript too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.charts import TimeBar, render_time_bars
from hygie.core.display import duration_short
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.views import generic
from hygie.core.views.generic import CapabilityRequiredMixin
from hygie.core.views.uploads import BoundedUploadMixin
from hygie.response.choices import IncidentStatus, ObligationStatus
from hygie.response.engine import ObligationId
from hygie.response.forms import (
    RegulatoryProfileForm,
    complete_form,
    not_applicable_form,
)
from hygie.response.models import Incident, IncidentObligation, RegulatoryProfile
from hygie.response.roles import MANAGE_OBLIGATIONS, VIEW_INCIDENTS
from hygie.response.services import obligations as service

PANEL_TEMPLATE = "response/partials/_obligation_panel.html"
GROUPS_TEMPLATE = "response/partials/_obligation_groups.html"


# --- presentation helpers ------------------------------------------------------------------


def _span(delta: timedelta) -> str:
    return duration_short(delta)


def countdown(obligation: IncidentObligation, now: datetime) -> tuple[str, bool]:
    """The remaining time as text, and whether the deadline has passed."""
    if obligation.deadline_kind in service.UNTIMED_KINDS or obligation.due_at is None:
        return _("since discovery: %(span)s") % {"span": _span(now - obligation.trigger_at)}, False
    if obligation.due_at <= now:
        return _("overdue by %(span)s") % {"span": _span(now - obligation.due_at)}, True
    return _("%(span)s left") % {"span": _span(obligation.due_at - now)}, False


def decorate(rows: list[IncidentObligation], now: datetime) -> list[IncidentObligation]:
    """Attach what templates show: translated label, zone, countdown."""
    # Display attributes set on the model instances (type: ignore below): the templates read
    # them as row.label etc.; a typed row object for these pages is the clean fix (to do).
    for row in rows:
        row.label = service.obligation_label(row.obligation_id)  # type: ignore[attr-defined]
        row.tzname = row.incident.establishment.timezone  # type: ignore[attr-defined]
        row.countdown, row.is_overdue = countdown(row, now)  # type: ignore[attr-defined]
        row.is_untimed = row.deadline_kind in service.UNTIMED_KINDS  # type: ignore[attr-defined]
        row.is_late = bool(  # type: ignore[attr-defined]
            row.status == ObligationStatus.DONE
            and row.done_at
            and row.due_at
            and not row.is_untimed  # type: ignore[attr-defined]
            and row.done_at > row.due_at
        )
    return rows


def _is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.boosted


def _incident_url(incident: Incident) -> str:
    try:
        return reverse("response:incident_detail", args=[incident.pk])
    except NoReverseMatch:
        return reverse("response:incidentobligation_list")


# --- dashboard -----------------------------------------------------------------------------


class ObligationDashboardView(CapabilityRequiredMixin):
    """Pending obligations across the user's establishments, by urgency."""

    required_capability = VIEW_INCIDENTS

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        now = timezone.now()
        establishments = list(Establishment.objects.visible_to(request.user))
        selected = {
            "establishment": self._choice(
                request, "establishment", [str(e.pk) for e in establishments]
            ),
            "obligation": self._choice(request, "obligation", [i.value for i in ObligationId]),
            "incident_status": self._choice(request, "incident_status", IncidentStatus.values),
        }
        queryset = service.pending_obligations(
            request.user,
            establishment_id=selected["establishment"],
            obligation_id=selected["obligation"],
            incident_status=selected["incident_status"],
        )
        groups = service.group_obligations(decorate(list(queryset), now), now)
        context = {
            "groups": [
                (key, service.GROUP_LABELS[key], groups[key]) for key in service.GROUP_ORDER
            ],
            "overdue_total": len(groups[service.GROUP_OVERDUE]),
            "now": now,
            "selected": selected,
            "is_filtered": any(selected.values()),
            "establishment_options": [(str(e.pk), e.name) for e in establishments],
            "obligation_options": [
                (i.value, service.obligation_label(i.value)) for i in ObligationId
            ],
            "status_options": list(IncidentStatus.choices),
            "profiles": service.profiles_of(establishments),
            "can_manage": request.user.can(MANAGE_OBLIGATIONS),
        }
        if _is_htmx(request):
            return render(request, GROUPS_TEMPLATE, context)
        return render(request, "response/obligation_list.html", context)

    @staticmethod
    def _choice(request: HttpRequest, name: str, allowed: list[str]) -> str:
        value = request.GET.get(name, "")
        return value if value in allowed else ""


# --- the incident panel and the decisions ----------------------------------------------------

# Announced to the incident page after a decision: its timeline and the drafts panel (the
# "obligations met on time" figure) refresh themselves.
CHANGED_EVENTS = "incident-obligations-changed, incident-timeline-changed"


def render_panel(
    request: AuthenticatedRequest,
    incident: Incident,
    *,
    errors: dict[int, Any] | None = None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    rows = decorate(
        list(
            incident.obligations.select_related(
                "incident__establishment", "proof_evidence", "decided_by"
            )
        ),
        now,
    )
    applicable = sorted(
        (r for r in rows if r.applies or r.status != ObligationStatus.PENDING),
        key=lambda r: (
            r.status != ObligationStatus.PENDING,
            r.deadline_kind in service.UNTIMED_KINDS,
            r.due_at or r.trigger_at,
            r.pk,
        ),
    )
    others = [r for r in rows if r not in applicable]
    errors = errors or {}
    for row in applicable:
        row.complete_form, row.na_form = errors.get(  # type: ignore[attr-defined]
            row.pk, (complete_form(row), not_applicable_form(row))
        )
    establishment = incident.establishment
    profile = RegulatoryProfile.objects.filter(establishment=establishment).first()
    context = {
        "incident": incident,
        "applicable": applicable,
        "others": others,
        "profile": profile,
        "establishment": establishment,
        "can_manage": request.user.can(MANAGE_OBLIGATIONS),
        "error_ids": list(errors),
        "panel_message": message,
        "assessed_at": max((r.assessed_at for r in rows), default=None),
        "incident_url": _incident_url(incident),
        "clock_chart": clock_chart(applicable, now, incident),
    }
    # Opened directly (the "Open" link, no JavaScript): the panel inside a whole page.
    template = PANEL_TEMPLATE if _is_htmx(request) else "response/obligation_incident.html"
    return render(request, template, context, status=status)


def clock_chart(rows: list[IncidentObligation], now: datetime, incident: Incident) -> str:
    """The incident's clocks on one time axis (SVG, with the same facts in words for screen
    readers): from each obligation's start to its deadline, marked when done, and now."""
    zone = ZoneInfo(incident.establishment.timezone)

    def moment(value: datetime) -> str:
        return formats.date_format(value.astimezone(zone), "SHORT_DATETIME_FORMAT")

    bars = []
    for row in rows:
        if row.status == ObligationStatus.NOT_APPLICABLE:
            continue
        parts = [_("started %(when)s") % {"when": moment(row.trigger_at)}]
        due = row.due_at if not row.is_untimed else None  # type: ignore[attr-defined]
        if row.status == ObligationStatus.DONE:
            state = "late" if row.is_late else "ok"  # type: ignore[attr-defined]
            done = row.done_at or now
            parts.append(_("done %(when)s") % {"when": moment(done)})
            if row.is_late:  # type: ignore[attr-defined]
                parts.append(_("after its deadline"))
        else:
            if row.is_overdue:  # type: ignore[attr-defined]
                state = "late"
            elif due and (due - now) < max((due - row.trigger_at) / 4, timedelta(hours=2)):
                state = "soon"
            else:
                state = "pending"
            done = None
            parts.append(row.countdown)  # type: ignore[attr-defined]
        if due:
            parts.append(_("due %(when)s") % {"when": moment(due)})
        else:
            parts.append(_("no fixed deadline (without undue delay)"))
        summary = _("; ").join(parts)  # French puts a space before the semicolon
        bars.append(TimeBar(row.label, row.trigger_at, due, state, summary, done))  # type: ignore[attr-defined]
    # The axis runs to the deadlines of the next days; a month-long clock runs on past it.
    near = [m for bar in bars for m in (bar.end, bar.mark) if m and m <= now + timedelta(days=4)]
    until = max([now + timedelta(hours=12), *near])
    late = sum(1 for bar in bars if bar.state == "late")
    pending = sum(1 for row in rows if row.status == ObligationStatus.PENDING)
    return render_time_bars(
        _("Regulatory clocks"),
        _(
            "Each obligation's clock from its start to its deadline, and now: %(pending)s "
            "pending, %(late)s late or done after the deadline."
        )
        % {"pending": pending, "late": late},
        bars,
        now,
        f"clocks-{incident.pk}",
        moment=moment,
        now_label=_("now"),
        lane_header=_("Obligation"),
        summary_header=_("Clock"),
        until=until,
    )


class IncidentObligationsPanel(CapabilityRequiredMixin):
    """GET: the incident's obligations as an HTML fragment (loaded by the incident page)."""

    required_capability = VIEW_INCIDENTS

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        incident = get_object_or_404(
            Incident.objects.visible_to(request.user).select_related("establishment"), pk=pk
        )
        return render_panel(request, incident)


class ReassessView(CapabilityRequiredMixin):
    """POST: run the rules again on the incident's current facts."""

    required_capability = MANAGE_OBLIGATIONS

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        incident = get_object_or_404(
            Incident.objects.visible_to(request.user).select_related("establishment"), pk=pk
        )
        try:
            result = service.assess_incident(incident)
        except ValidationError as error:
            message = _("The obligations could not be assessed: %(problems)s") % {
                "problems": "; ".join(error.messages)
            }
            if _is_htmx(request):
                return render_panel(request, incident, message=message)
            messages.error(request, message)
            return HttpResponseRedirect(_incident_url(incident))
        message = (
            _("Obligations re-assessed: changes recorded in the timeline.")
            if result.changed
            else _("Obligations re-assessed: nothing changed.")
        )
        if _is_htmx(request):
            response = render_panel(request, incident, message=message)
            if result.changed:
                response["HX-Trigger"] = CHANGED_EVENTS
            return response
        messages.success(request, message)
        return HttpResponseRedirect(_incident_url(incident))


class _DecisionView(CapabilityRequiredMixin):
    required_capability = MANAGE_OBLIGATIONS

    def get_obligation(self, pk: int) -> IncidentObligation:
        return get_object_or_404(
            IncidentObligation.objects.visible_to(self.request.user).select_related(
                "incident", "incident__establishment"
            ),
            pk=pk,
        )

    def done(self, obligation: IncidentObligation, message: str) -> HttpResponse:
        if _is_htmx(self.request):
            response = render_panel(self.request, obligation.incident, message=message)
            response["HX-Trigger"] = CHANGED_EVENTS
            return response
        messages.success(self.request, message)
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return HttpResponseRedirect(target)
        return HttpResponseRedirect(_incident_url(obligation.incident))

    def failed(
        self,
        obligation: IncidentObligation,
        *,
        done_form: forms.Form | None = None,
        na_form: forms.Form | None = None,
        error: ValidationError | None = None,
    ) -> HttpResponse:
        done_form = done_form or complete_form(obligation)
        na_form = na_form or not_applicable_form(obligation)
        if error is not None:
            form = na_form if "justification" in getattr(error, "error_dict", {}) else done_form
            _attach(form, error)
        if _is_htmx(self.request):
            # htmx does not swap 4xx answers: the panel comes back with the errors shown.
            return render_panel(
                self.request, obligation.incident, errors={obligation.pk: (done_form, na_form)}
            )
        return render(
            self.request,
            "response/obligation_detail.html",
            detail_context(self.request, obligation, done_form, na_form),
            status=422,
        )


def _attach(form: forms.BaseForm, error: ValidationError) -> None:
    form.is_valid()
    if hasattr(error, "error_dict"):
        for name, problems in error.error_dict.items():
            form.add_error(name if name in form.fields else None, problems)
    else:
        form.add_error(None, error)


class CompleteView(BoundedUploadMixin, _DecisionView):
    """POST (multipart): mark done with a date and a proof (reference or file)."""

    def upload_limit(self) -> int:
        from django.conf import settings

        return int(settings.HYGIE_MAX_UPLOAD_BYTES)

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        obligation = self.get_obligation(pk)
        form = complete_form(obligation, request.POST, request.FILES)
        if self.flag_too_large(form):
            form.errors["proof_file"] = form.errors.pop("file")
            return self.failed(obligation, done_form=form)
        with timezone.override(ZoneInfo(obligation.incident.establishment.timezone)):
            valid = form.is_valid()
        if not valid:
            return self.failed(obligation, done_form=form)
        try:
            service.complete_obligation(
                obligation,
                form.cleaned_data["done_at"],
                user=request.user,
                proof_reference=form.cleaned_data["proof_reference"],
                proof_file=form.cleaned_data["proof_file"],
            )
        except ValidationError as error:
            return self.failed(obligation, done_form=form, error=error)
        return self.done(
            obligation,
            _("%(label)s: marked done.")
            % {"label": service.obligation_label(obligation.obligation_id)},
        )


class NotApplicableView(_DecisionView):
    """POST: mark not applicable with a justification."""

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        obligation = self.get_obligation(pk)
        form = not_applicable_form(obligation, request.POST)
        if not form.is_valid():
            return self.failed(obligation, na_form=form)
        try:
            service.mark_not_applicable(
                obligation, form.cleaned_data["justification"], user=request.user
            )
        except ValidationError as error:
            return self.failed(obligation, na_form=form, error=error)
        return self.done(
            obligation,
            _("%(label)s: marked not applicable.")
            % {"label": service.obligation_label(obligation.obligation_id)},
        )


class ReopenView(_DecisionView):
    """POST: back to pending."""

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        obligation = self.get_obligation(pk)
        try:
            service.reopen_obligation(obligation, user=request.user)
        except ValidationError as error:
            return self.failed(obligation, error=error)
        return self.done(
            obligation,
            _("%(label)s: reopened.")
            % {"label": service.obligation_label(obligation.obligation_id)},
        )


class ObligationDetailView(generic.ObjectDetailView):
    """One obligation on its own page: the dashboard's link target, and the no-JS fallback."""

    model = IncidentObligation
    view_capability = VIEW_INCIDENTS
    edit_capability = MANAGE_OBLIGATIONS
    list_select_related = ("incident", "incident__establishment", "proof_evidence", "decided_by")
    template_name = "response/obligation_detail.html"

    def extra_context(self, obj: models.Model) -> dict[str, Any]:
        assert isinstance(obj, IncidentObligation)
        return detail_context(self.request, obj, complete_form(obj), not_applicable_form(obj))


def detail_context(
    request: AuthenticatedRequest,
    obligation: IncidentObligation,
    complete_form: forms.Form,
    na_form: forms.Form,
) -> dict[str, Any]:
    decorate([obligation], timezone.now())
    return {
        "obligation": obligation,
        "incident": obligation.incident,
        "complete_form": complete_form,
        "na_form": na_form,
        "incident_url": _incident_url(obligation.incident),
        "can_manage": request.user.can(MANAGE_OBLIGATIONS),
    }


# --- regulatory profile ----------------------------------------------------------------------


class RegulatoryProfileEditView(CapabilityRequiredMixin):
    """The regulatory profile of one establishment (pk = the establishment's)."""

    required_capability = MANAGE_OBLIGATIONS

    def get_profile(self, pk: int) -> RegulatoryProfile:
        establishment = get_object_or_404(
            Establishment.objects.visible_to(self.request.user), pk=pk
        )
        return service.regulatory_profile(establishment)

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        profile = self.get_profile(pk)
        audit.record(
            "view",
            profile,
            message="regulatory profile viewed",
            establishment_id=profile.establishment_id,
        )
        return self.render_form(RegulatoryProfileForm(instance=profile), profile)

    def post(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        profile = self.get_profile(pk)
        form = RegulatoryProfileForm(
            request.POST, instance=RegulatoryProfile.objects.get(pk=profile.pk)
        )
        if form.is_valid():
            try:
                service.save_profile(profile, request.user, **form.cleaned_data)
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(
                    request,
                    _("Regulatory profile of %(name)s saved; the open incidents were re-assessed.")
                    % {"name": profile.establishment.name},
                )
                return HttpResponseRedirect(reverse("response:incidentobligation_list"))
        return self.render_form(form, profile, status=422)

    def render_form(
        self, form: forms.BaseForm, profile: RegulatoryProfile, status: int = 200
    ) -> HttpResponse:
        return render(
            self.request,
            "response/regulatoryprofile_edit.html",
            {
                "form": form,
                "profile": profile,
                "establishment": profile.establishment,
                "defaults": service.default_profile_values(profile.establishment),
            },
            status=status,
        )
