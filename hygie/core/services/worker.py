"""The task worker: django-tasks-db's worker loop, made stoppable from the outside.

Its stock ``db_worker`` command installs signal handlers and calls ``sys.exit``; that only works
in the main thread of a process of its own. ``hygie serve`` runs the worker in a thread beside the
web server, so signals are handled by the serve command and the worker is asked to stop: it
finishes the task in hand, then returns.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

logger = logging.getLogger("hygie.worker")

DEFAULT_QUEUES = ("default",)


def new_worker_id() -> str:
    """Unique across the pool, and readable in the queue table: host, pid, random suffix."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"[:64]


class StoppableWorker(Worker):
    """A django-tasks-db worker that never touches signals; call ``stop()`` to end its loop."""

    def __init__(
        self,
        *,
        interval: float = 1.0,
        batch: bool = False,
        queues: tuple[str, ...] = DEFAULT_QUEUES,
        backend_name: str = "default",
        max_tasks: int | None = None,
    ) -> None:
        super().__init__(
            queue_names=list(queues),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=not batch,
            max_tasks=max_tasks,
            worker_id=new_worker_id(),
            excluded_queue_names=[],
        )

    def configure_signals(self) -> None:  # pragma: no cover - deliberately inert
        """Signals belong to the process owner (``hygie serve`` / ``hygie worker``)."""

    def run(self) -> None:
        try:
            super().run()
        finally:
            connection.close()

    def stop(self) -> None:
        """Finish the current task (if any), then leave the loop at the next poll."""
        self.running = False

    @property
    def is_busy(self) -> bool:
        return self.running_task


class WorkerThread(threading.Thread):
    """Runs a ``StoppableWorker`` in the background of the web server process."""

    def __init__(self, worker: StoppableWorker | None = None) -> None:
        super().__init__(name="hygie-worker", daemon=True)
        self.worker = worker or StoppableWorker()

    def run(self) -> None:
        try:
            self.worker.run()
        except Exception:  # noqa: BLE001  (log and end the thread; the web server keeps serving)
            logger.exception("the embedded task worker stopped unexpectedly")

    def stop(self) -> None:
        self.worker.stop()
