"""Periodic jobs (audit chain verification, pruning…) started by a small scheduler thread.

The schedule lives in the database: a periodic job is due when no Job of its kind was created
within its period. So restarts do not re-run everything, and several processes running the
scheduler (a few ``hygie worker``) do not start duplicates: the check-and-start is serialised by a
write transaction (SQLite) or a transaction-level advisory lock (PostgreSQL).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone, translation

from hygie.core.models import Job
from hygie.core.services.jobs import get_job_kind, start_job
from hygie.lib.registry import Registry

logger = logging.getLogger("hygie.scheduler")

# An arbitrary constant: the PostgreSQL advisory lock key of the scheduler.
_ADVISORY_LOCK_KEY = 0x48796769


@dataclass(frozen=True)
class PeriodicJob:
    """Start the job kind ``kind`` every ``every``."""

    kind: str
    every: timedelta


periodic_jobs: Registry[PeriodicJob] = Registry("periodic jobs")


def register_periodic(kind: str, every: timedelta) -> PeriodicJob:
    return periodic_jobs.register(kind, PeriodicJob(kind=kind, every=every))


def start_due_jobs() -> list[Job]:
    """Start every periodic job whose period has elapsed; return the jobs started."""
    started: list[Job] = []
    now = timezone.now()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        for periodic in periodic_jobs.values():
            recent = Job.objects.filter(kind=periodic.kind, created_at__gt=now - periodic.every)
            if not recent.exists():
                # The kind's title as a msgid, shown in each reader's language (decision 0025).
                lazy_title = get_job_kind(periodic.kind).title
                msgid = getattr(lazy_title, "_args", (None,))[0]
                if isinstance(msgid, str):
                    started.append(start_job(periodic.kind, msgid, title_params={}))
                    continue
                with translation.override(settings.LANGUAGE_CODE):
                    title = str(lazy_title)
                started.append(start_job(periodic.kind, title))
    return started


class Scheduler(threading.Thread):
    """Checks the periodic jobs every ``tick`` seconds until ``stop()``."""

    def __init__(self, tick: float = 60.0) -> None:
        super().__init__(name="hygie-scheduler", daemon=True)
        self.tick = tick
        self._stopping = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopping.is_set():
                close_old_connections()
                try:
                    for job in start_due_jobs():
                        logger.info("scheduled job %s started (%s)", job.pk, job.kind)
                except Exception:  # noqa: BLE001  (a failed tick must not kill the scheduler)
                    logger.exception("scheduler tick failed; retrying in %s s", self.tick)
                self._stopping.wait(self.tick)
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopping.set()
