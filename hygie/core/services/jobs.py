"""Background jobs: one mechanism for every long task (imports, scans, reports, mail).

A module registers a *job kind* (a function) and starts it with ``start_job``; the function runs
in a django-tasks worker (the database backend: embedded in ``hygie serve`` or in ``hygie worker``
processes) and reports progress through a ``JobRun``. The ``Job`` row is what users see.

Errors never reach the task queue's own result table: that table stores tracebacks, whose
exception messages may quote patient data. The job records a safe message instead.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from hygie.core import audit, context
from hygie.core.models import Establishment, Job, JobStatus, User
from hygie.core.roles import EDIT_ORGANISATION
from hygie.lib.errors import HygieError
from hygie.lib.registry import Registry

logger = logging.getLogger("hygie.jobs")

# Each module may ship a ``jobs.py`` that registers its job kinds and periodic jobs at import;
# ``hygie.core.registries.autodiscover`` imports it at start-up, then freezes the registries.


class JobCancelledError(HygieError):
    """Raised by a job function (or ``JobRun.check_cancelled``) to stop after a cancel request."""


@dataclass(frozen=True)
class JobKind:
    """A long task a module offers: ``run(job_run, **arguments)`` returns a small JSON result."""

    key: str
    title: str  # may be a lazy translation
    run: Callable[..., dict[str, Any] | None]
    # Labels of the keys of the result (lazy translations), shown on the job page.
    result_labels: Mapping[str, Any] = field(default_factory=dict)


job_kinds: Registry[JobKind] = Registry("job kinds")


def register_job(
    key: str, title: Any, result_labels: Mapping[str, Any] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: make a function available as a job kind under a stable ``key``; its result's
    keys are shown with ``result_labels`` (a key without one is shown as data)."""

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        job_kinds.register(
            key, JobKind(key=key, title=title, run=function, result_labels=result_labels or {})
        )
        return function

    return wrap


def get_job_kind(key: str) -> JobKind:
    return job_kinds.get(key)


class JobRun:
    """What a job function gets: progress reporting and cancellation, bound to its Job row."""

    def __init__(self, job: Job) -> None:
        self.job = job

    @property
    def establishment(self) -> Establishment | None:
        return self.job.establishment

    @property
    def user(self) -> User | None:
        return self.job.created_by

    def progress(
        self, done: int, total: int, message: str = "", params: dict[str, Any] | None = None
    ) -> None:
        """Record how far the job has got; ``message`` is shown to users: no patient data.

        ``message`` is a msgid (``gettext_noop``) and ``params`` its values: each reader sees it
        in their language; ``progress_message`` keeps the English text."""
        self.job.progress_done, self.job.progress_total = max(0, done), max(0, total)
        texts = dict(self.job.display_texts or {})
        texts["progress"] = [message[:300], params or {}]
        self.job.display_texts = texts
        self.job.progress_message = _english(message, params)[:300]
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=self.job.progress_done,
            progress_total=self.job.progress_total,
            progress_message=self.job.progress_message,
            display_texts=texts,
        )

    def is_cancelled(self) -> bool:
        """True once someone asked to cancel; the function should stop at the next safe point."""
        return Job.objects.filter(pk=self.job.pk, cancel_requested=True).exists()

    def check_cancelled(self) -> None:
        if self.is_cancelled():
            raise JobCancelledError(_("Cancelled on request."))


def _english(msgid: str, params: dict[str, Any] | None) -> str:
    """A msgid with its values, as stored for the API and logs (English)."""
    try:
        return msgid % params if params else msgid
    except (KeyError, TypeError, ValueError):
        return msgid


def start_job(
    kind: str,
    title: str,
    *,
    establishment: Establishment | None = None,
    user: User | None = None,
    title_params: dict[str, Any] | None = None,
    **arguments: Any,
) -> Job:
    """Queue a job of a registered kind; ``arguments`` must be JSON-serialisable.

    With ``title_params`` (``{}`` when it has none), ``title`` is a msgid shown in each reader's
    language; without, a text stored as given (older callers)."""
    get_job_kind(kind)  # fail now, in the caller, on an unknown kind
    creator = user if getattr(user, "pk", None) else None
    texts = {} if title_params is None else {"title": [title[:300], title_params]}
    shown = title if title_params is None else _english(title, title_params)
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            title=shown[:300],
            establishment=establishment,
            created_by=creator,
            display_texts=texts,
        )
        # Enqueued in the same transaction: the queue row and the Job appear together or not at
        # all. (The test settings' immediate backend runs the job right here.)
        result = run_job.enqueue(job.pk, arguments)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def request_cancel(job: Job, user: User | None) -> Job:
    """Ask a job to stop. A queued job is cancelled at once; a running one at its next check."""
    if user is not None and not _may_cancel(user, job):
        raise PermissionDenied(_("You may not cancel this job."))
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.is_finished:
            return locked
        locked.cancel_requested = True
        fields = ["cancel_requested"]
        if locked.status == JobStatus.QUEUED:
            locked.status, locked.finished_at = JobStatus.CANCELLED, timezone.now()
            fields += ["status", "finished_at"]
        locked.save(update_fields=fields)
        audit.record(
            "update",
            locked,
            changes={"cancel_requested": {"after": True}},
            message=f"cancel requested for job {locked.kind}",
        )
    return locked


def _may_cancel(user: User, job: Job) -> bool:
    """The creator, or someone who manages the establishment the job works on."""
    if job.created_by_id == user.pk or user.is_superuser:
        return True
    return user.can(EDIT_ORGANISATION) and Job.objects.visible_to(user).filter(pk=job.pk).exists()


@task()
def run_job(job_id: int, arguments: dict[str, Any]) -> dict[str, Any]:
    """The django-tasks entry point: run one Job and record its outcome on the Job row."""
    return execute_job(job_id, arguments)


def execute_job(job_id: int, arguments: dict[str, Any]) -> dict[str, Any]:
    job = Job.objects.select_related("establishment", "created_by").filter(pk=job_id).first()
    if job is None:
        return {"job": job_id, "status": "missing"}
    if job.cancel_requested or job.status == JobStatus.CANCELLED:
        _finish(job, JobStatus.CANCELLED)
        return {"job": job_id, "status": JobStatus.CANCELLED}
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=timezone.now())
    job.status = JobStatus.RUNNING
    actor = context.ActorContext(user=job.created_by, channel="task", label=f"job {job.kind}")
    run = JobRun(job)
    try:
        with context.acting_as(actor):
            result = get_job_kind(job.kind).run(run, **arguments) or {}
    except JobCancelledError:
        _finish(job, JobStatus.CANCELLED)
    except HygieError as exc:
        # Hygie's own errors are written without patient data (see HygieError).
        _finish(job, JobStatus.FAILED, error=str(exc))
    except Exception as exc:  # noqa: BLE001  (the task boundary: any failure must be recorded)
        # The exception message may quote the data being processed: keep only its type, and log
        # the stack frames (code locations, no values) for the administrator.
        logger.error(
            "job %s (%s) failed with %s\n%s",
            job.pk,
            job.kind,
            type(exc).__name__,
            "".join(traceback.format_tb(exc.__traceback__)),
        )
        _finish(
            job,
            JobStatus.FAILED,
            error=_("Unexpected error (%(kind)s); the server log has the details for job #%(id)s.")
            % {"kind": type(exc).__name__, "id": job.pk},
        )
    except (KeyboardInterrupt, SystemExit):
        # A forced shutdown (second Ctrl+C): say so instead of leaving the job "running".
        _finish(job, JobStatus.FAILED, error=_("Interrupted: the worker was stopped."))
        raise
    else:
        status = JobStatus.CANCELLED if run.is_cancelled() else JobStatus.SUCCEEDED
        _finish(job, status, result=result)
    return {"job": job_id, "status": job.status}


def _finish(
    job: Job, status: str, *, error: str = "", result: dict[str, Any] | None = None
) -> None:
    job.status, job.error, job.finished_at = status, error[:2000], timezone.now()
    fields: dict[str, Any] = {"status": status, "error": job.error, "finished_at": job.finished_at}
    if result is not None:
        job.result = fields["result"] = result
    Job.objects.filter(pk=job.pk).update(**fields)
