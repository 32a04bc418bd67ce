"""The response module's background jobs (discovered by the core job service)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from hygie.core.services.jobs import JobRun, register_job
from hygie.core.services.scheduler import register_periodic
from hygie.response.services import obligations

REMINDER_JOB_KIND = "response.obligation_reminders"


@register_job(
    REMINDER_JOB_KIND,
    gettext_lazy("Regulatory obligation reminders"),
    {
        "obligations": gettext_lazy("Obligations"),
        "messages": gettext_lazy("Reminders sent"),
        "failures": gettext_lazy("Failures"),
        "without_recipients": gettext_lazy("Without recipients"),
    },
)
def send_obligation_reminders(run: JobRun) -> dict[str, Any]:
    report = obligations.send_due_reminders()
    run.progress(
        1,
        1,
        gettext_noop("%(messages)s reminder(s) sent for %(count)s obligation(s)"),
        {"messages": report.messages, "count": report.obligations},
    )
    return {
        "obligations": report.obligations,
        "messages": report.messages,
        "failures": report.failures,
        "without_recipients": report.without_recipients,
    }


# Every 15 minutes: the 1-hour reminder then arrives between 45 and 60 minutes before the deadline.
register_periodic(REMINDER_JOB_KIND, timedelta(minutes=15))
