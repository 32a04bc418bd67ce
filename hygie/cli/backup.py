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
    from hygie.core.services.backup import create_backup

    manifest = create_backup(settings.CONFIG, path)
    with acting_as_operator():
        # Who copied the whole database, and when, belongs in the trail (design §5).
        audit.record(
            "export",
            message=f"backup written by {operator_label()}",
            object_type="installation",
            object_repr="full backup",
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
def restore(path: Path, force: bool) -> None:
    """Restore a backup into HYGIE_HOME after verifying its hashes.

    Every file comes back with its mode, and is checked again once written.
    """
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
