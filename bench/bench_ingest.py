"""Live syslog ingest: sustained events/s through parse + detection + storage, and loss.

Hygie's TCP syslog receiver runs in this process against a fresh SQLite data folder (migrated,
healthcare rule pack loaded); a separate process sends M syslog lines (RFC 5424 and RFC 3164,
sshd/sudo/web, some matching rules) over TCP on 127.0.0.1 as fast as it can, then closes. We
wait until every line is stored and report sent, stored, loss and events/s.

Baseline, measured in the same run with the same sender: a plain loop that receives the lines
and writes them raw into SQLite (no parsing, no detection, no normalisation). It is an upper
bound for storage through Python and SQLite on this machine, not a peer tool.

With ``--postgres URL`` (or ``HYGIE_BENCH_POSTGRES_URL``, e.g.
``postgresql://postgres@127.0.0.1:5432/postgres``) Hygie also runs against a fresh PostgreSQL
database created on that server (and dropped afterwards). Each Hygie run is a child process,
as ``hygie serve`` would be: one receiving and storing, one preparing (``--processes``).

    .venv/bin/python bench/bench_ingest.py                  # 200,000 events
    .venv/bin/python bench/bench_ingest.py --events 20000   # quick run
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

TARGET_EPS = 20_000


def make_lines(count: int) -> list[bytes]:
    """Varied lines; about 1 in 50 is a failed root login or a sudo shell (rule candidates)."""
    templates = [
        b"<38>1 2026-03-02T10:%02d:%02dZ ehr-%d sshd %d - - Accepted publickey for nurse%d "
        b"from 10.1.%d.%d port 50022 ssh2",
        b"<86>Mar  2 10:%02d:%02d ward-pc-%d sudo: user%d : TTY=pts/%d ; PWD=/home ; "
        b"USER=root ; COMMAND=/usr/bin/systemctl status cups%d",
        b"<134>1 2026-03-02T10:%02d:%02dZ portal-%d nginx %d - - 10.2.%d.%d - - "
        b"\"GET /patients/%d HTTP/1.1\" 200 512",
        b"<38>Mar  2 10:%02d:%02d pacs-%d sshd[%d]: Failed password for root from "
        b"10.9.%d.%d port %d ssh2",
    ]
    lines = []
    for i in range(count):
        kind = 3 if i % 50 == 0 else i % 3
        values = (i // 60 % 60, i % 60, i % 20, 1000 + i % 30000, i % 200, i % 250, i % 250)
        lines.append(templates[kind] % values[:templates[kind].count(b"%")])
    return lines


def send(port: int, count: int) -> None:
    """Child process: send ``count`` LF-framed lines as fast as possible, then close."""
    payload = b"\n".join(make_lines(count)) + b"\n"
    with socket.create_connection(("127.0.0.1", port)) as client:
        view, chunk = memoryview(payload), 256 * 1024
        for start in range(0, len(payload), chunk):
            client.sendall(view[start:start + chunk])
    print(count, flush=True)


def start_sender(port: int, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, __file__, "--send", str(port), "--events",
                             str(count)], stdout=subprocess.PIPE, text=True)


def run_hygie_child(count: int, home: Path, database_url: str = "",
                    processes: int = -1) -> dict[str, float]:
    """Run ``run_hygie`` in a fresh process (Django is set up once per process)."""
    command = [sys.executable, __file__, "--hygie", str(home), "--events", str(count),
               "--processes", str(processes)]
    environment = dict(os.environ)
    if database_url:
        environment["HYGIE_DATABASE_URL"] = database_url
    output = subprocess.run(command, check=True, capture_output=True, text=True,
                            env=environment).stdout
    return json.loads(output.strip().splitlines()[-1])


def run_hygie(count: int, home: Path, processes: int = -1) -> dict[str, float]:
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
    establishment = Establishment.objects.create(organisation=organisation, name="CH Bench",
                                                 kind="ch", finess_eg="010000024")
    rules = len(rule_engine().rules)  # compiled once, before the clock starts
    receivers = SyslogListeners(establishment.pk, tcp="127.0.0.1:0", processes=processes)
    receivers.start()
    sender = start_sender(receivers.addresses()["tcp"][1], count)
    started = time.perf_counter()
    sent = int(sender.communicate()[0].strip() or 0)
    deadline = time.monotonic() + max(120, count / 1000)
    while receivers.stats.stored + receivers.stats.failed < sent and time.monotonic() < deadline:
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    receivers.stop()
    stored = Event.objects.count()
    from django.db import connection

    return {"sent": sent, "stored": stored, "seconds": elapsed, "rules": rules,
            "alerts": _alerts(establishment), "database": connection.vendor,
            "failed": receivers.stats.failed}


def _alerts(establishment: object) -> int:
    from hygie.core.models import Alert

    return Alert.objects.filter(establishment=establishment).count()


def run_baseline(count: int, home: Path) -> dict[str, float]:
    """Receive lines and insert them raw into SQLite in batches of 1,000: no parse, no rules."""
    database = sqlite3.connect(home / "baseline.sqlite3")
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("CREATE TABLE event (id INTEGER PRIMARY KEY, received REAL, raw TEXT)")
    with socket.create_server(("127.0.0.1", 0)) as server:
        sender = start_sender(server.getsockname()[1], count)
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
                        database.executemany("INSERT INTO event (received, raw) VALUES (?, ?)",
                                             batch)
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
    parser.add_argument("--processes", type=int, default=-1,
                        help="preparing processes (-1: one when there are 2+ cores)")
    parser.add_argument("--postgres", default=os.environ.get("HYGIE_BENCH_POSTGRES_URL", ""),
                        help="also run Hygie on a fresh database of this PostgreSQL server")
    parser.add_argument("--send", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--hygie", metavar="HOME", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.send:
        send(args.send, args.events)
        return
    if args.hygie:
        print(json.dumps(run_hygie(args.events, Path(args.hygie), args.processes)))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="hygie-bench-ingest-") as folder:
        home = Path(folder)
        baseline = run_baseline(args.events, home)
        (home / "sqlite").mkdir()
        hygie = run_hygie_child(args.events, home / "sqlite", processes=args.processes)
        rows.append(("Hygie, SQLite (parse + detection + storage)", hygie))
        if args.postgres:
            database = _PostgresDatabase(args.postgres)
            try:
                (home / "postgres").mkdir()
                rows.append(("Hygie, PostgreSQL (same)", run_hygie_child(
                    args.events, home / "postgres", database.url, args.processes)))
            finally:
                database.drop()
    rows.append(("baseline: raw lines into SQLite (bound)", baseline))
    print(f"\nLive syslog ingest over TCP, {args.events:,} events, 127.0.0.1, "
          f"{os.cpu_count()} CPUs; Hygie with {hygie['rules']} rules, {hygie['alerts']} alerts")
    print(f"{'':46} {'sent':>9} {'stored':>9} {'loss':>6} {'seconds':>8} {'events/s':>9}")
    for label, row in rows:
        loss = row["sent"] - row["stored"]
        print(f"{label:46} {row['sent']:>9,} {row['stored']:>9,} {loss:>6,} "
              f"{row['seconds']:>8.2f} {row['sent'] / row['seconds']:>9,.0f}")
    eps = hygie["sent"] / hygie["seconds"]
    bound = baseline["sent"] / baseline["seconds"]
    verdict = "met" if eps >= TARGET_EPS and hygie["sent"] == hygie["stored"] else "NOT met"
    print(f"Hygie (SQLite) / baseline: {eps / bound:.2f}. Target ≥ {TARGET_EPS:,} events/s with "
          f"zero loss: {verdict}. The baseline does no parsing or detection: an upper bound, "
          "not a peer tool.")


if __name__ == "__main__":
    main()
