"""The core's background jobs: audit chain verification and checkpoints, housekeeping."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy, gettext_noop
from django_tasks_db.models import DBTaskResult

from hygie.core.audit import verify_chain
from hygie.core.audit_checkpoints import CHECKPOINT_INTERVAL, write_checkpoint
from hygie.core.models import Job
from hygie.core.services.jobs import JobRun, register_job
from hygie.core.services.scheduler import register_periodic
from hygie.lib.errors import HygieError

logger = logging.getLogger("hygie.jobs")

VERIFY_AUDIT_CHAIN = "core.verify_audit_chain"
PRUNE_HISTORY = "core.prune_history"
AUDIT_CHECKPOINT = "core.audit_checkpoint"
# The window in which a deleted tail of the audit trail could go unnoticed: keep it short.
AUDIT_CHECKPOINT_EVERY = CHECKPOINT_INTERVAL  # verification expects this rhythm

# Finished queue rows only matter to debug the queue; Job rows are the users' history.
TASK_RESULT_RETENTION = timedelta(days=14)
JOB_RETENTION = timedelta(days=180)


class AuditChainBrokenError(HygieError):
    """The audit trail no longer matches its hash chain."""


@register_job(
    VERIFY_AUDIT_CHAIN,
    gettext_lazy("Verify the audit trail's hash chain"),
    {
        "checked": gettext_lazy("Entries checked"),
        "intact": gettext_lazy("Intact"),
        "checkpoints": gettext_lazy("Checkpoints"),
    },
)
def verify_audit_chain(run: JobRun) -> dict[str, Any]:
    report = verify_chain()
    run.progress(
        report.checked,
        report.checked,
        gettext_noop("%(count)s entries checked"),
        {"count": report.checked},
    )
    if report.problem is not None:
        logger.error(
            "audit chain broken at entry #%s (%s, %s check)",
            report.problem.sequence,
            report.problem.kind,
            report.problem.check,
        )
        raise AuditChainBrokenError(
            f"audit trail broken at entry #{report.problem.sequence} ({report.problem.kind}, "
            f"{report.problem.check} check): {report.problem.detail}; run `hygie audit verify` "
            "and investigate"
        )
    return {"checked": report.checked, "intact": True, "checkpoints": report.checkpoints}


@register_job(
    AUDIT_CHECKPOINT,
    gettext_lazy("Sign a checkpoint of the audit trail"),
    {
        "sequence": gettext_lazy("Entry"),
        "written": gettext_lazy("Written"),
        "key_id": gettext_lazy("Key"),
    },
)
def audit_checkpoint(run: JobRun) -> dict[str, Any]:
    """Anchor the chain's head outside the database (fails, raising an alert, if the entries
    since the previous checkpoint do not verify)."""
    checkpoint, is_new = write_checkpoint()
    run.progress(1, 1, gettext_noop("Done"))
    if checkpoint is None:
        return {"sequence": 0, "written": False}
    return {"sequence": checkpoint.sequence, "written": is_new, "key_id": checkpoint.key_id}


@register_job(
    PRUNE_HISTORY,
    gettext_lazy("Prune old background task records"),
    {
        "task_results_deleted": gettext_lazy("Task records deleted"),
        "jobs_deleted": gettext_lazy("Jobs deleted"),
    },
)
def prune_history(run: JobRun) -> dict[str, Any]:
    now = timezone.now()
    queue_rows, _per_model = DBTaskResult.objects.filter(
        finished_at__lt=now - TASK_RESULT_RETENTION
    ).delete()
    jobs, _per_model = Job.objects.filter(finished_at__lt=now - JOB_RETENTION).delete()
    run.progress(1, 1, gettext_noop("Done"))
    return {"task_results_deleted": queue_rows, "jobs_deleted": jobs}


register_periodic(VERIFY_AUDIT_CHAIN, timedelta(days=1))
register_periodic(PRUNE_HISTORY, timedelta(days=1))
register_periodic(AUDIT_CHECKPOINT, AUDIT_CHECKPOINT_EVERY)
