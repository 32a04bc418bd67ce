"""The consumer side of live ingest: queue → prepare (parse + detection) → store → ack.

Preparing a line (parse, normalise, detection, JSON) costs several times more than storing it,
and Python runs one thread at a time, so on a machine with more than one core the preparation
runs in worker processes (``HYGIE_INGEST_PROCESSES``; default one, none on a single core) while
this process receives, stores and raises alerts. Batches are prepared ahead (a few in flight)
and stored in the order they were taken; a delivery is acknowledged only after the
transaction that stored it committed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hygie.detection.prepare import PreparedBatch, init_worker, prepare_in_worker, prepare_live
from hygie.detection.queue import Delivery, EventQueue

logger = logging.getLogger(__name__)

BATCH_LINES = 1000
BATCH_SECONDS = 0.2
IN_FLIGHT = 3  # batches prepared ahead of storage per worker process
SIGNATURE_CHECK_SECONDS = 5.0  # how often a worker notices an imported rule pack


@dataclass
class IngestStats:
    received: int = 0
    stored: int = 0
    udp_dropped: int = 0
    truncated: int = 0
    failed: int = 0  # lines in a batch the database refused (logged with the error)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, count: int = 1) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + count)


def default_processes() -> int:
    """One preparing process when there is a second core, none otherwise."""
    return 1 if (os.cpu_count() or 1) > 1 else 0


@dataclass
class _Job:
    deliveries: list[Delivery]
    establishment_id: int
    source: str
    lines: int
    prepared: Future[PreparedBatch] | PreparedBatch | None = None


class IngestConsumer:
    """Drains an ``EventQueue`` into storage on its own thread; ``start()`` then ``stop()``."""

    def __init__(
        self,
        queue: EventQueue,
        *,
        stats: IngestStats | None = None,
        batch_lines: int = BATCH_LINES,
        batch_seconds: float = BATCH_SECONDS,
        processes: int | None = None,
    ) -> None:
        self.queue = queue
        self.stats = stats or IngestStats()
        self.batch_lines = batch_lines
        self.batch_seconds = batch_seconds
        self.processes = default_processes() if processes is None or processes < 0 else processes
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ingest-consumer")
        self._executor: ProcessPoolExecutor | None = None
        self._signature: Any = None
        self._checked_at = 0.0
        self._establishments: dict[int, Any] = {}

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """In-process queue: return once everything queued is stored (close it first).
        Broker: finish and acknowledge the batches already taken, leave the rest to it."""
        self.stopping.set()
        self._thread.join()

    # --- the loop --------------------------------------------------------------------------

    def _run(self) -> None:
        from django.db import close_old_connections

        in_flight: deque[_Job] = deque()
        depth = max(1, self.processes) * IN_FLIGHT
        try:
            while True:
                finishing = self.stopping.is_set() and (
                    not self.queue.in_process or self.queue.closed_and_empty
                )
                if not finishing:
                    for job in self._take():
                        in_flight.append(self._submit(job))
                while in_flight and (
                    finishing
                    or len(in_flight) >= depth
                    or _ready(in_flight[0])
                    or self.processes == 0
                ):
                    close_old_connections()
                    try:
                        self._store(in_flight.popleft())
                    finally:
                        close_old_connections()
                if finishing and not in_flight:
                    return
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)

    def _take(self) -> list[_Job]:
        """Deliveries for up to ``batch_lines`` lines or ``batch_seconds``, grouped into jobs
        by establishment and source."""
        deliveries: list[Delivery] = []
        lines = 0
        deadline = time.monotonic() + self.batch_seconds
        while lines < self.batch_lines:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.stopping.is_set():
                remaining = 0.0
            taken = self.queue.get(remaining, max_lines=self.batch_lines - lines)
            deliveries.extend(taken)
            lines += sum(len(d.batch.lines) for d in taken)
            if remaining == 0.0 or (not taken and self.queue.closed_and_empty):
                break
        groups: dict[tuple[int, str], list[Delivery]] = {}
        for delivery in deliveries:
            key = (delivery.batch.establishment_id, delivery.batch.source)
            groups.setdefault(key, []).append(delivery)
        return [
            _Job(group, key[0], key[1], sum(len(d.batch.lines) for d in group))
            for key, group in groups.items()
        ]

    def _submit(self, job: _Job) -> _Job:
        lines = [line for delivery in job.deliveries for line in delivery.batch.lines]
        received_at = datetime.now(UTC)
        observe = _observed()
        executor = self._worker_pool()
        if executor is None:
            job.prepared = _prepare_here(
                lines, job.establishment_id, job.source, received_at, observe
            )
        else:
            job.prepared = executor.submit(
                prepare_in_worker, lines, job.establishment_id, job.source, received_at, observe
            )
        return job

    def _worker_pool(self) -> ProcessPoolExecutor | None:
        if self.processes == 0:
            return None
        from hygie.detection.services import _packs_signature, rule_sources

        now = time.monotonic()
        if self._executor is None or now - self._checked_at > SIGNATURE_CHECK_SECONDS:
            self._checked_at = now
            signature = _packs_signature()
            if self._executor is not None and signature != self._signature:
                self._executor.shutdown(wait=False)  # running batches still complete
                self._executor = None
            if self._executor is None:
                self._signature = signature
                # spawn, not fork: this process runs threads (receivers, web server).
                self._executor = ProcessPoolExecutor(
                    self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=init_worker,
                    initargs=(rule_sources(),),
                )
                widen_result_pipe(self._executor)
        return self._executor

    def _store(self, job: _Job) -> None:
        from hygie.detection.services import StoreContext, store_prepared

        try:
            prepared = job.prepared.result() if isinstance(job.prepared, Future) else job.prepared
            if prepared is None:
                raise RuntimeError("ingest: a job was stored before it was prepared")
            establishment = self._establishment(job.establishment_id)
            summary = store_prepared(StoreContext.load(establishment), prepared)
        except BrokenProcessPool:
            logger.error("ingest: a preparing process died; preparing %d lines here", job.lines)
            self._executor = None
            job.prepared = _prepare_here(
                [line for d in job.deliveries for line in d.batch.lines],
                job.establishment_id,
                job.source,
                datetime.now(UTC),
                _observed(),
            )
            self._store(job)
            return
        except Exception:  # keep consuming: one bad batch must not stop ingestion
            logger.exception("ingest: could not store %d events", job.lines)
            self.stats.add("failed", job.lines)
            for delivery in job.deliveries:
                delivery.nak()
            return
        for delivery in job.deliveries:
            delivery.ack()
        self.stats.add("stored", job.lines)
        if summary.alerts:
            logger.info("ingest: %d events, %d alerts", summary.events, summary.alerts)

    def _establishment(self, pk: int) -> Any:
        from hygie.core.models import Establishment

        if pk not in self._establishments:
            self._establishments[pk] = Establishment.objects.get(pk=pk)
        return self._establishments[pk]


# A prepared batch of 1,000 lines comes back as about a megabyte of pickle. Through a pipe of
# the default 64 KiB, this process reads it in sixteen pieces or more, and between two pieces
# its reading thread waits for the interpreter lock, held by this process's storing, matching
# and alerting (up to the 5 ms switch interval each time), while the preparing process,
# unable to write the rest, waits too: the pipeline then runs at the pace of the handover.
# Linux lets a pipe grow to /proc/sys/fs/pipe-max-size (1 MiB by default); a batch then
# crosses in one or two pieces.
RESULT_PIPE_BYTES = 1 << 20


def widen_result_pipe(executor: ProcessPoolExecutor, size: int = RESULT_PIPE_BYTES) -> int:
    """Grow the pipe the worker processes answer through to ``size`` bytes where the system
    allows (Linux); return its size, or 0 when it cannot be known (then it is left as is)."""
    try:
        import fcntl

        # concurrent.futures keeps the results' pipe private; if it is missing or another
        # kind of object, the pipe keeps its size and only the speed is lost.
        descriptor = executor._result_queue._reader.fileno()  # type: ignore[attr-defined]
        try:
            return int(fcntl.fcntl(descriptor, fcntl.F_SETPIPE_SZ, size))
        except OSError:  # above this system's limit for this user: keep the current size
            return int(fcntl.fcntl(descriptor, fcntl.F_GETPIPE_SZ))
    except (ImportError, AttributeError, OSError, ValueError):
        return 0


def _ready(job: _Job) -> bool:
    return not isinstance(job.prepared, Future) or job.prepared.done()


def _observed() -> bool:
    """Whether a module observes stored events (then preparation collects observables)."""
    from hygie.core.registries import event_observers

    return bool(event_observers)


def _prepare_here(
    lines: list[bytes],
    establishment_id: int,
    source: str,
    received_at: datetime,
    observe: bool = False,
) -> PreparedBatch:
    from hygie.detection.services import rule_engine

    return prepare_live(rule_engine(), establishment_id, lines, source, received_at, observe)
