"""The event queue: in-process and NATS JetStream (a real server on 127.0.0.1:4222, as in CI).

The property that matters: nothing acknowledged is lost across a clean shutdown. The TCP
sender's lines were accepted by the receiver (the kernel acknowledged them), so every one of
them must be stored once ``stop()`` returns (in-process), or be in the stream and then stored
by whichever worker consumes it (JetStream), exactly once.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from hygie.detection.listeners import SyslogListeners
from hygie.detection.models import Event, EventSource
from hygie.detection.pipeline import RESULT_PIPE_BYTES, IngestConsumer, widen_result_pipe
from hygie.detection.queue import (
    EventBatch,
    EventQueueError,
    InProcessQueue,
    JetStreamQueue,
    decode_lines,
    encode_lines,
    open_event_queue,
    split_for_messages,
)

NATS_URL = os.environ.get("HYGIE_TEST_NATS_URL", "nats://127.0.0.1:4222")


def _lines(count: int, tag: str = "q") -> list[bytes]:
    return [
        f"<38>1 2026-03-02T10:00:00Z ehr-{i % 7} sshd {i} - - Accepted publickey for "
        f"user{i} {tag}{i:06d}".encode()
        for i in range(count)
    ]


def _send_tcp(address: tuple[str, int], lines: list[bytes]) -> None:
    with socket.create_connection(address) as client:
        client.sendall(b"\n".join(lines) + b"\n")


# --- pure parts ------------------------------------------------------------------------------


def test_frames_round_trip_any_bytes():
    lines = [b"a", b"", b"with\nnewline", bytes(range(256))]
    assert decode_lines(encode_lines(lines)) == lines
    with pytest.raises(EventQueueError):
        decode_lines(encode_lines([b"abcdef"])[:-2])


def test_split_for_messages_stays_under_the_limit():
    lines = [b"x" * 100] * 50
    parts = split_for_messages(lines, limit=1000)
    assert [line for part in parts for line in part] == lines
    assert all(len(encode_lines(part)) <= 1000 for part in parts)


def test_in_process_queue_bounds_and_order():
    queue = InProcessQueue(max_lines=3)
    assert queue.publish(EventBatch(1, "syslog", [b"1", b"2"]))
    assert not queue.publish(EventBatch(1, "syslog", [b"3", b"4"]), timeout=0)  # full
    assert queue.publish(EventBatch(1, "syslog", [b"3"]), timeout=0)
    taken = queue.get(0, max_lines=2)
    assert [d.batch.lines for d in taken] == [[b"1", b"2"]]
    assert queue.publish(EventBatch(1, "syslog", [b"4", b"5"]), timeout=0)
    assert [d.batch.lines for d in queue.get(0)] == [[b"3"], [b"4", b"5"]]
    queue.close()
    assert queue.closed_and_empty
    with pytest.raises(EventQueueError):
        queue.publish(EventBatch(1, "syslog", [b"6"]))


def test_a_batch_larger_than_the_bound_still_passes_alone():
    queue = InProcessQueue(max_lines=2)
    assert queue.publish(EventBatch(1, "syslog", [b"1", b"2", b"3"]), timeout=0)
    assert not queue.publish(EventBatch(1, "syslog", [b"4"]), timeout=0)


def test_unknown_queue_url_is_refused():
    with pytest.raises(EventQueueError):
        open_event_queue("redis://127.0.0.1")
    assert isinstance(open_event_queue(""), InProcessQueue)


# --- in-process: clean shutdown -----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("processes", [0, 1])
def test_in_process_clean_shutdown_stores_every_accepted_line(establishment_a, processes):
    receivers = SyslogListeners(
        establishment_a.pk, tcp="127.0.0.1:0", processes=processes, queue_size=500
    )
    receivers.start()
    lines = _lines(5000)
    _send_tcp(receivers.addresses()["tcp"], lines)
    receivers.stop()  # at once: most lines are still queued or unread
    assert receivers.stats.failed == 0
    assert receivers.stats.stored == len(lines)
    assert Event.objects.count() == len(lines)
    assert set(Event.objects.values_list("raw", flat=True)) == {line.decode() for line in lines}


def test_the_pipe_prepared_batches_come_back_through_is_widened():
    # A prepared batch (~1 MB) crosses in one or two pieces instead of sixteen or more.
    executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    try:
        size = widen_result_pipe(executor)
    finally:
        executor.shutdown()
    if not sys.platform.startswith("linux"):
        pytest.skip("pipe sizes are set on Linux only")
    limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
    assert size >= min(RESULT_PIPE_BYTES, limit)
    assert widen_result_pipe(object()) == 0  # type: ignore[arg-type]  # no pipe: left alone


@pytest.mark.django_db
def test_the_consumer_widens_the_pipe_of_its_preparing_processes():
    if not sys.platform.startswith("linux"):
        pytest.skip("pipe sizes are set on Linux only")
    import fcntl

    consumer = IngestConsumer(InProcessQueue(), processes=1)
    executor = consumer._worker_pool()
    assert executor is not None
    try:
        reader = executor._result_queue._reader.fileno()
        limit = int(Path("/proc/sys/fs/pipe-max-size").read_text())
        assert fcntl.fcntl(reader, fcntl.F_GETPIPE_SZ) >= min(RESULT_PIPE_BYTES, limit)
    finally:
        executor.shutdown()


# --- NATS JetStream ------------------------------------------------------------------------


def _nats_reachable() -> bool:
    host, _, port = NATS_URL.removeprefix("nats://").partition(":")
    try:
        with socket.create_connection((host, int(port or 4222)), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def jetstream():
    """Queues on a stream of its own (unique subjects), deleted afterwards."""
    if not _nats_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail(f"NATS JetStream is not reachable at {NATS_URL} and CI=true")
        pytest.skip(
            f"no NATS server at {NATS_URL} (start nats-server -js, or set "
            "HYGIE_TEST_NATS_URL); required when CI=true"
        )
    name = uuid.uuid4().hex[:12]
    opened: list[JetStreamQueue] = []

    def make() -> JetStreamQueue:
        queue = JetStreamQueue(
            NATS_URL,
            stream=f"HYGIE_TEST_{name}",
            subject_prefix=f"hygie-test.{name}",
            durable=f"ingest-{name}",
            ack_wait=3.0,
        )
        opened.append(queue)
        return queue

    yield make
    cleaner = make()
    cleaner.delete_stream()
    for queue in opened:
        try:
            queue.close()
        except EventQueueError:
            pass


def _consume_until(queue: JetStreamQueue, count: int, timeout: float = 30.0) -> IngestConsumer:
    consumer = IngestConsumer(queue, processes=0)
    consumer.start()
    deadline = time.monotonic() + timeout
    while consumer.stats.stored + consumer.stats.failed < count and time.monotonic() < deadline:
        time.sleep(0.05)
    consumer.stop()
    return consumer


@pytest.mark.django_db(transaction=True)
def test_jetstream_nothing_published_is_lost_across_shutdowns(establishment_a, jetstream):
    # The receiver only publishes; it stops (clean shutdown) before anything is consumed.
    publisher = jetstream()
    receivers = SyslogListeners(
        establishment_a.pk, tcp="127.0.0.1:0", event_queue=publisher, consume=False
    )
    receivers.start()
    lines = _lines(3000, tag="js")
    _send_tcp(receivers.addresses()["tcp"], lines)
    receivers.stop()
    assert receivers.stats.received == len(lines)
    assert Event.objects.count() == 0

    # A first worker takes some batches and is stopped cleanly; what it took is stored and
    # acknowledged, the rest stays in the stream for the next worker.
    first_queue = jetstream()
    first = _consume_until(first_queue, 500)
    first_queue.close()
    assert first.stats.failed == 0
    assert 0 < first.stats.stored

    second_queue = jetstream()
    second = _consume_until(second_queue, len(lines) - first.stats.stored)
    assert second.stats.failed == 0
    assert first.stats.stored + second.stats.stored == len(lines)
    raws = list(Event.objects.values_list("raw", flat=True))
    assert len(raws) == len(lines)  # none lost, none twice
    assert set(raws) == {line.decode() for line in lines}
    assert set(Event.objects.values_list("source", flat=True)) == {EventSource.SYSLOG}
    assert second_queue.pending() == 0  # acknowledged messages leave the work-queue stream


@pytest.mark.django_db(transaction=True)
def test_jetstream_unacknowledged_batches_are_redelivered(establishment_a, jetstream):
    queue = jetstream()
    lines = _lines(10, tag="redeliver")
    assert queue.publish(EventBatch(establishment_a.pk, "syslog", lines))
    taken = []
    deadline = time.monotonic() + 10
    while not taken and time.monotonic() < deadline:
        taken = queue.get(1.0)
    assert [d.batch.lines for d in taken] == [lines]
    taken[0].nak()  # e.g. the database refused the batch: it comes back
    consumer = _consume_until(queue, len(lines))
    assert consumer.stats.stored == len(lines)
    assert Event.objects.count() == len(lines)
