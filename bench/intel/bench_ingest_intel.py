"""IOC matching at ingest speed: the detection pipeline's events/s with and without indicator
matching, in one run, with 1,000,000 indicators loaded.

A fresh SQLite data folder (production settings, migrated) gets one establishment and N
synthetic indicators in its indicator store (default 1,000,000: IPv4 addresses, CIDR networks of
several prefix lengths, domains, URLs, SHA-256 hashes, file names), compiled once into the
establishment's matcher before the clock starts (compile time printed apart). The events are
``bench_ingest``'s hospital stream (syslog, auth.log, web access, FHIR AuditEvent); one line in
200 also carries one of 50 known indicators (an address, a domain in a URL, a URL, a hash), so
the "with" runs record sightings and raise (grouped) alerts (``--hit-every``, ``--distinct``).

Two measures, each without and with the intel module's event observer ("without": no observer
registered, so detection picks no observable fields either), in rounds (5 of 30,000 events by
default) of two runs back to back on the same lines, without then with; the loss is the median
of the rounds' (the machine's speed drifts during a bench when its cores are shared: a round's
two runs see the same moment), printed with each round's and best against best:

* **the live pipeline, as deployed** — the figure the target is judged on: lines queued in
  batches of 1,000 to the ingest consumer (``hygie.detection.pipeline.IngestConsumer``), which
  prepares them (parse, normalise, Sigma rules; with matching: the observable fields picked out)
  in its preparing process (``HYGIE_INGEST_PROCESSES``' default: one when there is a second core)
  and stores them in this one (insert, alerts; with matching: the intel observer), until every
  line is stored; events per second by the clock;
* **the CPU cost** — the same two halves in this one process (``Preparer.prepare`` then
  ``store_prepared``, as the consumer runs them on a single core), events per CPU second: what
  matching costs whatever the number of cores, and the throughput loss on a machine with one.

Each round reads its own stretch of the stream, the same for both runs of a measure, never read
before (the matcher remembers what it has read). Figures are printed, never asserted; target:
less than 10 % throughput loss. A last run on the warm-up's unread stretch times the three
parts of the CPU cost inside the pipeline (picking the observable fields, matching, recording),
in µs per event.

    .venv/bin/python bench/intel/bench_ingest_intel.py                   # 1,000,000 indicators
    .venv/bin/python bench/intel/bench_ingest_intel.py --indicators 100000 --events 20000
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from bench_ingest import make_lines  # noqa: E402

TARGET_LOSS = 10.0  # per cent
HIT_EVERY = 200  # one line in 200 carries a known indicator
DISTINCT = 50  # of 50 different indicators (a campaign's), in turn
BATCH = 1000


def _address(rng: random.Random) -> str:
    return f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}"


def _cidr(rng: random.Random) -> str:
    prefix = rng.choice([16, 20, 24, 24, 28, 32])
    a, b, c, d = rng.randrange(1, 224), rng.randrange(256), rng.randrange(256), rng.randrange(256)
    value = (a << 24) | (b << 16) | (c << 8) | d
    value &= (0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF
    text = ".".join(str(value >> shift & 255) for shift in (24, 16, 8, 0))
    return text if prefix == 32 else f"{text}/{prefix}"


def indicator_values(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """``(kind, normalised value)`` pairs, in the proportions of ``bench_matcher``."""
    found: list[tuple[str, str]] = []
    for index in range(count):
        kind = index % 10
        if kind < 3:
            found.append(("ipv4", _address(rng)))
        elif kind == 3:
            value = _cidr(rng)
            found.append(("cidr", value) if "/" in value else ("ipv4", value))
        elif kind < 6:
            found.append(("domain", f"m{index}.bad{index % 997}.example"))
        elif kind == 6:
            found.append(("url", f"https://u{index}.example/p/{index}"))
        elif kind < 9:
            found.append(("sha256", f"{rng.getrandbits(256):064x}"))
        else:
            found.append(("file-name", f"payload{index}.exe"))
    return found


def hit_line(i: int, kind: str, value: str) -> bytes:
    """A proxy line carrying a known indicator."""
    stamp = "2026-03-02T10:00:00Z"
    if kind == "ipv4":
        text = f"CONNECT {value}:443 from 10.1.{i % 250}.{i % 200} bytes=5120"
    elif kind == "domain":
        text = f"GET https://www.{value}/update.bin 200 from 10.1.2.3"
    elif kind == "url":
        text = f"GET {value} 200 from 10.1.2.3"
    else:
        text = f"AV scan sha256={value} clean=false host=ws-{i % 50}"
    return f"<134>1 {stamp} proxy-01 squid {i} - - {text}".encode()


def load(count: int, rng: random.Random) -> tuple[Any, list[tuple[str, str]], float]:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from hygie.core.models import Establishment, Organisation
    from hygie.intel.models import Indicator

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Bench GHT", kind="ght")
    establishment = Establishment.objects.create(
        organisation=organisation, name="CH Bench", kind="ch", finess_eg="010000024"
    )
    values = indicator_values(count, rng)
    started = time.perf_counter()
    # One INSERT per 20,000 rows through the DB-API (the ORM's bulk_create takes minutes for a
    # million rows): every column gets the model's default, prepared by its field.
    now = timezone.now()
    fields = [f for f in Indicator._meta.concrete_fields if not f.primary_key]
    given = {"establishment": establishment.pk, "tlp": "amber", "confidence": 70}
    given.update(created_at=now, updated_at=now, last_confirmed_at=now)
    defaults = []
    for field in fields:
        value = given.get(field.name, field.get_default())
        defaults.append(field.get_db_prep_save(value, connection))
    kind_at = [f.name for f in fields].index("kind")
    value_at = [f.name for f in fields].index("value")
    sql = (
        f"INSERT OR IGNORE INTO {Indicator._meta.db_table} "
        f"({', '.join(f.column for f in fields)}) VALUES ({', '.join('?' * len(fields))})"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        for begin in range(0, len(values), 20_000):
            rows = []
            for kind, value in values[begin : begin + 20_000]:
                row = list(defaults)
                row[kind_at], row[value_at] = kind, value
                rows.append(row)
            cursor.executemany(sql.replace("?", "%s"), rows)
    return establishment, values, time.perf_counter() - started


def run(establishment: Any, lines: list[bytes], observe: bool) -> float:
    """Events per CPU second of prepare + store over ``lines`` in batches (the live consumer's
    steps, in one process: CPU time, so that other work on a loaded machine weighs less)."""
    from datetime import UTC, datetime

    from hygie.detection import services
    from hygie.detection.prepare import Preparer

    engine = services.rule_engine()
    preparer = Preparer(engine, "syslog", keep_refs=False, observe=observe)
    context = services.StoreContext.load(establishment)
    started = time.process_time()
    for start in range(0, len(lines), BATCH):
        batch = preparer.prepare(lines[start : start + BATCH], datetime.now(UTC))
        services.store_prepared(context, batch)
    return len(lines) / (time.process_time() - started)


def run_live(consumer: Any, queue: Any, establishment: Any, lines: list[bytes]) -> float:
    """Events per second by the clock of the live pipeline over ``lines``: queued in batches
    of ``BATCH`` to the running consumer, until every one is stored. No socket: receiving
    costs the same with and without matching, but it runs in the storing process, which
    matching makes the busier of the two, so a live server's loss may be somewhat higher."""
    from hygie.detection.queue import EventBatch

    target = consumer.stats.stored + len(lines)
    started = time.perf_counter()
    for start in range(0, len(lines), BATCH):
        queue.publish(EventBatch(establishment.pk, "syslog", lines[start : start + BATCH]))
    while consumer.stats.stored < target:
        if consumer.stats.failed:
            raise SystemExit("the live pipeline failed to store a batch (see the log)")
        # Every wake-up takes the interpreter lock from the storing thread: a few per second
        # (the runs last seconds; the time is read to within 5 ms).
        time.sleep(0.005)
    return len(lines) / (time.perf_counter() - started)


def parts(establishment: Any, lines: list[bytes]) -> dict[str, float]:
    """µs per event of each part of indicator matching on ``lines`` (a stretch no run has read),
    timed inside one pipeline run rather than as a difference of two runs: picking the
    observable fields out of each event as the preparation loop has it (wall clock per event,
    less the timer's own cost: parsed in bulk and picked apart, the same events cost half as
    much), matching them (the establishment's matcher) and recording what matched (sightings,
    alerts, the indicators' counts), in CPU time per batch."""
    from hygie.detection import prepare
    from hygie.intel.services import matching

    clock = time.perf_counter_ns
    spent = {"picking": 0.0, "matching": 0.0, "recording": 0.0}
    picked_ns = [0]

    def timed(part: str, function: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[part] += time.process_time() - started

        return call

    pick = prepare.pick_observables

    def timed_pick(event: Any) -> Any:
        started = clock()
        found = pick(event)
        picked_ns[0] += clock() - started
        return found

    def untimed(event: Any) -> Any:  # the timer's own cost, measured the same way
        started = clock()
        picked_ns[0] += clock() - started
        return event

    events = [{"message": "x"}] * 20_000
    for event in events:
        untimed(event)
    overhead, picked_ns[0] = picked_ns[0] / len(events), 0
    matcher = matching.matcher_for(establishment.pk).matcher
    record = matching.record
    matcher.match_batch = timed("matching", matcher.match_batch)  # type: ignore[method-assign]
    matching.record = timed("recording", record)
    prepare.pick_observables = timed_pick
    try:
        run(establishment, lines, True)
    finally:
        del matcher.match_batch
        matching.record = record
        prepare.pick_observables = pick
    spent["picking"] = max(0.0, picked_ns[0] - overhead * len(lines)) / 1e9
    return {part: seconds / len(lines) * 1e6 for part, seconds in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--indicators", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--hit-every", type=int, default=HIT_EVERY)
    parser.add_argument("--distinct", type=int, default=DISTINCT)
    arguments = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="hygie-bench-intel-"))
    os.environ["HYGIE_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hygie.settings.production"
    import django

    django.setup()
    from hygie.core.registries import event_observers
    from hygie.detection.pipeline import IngestConsumer
    from hygie.detection.queue import InProcessQueue
    from hygie.detection.services import rule_engine
    from hygie.intel.models import Sighting
    from hygie.intel.services import matching

    rng = random.Random(14)
    establishment, values, loading = load(arguments.indicators, rng)
    print(f"{arguments.indicators:,} indicators stored in {loading:.1f} s")
    resident = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    started, cpu = time.perf_counter(), time.process_time()
    compiled = matching.matcher_for(establishment.pk)
    print(
        f"matcher compiled in {time.perf_counter() - started:.1f} s "
        f"({time.process_time() - cpu:.1f} s CPU): "
        f"{len(compiled.matcher):,} indicators ({compiled.matcher.backend}); peak resident "
        f"memory {resident / 1024:,.0f} MB before, "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB after"
    )
    rule_engine()  # compiled once, before the clock starts
    planted = [p for p in values[:20_000] if p[0] in ("ipv4", "domain", "url", "sha256")]
    planted = planted[: max(1, arguments.distinct)]
    every = max(1, arguments.hit_every)
    # One stretch of the stream per measure and round (and one for the warm-up): both runs of
    # a measure in a round read the same lines, but no run with matching reads lines the
    # matcher has seen before — its memos of clean values, words and pieces of text would
    # otherwise answer for lines of a log they have already read, which a live stream never
    # repeats whole (ids, ports, times change).
    count = arguments.events
    rounds = arguments.rounds
    lines = make_lines(count * (2 * rounds + 1))
    for i in range(every - 1, len(lines), every):
        lines[i] = hit_line(i, *planted[i // every % len(planted)])
    queue = InProcessQueue(max_lines=len(lines))
    consumer = IngestConsumer(queue)
    consumer.start()
    live: dict[bool, list[float]] = {False: [], True: []}
    cpu: dict[bool, list[float]] = {False: [], True: []}
    try:  # the consumer stopped whatever happens (its thread would keep the bench from exiting)
        warm_up = lines[: min(count, 2000)]
        run_live(consumer, queue, establishment, warm_up)  # starts the preparing process
        run(establishment, warm_up, True)
        before = Sighting.objects.count()
        for round_ in range(rounds):
            stretch = lines[(1 + 2 * round_) * count : (2 + 2 * round_) * count]
            with event_observers.override({}):
                live[False].append(run_live(consumer, queue, establishment, stretch))
            live[True].append(run_live(consumer, queue, establishment, stretch))
            stretch = lines[(2 + 2 * round_) * count : (3 + 2 * round_) * count]
            with event_observers.override({}):
                cpu[False].append(run(establishment, stretch, False))
            cpu[True].append(run(establishment, stretch, True))
    finally:
        queue.close()
        consumer.stop()
    sightings = (Sighting.objects.count() - before) // max(2 * rounds, 1)
    print(
        f"{count:,} events per run ({count // every:,} carrying one of "
        f"{len(planted)} indicators, {sightings:,} sightings per run), batches of {BATCH:,}, "
        f"{rounds} rounds, load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"live pipeline, as deployed ({consumer.processes} preparing process(es) on "
        f"{os.cpu_count()} cores), events per second:"
    )
    loss = _report(live)
    verdict = "within" if loss < TARGET_LOSS else "ABOVE"
    print(
        f"  throughput loss (median of the rounds): {loss:.1f} % "
        f"({verdict} the {TARGET_LOSS:.0f} % target)"
    )
    print("CPU cost, both halves in one process (as on a single core), events per CPU second:")
    cpu_loss = _report(cpu)
    print(f"  loss (median of the rounds): {cpu_loss:.1f} %")
    best_without = max(cpu[False])
    measured = parts(establishment, lines[min(count, 2000) : count])
    print(
        f"  its parts, timed inside one run ({1e6 / best_without:.0f} µs of CPU per event "
        "without): "
        + ", ".join(f"{part} {value:.1f} µs" for part, value in measured.items())
        + f" per event, {sum(measured.values()):.1f} µs in all"
    )


def _report(figures: dict[bool, list[float]]) -> float:
    """Print both kinds of run (best, then each) and the loss of each round (its two runs,
    back to back, on the same lines); return the median of those, in per cent. The machine's
    speed drifts over a bench (shared cores): a round's two runs see the same moment, while
    best against best may pair a fast moment with a slow one, either way."""
    for observed, label in (
        (False, "without indicator matching:"),
        (True, "with indicator matching:"),
    ):
        runs = ", ".join(f"{v:,.0f}" for v in figures[observed])
        print(f"  {label:<28}{max(figures[observed]):>9,.0f}  (runs: {runs})")
    losses = [(1 - w / wo) * 100 for wo, w in zip(figures[False], figures[True], strict=True)]
    best = (1 - max(figures[True]) / max(figures[False])) * 100
    print(
        "  loss per round: "
        + ", ".join(f"{loss:.1f} %" for loss in losses)
        + f"; best against best: {best:.1f} %"
    )
    return statistics.median(losses)


if __name__ == "__main__":
    main()
