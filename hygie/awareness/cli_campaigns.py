"""``hygie awareness campaigns|launch|status|cancel|send-due|sync-library|export``: the
campaign back office from the command line (database commands, acting as the operator)."""

from __future__ import annotations

import json
from typing import Any

import click

STATUSES = ["draft", "scheduled", "running", "finished", "cancelled"]

# ``hygie.cli.runtime`` (setup_django, acting_as_operator, validation_message), handed over by
# ``hygie.awareness.cli``: only a module's cli.py belongs to the CLI layer (layering contract).
runtime: Any = None


def _campaign(campaign_id: int) -> Any:
    from hygie.awareness.models import Campaign

    campaign = (
        Campaign.objects.select_related("establishment", "sending_profile")
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None:
        click.echo(f"no campaign {campaign_id}", err=True)
        raise click.exceptions.Exit(2)
    return campaign


def _status_of(campaign: Any) -> dict[str, Any]:
    from hygie.awareness.services import campaigns

    progress = campaigns.progress(campaign)
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "establishment": campaign.establishment.name,
        "status": campaign.status,
        "window_start": campaign.window_start.isoformat(),
        "window_end": campaign.window_end.isoformat(),
        "recipients": progress.total,
        "sent": progress.sent,
        "failed": progress.failed,
        "pending": progress.pending,
        "next_at": progress.next_at.isoformat() if progress.next_at else None,
    }


@click.command(name="campaigns")
@click.option("--status", type=click.Choice(STATUSES), help="Only campaigns in this state.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
def campaigns_command(status: str | None, output: str) -> None:
    """List phishing simulation campaigns with their sending progress."""
    runtime.setup_django()
    from hygie.awareness.models import Campaign

    queryset = Campaign.objects.select_related("establishment").order_by("-window_start", "pk")
    if status:
        queryset = queryset.filter(status=status)
    rows = [_status_of(campaign) for campaign in queryset]
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("no campaign")
        return
    for row in rows:
        click.echo(
            f"{row['id']:>5}  {row['status']:<10} {row['sent']:>6}/{row['recipients']:<6} "
            f"{row['window_start'][:16]}  {row['name']} ({row['establishment']})"
        )


@click.command(name="status")
@click.argument("campaign_id", type=int)
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
def status_command(campaign_id: int, output: str) -> None:
    """One campaign's state and sending progress."""
    runtime.setup_django()
    row = _status_of(_campaign(campaign_id))
    if output == "json":
        click.echo(json.dumps(row, ensure_ascii=False, indent=2))
        return
    for key, value in row.items():
        click.echo(f"{key:<13} {value if value is not None else '—'}")


@click.command(name="launch")
@click.argument("campaign_id", type=int)
@click.option("--dry-run", is_flag=True, help="Show the sending plan only.")
def launch_command(campaign_id: int, dry_run: bool) -> None:
    """Plan a draft campaign's mails over its window and queue the sending job (the worker,
    or ``hygie awareness send-due``, sends them at their times). Exit 1 when it cannot be
    launched (the reasons are printed)."""
    runtime.setup_django()
    from django.core.exceptions import ValidationError

    from hygie.awareness.services import campaigns

    campaign = _campaign(campaign_id)
    try:
        if dry_run:
            planned = sorted(campaigns.plan(campaign), key=lambda item: item[1])
            for email, moment in planned:
                click.echo(f"{moment.isoformat()}  {email}")
            click.echo(f"{len(planned)} mails planned")
            return
        with runtime.acting_as_operator():
            campaigns.launch(campaign, None)
    except ValidationError as error:
        click.echo(
            f"campaign {campaign_id}: not launched: {runtime.validation_message(error)}", err=True
        )
        raise click.exceptions.Exit(1) from None
    click.echo(f"campaign {campaign_id}: launched ({campaign.recipients.count()} recipients)")


@click.command(name="cancel")
@click.argument("campaign_id", type=int)
def cancel_command(campaign_id: int) -> None:
    """Stop a campaign: nothing more is sent."""
    runtime.setup_django()
    from django.core.exceptions import ValidationError

    from hygie.awareness.services import campaigns

    try:
        with runtime.acting_as_operator():
            campaigns.cancel(_campaign(campaign_id), None)
    except ValidationError as error:
        click.echo(f"campaign {campaign_id}: {runtime.validation_message(error)}", err=True)
        raise click.exceptions.Exit(1) from None
    click.echo(f"campaign {campaign_id}: cancelled")


@click.command(name="send-due")
@click.option(
    "--budget",
    type=click.FloatRange(1, 3600),
    default=60.0,
    show_default=True,
    help="Seconds to keep sending (waiting for planned times and the rate).",
)
def send_due_command(budget: float) -> None:
    """Send the mails that fall due now, as the periodic job does (for installations without
    a worker, from cron)."""
    runtime.setup_django()
    from hygie.awareness.services import sending

    report = sending.send_due(budget=budget)
    click.echo(
        f"sent {report.sent}, refused {report.failed}, window closed {report.closed}"
        + (f", stopped: {report.stopped}" if report.stopped else "")
    )
    if report.stopped in {"relay", sending.SECRET_UNREADABLE}:
        raise click.exceptions.Exit(1)


@click.command(name="sync-library")
def sync_library_command() -> None:
    """Create or update the shared templates and landing pages from the shipped lures."""
    runtime.setup_django()
    from hygie.awareness.services import templates_library

    with runtime.acting_as_operator():
        result = templates_library.sync_library()
    click.echo(
        f"{len(result.lures)} lures: {result.created} created, {result.updated} updated, "
        f"{result.unchanged} unchanged"
    )


@click.command(name="export")
@click.argument("campaign_id", type=int)
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "pdf"]), default="csv", show_default=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="File to write (default: the export's own name in the current folder).",
)
def export_command(campaign_id: int, fmt: str, output: str | None) -> None:
    """A campaign's results (per recipient: delivered, opened, clicked, validated, submitted,
    reported) as CSV or PDF, like the results page's export; audited."""
    runtime.setup_django()
    from pathlib import Path

    from hygie.awareness.services import results

    campaign = _campaign(campaign_id)
    with runtime.acting_as_operator():
        data, _content_type, name = results.export_results(campaign, fmt)
    target = Path(output or name)
    try:
        target.write_bytes(data)
    except OSError as error:
        click.echo(f"{target}: cannot be written ({error.strerror or 'error'})", err=True)
        raise click.exceptions.Exit(1) from None
    click.echo(f"campaign {campaign_id}: results written to {target}")


COMMANDS = (
    campaigns_command,
    status_command,
    launch_command,
    cancel_command,
    send_due_command,
    sync_library_command,
    export_command,
)
