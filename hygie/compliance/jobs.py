"""The compliance module's background jobs (discovered by the core job service): every probe
run for every establishment each day, and the remediation reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.models import Establishment
from hygie.core.services.jobs import JobRun, register_job
from hygie.core.services.scheduler import register_periodic

RUN_PROBES_JOB_KIND = "compliance.run_probes"
REMINDER_JOB_KIND = "compliance.remediation_reminders"


@register_job(RUN_PROBES_JOB_KIND, gettext_lazy("Compliance probes"))
def run_probes(run: JobRun, establishment_id: int | None = None) -> dict[str, Any]:
    """Every registered probe for one establishment (on demand) or for all (the schedule)."""
    from hygie.compliance.services import probes

    establishments = list(
        Establishment.objects.filter(pk=establishment_id)
        if establishment_id is not None
        else Establishment.objects.order_by("pk")
    )
    results = 0
    for position, establishment in enumerate(establishments, start=1):
        results += len(probes.run_probes(establishment))
        run.progress(
            position,
            len(establishments),
            _("%(done)s of %(total)s establishment(s) checked")
            % {"done": position, "total": len(establishments)},
        )
    return {"establishments": len(establishments), "results": results}


@register_job(REMINDER_JOB_KIND, gettext_lazy("Remediation action reminders"))
def send_remediation_reminders(run: JobRun) -> dict[str, Any]:
    from hygie.compliance.services import remediation

    report = remediation.send_due_reminders()
    run.progress(
        1,
        1,
        _("%(messages)s reminder(s) sent for %(count)s action(s)")
        % {"messages": report.messages, "count": report.actions},
    )
    return {
        "actions": report.actions,
        "messages": report.messages,
        "failures": report.failures,
        "without_recipients": report.without_recipients,
    }


register_periodic(RUN_PROBES_JOB_KIND, timedelta(days=1))
register_periodic(REMINDER_JOB_KIND, timedelta(hours=6))
