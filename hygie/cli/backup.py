"""``hygie backup PATH`` and ``hygie restore PATH``."""

from __future__ import annotations

from pathlib import Path

import click

from hygie.cli.runtime import acting_as_operator, operator_label, setup_django


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup(path: Path) -> None:
    """Back up the database and the whole data folder to a .tar.gz.

    The archive holds a consistent copy of the database and every file under HYGIE_HOME
    (hygie.toml, secret key, keys, uploads, imported rule packs, audit checkpoints…) except
    what modules declare as cache, with the SHA-256 and mode of each in a manifest.
    """
    setup_django()
    from django.conf import settings

    from hygie.core import audit
    from hygie.core.services.backup import AUDIT_OBJECT_TYPE, BACKUP_AUDIT_REPR, create_backup

    manifest = create_backup(settings.CONFIG, path)
    with acting_as_operator():
        # Who copied the whole database, and when, belongs in the trail (design §5); the
        # core.backup_recent probe reads it.
        audit.record(
            "export",
            message=f"backup written by {operator_label()}",
            object_type=AUDIT_OBJECT_TYPE,
            object_repr=BACKUP_AUDIT_REPR,
        )
    size = sum(member["size"] for member in manifest.members.values())
    click.echo(
        f"Backup written to {path.resolve()} ({len(manifest.members)} files, "
        f"{size} bytes before compression, {manifest.database_engine} database)."
    )
    if manifest.excluded:
        click.echo("Left out as cache: " + ", ".join(manifest.excluded) + ".")
    for relative, reason in sorted(manifest.skipped.items()):
        click.secho(f"Not archived: {relative} ({reason}).", fg="yellow", err=True)
    home = settings.CONFIG.home.resolve()
    for label, configured in (
        ("audit keys", settings.HYGIE_AUDIT_KEY_DIR),
        ("audit checkpoints", settings.HYGIE_AUDIT_CHECKPOINT_FILE),
    ):
        # Kept apart on purpose (another volume): not in this archive, and needed to verify.
        if configured and not Path(configured).resolve().is_relative_to(home):
            click.secho(
                f"The {label} ({configured}) are outside HYGIE_HOME and not in the "
                "backup: back them up separately, `hygie audit verify` needs them.",
                fg="yellow",
                err=True,
            )
    if not manifest.has_secret_key:
        click.secho(
            "The secret key comes from HYGIE_SECRET_KEY and is not in the backup: "
            "keep it with the archive.",
            fg="yellow",
            err=True,
        )
    click.echo("The archive holds the secret key and sensitive data: store it encrypted.")


@click.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite a data folder (and database) in use.")
@click.option(
    "--test",
    "rehearse",
    is_flag=True,
    help="Rehearse the restore in a temporary folder and record the test; change nothing.",
)
def restore(path: Path, force: bool, rehearse: bool) -> None:
    """Restore a backup into HYGIE_HOME after verifying its hashes.

    Every file comes back with its mode, and is checked again once written. With --test, the
    archive is restored into a temporary folder instead, every file and the database copy are
    verified, and the test is recorded in this installation's audit trail.
    """
    if rehearse:
        if force:
            raise click.UsageError("--test changes nothing: it takes no --force.")
        _rehearse(path)
        return
    from hygie.config import load_settings
    from hygie.core.services.backup import restore_backup

    # No Django here: it would create files in the data folder we are about to fill.
    manifest = restore_backup(load_settings(create_secret_key=False), path, force=force)
    click.echo(
        f"Restored the backup of {manifest.created_at} (Hygie {manifest.hygie_version}, "
        f"{len(manifest.members)} files verified)."
    )
    if not manifest.has_secret_key:
        click.secho(
            "The backup has no secret key: set HYGIE_SECRET_KEY to the original value.",
            fg="yellow",
            err=True,
        )
    click.echo(
        "Next: `hygie migrate` (if this Hygie is newer), `hygie audit verify`, then `hygie serve`."
    )


def _rehearse(path: Path) -> None:
    """``hygie restore --test``: the restore test auditors ask for, recorded (read by the
    core.restore_tested probe). A failed test is recorded too, then reported."""
    setup_django()
    from hygie.core import audit
    from hygie.core.services.backup import (
        AUDIT_OBJECT_TYPE,
        RESTORE_TEST_AUDIT_REPR,
        BackupError,
        rehearse_restore,
    )

    try:
        rehearsal = rehearse_restore(path)
    except BackupError as exc:
        with acting_as_operator():
            audit.record(
                "system",
                message=f"restore test failed, run by {operator_label()}",
                object_type=AUDIT_OBJECT_TYPE,
                object_repr=RESTORE_TEST_AUDIT_REPR,
                changes={"result": "failed", "archive": path.name, "error": str(exc)[:300]},
            )
        raise
    with acting_as_operator():
        audit.record(
            "system",
            message=f"restore test passed, run by {operator_label()}",
            object_type=AUDIT_OBJECT_TYPE,
            object_repr=RESTORE_TEST_AUDIT_REPR,
            changes={"result": "passed", "archive": path.name, **rehearsal.as_dict()},
        )
    entries = (
        f", {rehearsal.audit_entries} audit entries" if rehearsal.audit_entries is not None else ""
    )
    click.echo(
        f"Restore test passed: the backup of {rehearsal.manifest.created_at} "
        f"({rehearsal.files} files verified, {rehearsal.database_engine} database: "
        f"{rehearsal.database_check}{entries}). Recorded in the audit trail."
    )
