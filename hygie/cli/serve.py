"""``hygie serve`` (web server with embedded task worker and scheduler), ``hygie worker``."""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from hygie.cli.runtime import setup_django

if TYPE_CHECKING:
    from waitress.server import BaseWSGIServer, MultiSocketServer

    from hygie.core.registries import ListenerEntry, NetworkListener


@click.command()
@click.option("--host", help="Address to listen on (default from HYGIE_LISTEN, 127.0.0.1).")
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    help="Port to listen on (default from HYGIE_LISTEN, 8000).",
)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Web request threads.",
)
@click.option(
    "--worker/--no-worker",
    "with_worker",
    default=True,
    show_default=True,
    help="Run the background task worker and scheduler in this process "
    "(--no-worker when separate `hygie worker` processes run them).",
)
@click.option(
    "--listeners/--no-listeners",
    "with_listeners",
    default=True,
    show_default=True,
    help="Run the network receivers the modules' settings ask for (syslog: HYGIE_SYSLOG_UDP/TCP/"
    "TLS; reported mails over SMTP: HYGIE_AWARENESS_SMTP_LISTEN).",
)
def serve(
    host: str | None, port: int | None, threads: int, with_worker: bool, with_listeners: bool
) -> None:
    """Run the web server, with the task worker and scheduler.

    Production server (waitress) with static files; background tasks run in the same process
    unless --no-worker.
    """
    setup_django()
    from django.conf import settings
    from waitress.server import create_server

    from hygie.config import parse_listen
    from hygie.core.services.scheduler import Scheduler
    from hygie.core.services.worker import WorkerThread

    default_host, default_port = parse_listen(settings.CONFIG.listen)
    _warn_if_unmigrated()
    # Static files are served from the package (finders); an empty STATIC_ROOT keeps WhiteNoise
    # from warning that it is missing.
    Path(settings.STATIC_ROOT).mkdir(mode=0o700, parents=True, exist_ok=True)
    proxy_options: dict[str, Any] = {}
    if settings.CONFIG.behind_tls_proxy:
        # Let waitress take the client address and scheme from the proxy we trust, so the audit
        # trail and the lockout see the real client, not the proxy.
        proxy_options = {
            "trusted_proxy": settings.CONFIG.trusted_proxy,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
        }
    from hygie.wsgi import application

    server = create_server(
        application,
        host=host or default_host,
        port=port or default_port,
        threads=threads,
        ident="Hygie",
        **proxy_options,
    )
    background = [WorkerThread(), Scheduler()] if with_worker else []
    listeners = _configured_listeners() if with_listeners else []
    for thread in background:
        thread.start()
    for entry, listener in listeners:
        listener.start()
        click.echo(entry.describe(listener), err=True)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    urls = ", ".join(
        f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"
        for host, port in _listening_on(server)
    )
    click.echo(
        f"Hygie is listening on {urls} "
        f"({'with' if with_worker else 'without'} the embedded task worker); "
        "Ctrl+C to stop.",
        err=True,
    )
    try:
        server.run()  # returns after SIGINT/SIGTERM, once in-flight requests are done
    finally:
        server.close()
        # Receivers stop before the worker, in reverse order: what they queued is stored first.
        for entry, listener in reversed(listeners):
            if entry.stopping:
                click.echo(entry.stopping, err=True)
            listener.stop()
        _stop_background(background)


def _configured_listeners() -> list[tuple[ListenerEntry, NetworkListener]]:
    """The installed modules' network receivers their settings ask for, in module order."""
    from hygie.core.registries import network_listeners

    found = []
    for key in network_listeners:
        entry = network_listeners.get(key)
        listener = entry.configured()
        if listener is not None:
            found.append((entry, listener))
    return found


def _listening_on(server: MultiSocketServer | BaseWSGIServer) -> list[tuple[str, int | str]]:
    """The bound addresses: a host name may resolve to several (e.g. localhost, IPv4 and IPv6),
    and waitress then returns one server per address under a MultiSocketServer."""
    from waitress.server import MultiSocketServer, TcpWSGIServer

    if isinstance(server, MultiSocketServer):
        return list(server.effective_listen)
    if isinstance(server, TcpWSGIServer):
        return [server.getsockname()]
    return []


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    # waitress' loop treats SystemExit like Ctrl+C: it stops accepting and drains its threads.
    raise SystemExit(0)


def _stop_background(threads: list) -> None:
    if not threads:
        return
    for thread in threads:
        thread.stop()
    click.echo(
        "Stopping: finishing the current background task (press Ctrl+C again to abandon it).",
        err=True,
    )
    try:
        for thread in threads:
            thread.join()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Abandoned the current background task; it is marked as interrupted.", err=True)
        raise SystemExit(1) from None
    click.echo("Stopped.", err=True)


def _warn_if_unmigrated() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        click.secho(
            "Warning: the database is not up to date; run `hygie migrate` first.",
            fg="yellow",
            err=True,
        )


@click.command()
@click.option(
    "--scheduler/--no-scheduler",
    "with_scheduler",
    default=True,
    show_default=True,
    help="Also start periodic jobs (safe on several workers: they never duplicate).",
)
@click.option(
    "--interval",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0.1, 60),
    help="Seconds between queue polls when idle.",
)
@click.option("--batch", is_flag=True, help="Run the queued tasks, then exit.")
def worker(with_scheduler: bool, interval: float, batch: bool) -> None:
    """Run background tasks in a separate process.

    For scaled deployments next to `hygie serve --no-worker`; several may run on PostgreSQL.
    """
    setup_django()
    from hygie.core.services.scheduler import Scheduler
    from hygie.core.services.worker import StoppableWorker

    task_worker = StoppableWorker(interval=interval, batch=batch)
    scheduler = Scheduler() if with_scheduler and not batch else None

    def stop(signum: int, frame: FrameType | None) -> None:
        if not task_worker.running:
            click.echo("Abandoning the current task.", err=True)
            sys.exit(1)
        click.echo("Stopping after the current task (signal again to abandon it).", err=True)
        task_worker.stop()
        if scheduler is not None:
            scheduler.stop()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    if scheduler is not None:
        scheduler.start()
    click.echo(f"Hygie worker {task_worker.worker_id} is waiting for tasks.", err=True)
    task_worker.run()
    if scheduler is not None:
        scheduler.stop()
        scheduler.join()
