"""The awareness module's background jobs (discovered by the core job service).

* ``awareness.send_campaign``: started at a campaign's launch; sends what falls due within its
  budget (waiting for each mail's planned time and the profile's rate), with progress.
* ``awareness.send_due`` (every 5 minutes): resumes every scheduled or running campaign, so a
  campaign spread over days needs no job held open for days; mails whose window closed are
  marked and the campaign finishes.
* Training reminders (``jobs_training``) and report-mailbox polling (``jobs_triage``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy, gettext_noop

# Training invitations and reminders, report mailboxes polled (their own files register them).
from hygie.awareness import jobs_training, jobs_triage  # noqa: F401
from hygie.awareness.models import Campaign
from hygie.awareness.services import sending
from hygie.core.services.jobs import JobRun, register_job, start_job
from hygie.core.services.scheduler import register_periodic

if TYPE_CHECKING:
    from hygie.core.models import Job, User

SEND_CAMPAIGN_JOB_KIND = "awareness.send_campaign"
SEND_DUE_JOB_KIND = "awareness.send_due"
SEND_DUE_EVERY = timedelta(minutes=5)
# A run stops waiting before the next periodic run would start.
SEND_DUE_BUDGET = 270.0
LAUNCH_BUDGET = 270.0

_RESULT_LABELS = {
    "sent": gettext_lazy("Sent"),
    "failed": gettext_lazy("Refused by the relay"),
    "closed": gettext_lazy("Not sent: window closed"),
    "stopped": gettext_lazy("Stopped because"),
}


def _result(report: sending.SendReport) -> dict[str, Any]:
    return {
        "sent": report.sent,
        "failed": report.failed,
        "closed": report.closed,
        "stopped": report.stopped,
    }


@register_job(SEND_CAMPAIGN_JOB_KIND, gettext_lazy("Campaign mails sent"), _RESULT_LABELS)
def send_campaign(run: JobRun, campaign_id: int, budget: float = LAUNCH_BUDGET) -> dict[str, Any]:
    campaign = Campaign.objects.select_related("sending_profile").filter(pk=campaign_id).first()
    if campaign is None:
        return _result(sending.SendReport())

    def progress(done: int, total: int) -> None:
        run.progress(done, total, sending.PROGRESS_MESSAGE, {"sent": done, "total": total})

    total = campaign.recipients.count()
    already = campaign.recipients.filter(sent_at__isnull=False).count()
    progress(already, total)
    report = sending.send_campaign(campaign, budget=float(budget), progress=progress)
    return _result(report)


@register_job(SEND_DUE_JOB_KIND, gettext_lazy("Due campaign mails sent"), _RESULT_LABELS)
def send_due(run: JobRun, budget: float = SEND_DUE_BUDGET) -> dict[str, Any]:
    report = sending.send_due(budget=float(budget))
    run.progress(1, 1, gettext_noop("%(sent)s mails sent"), {"sent": report.sent})
    return _result(report)


register_periodic(SEND_DUE_JOB_KIND, SEND_DUE_EVERY)


def start_sending(campaign: Campaign, user: User | None, budget: float = LAUNCH_BUDGET) -> Job:
    """Queue the sending job of a launched campaign (its page shows the job's progress)."""
    return start_job(
        SEND_CAMPAIGN_JOB_KIND,
        gettext_noop("Sending campaign %(name)s"),
        establishment=campaign.establishment,
        user=user,
        title_params={"name": campaign.name},
        campaign_id=campaign.pk,
        budget=budget,
    )
