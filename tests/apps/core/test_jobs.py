"""The task runner: real django-tasks database backend and the real worker loop, in-process."""

from __future__ import annotations

import logging

import pytest
from django_tasks_db.models import DBTaskResult

from hygie.core.models import AuditEntry, Job, JobStatus
from hygie.core.services import jobs
from hygie.core.services.jobs import JobCancelledError, request_cancel, start_job
from hygie.core.services.scheduler import periodic_jobs, register_periodic, start_due_jobs
from hygie.core.services.worker import StoppableWorker

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
FAKE_PHI = "Jean Dupont NIR 185057800608436"

seen_progress: list[tuple[int, int, str]] = []


def count_to(run, *, total: int = 2):
    for done in range(1, total + 1):
        run.progress(done, total, f"step {done}")
        stored = Job.objects.get(pk=run.job.pk)
        seen_progress.append((stored.progress_done, stored.progress_total, stored.progress_message))
    return {"counted": total}


def cancel_midway(run):
    for done in range(100):
        if done == 3:
            request_cancel(run.job, None)  # as a user pressing "Cancel" would
        if run.is_cancelled():
            return {"stopped_at": done}
        run.progress(done, 100)
    return {"stopped_at": None}


def leaks_patient_data(run):
    raise ValueError(f"cannot parse record of {FAKE_PHI}")


def stops_with_check(run):
    request_cancel(run.job, None)
    run.check_cancelled()


TEST_KINDS = {
    key: jobs.JobKind(key, key, function)
    for key, function in [
        ("test.count", count_to),
        ("test.cancel", cancel_midway),
        ("test.leak", leaks_patient_data),
        ("test.check", stops_with_check),
    ]
}


@pytest.fixture
def test_kinds():
    # Real kinds were registered at start-up; the override adds the test kinds beside them.
    with jobs.job_kinds.override({**dict(jobs.job_kinds.items()), **TEST_KINDS}):
        yield


@pytest.fixture
def database_backend(settings):
    settings.TASKS = DATABASE_TASKS


def run_worker_batch():
    StoppableWorker(batch=True, interval=0).run()


@pytest.mark.django_db(transaction=True)
def test_job_runs_through_the_database_queue_and_reports_progress(test_kinds, database_backend):
    seen_progress.clear()
    job = start_job("test.count", "Count to three", total=3)
    assert job.status == JobStatus.QUEUED
    assert DBTaskResult.objects.filter(id=job.task_result_id).exists()

    run_worker_batch()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.result == {"counted": 3}
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert seen_progress == [(1, 3, "step 1"), (2, 3, "step 2"), (3, 3, "step 3")]
    assert job.started_at is not None and job.finished_at >= job.started_at


@pytest.mark.django_db(transaction=True)
def test_cancelling_a_queued_job_means_it_never_runs(test_kinds, database_backend, make_user):
    seen_progress.clear()
    owner = make_user("owner", "rssi")
    job = start_job("test.count", "Never runs", user=owner, total=3)
    job = request_cancel(job, owner)
    assert job.status == JobStatus.CANCELLED
    run_worker_batch()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and seen_progress == []
    assert AuditEntry.objects.filter(object_type="core.job", object_id=str(job.pk)).exists()


@pytest.mark.django_db(transaction=True)
def test_running_job_stops_at_its_next_check(test_kinds, database_backend):
    job = start_job("test.cancel", "Stops midway")
    run_worker_batch()
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.progress_done == 2

    checked = start_job("test.check", "Raises on check")
    run_worker_batch()
    checked.refresh_from_db()
    assert checked.status == JobStatus.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_failure_is_recorded_without_patient_data(test_kinds, database_backend, caplog):
    caplog.set_level(logging.DEBUG)
    job = start_job("test.leak", "Fails")
    run_worker_batch()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "ValueError" in job.error and "Dupont" not in job.error
    queue_row = DBTaskResult.objects.get(id=job.task_result_id)
    assert "Dupont" not in str(queue_row.return_value) + str(queue_row.traceback or "")
    assert "Dupont" not in caplog.text
    assert "leaks_patient_data" in caplog.text  # the stack frames are there for the admin


@pytest.mark.django_db
def test_someone_else_may_not_cancel_a_job(test_kinds, make_user, establishment_a):
    from django.core.exceptions import PermissionDenied

    owner = make_user("owner", "staff", [establishment_a])
    stranger = make_user("stranger", "staff", [establishment_a])
    job = Job.objects.create(
        kind="test.count", title="x", establishment=establishment_a, created_by=owner
    )
    with pytest.raises(PermissionDenied):
        request_cancel(job, stranger)


@pytest.mark.django_db
def test_unknown_kind_is_refused_by_the_caller():
    from hygie.lib.registry import RegistryError

    with pytest.raises(RegistryError):
        start_job("no.such.kind", "x")


@pytest.mark.django_db
def test_scheduler_starts_due_jobs_once_per_period(test_kinds):
    from datetime import timedelta

    with periodic_jobs.override({}):
        register_periodic("test.count", timedelta(hours=1))
        first = start_due_jobs()
        second = start_due_jobs()
    assert [job.kind for job in first] == ["test.count"] and second == []
    # Settings of the test suite run tasks immediately: the job already ran.
    assert Job.objects.get(pk=first[0].pk).status == JobStatus.SUCCEEDED


@pytest.mark.django_db
def test_audit_verification_job_fails_on_a_broken_chain(establishment_a):
    from hygie.core.jobs import VERIFY_AUDIT_CHAIN

    ok = start_job(VERIFY_AUDIT_CHAIN, "verify")
    assert ok.status == JobStatus.SUCCEEDED and ok.result["intact"] is True
    AuditEntry.objects.filter(sequence=1).update(object_repr="forged")
    broken = start_job(VERIFY_AUDIT_CHAIN, "verify")
    assert broken.status == JobStatus.FAILED and "#1" in broken.error


def test_cancelled_error_is_a_hygie_error():
    from hygie.lib.errors import HygieError

    assert issubclass(JobCancelledError, HygieError)


@pytest.mark.django_db(transaction=True)
def test_stopping_the_worker_lets_the_current_task_finish(test_kinds, database_backend):
    import threading

    from hygie.core.services.worker import WorkerThread

    started, release = threading.Event(), threading.Event()

    def slow(run):
        started.set()
        release.wait(10)
        return {"finished": True}

    kinds = {**dict(jobs.job_kinds.items()), "test.slow": jobs.JobKind("test.slow", "slow", slow)}
    with jobs.job_kinds.override(kinds):
        current = start_job("test.slow", "In progress at shutdown")
        waiting = start_job("test.count", "Still queued after shutdown")
        thread = WorkerThread(StoppableWorker(interval=0.05))
        thread.start()
        assert started.wait(10)
        thread.stop()  # what SIGTERM does in `hygie serve`
        release.set()
        thread.join(10)
    assert not thread.is_alive()
    current.refresh_from_db()
    waiting.refresh_from_db()
    assert current.status == JobStatus.SUCCEEDED and current.result == {"finished": True}
    assert waiting.status == JobStatus.QUEUED


@pytest.mark.django_db
def test_prune_history_deletes_only_old_job_records():
    from datetime import timedelta

    from django.utils import timezone

    from hygie.core.jobs import JOB_RETENTION, PRUNE_HISTORY

    old = Job.objects.create(
        kind="x",
        title="old",
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now() - JOB_RETENTION - timedelta(days=1),
    )
    recent = Job.objects.create(
        kind="x",
        title="recent",
        status=JobStatus.SUCCEEDED,
        finished_at=timezone.now() - timedelta(days=1),
    )
    job = start_job(PRUNE_HISTORY, "prune")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["jobs_deleted"] == 1
    assert not Job.objects.filter(pk=old.pk).exists()
    assert Job.objects.filter(pk=recent.pk).exists()


@pytest.mark.django_db
def test_audit_checkpoint_job_is_scheduled_and_anchors_the_head(establishment_a):
    from hygie.core.audit_checkpoints import read_log
    from hygie.core.jobs import AUDIT_CHECKPOINT
    from hygie.core.models import AuditChainHead

    assert AUDIT_CHECKPOINT in periodic_jobs
    job = start_job(AUDIT_CHECKPOINT, "checkpoint")
    assert job.status == JobStatus.SUCCEEDED and job.result["written"] is True
    head = AuditChainHead.objects.get(pk=1)
    last = read_log().last
    assert last is not None and (last.sequence, last.entry_hash) == (head.sequence, head.entry_hash)
