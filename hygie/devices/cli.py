"""``hygie devices …``: the module's commands (``match`` and ``discover`` run without a
database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


@click.group(help="Medical devices: vulnerability matching, feeds, passive discovery.")
def devices() -> None:
    pass


# --- engine command (MATCH-ENGINE): `hygie devices match`, no database -----------------------
# Exit 0 when no device is affected, 1 when one is (known_affected), 2 on bad input (the message
# names the file and the line, or the JSON path and the failing CSAF test).

MAX_MATCH_INPUT_BYTES = 256 * 1024 * 1024


def _match_files(paths: tuple[Path, ...]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.json") if p.is_file()))
        else:
            found.append(path)
    return found


def _read_bytes(path: Path) -> bytes:
    from hygie.cli import UserError

    try:
        if path.stat().st_size > MAX_MATCH_INPUT_BYTES:
            raise UserError(f"{path}: larger than {MAX_MATCH_INPUT_BYTES // (1024 * 1024)} MB")
        return path.read_bytes()
    except OSError as error:
        raise UserError(f"{path}: cannot be read ({error.strerror or 'error'})") from None


def _read_input(path: Path) -> str:
    from hygie.cli import UserError

    try:
        return _read_bytes(path).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None


@devices.command(name="match")
@click.option(
    "--inventory",
    "inventory",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with the columns id,manufacturer,model,version (optional cpe, purl).",
)
@click.option(
    "--sbom",
    "sboms",
    multiple=True,
    metavar="[DEVICE=]FILE",
    help="A device's SBOM (CycloneDX JSON/XML, SPDX) with its VEX statements: its components "
    "are matched and the VEX statements override; the device id is DEVICE, else the file name "
    "without extension; repeatable.",
)
@click.option(
    "--aliases",
    "aliases",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Vendor alias table: CSV with the columns alias,canonical (e.g. Becton Dickinson,BD); "
    "the same normalisation as the alias table of the platform.",
)
@click.option(
    "--csaf",
    "csaf",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="A CSAF 2.0 advisory, or a folder of them (*.json); repeatable.",
)
@click.option(
    "--nvd",
    "nvd",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="NVD CVE API 2.0 records (a file or a folder of *.json); repeatable.",
)
@click.option(
    "--kev",
    "kev",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The CISA KEV catalogue (JSON or CSV): exploited CVEs are flagged.",
)
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def match_command(
    inventory: Path | None,
    sboms: tuple[str, ...],
    aliases: Path | None,
    csaf: tuple[Path, ...],
    nvd: tuple[Path, ...],
    kev: Path | None,
    output: str,
) -> None:
    """Match an inventory against advisories and print one verdict per device, advisory, CVE
    and product, each with why. No database is used."""
    from hygie.cli import UserError
    from hygie.devices import engine
    from hygie.devices.engine.sbom import match_sbom

    if inventory is None and not sboms:
        raise UserError("give an --inventory, an --sbom, or both")
    items = []
    if inventory is not None:
        try:
            items = engine.parse_inventory(_read_input(inventory))
        except engine.InventoryError as error:
            raise UserError(f"{inventory}: {error}") from None
    parsed_sboms = [_read_sbom(value) for value in sboms]
    table = _read_aliases(aliases) if aliases is not None else {}
    advisories = []
    for path in _match_files(csaf):
        try:
            advisories.append(engine.parse_csaf(_read_input(path), str(path)))
        except engine.CsafError as error:
            raise UserError(f"{path}: not a valid CSAF 2.0 advisory: {error}") from None
    records = []
    for path in _match_files(nvd):
        try:
            records.extend(engine.parse_nvd(_read_input(path), str(path)))
        except engine.NVDError as error:
            raise UserError(f"{path}: {error}") from None
    exploited = {}
    if kev is not None:
        try:
            exploited = engine.parse_kev(_read_input(kev))
        except engine.FeedError as error:
            raise UserError(f"{kev}: {error}") from None
    if not advisories and not records:
        raise UserError("give at least one --csaf or --nvd source")
    verdicts = engine.match(items, advisories=advisories, cves=records, aliases=table)
    for device, bom in parsed_sboms:
        verdicts.extend(match_sbom(device, bom, advisories, records, aliases=table))
    rows = []
    for verdict in verdicts:
        row = verdict.to_dict()
        entry = exploited.get(verdict.cve.upper()) if verdict.cve else None
        if entry is not None:
            row["why"] += f"; exploited in the wild (CISA KEV since {entry.date_added})"
        rows.append(row)
    if output == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        _verdict_table(rows)
    if any(row["status"] == "known_affected" for row in rows):
        raise click.exceptions.Exit(1)


def _read_sbom(value: str) -> tuple[str, Any]:
    """``[DEVICE=]FILE`` → (device id, parsed SBOM); a bad file is a usage error naming it."""
    from hygie.cli import UserError
    from hygie.devices.engine.sbom import SbomError, parse_sbom

    device, sep, name = value.partition("=")
    if not sep or not Path(name).is_file():
        device, name = "", value
    path = Path(name)
    if not path.is_file():
        raise UserError(f"--sbom {value[:200]}: no such file")
    data = _read_bytes(path)
    try:
        return (device.strip() or path.name.split(".")[0]), parse_sbom(data, path.name)
    except SbomError as error:
        raise UserError(f"{path}: not a readable SBOM: {error}") from None


def _read_aliases(path: Path) -> dict[str, str]:
    """The alias CSV (alias,canonical; an optional kind column keeps only vendor rows)."""
    import csv
    import io

    from hygie.cli import UserError

    reader = csv.DictReader(io.StringIO(_read_input(path)))
    fields = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if not {"alias", "canonical"} <= fields:
        raise UserError(f"{path}: expected the columns alias,canonical")
    table: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        clean = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if clean.get("kind", "vendor") not in ("", "vendor"):
            continue
        if not clean.get("alias") or not clean.get("canonical"):
            raise UserError(f"{path}: line {line}: alias and canonical are both needed")
        table[clean["alias"]] = clean["canonical"]
    return table


def _verdict_table(rows: list[dict[str, str]]) -> None:
    columns = ("device", "advisory", "cve", "product_id", "status")
    if not rows:
        click.echo("No device relates to these advisories.")
        return
    widths = {c: min(40, max(len(c), *(len(r[c]) for r in rows))) for c in columns}
    click.echo("  ".join(c.upper().ljust(widths[c]) for c in columns) + "  WHY")
    for row in rows:
        cells = "  ".join(row[c][: widths[c]].ljust(widths[c]) for c in columns)
        click.echo(f"{cells}  {row['why']}")
    affected = sum(1 for r in rows if r["status"] == "known_affected")
    review = sum(1 for r in rows if r["status"] == "needs_review")
    click.echo(f"{len(rows)} verdicts: {affected} known affected, {review} to review")


# --- engine command (DISCOVERY): `hygie devices discover PCAP`, no database ------------------
def _add_discover() -> None:
    from hygie.devices.cli_discover import check_flows_command, discover_command

    devices.add_command(discover_command)
    devices.add_command(check_flows_command)


_add_discover()


# --- database commands (APP): feeds and inventory imports ------------------------------------


@devices.command(name="import-feed")
@click.argument("kind", type=click.Choice(["csaf", "nvd", "kev", "epss", "sbom"]))
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--device", "device_id", type=int, help="The device an SBOM describes (sbom only).")
def import_feed_command(kind: str, files: tuple[Path, ...], device_id: int | None) -> None:
    """Import feed FILES (CSAF advisories, NVD records, the CISA KEV catalogue, FIRST EPSS
    scores) into the database and match the inventory; each file is all or nothing. New
    matches on life-sustaining devices raise alerts. ``sbom FILE --device ID`` attaches an SBOM
    (CycloneDX JSON/XML, SPDX; with its VEX) to a device and matches its components. Exit 0
    when every file was imported, 1 when one was refused (the others are kept)."""
    from hygie.cli.runtime import acting_as_operator, setup_django, validation_message

    setup_django()
    from django.core.exceptions import ValidationError

    from hygie.devices.models import Device
    from hygie.devices.services import feeds, sbom

    device = None
    if kind == "sbom":
        device = Device.objects.filter(pk=device_id).first() if device_id else None
        if device is None:
            click.echo("sbom: --device ID of an existing device is required", err=True)
            raise click.exceptions.Exit(2)
    failed = 0
    with acting_as_operator():
        for path in files:
            try:
                if device is not None:
                    feed = sbom.import_sbom(device, path.name, path.read_bytes())
                else:
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
