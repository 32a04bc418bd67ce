"""Probe pages: the latest result of every probe per establishment, a result with its
history, and "run now" (queued as a job; it proposes statuses in open assessments)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from hygie.compliance.choices import ProbeStatus
from hygie.compliance.jobs import RUN_PROBES_JOB_KIND
from hygie.compliance.models import ProbeRun
from hygie.compliance.roles import ASSESS, VIEW
from hygie.compliance.services import probes as service
from hygie.compliance.views.common import badge
from hygie.core.http import AuthenticatedRequest
from hygie.core.models import Establishment
from hygie.core.services import crud
from hygie.core.services.jobs import start_job
from hygie.core.views.generic import CapabilityRequiredMixin


class ProbeRunListView(CapabilityRequiredMixin):
    required_capability = VIEW

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        establishments = list(Establishment.objects.visible_to(request.user).order_by("name"))
        selected = request.GET.get("establishment", "")
        shown = [e for e in establishments if not selected or str(e.pk) == selected]
        runs = service.latest_runs([e.pk for e in shown])
        by_establishment = {e.pk: [] for e in shown}  # type: dict[int, list[dict[str, object]]]
        for run in runs:
            by_establishment[run.establishment_id].append({"run": run, "badge": badge(run.status)})
        registered = service.registered_probes()
        return render(
            request,
            "compliance/proberun_list.html",
            {
                "groups": [
                    (e, by_establishment[e.pk], _counts(by_establishment[e.pk])) for e in shown
                ],
                "establishments": establishments,
                "selected": selected,
                "registered": registered,
                "can_run": request.user.can(ASSESS),
            },
        )


class ProbeRunDetailView(CapabilityRequiredMixin):
    required_capability = VIEW

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(
            ProbeRun.objects.visible_to(request.user).select_related("establishment", "evidence"),
            pk=pk,
        )
        history = service.probe_history(run.establishment, run.probe_id)
        proposals = run.proposals.select_related(
            "assessment", "requirement", "assessment__framework"
        )[:100]
        return render(
            request,
            "compliance/proberun_detail.html",
            {
                "run": run,
                "badge": badge(run.status),
                "history": [{"run": item, "badge": badge(item.status)} for item in history],
                "proposals": proposals,
            },
        )


class ProbeRunRunView(CapabilityRequiredMixin):
    """POST: queue a probe run for one establishment (or every visible one)."""

    required_capability = ASSESS

    def post(self, request: AuthenticatedRequest) -> HttpResponse:
        visible = Establishment.objects.visible_to(request.user)
        value = request.POST.get("establishment", "")
        targets = list(visible.filter(pk=int(value))) if value.isdigit() else list(visible)
        for establishment in targets:
            crud.check_establishment_allowed(request.user, establishment.pk)
            start_job(
                RUN_PROBES_JOB_KIND,
                _("Compliance probes: %(name)s") % {"name": establishment.name},
                establishment=establishment,
                user=request.user,
                establishment_id=establishment.pk,
            )
        if targets:
            messages.success(
                request,
                _("Probes queued for %(count)s establishment(s).") % {"count": len(targets)},
            )
        url = reverse("compliance:proberun_list")
        return HttpResponseRedirect(url + (f"?establishment={value}" if value.isdigit() else ""))


def _counts(rows: list[dict[str, object]]) -> list[tuple[str, str, int]]:
    """(label, badge, count) of each result status present, in the order of ProbeStatus."""
    found: dict[str, int] = {}
    for row in rows:
        run = row["run"]
        assert isinstance(run, ProbeRun)
        found[run.status] = found.get(run.status, 0) + 1
    return [
        (str(label), badge(value), found[value])
        for value, label in ProbeStatus.choices
        if value in found
    ]
