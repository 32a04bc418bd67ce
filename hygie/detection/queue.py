"""The event queue between receivers and storage: in-process (embedded) or NATS JetStream.

Receivers ``publish`` batches of raw lines; a consumer ``get``s deliveries, stores them, then
``ack``s. The contract that makes "nothing acknowledged is lost" hold:

- ``publish`` returns True only once the batch is safe: queued in this process (which stores
  everything queued before a clean shutdown completes), or stored by JetStream (its publish
  acknowledgement). A TCP receiver reads the next data only after that.
- A consumer acks a delivery only after the transaction that stored it committed. JetStream
  redelivers what was delivered but not acknowledged (a worker stopped or crashed mid-batch).

``HYGIE_EVENT_QUEUE`` selects the implementation: empty (default) for the in-process queue,
``nats://host:4222`` for JetStream (``open_event_queue``).
"""

from __future__ import annotations

import asyncio
import struct
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hygie.lib.errors import HygieError

DEFAULT_MAX_LINES = 100_000
STREAM = "HYGIE_EVENTS"
SUBJECT_PREFIX = "hygie.events"
DURABLE = "hygie-ingest"
MAX_MESSAGE_BYTES = 512 * 1024  # under JetStream's default 1 MiB max payload
MAX_DELIVER = 5  # a batch the database keeps refusing is given up after this many attempts
_LENGTH = struct.Struct("!I")


class EventQueueError(HygieError):
    """The queue cannot take or give events (closed, broker unreachable, bad message)."""


@dataclass(frozen=True)
class EventBatch:
    """Raw lines received for one establishment from one source (e.g. syslog)."""

    establishment_id: int
    source: str
    lines: Sequence[bytes]


class Delivery:
    """A batch handed to a consumer; ``ack()`` once stored, ``nak()`` to have it redelivered."""

    def __init__(
        self,
        batch: EventBatch,
        ack: Callable[[], None] | None = None,
        nak: Callable[[], None] | None = None,
    ) -> None:
        self.batch = batch
        self._ack, self._nak = ack, nak

    def ack(self) -> None:
        if self._ack is not None:
            self._ack()

    def nak(self) -> None:
        if self._nak is not None:
            self._nak()


class EventQueue(ABC):
    """Publish batches of lines; consume them with an acknowledgement after storage."""

    #: True when the queue lives in this process: a clean shutdown must drain it.
    in_process: bool = False

    @abstractmethod
    def publish(self, batch: EventBatch, timeout: float | None = None) -> bool:
        """Hand ``batch`` over; True once it is safe, False if not taken within ``timeout``
        (None: wait as long as needed — back-pressure)."""

    @abstractmethod
    def get(self, timeout: float, max_lines: int = 0) -> list[Delivery]:
        """Deliveries available within ``timeout`` seconds (possibly none); about
        ``max_lines`` lines at most when given (a batch is never split)."""

    @abstractmethod
    def close(self) -> None:
        """No more publishing; consumers still get what is queued."""

    @property
    def closed_and_empty(self) -> bool:
        """True once closed with nothing left to deliver (in-process only; a broker's stream
        outlives the process)."""
        return False


# --- in-process ----------------------------------------------------------------------------


class InProcessQueue(EventQueue):
    """A bounded queue of batches, bounded in lines (one batch larger than the bound still
    passes alone, so a big read never deadlocks)."""

    in_process = True

    def __init__(self, max_lines: int = DEFAULT_MAX_LINES) -> None:
        self.max_lines = max_lines
        self._batches: deque[EventBatch] = deque()
        self._lines = 0
        self._closed = False
        self._condition = threading.Condition()

    def publish(self, batch: EventBatch, timeout: float | None = None) -> bool:
        size = len(batch.lines)
        with self._condition:
            if not self._condition.wait_for(
                lambda: self._closed or not self._batches or self._lines + size <= self.max_lines,
                timeout,
            ):
                return False
            if self._closed:
                raise EventQueueError("the event queue is closed")
            self._batches.append(batch)
            self._lines += size
            self._condition.notify_all()
        return True

    def get(self, timeout: float, max_lines: int = 0) -> list[Delivery]:
        with self._condition:
            self._condition.wait_for(lambda: self._batches or self._closed, timeout)
            taken: list[EventBatch] = []
            count = 0
            while self._batches and (not max_lines or not taken or count < max_lines):
                batch = self._batches.popleft()
                taken.append(batch)
                count += len(batch.lines)
            self._lines -= count
            if taken:
                self._condition.notify_all()
        return [Delivery(batch) for batch in taken]

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    @property
    def closed_and_empty(self) -> bool:
        with self._condition:
            return self._closed and not self._batches

    @property
    def queued_lines(self) -> int:
        with self._condition:
            return self._lines


# --- NATS JetStream -----------------------------------------------------------------------


def encode_lines(lines: Sequence[bytes]) -> bytes:
    """Length-prefixed frames: lines may hold any byte, newlines included."""
    return b"".join(_LENGTH.pack(len(line)) + line for line in lines)


def decode_lines(payload: bytes) -> list[bytes]:
    lines, position, size = [], 0, len(payload)
    while position < size:
        if position + 4 > size:
            raise EventQueueError("truncated event message")
        (length,) = _LENGTH.unpack_from(payload, position)
        position += 4
        if position + length > size:
            raise EventQueueError("truncated event message")
        lines.append(payload[position : position + length])
        position += length
    return lines


def split_for_messages(
    lines: Sequence[bytes], limit: int = MAX_MESSAGE_BYTES
) -> list[Sequence[bytes]]:
    """Cut a batch into parts whose encoding stays under ``limit`` bytes."""
    parts: list[Sequence[bytes]] = []
    start, size = 0, 0
    for index, line in enumerate(lines):
        if size and size + len(line) + 4 > limit:
            parts.append(lines[start:index])
            start, size = index, 0
        size += len(line) + 4
    if start < len(lines):
        parts.append(lines[start:])
    return parts


class JetStreamQueue(EventQueue):
    """Batches as JetStream messages on ``<prefix>.<establishment>``, in a work-queue stream
    (a message is removed once a consumer acks it), consumed by a shared durable pull consumer
    (several workers share the work). nats-py is asyncio: it runs on a private event loop
    thread, and the methods here block the calling thread on it."""

    def __init__(
        self,
        url: str,
        *,
        stream: str = STREAM,
        subject_prefix: str = SUBJECT_PREFIX,
        durable: str = DURABLE,
        connect_timeout: float = 5.0,
        ack_wait: float = 60.0,
    ) -> None:
        self.url, self.stream, self.subject_prefix, self.durable = (
            url,
            stream,
            subject_prefix,
            durable,
        )
        self.ack_wait = ack_wait
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="nats-loop", daemon=True
        )
        self._thread.start()
        self._subscription: Any = None
        self._closed = False
        try:
            self._call(self._connect(connect_timeout), connect_timeout + 5)
        except Exception:
            self._stop_loop()
            raise

    def _call(self, coroutine: Any, timeout: float | None) -> Any:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout)
        except TimeoutError:
            future.cancel()
            raise

    async def _connect(self, timeout: float) -> None:
        import nats
        from nats.errors import NoServersError
        from nats.js.api import RetentionPolicy, StorageType, StreamConfig
        from nats.js.errors import NotFoundError

        try:
            self._nc = await nats.connect(
                self.url, connect_timeout=timeout, max_reconnect_attempts=-1, allow_reconnect=True
            )
        except (NoServersError, OSError, TimeoutError) as error:
            raise EventQueueError(f"cannot reach NATS at {self.url}: {error}") from error
        self._js = self._nc.jetstream()
        try:
            await self._js.stream_info(self.stream)
        except NotFoundError:
            await self._js.add_stream(
                StreamConfig(
                    name=self.stream,
                    subjects=[f"{self.subject_prefix}.>"],
                    retention=RetentionPolicy.WORK_QUEUE,
                    storage=StorageType.FILE,
                )
            )

    async def _publish(self, batch: EventBatch) -> None:
        subject = f"{self.subject_prefix}.{batch.establishment_id}"
        headers = {"Hygie-Source": batch.source}
        for part in split_for_messages(batch.lines):
            await self._js.publish(subject, encode_lines(part), headers=headers)

    def publish(self, batch: EventBatch, timeout: float | None = None) -> bool:
        if self._closed:
            raise EventQueueError("the event queue is closed")
        if not batch.lines:
            return True
        try:
            self._call(self._publish(batch), timeout)
        except TimeoutError:
            return False
        return True

    async def _fetch(self, timeout: float) -> list[Any]:
        from nats.errors import TimeoutError as NATSTimeout
        from nats.js.api import AckPolicy, ConsumerConfig

        if self._subscription is None:
            self._subscription = await self._js.pull_subscribe(
                f"{self.subject_prefix}.>",
                durable=self.durable,
                stream=self.stream,
                config=ConsumerConfig(
                    ack_policy=AckPolicy.EXPLICIT,
                    ack_wait=self.ack_wait,
                    max_ack_pending=1000,
                    max_deliver=MAX_DELIVER,
                ),
            )
        try:
            return list(await self._subscription.fetch(batch=20, timeout=max(timeout, 0.05)))
        except (NATSTimeout, TimeoutError):
            return []

    def get(self, timeout: float, max_lines: int = 0) -> list[Delivery]:
        messages = self._call(self._fetch(timeout), timeout + 10)
        deliveries = []
        for message in messages:
            establishment = int(message.subject.rsplit(".", 1)[-1])
            source = (message.headers or {}).get("Hygie-Source", "syslog")
            try:
                lines = decode_lines(message.data)
            except EventQueueError:
                # Not ours or damaged: terminate it rather than redeliver it forever.
                self._call(message.term(), 10)
                continue
            deliveries.append(
                Delivery(
                    EventBatch(establishment, source, lines),
                    ack=self._settler(message.ack_sync),
                    nak=self._settler(message.nak),
                )
            )
        return deliveries

    def _settler(self, action: Callable[[], Any]) -> Callable[[], None]:
        """``action()`` (a message's ack or nak coroutine) run on the client's loop."""

        def settle() -> None:
            self._call(action(), 30)

        return settle

    def pending(self) -> int:
        """Messages in the stream (published, not yet acknowledged by a consumer)."""

        async def count() -> int:
            info = await self._js.stream_info(self.stream)
            return int(info.state.messages)

        return int(self._call(count(), 10))

    def delete_stream(self) -> None:
        """Remove the stream and its messages (tests)."""
        self._call(self._js.delete_stream(self.stream), 10)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            # Every publish was acknowledged and every delivery taken was acked by the
            # consumer before this: nothing is in flight that a drain would wait for.
            self._call(self._nc.close(), 10)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


def open_event_queue(url: str, *, max_lines: int = DEFAULT_MAX_LINES, **options: Any) -> EventQueue:
    """The queue ``HYGIE_EVENT_QUEUE`` names: empty for in-process, ``nats://…`` for JetStream."""
    if not url:
        return InProcessQueue(max_lines)
    if url.startswith(("nats://", "tls://")):
        return JetStreamQueue(url, **options)
    raise EventQueueError(f"HYGIE_EVENT_QUEUE must be empty or nats://host:port, got {url!r}")


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
