"""``hygie devices match``: an inventory CSV against CSAF advisories, NVD records and the KEV
catalogue, with the pure engine only (no database, no Django).

Exit 0 when no device is affected, 1 when at least one is (``known_affected``), 2 on bad input
(the message names the file and, inside it, the line or the JSON path and the failing test).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

MAX_FILE_BYTES = 256 * 1024 * 1024


def _files(paths: tuple[Path, ...]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.glob("*.json") if p.is_file()))
        else:
            found.append(path)
    return found


def _read(path: Path) -> str:
    from hygie.cli import UserError

    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UserError(f"{path}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise UserError(f"{path}: cannot be read ({error.strerror or 'error'})") from None


@click.command(name="match")
@click.option(
    "--inventory",
    "inventory",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV with the columns id,manufacturer,model,version (optional cpe, purl).",
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
    inventory: Path,
    csaf: tuple[Path, ...],
    nvd: tuple[Path, ...],
    kev: Path | None,
    output: str,
) -> None:
    """Match an inventory against advisories and print one verdict per device, advisory, CVE
    and product, each with why. No database is used."""
    from hygie.cli import UserError
    from hygie.devices import engine

    try:
        items = engine.parse_inventory(_read(inventory))
    except engine.InventoryError as error:
        raise UserError(f"{inventory}: {error}") from None
    advisories = []
    for path in _files(csaf):
        try:
            advisories.append(engine.parse_csaf(_read(path), str(path)))
        except engine.CsafError as error:
            raise UserError(f"{path}: not a valid CSAF 2.0 advisory: {error}") from None
    records = []
    for path in _files(nvd):
        try:
            records.extend(engine.parse_nvd(_read(path), str(path)))
        except engine.NVDError as error:
            raise UserError(f"{path}: {error}") from None
    exploited = {}
    if kev is not None:
        try:
            exploited = engine.parse_kev(_read(kev))
        except engine.FeedError as error:
            raise UserError(f"{kev}: {error}") from None
    if not advisories and not records:
        raise UserError("give at least one --csaf or --nvd source")
    verdicts = engine.match(items, advisories=advisories, cves=records)
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
        _table(rows)
    if any(row["status"] == "known_affected" for row in rows):
        raise click.exceptions.Exit(1)


def _table(rows: list[dict[str, str]]) -> None:
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
