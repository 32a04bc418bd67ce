"""Training reminders (imported by ``hygie.awareness.jobs``): every 6 hours, the invitation of
each new assignment, then a reminder a week before the due date and weekly while overdue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from hygie.core.services.jobs import JobRun, register_job
from hygie.core.services.scheduler import register_periodic

TRAINING_REMINDERS_JOB_KIND = "awareness.training_reminders"


@register_job(
    TRAINING_REMINDERS_JOB_KIND,
    gettext_lazy("Training invitations and reminders"),
    {
        "messages": gettext_lazy("Mails sent"),
        "failures": gettext_lazy("Refused by the relay"),
        "without_address": gettext_lazy("People without an e-mail address"),
    },
)
def send_training_reminders(run: JobRun) -> dict[str, Any]:
    from hygie.awareness.services import training

    report = training.send_reminders()
    run.progress(
        1,
        1,
        gettext_noop("%(messages)s training mail(s) sent"),
        {"messages": report.messages},
    )
    return {
        "messages": report.messages,
        "failures": report.failures,
        "without_address": report.without_address,
    }


register_periodic(TRAINING_REMINDERS_JOB_KIND, timedelta(hours=6))
