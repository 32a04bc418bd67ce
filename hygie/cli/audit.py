"""``hygie audit verify|checkpoint|rotate-key``: the audit trail's keyed chain and its anchors."""

from __future__ import annotations

import click

from hygie.cli.runtime import acting_as_operator, setup_django


@click.group()
def audit() -> None:
    """Audit trail tools."""


@audit.command()
def verify() -> None:
    """Verify the chain (HMAC keys, links, checkpoints); name each check that failed."""
    setup_django()
    from hygie.core.audit import verify_chain

    report = verify_chain()
    for check in report.checks:
        mark, colour = ("ok", "green") if check.ok else ("FAILED", "red")
        click.echo(
            click.style(f"[{mark}] ", fg=colour) + f"{check.name}: {check.detail}", err=not check.ok
        )
    if report.problem is None:
        click.secho(f"Audit trail intact: {report.checked} entries checked.", fg="green")
        if report.unanchored:
            click.echo(
                f"{report.unanchored} entries after the last checkpoint are not anchored "
                "yet: deleting them would only show from the next checkpoint "
                "(`hygie audit checkpoint`, or the hourly job)."
            )
        return
    problem = report.problem
    if problem.kind == "unanchored":  # nothing proven broken, but nothing proves it whole
        click.secho(
            f"Audit trail NOT VERIFIABLE ({problem.check} check): {problem.detail}.",
            fg="red",
            err=True,
        )
    else:
        click.secho(
            f"Audit trail TAMPERED ({problem.check} check): entry #{problem.sequence} "
            f"was {problem.kind} ({problem.detail}).",
            fg="red",
            err=True,
        )
    click.echo(
        f"{report.checked} entries before it are intact. Keep a copy of the database, "
        "the key folder and the checkpoint file for the investigation before changing "
        "anything.",
        err=True,
    )
    raise SystemExit(1)


@audit.command()
def checkpoint() -> None:
    """Sign a checkpoint of the chain's head into the checkpoint file (also done hourly)."""
    setup_django()
    from hygie.core.audit_checkpoints import checkpoint_file, write_checkpoint
    from hygie.lib.errors import HygieError

    try:
        written, is_new = write_checkpoint()
    except HygieError as exc:  # a damaged file, a broken chain, a missing key
        raise click.ClickException(str(exc)) from None
    if written is None:
        click.echo("The audit trail is empty: nothing to anchor yet.")
    elif is_new:
        click.secho(
            f"Checkpoint signed: entry #{written.sequence} at {written.at} "
            f"(key {written.key_id}) -> {checkpoint_file()}",
            fg="green",
        )
    else:
        click.echo(
            f"Already anchored: the last checkpoint ({written.at}) is at the head, "
            f"#{written.sequence}."
        )


@audit.command("rotate-key")
def rotate_key() -> None:
    """Sign new entries with a new key; old keys stay on disk to verify older entries."""
    setup_django()
    from hygie.core.audit import rotate_key as rotate
    from hygie.core.audit_checkpoints import write_checkpoint
    from hygie.core.audit_keys import AuditKeyError, key_dir
    from hygie.lib.errors import HygieError

    try:
        with acting_as_operator():
            key = rotate()
    except AuditKeyError as exc:
        raise click.ClickException(str(exc)) from None
    click.secho(
        f"New audit key {key.key_id} signs entries from #{key.first_sequence} on "
        f"({key_dir() / (key.key_id + '.key')}).",
        fg="green",
    )
    click.echo(
        "Back up the key folder now, apart from the database: without its keys, older "
        "entries cannot be verified."
    )
    try:
        written, _ = write_checkpoint()
    except HygieError as exc:
        raise click.ClickException(f"key rotated, but no checkpoint written: {exc}") from None
    if written is not None:
        click.echo(f"Checkpoint signed at #{written.sequence} with the new key.")
