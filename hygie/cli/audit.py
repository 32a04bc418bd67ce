"""``hygie audit verify``: check the audit trail's hash chain."""

from __future__ import annotations

import click

from hygie.cli.runtime import setup_django


@click.group()
def audit() -> None:
    """Audit trail tools."""


@audit.command()
def verify() -> None:
    """Verify the hash chain; report the first modified, inserted or deleted entry."""
    setup_django()
    from hygie.core.audit import verify_chain

    report = verify_chain()
    if report.problem is None:
        click.secho(f"Audit trail intact: {report.checked} entries checked.", fg="green")
        return
    problem = report.problem
    click.secho(f"Audit trail TAMPERED: entry #{problem.sequence} was {problem.kind} "
                f"({problem.detail}).", fg="red", err=True)
    click.echo(f"{report.checked} entries before it are intact. Keep a copy of the database "
               "for the investigation before changing anything.", err=True)
    raise SystemExit(1)
