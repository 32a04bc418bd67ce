"""``hygie devices …``: the module's commands (``match`` and ``discover`` run without a
database)."""

from __future__ import annotations

from pathlib import Path

import click

from hygie.devices.cli_match import match_command


@click.group(help="Medical devices: vulnerability matching, feeds, passive discovery.")
def devices() -> None:
    pass


# --- engine command (MATCH-ENGINE): no database ------------------------------------------------
devices.add_command(match_command)


# --- database commands (APP): feeds and inventory imports ------------------------------------


@devices.command(name="import-feed")
@click.argument("kind", type=click.Choice(["csaf", "nvd", "kev", "epss"]))
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
def import_feed_command(kind: str, files: tuple[Path, ...]) -> None:
    """Import feed FILES (CSAF advisories, NVD records, the CISA KEV catalogue, FIRST EPSS
    scores) into the database and match the inventory; each file is all or nothing. New
    matches on life-sustaining devices raise alerts. Exit 0 when every file was imported, 1
    when one was refused (the others are kept)."""
    from hygie.cli.runtime import acting_as_operator, setup_django, validation_message

    setup_django()
    from django.core.exceptions import ValidationError

    from hygie.devices.services import feeds

    failed = 0
    with acting_as_operator():
        for path in files:
            try:
                feed = feeds.import_feed(kind, path.name, path.read_bytes())
            except ValidationError as error:
                failed += 1
                click.echo(f"{path}: refused: {validation_message(error)}", err=True)
                continue
            except OSError as error:
                failed += 1
                click.echo(f"{path}: cannot be read ({error.strerror or 'error'})", err=True)
                continue
            counts = ", ".join(f"{key} {value}" for key, value in sorted(feed.counts.items()))
            click.echo(f"{path}: imported ({counts or 'nothing new'})")
    if failed:
        raise click.exceptions.Exit(1)


@devices.command(name="import-inventory")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--establishment",
    "establishment_id",
    type=int,
    required=True,
    help="Id of the establishment the devices belong to.",
)
@click.option(
    "--mapping",
    default="auto",
    show_default=True,
    help="FIELD=COLUMN pairs separated by commas (e.g. hostname=Nom,serial_number=N° série), "
    "or 'auto' to use the mapping proposed from the column names.",
)
@click.option("--commit", is_flag=True, help="Write the devices (default: check only).")
def import_inventory_command(file: Path, establishment_id: int, mapping: str, commit: bool) -> None:
    """Check, then with --commit write, an inventory CSV or XLSX (or a CMMS/GMAO export):
    rows are matched onto the inventory by serial number, MAC address, IP address and host
    name. All rows or none; errors name the row and the column, never the value. Exit 0 when
    clean (and written with --commit), 1 when rows have errors, 2 on a usage error."""
    from hygie.cli import UserError
    from hygie.cli.runtime import acting_as_operator, setup_django, validation_message

    setup_django()
    from django.core.exceptions import ValidationError

    from hygie.core.models import Establishment
    from hygie.devices.services import imports

    establishment = Establishment.objects.filter(pk=establishment_id).first()
    if establishment is None:
        raise UserError(f"establishment {establishment_id}: not found")
    with acting_as_operator():
        try:
            job = imports.start(None, establishment, file.read_bytes())
            chosen = dict(job.mapping) if mapping == "auto" else _mapping(mapping, job.columns)
            job = imports.check(None, job, chosen)
        except ValidationError as error:
            raise UserError(validation_message(error)) from None
        report = job.report
        for problem in report.get("errors", []):
            click.echo(
                f"row {problem['row']}, column {problem['column'] or '-'}: {problem['message']}",
                err=True,
            )
        click.echo(
            f"{report.get('rows', 0)} rows: {report.get('creates', 0)} new, "
            f"{report.get('merges', 0)} merged, {len(report.get('errors', []))} errors"
        )
        if report.get("errors"):
            raise click.exceptions.Exit(1)
        if commit:
            try:
                imports.commit(None, job)
            except ValidationError as error:
                click.echo(validation_message(error), err=True)
                raise click.exceptions.Exit(1) from None
            click.echo("written")


def _mapping(text: str, columns: list[str]) -> dict[str, int]:
    from hygie.cli import UserError

    result: dict[str, int] = {}
    for pair in text.split(","):
        field, sep, column = pair.partition("=")
        if not sep:
            raise UserError(f"--mapping: expected FIELD=COLUMN, not {pair.strip()[:40]!r}")
        name = column.strip()
        if name not in columns:
            raise UserError(f"--mapping: no column named {name[:40]!r} in the file")
        result[field.strip()] = columns.index(name)
    return result
