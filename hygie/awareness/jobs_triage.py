"""Report mailboxes polled by a periodic job (imported by ``jobs.py``).

* ``awareness.poll_mailboxes`` (every 5 minutes): reads the new messages of every active report
  mailbox (by UID: nothing is read twice) and records each as a reported mail.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils.translation import gettext_lazy, gettext_noop

from hygie.awareness.services import mailboxes
from hygie.core.services.jobs import JobRun, register_job
from hygie.core.services.scheduler import register_periodic

POLL_JOB_KIND = "awareness.poll_mailboxes"
POLL_EVERY = timedelta(minutes=5)


@register_job(
    POLL_JOB_KIND,
    gettext_lazy("Report mailboxes read"),
    {
        "mailboxes": gettext_lazy("Mailboxes"),
        "reported": gettext_lazy("Reported mails recorded"),
        "refused": gettext_lazy("Messages refused"),
        "errors": gettext_lazy("Mailboxes in error"),
    },
)
def poll_mailboxes(run: JobRun) -> dict[str, Any]:
    totals = mailboxes.poll_all()
    run.progress(
        1, 1, gettext_noop("%(reported)s reported mails recorded"), {"reported": totals["reported"]}
    )
    return totals


register_periodic(POLL_JOB_KIND, POLL_EVERY)
