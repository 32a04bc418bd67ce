"""``hygie ingest FILE… --establishment ID``: store log files as events, run rules, raise alerts.

JSON lines, CSV (``.csv``/``.tsv`` with a header row), EVTX, and plain text logs (syslog,
auth.log, web access logs, HL7): every line or row is kept, the unreadable ones with their
parse error.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from hygie.cli import UserError
from hygie.cli.runtime import acting_as_operator, setup_django


@click.command(short_help="Import log files as events (rules run, alerts raised).")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--establishment",
    "establishment_id",
    required=True,
    type=int,
    help="Id of the establishment the logs come from.",
)
@click.option(
    "--format",
    "log_format",
    type=click.Choice(["auto", "evtx", "json", "syslog", "auth", "web", "hl7", "csv"]),
    default="auto",
    show_default=True,
    help="Read every file in this format instead of recognising it (EVTX, CSV by content/name, "
    "each text line by its shape).",
)
def ingest(files: tuple[Path, ...], establishment_id: int, log_format: str) -> None:
    """Store each line or record of FILES as an event, run the enabled rules, raise alerts."""
    setup_django()
    from hygie.core.models import Establishment
    from hygie.detection.engine import SigmaEngineError
    from hygie.detection.logfiles import LogFileError, read_log_file
    from hygie.detection.models import EventSource
    from hygie.detection.services import IngestSummary, ingest_lines

    establishment = Establishment.objects.filter(pk=establishment_id).first()
    if establishment is None:
        raise UserError(f"no establishment with id {establishment_id}")
    err = Console(stderr=True, highlight=False)
    total = IngestSummary()
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[events]} events"),
    )
    with (
        acting_as_operator(),
        Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress,
    ):
        for path in files:
            task = progress.add_task(path.name, total=None, events=0)
            try:
                summary = ingest_lines(
                    establishment,
                    read_log_file(path, log_format, display_name=str(path)),
                    EventSource.FILE,
                    progress=lambda n, t=task: progress.update(t, events=n),
                )
            except OSError as error:
                raise UserError(f"{path}: {error.strerror or error}") from None
            except LogFileError as error:
                raise UserError(f"{path}: {error.message}") from None
            except SigmaEngineError as error:  # e.g. a CSV header that names no field
                raise UserError(str(error)) from None
            progress.update(task, completed=1, total=1)
            total.events += summary.events
            total.parse_errors += summary.parse_errors
            total.matches += summary.matches
            total.alert_ids |= summary.alert_ids
            click.echo(
                f"{path}: {summary.events} events, {summary.parse_errors} parse error(s), "
                f"{summary.matches} match(es)"
            )
    click.echo(
        f"{total.events} events in {len(files)} file(s), {total.parse_errors} parse "
        f"error(s), {total.matches} match(es), {total.alerts} alert(s) raised or updated"
    )


@click.command("ingest-worker", short_help="Store events from the NATS JetStream event queue.")
@click.option(
    "--processes",
    type=click.IntRange(0, 64),
    default=None,
    help="Processes preparing events (parse + detection); default "
    "HYGIE_INGEST_PROCESSES (one when the machine has two cores or more).",
)
def ingest_worker(processes: int | None) -> None:
    """Consume the event queue HYGIE_EVENT_QUEUE names: store, detect, alert, then acknowledge.

    For scaled-out deployments: `hygie serve` receivers publish to NATS JetStream, any number
    of ingest workers (on any machine reaching the database) share the stream. Ctrl+C or
    SIGTERM: the batches already taken are stored and acknowledged, the rest stays queued.
    """
    import signal
    import threading

    setup_django()
    from django.conf import settings

    from hygie.detection.pipeline import IngestConsumer
    from hygie.detection.queue import EventQueueError, open_event_queue

    config = settings.CONFIG
    if not config.event_queue:
        raise UserError(
            "HYGIE_EVENT_QUEUE is not set: without a broker the events are "
            "consumed inside `hygie serve`"
        )
    try:
        event_queue = open_event_queue(config.event_queue)
    except EventQueueError as error:
        raise UserError(str(error)) from None
    consumer = IngestConsumer(
        event_queue, processes=processes if processes is not None else config.ingest_processes
    )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
    consumer.start()
    click.echo(f"Consuming events from {config.event_queue}; Ctrl+C to stop.", err=True)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    click.echo("Stopping: storing and acknowledging the batches already taken.", err=True)
    consumer.stop()
    event_queue.close()
    click.echo(
        f"Stopped; {consumer.stats.stored} events stored, {consumer.stats.failed} refused.",
        err=True,
    )
