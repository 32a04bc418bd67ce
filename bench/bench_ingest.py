"""Live syslog ingest: sustained events/s through parse + detection + storage, and loss.

Hygie's TCP syslog receiver runs in this process against a fresh SQLite data folder (migrated,
healthcare rule pack loaded); a separate process sends M lines of a hospital's mixed stream
(RFC 5424 and RFC 3164 syslog, auth.log sshd/sudo/PAM lines, web access lines, HL7 v2, FHIR
AuditEvent JSON; some of them match the healthcare rules, see ``make_lines``) over TCP on
127.0.0.1 as fast as it can, then closes. We wait until every line is stored and report sent,
stored, loss, alerts raised and events/s, with the load average (other work on the machine
slows every figure down: compare runs made under the same load).

Baseline, measured in the same run with the same sender: a plain loop that receives the lines
and writes them raw into SQLite (no parsing, no detection, no normalisation). It is an upper
bound for storage through Python and SQLite on this machine, not a peer tool.

With ``--postgres URL`` (or ``HYGIE_BENCH_POSTGRES_URL``, e.g.
``postgresql://postgres@127.0.0.1:5432/postgres``) Hygie also runs against a fresh PostgreSQL
database created on that server (and dropped afterwards). Each Hygie run is a child process,
as ``hygie serve`` would be: one receiving and storing, one preparing (``--processes``).

    .venv/bin/python bench/bench_ingest.py                  # 200,000 events
    .venv/bin/python bench/bench_ingest.py --events 20000   # quick run
    .venv/bin/python bench/bench_ingest.py --profile-store   # + cProfile of the storing thread
    .venv/bin/python bench/bench_ingest.py --store-only      # storing CPU alone, no network
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TARGET_EPS = 20_000


_BASE = 1_772_445_600  # 2026-03-02T10:00:00Z: lines advance one second every 100 lines
_MONTH = b"Mar"


def _stamps(i: int) -> tuple[bytes, bytes, bytes]:
    """RFC 3339 (UTC), BSD (``Mar  2 10:00:00``) and CLF times of line ``i``."""
    seconds = _BASE + i // 100
    hour, minute, second = seconds // 3600 % 24, seconds // 60 % 60, seconds % 60
    rfc3339 = b"2026-03-02T%02d:%02d:%02dZ" % (hour, minute, second)
    # The BSD and CLF lines come from hosts on Paris time (UTC+1), as on a French site.
    bsd = b"%s  2 %02d:%02d:%02d" % (_MONTH, (hour + 1) % 24, minute, second)
    clf = b"02/%s/2026:%02d:%02d:%02d +0100" % (_MONTH, (hour + 1) % 24, minute, second)
    return rfc3339, bsd, clf


# One template per kind: (weight in 100 lines, function of the line number).
def _rfc5424_sshd(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    return (
        b"<38>1 %s ehr-%d.chu.local sshd %d - - Accepted publickey for nurse%d from "
        b"10.1.%d.%d port %d ssh2"
        % (t[0], i % 20, 1000 + i % 30000, i % 200, i % 250, i % 249 + 1, 40000 + i % 20000)
    )


def _rfc5424_app(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    return (
        b'<134>1 %s dpi-app-%d.chu.local dpi %d AUDIT [origin ip="10.3.%d.%d"]'
        b'[meta sequenceId="%d"] \xef\xbb\xbfuser doc%d opened record %d'
        % (t[0], i % 8, 2000 + i % 500, i % 250, i % 249 + 1, i, i % 90, 100000 + i)
    )


def _rfc5424_sudo(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    return (
        b"<86>1 %s biomed-gw%02d sudo - - - tech%d : TTY=pts/%d ; PWD=/opt/bridge ; "
        b"USER=root ; COMMAND=/usr/bin/systemctl restart pump-bridge"
        % (t[0], i // 100 % 4, i // 100 % 5, i % 9)
    )


def _rfc3164_sshd_failed(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    # Background noise: scattered failures (typos, expired keys) from many addresses; the
    # first 400 lines of every 10,000 hold a guessing run (about 40 failures from one address
    # against one PACS, within a batch or two), which the brute-force rule must catch.
    if i % 10_000 < 400:
        host, address = b"pacs01", b"203.0.113.%d" % (50 + i // 10_000 % 4)
    else:
        host, address = b"pacs%02d" % (i // 100 % 12), b"10.4.%d.%d" % (i // 100 % 250, i % 250)
    return b"<38>%s %s sshd[%d]: Failed password for %s from %s port %d ssh2" % (
        t[1],
        host,
        5000 + i % 4000,
        (b"root", b"admin", b"invalid user pacsadmin")[i % 3],
        address,
        40000 + i % 20000,
    )


def _rfc3164_sudo(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    return (
        b"<86>%s ward-pc-%d sudo:   user%d : TTY=pts/%d ; PWD=/home/user%d ; USER=root ; "
        b"COMMAND=/usr/bin/systemctl status cups" % (t[1], i % 20, i % 50, i % 9, i % 50)
    )


def _rfc3164_cron(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    return b"<78>%s lab-srv-%d CRON[%d]: (root) CMD (/usr/local/bin/backup-lis --incremental)" % (
        t[1],
        i % 6,
        3000 + i % 5000,
    )


def _file_sshd(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    # /var/log/auth.log lines forwarded as they are (no PRI), as rsyslog's imfile sends them.
    return (
        b"%s ehr-db%d sshd[%d]: pam_unix(sshd:session): session opened for user "
        b"svc_backup(uid=%d) by (uid=0)" % (t[1], i % 3, 7000 + i % 900, 1000 + i % 7)
    )


def _web(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    return (
        b'10.2.%d.%d - - [%s] "GET /portail/rendez-vous/%d?service=cardio HTTP/1.1" 200 '
        b'%d "https://portail.chu.local/" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"'
        % (i % 250, i % 249 + 1, t[2], i % 5000, 500 + i % 4000)
    )


def _web_sqli(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    return (
        b'203.0.113.77 - - [%s] "GET /resultats?q=1+UNION+SELECT+username,password+FROM+'
        b'users-- HTTP/1.1" 500 512 "-" "sqlmap/1.8"' % t[2]
    )


def _web_fhir_export(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    return (
        b'198.51.100.%d - - [%s] "GET /fhir/$export?_type=Patient,Observation HTTP/1.1" '
        b'202 0 "-" "python-httpx/0.27"' % (20 + i % 3, t[2])
    )


def _fhir_audit(i: int, t: tuple[bytes, bytes, bytes], purpose: bytes = b"") -> bytes:
    return (
        b'{"resourceType": "AuditEvent", "type": {"system": "http://terminology.hl7.org/'
        b'CodeSystem/audit-event-type", "code": "rest"}, "subtype": [{"system": '
        b'"http://hl7.org/fhir/restful-interaction", "code": "read"}], "action": "R", '
        b'"recorded": "%s", "outcome": "0", "agent": [{"who": {"identifier": {"value": '
        b'"dr.user%d"}}, "requestor": true, "network": {"address": "10.1.2.%d", "type": '
        b'"2"}}], "source": {"site": "CHU Nord", "observer": {"display": "ehr-fhir-01"}}, '
        b'"entity": [{"what": {"reference": "Patient/p%d"}}]%s}'
        % (t[0], i // 100 % 40, i // 100 % 250, i % 9000, purpose)
    )


def _fhir_break_the_glass(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    return _fhir_audit(
        i,
        t,
        b', "purposeOfEvent": [{"coding": [{"system": "http://terminology.'
        b'hl7.org/CodeSystem/v3-ActReason", "code": "BTG"}]}]',
    )


def _hl7(i: int, t: tuple[bytes, bytes, bytes]) -> bytes:
    # Every HL7 message alerts until the site lists its partner facilities (%hl7_known_...%).
    return (
        b"MSH|^~\\&|ADT|%s|EHR|CHU-NORD|20260302100000+0100||ADT^A01^ADT_A01|MSG%d|P|2.5"
        b"\rPID|1||%d^^^CHU-NORD^PI||TEST^PATIENT||19700101|U"
        % ((b"CHU-NORD", b"CLIN-SUD")[i // 1000 % 2], i, 100000 + i)
    )


_MIX = (
    (20, _rfc5424_sshd),
    (10, _rfc5424_app),
    (1, _rfc5424_sudo),
    (10, _rfc3164_sshd_failed),
    (9, _rfc3164_sudo),
    (10, _rfc3164_cron),
    (10, _file_sshd),
    (29, _web),
    (1, _fhir_audit),
)
_KINDS = [kind for weight, kind in _MIX for _ in range(weight)]
assert len(_KINDS) == 100
# Lines that raise an alert on their own, taken in turn.
_MATCHING = (_web_sqli, _web_fhir_export, _hl7, _fhir_break_the_glass)
MATCH_EVERY = 1000


def make_lines(count: int, match_every: int = MATCH_EVERY) -> list[bytes]:
    """A hospital's mixed stream, in time order (one second per 100 lines).

    Per 100 lines: 31 RFC 5424 (sshd logins, an application audit trail with structured
    data, sudo to root on a biomedical gateway), 29 RFC 3164 with PRI (failed SSH logins,
    sudo, cron), 10 auth.log lines without PRI (PAM sessions), 29 web access lines (patient
    portal) and 1 FHIR AuditEvent (JSON) from the EHR. Kinds are interleaved (slot
    ``i * 37 % 100``). On top of that, one line in ``match_every`` (0: none) raises an alert
    on its own, in turn: SQL injection on the portal, FHIR bulk ``$export``, an HL7 v2
    message (every facility is unknown until the site lists them), a break-the-glass
    access; and every 10,000 lines hold an SSH guessing run against a PACS (brute-force
    correlation). The sudo-to-root lines on biomedical gateways would match a rule whose
    host list (%medical_device_gateways%) a fresh install leaves empty, so they do not.
    """
    kinds, matching = _KINDS, _MATCHING
    lines = []
    for i in range(count):
        if match_every and i % match_every == match_every - 1:
            kind = matching[i // match_every % len(matching)]
        else:
            kind = kinds[i * 37 % 100]
        lines.append(kind(i, _stamps(i)))
    return lines


def send(port: int, count: int, match_every: int = MATCH_EVERY) -> None:
    """Child process: send ``count`` LF-framed lines as fast as possible, then close."""
    payload = b"\n".join(make_lines(count, match_every)) + b"\n"
    with socket.create_connection(("127.0.0.1", port)) as client:
        view, chunk = memoryview(payload), 256 * 1024
        for start in range(0, len(payload), chunk):
            client.sendall(view[start : start + chunk])
    print(count, flush=True)


def start_sender(port: int, count: int, match_every: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--send",
            str(port),
            "--events",
            str(count),
            "--match-every",
            str(match_every),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def run_hygie_child(
    count: int,
    home: Path,
    database_url: str = "",
    processes: int = -1,
    match_every: int = MATCH_EVERY,
    profile: str = "",
) -> dict[str, Any]:
    """Run ``run_hygie`` in a fresh process (Django is set up once per process)."""
    command = [
        sys.executable,
        __file__,
        "--hygie",
        str(home),
        "--events",
        str(count),
        "--processes",
        str(processes),
        "--match-every",
        str(match_every),
    ]
    if profile:
        command += ["--profile-store", profile]
    environment = dict(os.environ)
    if database_url:
        environment["HYGIE_DATABASE_URL"] = database_url
    output = subprocess.run(
        command, check=True, capture_output=True, text=True, env=environment
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_hygie(
    count: int, home: Path, processes: int = -1, match_every: int = MATCH_EVERY, profile: str = ""
) -> dict[str, Any]:
    os.environ["HYGIE_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hygie.settings.production"
    import django

    django.setup()
    from django.core.management import call_command

    from hygie.core.models import Establishment, Organisation
    from hygie.detection.listeners import SyslogListeners
    from hygie.detection.models import Event
    from hygie.detection.services import rule_engine

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Bench GHT", kind="ght")
    establishment = Establishment.objects.create(
        organisation=organisation, name="CH Bench", kind="ch", finess_eg="010000024"
    )
    rules = len(rule_engine().rules)  # compiled once, before the clock starts
    receivers = SyslogListeners(establishment.pk, tcp="127.0.0.1:0", processes=processes)
    receivers.start()
    port = receivers.addresses()["tcp"][1]
    # Warm-up: a running server has its preparing processes started and its rules compiled.
    warm_up = int(start_sender(port, WARM_UP, 0).communicate()[0].strip() or 0)
    _wait_stored(receivers, warm_up, deadline=time.monotonic() + 120)
    warmed = Event.objects.count()
    profiler = _profile_consumer(receivers.consumer) if profile else None
    cpu_before = _cpu_seconds()
    sender = start_sender(port, count, match_every)
    started = time.perf_counter()
    sent = int(sender.communicate()[0].strip() or 0)
    _wait_stored(receivers, warm_up + sent, deadline=time.monotonic() + max(120, count / 1000))
    elapsed = time.perf_counter() - started
    cpu_after = _cpu_seconds()
    receivers.stop()
    if profiler is not None:
        profiler.dump_stats(profile)
    stored = Event.objects.count() - warmed
    from django.db import connection

    return {
        "sent": sent,
        "stored": stored,
        "seconds": elapsed,
        "rules": rules,
        **_alerts(establishment),
        "database": connection.vendor,
        "failed": receivers.stats.failed,
        "load": os.getloadavg()[0],
        "cpu_store_us": (cpu_after[0] - cpu_before[0]) / max(sent, 1) * 1e6,
        "cpu_prepare_us": (cpu_after[1] - cpu_before[1]) / max(sent, 1) * 1e6,
    }


WARM_UP = 2000


def _profile_consumer(consumer: Any) -> Any:
    """A profiler of the consumer thread's storing (prepared batch → insert, alerts → ack) from
    now on; cProfile only sees the thread that enables it, hence a wrapper of ``_store``."""
    import cProfile

    profiler = cProfile.Profile()
    store = consumer._store

    def profiled_store(job: Any) -> None:
        profiler.enable()
        try:
            store(job)
        finally:
            profiler.disable()

    consumer._store = profiled_store
    return profiler


def _wait_stored(receivers: Any, count: int, deadline: float) -> None:
    while receivers.stats.stored + receivers.stats.failed < count and time.monotonic() < deadline:
        time.sleep(0.01)


def _cpu_seconds() -> tuple[float, float]:
    """CPU seconds of this process (receivers, consumer, storage) and of its live children
    (the preparing processes), read from /proc; children are 0 where there is no /proc."""
    import multiprocessing

    own = time.process_time()
    children = 0.0
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for child in multiprocessing.active_children():
        try:
            fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return own, children


def _alerts(establishment: object) -> dict[str, object]:
    """Alerts raised (grouped on rule + entity), their occurrences, and the rules behind them."""
    from django.db.models import Sum

    from hygie.core.models import Alert

    alerts = Alert.objects.filter(establishment=establishment)
    return {
        "alerts": alerts.count(),
        "occurrences": alerts.aggregate(total=Sum("occurrences"))["total"] or 0,
        "alert_rules": alerts.values("title").distinct().count(),
        "alert_titles": sorted(set(alerts.values_list("title", flat=True))),
    }


def run_baseline(count: int, home: Path, match_every: int = MATCH_EVERY) -> dict[str, Any]:
    """Receive lines and insert them raw into SQLite in batches of 1,000: no parse, no rules."""
    database = sqlite3.connect(home / "baseline.sqlite3")
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("CREATE TABLE event (id INTEGER PRIMARY KEY, received REAL, raw TEXT)")
    with socket.create_server(("127.0.0.1", 0)) as server:
        sender = start_sender(server.getsockname()[1], count, match_every)
        started = time.perf_counter()
        connection, _ = server.accept()
        stored, tail, batch = 0, b"", []
        with connection:
            while data := connection.recv(65536):
                lines = (tail + data).split(b"\n")
                tail = lines.pop()
                now = time.time()
                batch.extend((now, line.decode("utf-8", "replace")) for line in lines if line)
                if len(batch) >= 1000:
                    with database:
                        database.executemany(
                            "INSERT INTO event (received, raw) VALUES (?, ?)", batch
                        )
                    stored, batch = stored + len(batch), []
        if tail:
            batch.append((time.time(), tail.decode("utf-8", "replace")))
        with database:
            database.executemany("INSERT INTO event (received, raw) VALUES (?, ?)", batch)
        stored += len(batch)
        elapsed = time.perf_counter() - started
        sent = int(sender.communicate()[0].strip() or 0)
    stored = database.execute("SELECT count(*) FROM event").fetchone()[0]
    database.close()
    return {"sent": sent, "stored": stored, "seconds": elapsed}


def run_store_only(count: int, home: Path, match_every: int) -> None:
    """The storing half alone: prepare the lines in batches of 1,000 first, then time
    ``store_prepared`` over them (CPU of this process), with the time spent raising alerts."""
    os.environ["HYGIE_HOME"] = str(home)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hygie.settings.production"
    import django

    django.setup()
    from datetime import UTC, datetime

    from django.core.management import call_command
    from django.db.models import Sum

    from hygie.core.models import Alert, Establishment, Organisation
    from hygie.detection import services
    from hygie.detection.prepare import Preparer

    call_command("migrate", verbosity=0)
    organisation = Organisation.objects.create(name="Bench GHT", kind="ght")
    establishment = Establishment.objects.create(
        organisation=organisation, name="CH Bench", kind="ch", finess_eg="010000024"
    )
    lines, batches = make_lines(count, match_every), []
    for start in range(0, count, 1000):
        preparer = Preparer(services.rule_engine(), "syslog", keep_refs=False)
        batch = preparer.prepare(lines[start : start + 1000], datetime.now(UTC))
        batch.matches.extend(preparer.finish())
        batches.append(batch)
    matches = sum(len(batch.matches) for batch in batches)
    raising, alerting = services._raise_alerts, [0.0]

    def timed(*args: Any) -> None:
        started = time.process_time()
        raising(*args)
        alerting[0] += time.process_time() - started

    services._raise_alerts = timed
    started = time.process_time()
    for batch in batches:
        services.store_prepared(services.StoreContext.load(establishment), batch)
    spent = time.process_time() - started
    alerts = Alert.objects.filter(establishment=establishment)
    print(
        f"Storing alone, {count:,} events in batches of 1,000, {matches:,} rule matches, "
        f"load average {os.getloadavg()[0]:.2f}: {spent / count * 1e6:.1f} µs CPU per event, "
        f"of which alerts {alerting[0] / count * 1e6:.1f} "
        f"({alerting[0] / max(matches, 1) * 1e6:.0f} µs per match); {alerts.count()} alerts, "
        f"{alerts.aggregate(total=Sum('occurrences'))['total'] or 0:,} occurrences."
    )


def _print_profile(path: str) -> None:
    import pstats

    if not Path(path).exists():
        print(f"no profile written to {path}")
        return
    print(
        "\nThe storing thread (store_prepared and what it calls), by own time; a lock's "
        "'acquire' is the wait for the preparing process:"
    )
    pstats.Stats(path).sort_stats("tottime").print_stats(20)


class _PostgresDatabase:
    """A fresh database on the server ``url`` points to, dropped afterwards."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.server_url = url
        self.name = f"hygie_bench_{os.getpid()}"
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f"CREATE DATABASE {self.name}")
        self.url = url.rsplit("/", 1)[0] + "/" + self.name

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument(
        "--match-every",
        type=int,
        default=MATCH_EVERY,
        metavar="N",
        help=f"one line in N raises an alert on its own (default {MATCH_EVERY}; "
        "0: none); SSH guessing runs come on top",
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=-1,
        help="preparing processes (-1: one when there are 2+ cores)",
    )
    parser.add_argument(
        "--postgres",
        default=os.environ.get("HYGIE_BENCH_POSTGRES_URL", ""),
        help="also run Hygie on a fresh database of this PostgreSQL server",
    )
    parser.add_argument(
        "--profile-store",
        nargs="?",
        const="-",
        default="",
        metavar="FILE",
        help="profile the storing thread (cProfile) of the SQLite run; print "
        "its top functions (and keep the statistics in FILE)",
    )
    parser.add_argument(
        "--store-only",
        action="store_true",
        help="measure the storing half alone (store_prepared over batches "
        "prepared beforehand, SQLite), no receiver, no baseline",
    )
    parser.add_argument("--send", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--hygie", metavar="HOME", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.send:
        send(args.send, args.events, args.match_every)
        return
    if args.hygie:
        print(
            json.dumps(
                run_hygie(
                    args.events,
                    Path(args.hygie),
                    args.processes,
                    args.match_every,
                    args.profile_store,
                )
            )
        )
        return
    if args.store_only:
        with tempfile.TemporaryDirectory(prefix="hygie-bench-store-") as folder:
            run_store_only(args.events, Path(folder), args.match_every)
        return
    print(
        f"load average before the runs: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)",
        flush=True,
    )
    rows = []
    with tempfile.TemporaryDirectory(prefix="hygie-bench-ingest-") as folder:
        home = Path(folder)
        baseline = run_baseline(args.events, home, args.match_every)
        (home / "sqlite").mkdir()
        profile = (
            ""
            if not args.profile_store
            else (str(home / "store.prof") if args.profile_store == "-" else args.profile_store)
        )
        hygie = run_hygie_child(
            args.events,
            home / "sqlite",
            processes=args.processes,
            match_every=args.match_every,
            profile=profile,
        )
        if profile:
            _print_profile(profile)
        rows.append(("Hygie, SQLite (parse + detection + storage)", hygie))
        if args.postgres:
            database = _PostgresDatabase(args.postgres)
            try:
                (home / "postgres").mkdir()
                rows.append(
                    (
                        "Hygie, PostgreSQL (same)",
                        run_hygie_child(
                            args.events,
                            home / "postgres",
                            database.url,
                            args.processes,
                            args.match_every,
                        ),
                    )
                )
            finally:
                database.drop()
    rows.append(("baseline: raw lines into SQLite (bound)", baseline))
    print(
        f"\nLive syslog ingest over TCP, {args.events:,} events, 127.0.0.1, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end; Hygie "
        f"with {hygie['rules']} rules; "
        + (
            f"1 line in {args.match_every:,} matches a rule"
            if args.match_every
            else "no line matches a rule on its own"
        )
        + ", plus an SSH guessing run every 10,000 lines"
    )
    print(
        f"{'':46} {'sent':>9} {'stored':>9} {'loss':>6} {'alerts':>7} {'seconds':>8} "
        f"{'events/s':>9}  CPU µs/event (store + prepare)"
    )
    for label, row in rows:
        loss = row["sent"] - row["stored"]
        alerts = f"{row['alerts']:,}" if "alerts" in row else "-"
        cpu = (
            f"  {row['cpu_store_us']:.0f} + {row['cpu_prepare_us']:.0f}"
            if "cpu_store_us" in row
            else ""
        )
        print(
            f"{label:46} {row['sent']:>9,} {row['stored']:>9,} {loss:>6,} {alerts:>7} "
            f"{row['seconds']:>8.2f} {row['sent'] / row['seconds']:>9,.0f}{cpu}"
        )
    print(
        f"Alerts (Hygie, SQLite): {hygie['alerts']:,} from {hygie['alert_rules']} rules, "
        f"{hygie['occurrences']:,} occurrences (repeats of one rule and entity are grouped): "
        + "; ".join(hygie["alert_titles"])
        + "."
    )
    eps = hygie["sent"] / hygie["seconds"]
    bound = baseline["sent"] / baseline["seconds"]
    verdict = "met" if eps >= TARGET_EPS and hygie["sent"] == hygie["stored"] else "NOT met"
    print(
        f"Hygie (SQLite) / baseline: {eps / bound:.2f}. Target ≥ {TARGET_EPS:,} events/s with "
        f"zero loss: {verdict}. The baseline does no parsing or detection: an upper bound, "
        "not a peer tool."
    )


if __name__ == "__main__":
    main()
