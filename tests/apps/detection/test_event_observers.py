"""Event observers (``hygie.core.registries.event_observers``): every stored event's observable
fields reach the registered observers with the id it was stored under — from files and HTTP
(``ingest_lines``) and from live ingest, prepared here or in a worker process — and an
observer's failure never loses the events."""

from __future__ import annotations

import socket

import pytest

from hygie.core.registries import event_observers
from hygie.detection import services
from hygie.detection.listeners import SyslogListeners
from hygie.detection.models import Event
from hygie.detection.prepare import observable_fields


def _lines(count: int) -> list[bytes]:
    return [
        f"<38>1 2026-03-02T10:00:00Z ehr-{i % 3} sshd {i} - - Failed password for user{i} "
        f"from 203.0.113.{i % 250 + 1} port 22 ssh2 url=https://evil{i}.example/x".encode()
        for i in range(count)
    ]


class _Recorder:
    def __init__(self) -> None:
        self.seen: dict[int, dict[str, str]] = {}
        self.establishments: set[int] = set()

    def __call__(self, establishment, events) -> None:
        self.establishments.add(establishment.pk)
        for event_id, fields in events:
            self.seen[event_id] = dict(fields)


def _check(recorder: _Recorder, count: int) -> None:
    ids = set(Event.objects.values_list("pk", flat=True))
    assert len(ids) == count
    assert set(recorder.seen) == ids  # every event, under the id it was stored with
    for event in Event.objects.all():
        text = " ".join(recorder.seen[event.pk].values())
        assert event.raw.split("from ")[1].split(" ")[0] in text  # its own address


def test_observable_fields_keep_addresses_urls_hashes_and_the_message():
    event = {
        "source.ip": "203.0.113.9",
        "url.original": "http://bad.example/a",
        "Hashes": "SHA256=AB12",
        "message": "hello",
        "EventID": 4625,
        "process.pid": "42",
        "event.original": "raw line",
    }
    found = observable_fields(event)
    assert found == {
        "source.ip": "203.0.113.9",
        "url.original": "http://bad.example/a",
        "Hashes": "SHA256=AB12",
        "message": "hello",
    }
    assert observable_fields({"event.original": "only text"}) == {"event.original": "only text"}


@pytest.mark.django_db
def test_ingest_lines_hands_each_stored_event_to_the_observers(establishment_a):
    recorder = _Recorder()
    with event_observers.override({"test": recorder}):
        services.ingest_lines(establishment_a, _lines(30))
    assert recorder.establishments == {establishment_a.pk}
    _check(recorder, 30)


@pytest.mark.django_db
def test_no_observer_means_no_observables_collected(establishment_a):
    with event_observers.override({}):
        summary = services.ingest_lines(establishment_a, _lines(5))
    assert summary.events == 5


@pytest.mark.django_db
def test_a_failing_observer_loses_no_event(establishment_a):
    def broken(_establishment, _events) -> None:
        Event.objects.filter(pk__gt=0).delete()  # its writes roll back with its savepoint
        raise RuntimeError("observer bug")

    with event_observers.override({"broken": broken}):
        summary = services.ingest_lines(establishment_a, _lines(10))
    assert summary.events == 10
    assert Event.objects.count() == 10


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("processes", [0, 1])
def test_live_ingest_hands_events_to_the_observers(establishment_a, processes):
    recorder = _Recorder()
    lines = _lines(200)
    with event_observers.override({"test": recorder}):
        receivers = SyslogListeners(establishment_a.pk, tcp="127.0.0.1:0", processes=processes)
        receivers.start()
        with socket.create_connection(receivers.addresses()["tcp"]) as sock:
            sock.sendall(b"".join(line + b"\n" for line in lines))
        receivers.stop()
    assert receivers.stats.stored == len(lines)
    _check(recorder, len(lines))
