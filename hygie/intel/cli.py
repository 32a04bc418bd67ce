"""``hygie intel …``: ``convert`` is the engine command (no database); the commands that read or
write the platform's indicators call ``setup_django`` themselves, as ``hygie devices`` does.

Exit codes: 0 converted; 1 nothing to convert or the output cannot be written; 2 invalid input
(the message locates it: file, line or JSON path). The output is written whole or not at all.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click

from hygie.intel.engine.convert import FORMATS_IN, FORMATS_OUT, Input, convert
from hygie.intel.engine.errors import IntelError
from hygie.intel.engine.model import TLP

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from hygie.core.models import Establishment
    from hygie.intel.models import Indicator

EXIT_OK, EXIT_EMPTY, EXIT_INVALID = 0, 1, 2
MAX_INPUT_BYTES = 100 * 1024 * 1024


def _inputs(paths: tuple[Path, ...]) -> list[Input]:
    """Files as given; a folder contributes its files (a MISP feed: manifest.json + events)."""
    items: list[Input] = []
    for path in paths:
        files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.stat().st_size > MAX_INPUT_BYTES:
                raise click.UsageError(f"{file}: larger than {MAX_INPUT_BYTES // 2**20} MiB")
            items.append(Input(str(file), file.read_bytes()))
    return items


def _write_atomically(target: Path, content: str | bytes) -> None:
    folder = target.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _input_options(command: Any) -> Any:
    """``--from`` and ``--tlp``: how inputs are read (``convert`` and ``import``)."""
    command = click.option(
        "--tlp",
        "default_tlp",
        type=click.Choice([t.value for t in TLP]),
        default=TLP.AMBER.value,
        show_default=True,
        help="TLP given to indicators whose input carries none.",
    )(command)
    return click.option(
        "--from",
        "from_",
        type=click.Choice(FORMATS_IN),
        default="auto",
        show_default=True,
        help="Input format (auto: from each file's content and name).",
    )(command)


@click.group(
    help="Threat intelligence: convert, import and export indicators, TAXII, sharing, retro-hunt."
)
def intel() -> None:
    pass


@intel.command("convert")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--to", "to", type=click.Choice(FORMATS_OUT), required=True, help="Output format.")
@_input_options
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Output file."
)
@click.option("--producer", default="Hygie", show_default=True, help="Identity named as creator.")
def convert_command(
    inputs: tuple[Path, ...],
    to: str,
    from_: str,
    default_tlp: str,
    output: Path | None,
    producer: str,
) -> None:
    """Convert indicators between STIX 2.1, MISP, CSV and free text (defanged forms accepted)."""
    try:
        result = convert(
            _inputs(inputs), to=to, from_=from_, producer=producer, default_tlp=TLP(default_tlp)
        )
    except IntelError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INVALID)
    except OSError as error:
        click.echo(f"error: cannot read input ({error.strerror})", err=True)
        sys.exit(EXIT_EMPTY)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if not result.indicators:
        click.echo("error: no indicator found in the input", err=True)
        sys.exit(EXIT_EMPTY)
    if output is None:
        click.echo(result.output, nl=False)
    else:
        try:
            _write_atomically(output, result.output)
        except OSError as error:
            click.echo(f"error: cannot write {output} ({error.strerror})", err=True)
            sys.exit(EXIT_EMPTY)
    click.echo(f"{len(result.indicators)} indicator(s) converted to {to}", err=True)
    sys.exit(EXIT_OK)


# --- platform commands: the indicator store (call setup_django themselves) -------------------


def _establishment(establishment_id: int) -> Establishment:
    from hygie.core.models import Establishment

    found = Establishment.objects.filter(pk=establishment_id).first()
    if found is None:
        click.echo(f"error: no establishment {establishment_id}", err=True)
        sys.exit(EXIT_INVALID)
    return found


@intel.command("import")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--establishment", "establishment_id", type=int, required=True, help="Establishment id."
)
@_input_options
@click.option("--source", default="", help="Source name kept as provenance (default: file).")
@click.option("--partner", "partner_id", type=int, help="Id of the partner it comes from.")
@click.option("--dry-run", is_flag=True, help="Check and count only; write nothing.")
def import_command(
    inputs: tuple[Path, ...],
    establishment_id: int,
    from_: str,
    default_tlp: str,
    source: str,
    partner_id: int | None,
    dry_run: bool,
) -> None:
    """Import indicators (STIX 2.1, MISP event or feed folder/zip, CSV, free text) into an
    establishment's store, de-duplicated, the source kept as provenance. All or nothing: exit 2
    with a located error (file, line or JSON path) on invalid input, 0 when imported."""
    from hygie.cli.runtime import acting_as_operator, setup_django, validation_message

    setup_django()
    from django.core.exceptions import ValidationError

    from hygie.intel.models import Partner
    from hygie.intel.services import indicators

    establishment = _establishment(establishment_id)
    partner = None
    if partner_id is not None:
        partner = Partner.objects.filter(pk=partner_id, establishment=establishment).first()
        if partner is None:
            click.echo(f"error: no partner {partner_id} in this establishment", err=True)
            sys.exit(EXIT_INVALID)
    try:
        items = _inputs(inputs)
        with acting_as_operator():
            report = indicators.import_data(
                establishment,
                items,
                from_=from_,
                default_tlp=TLP(default_tlp),
                source=source or (partner.name if partner else ""),
                partner=partner,
                dry_run=dry_run,
            )
    except ValidationError as error:
        click.echo(f"error: {validation_message(error)}", err=True)
        sys.exit(EXIT_INVALID)
    except OSError as error:
        click.echo(f"error: cannot read input ({error.strerror})", err=True)
        sys.exit(EXIT_EMPTY)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(report.by_kind.items()))
    verb = "would be imported" if dry_run else "imported"
    click.echo(
        f"{report.read} indicator(s) {verb}: {report.created} new, {report.updated} already "
        f"known ({kinds or 'none'})"
    )
    sys.exit(EXIT_OK if report.read else EXIT_EMPTY)


@intel.command("export")
@click.option(
    "--to",
    "to",
    type=click.Choice(["stix21", "misp", "misp-feed", "csv"]),
    required=True,
    help="Output format (misp-feed: a zip of manifest.json, the event and hashes.csv).",
)
@click.option("--establishment", "establishment_id", type=int, help="Only this establishment.")
@click.option(
    "--max-tlp",
    type=click.Choice([t.value for t in TLP]),
    default=TLP.AMBER.value,
    show_default=True,
    help="Most restricted TLP included.",
)
@click.option("--kind", default="", help="Only this indicator type (ipv4, domain, sha256…).")
@click.option("--all", "include_inactive", is_flag=True, help="Include expired/aged-out ones.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Output file."
)
def export_command(
    to: str,
    establishment_id: int | None,
    max_tlp: str,
    kind: str,
    include_inactive: bool,
    output: Path | None,
) -> None:
    """Export the store's indicators; STIX 2.1 exports carry TLP 2.0 markings. Written whole or
    not at all; exit 1 when nothing matches."""
    from hygie.cli.runtime import acting_as_operator, setup_django

    setup_django()
    from hygie.core import audit
    from hygie.intel.models import Indicator
    from hygie.intel.services import indicators

    queryset: QuerySet[Indicator] = Indicator.objects.all()
    if establishment_id is not None:
        queryset = queryset.filter(establishment=_establishment(establishment_id))
    if kind:
        queryset = queryset.filter(kind=kind)
    queryset = indicators.exportable(
        queryset, max_tlp=TLP(max_tlp), active_only=not include_inactive
    )
    exported = indicators.export(queryset, to)
    if not exported.count:
        click.echo("error: no indicator to export", err=True)
        sys.exit(EXIT_EMPTY)
    with acting_as_operator():
        audit.record(
            "export",
            object_type="intel.indicator",
            message=f"intel indicators exported: {exported.count} as {to}, up to "
            f"{TLP(max_tlp).label}",
            establishment_id=establishment_id,
        )
    if output is None:
        if to == "misp-feed":
            click.echo("error: a MISP feed is a zip: give -o FILE", err=True)
            sys.exit(EXIT_EMPTY)
        click.echo(exported.content.decode("utf-8"), nl=False)
    else:
        try:
            _write_atomically(output, exported.content)
        except OSError as error:
            click.echo(f"error: cannot write {output} ({error.strerror})", err=True)
            sys.exit(EXIT_EMPTY)
    click.echo(f"{exported.count} indicator(s) exported as {to}", err=True)


@intel.command("list")
@click.option("--establishment", "establishment_id", type=int, help="Only this establishment.")
@click.option("--kind", default="", help="Only this indicator type.")
@click.option("--search", default="", help="Values containing this text.")
@click.option("--all", "include_inactive", is_flag=True, help="Include expired/aged-out ones.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
def list_command(
    establishment_id: int | None, kind: str, search: str, include_inactive: bool, limit: int
) -> None:
    """List indicators: type, value, TLP, confidence, sightings and sources, tab-separated."""
    from hygie.cli.runtime import setup_django

    setup_django()
    from hygie.intel.engine.text import refang
    from hygie.intel.models import Indicator

    queryset = Indicator.objects.prefetch_related("sources").order_by("kind", "value")
    if establishment_id is not None:
        queryset = queryset.filter(establishment=_establishment(establishment_id))
    if kind:
        queryset = queryset.filter(kind=kind)
    if search:
        queryset = queryset.filter(value__icontains=refang(search))
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    rows = list(queryset[:limit])
    for row in rows:
        sources = ",".join(s.source_name for s in row.sources.all())
        confidence = "" if row.confidence is None else str(row.confidence)
        click.echo(
            "\t".join(
                (
                    row.kind,
                    row.value,
                    TLP(row.tlp).label,
                    confidence,
                    str(row.sighting_count),
                    sources,
                )
            )
        )
    click.echo(f"{len(rows)} indicator(s)", err=True)


@intel.command("retro-hunt")
@click.option(
    "--indicator",
    "indicator_ids",
    type=int,
    multiple=True,
    help="Id of an indicator to hunt (repeat; default: every active one).",
)
@click.option(
    "--establishment",
    "establishment_id",
    type=int,
    help="Only this establishment (default: every one with indicators to match).",
)
@click.option(
    "--days",
    type=click.IntRange(1, 366),
    help="Days of stored events searched (default: HYGIE_INTEL_RETRO_HUNT_DAYS, else 30).",
)
def retro_hunt_command(
    indicator_ids: tuple[int, ...], establishment_id: int | None, days: int | None
) -> None:
    """Match indicators against the stored events of the past days, now, in this process (a
    job like the pages' one, listed with the others). What is found becomes sightings and
    alerts, once: a hunt can run again. Exit 0 done, 1 the hunt failed, 2 unknown id."""
    from hygie.cli.runtime import acting_as_operator, setup_django, validation_message

    setup_django()
    from django.core.exceptions import ValidationError

    from hygie.core.models import Establishment
    from hygie.intel.models import Indicator
    from hygie.intel.services import retro_hunt

    chosen: dict[int, list[int] | None] = {}
    if indicator_ids:
        rows = dict(
            Indicator.objects.filter(pk__in=indicator_ids).values_list("pk", "establishment_id")
        )
        missing = sorted(set(indicator_ids) - set(rows))
        if missing:
            click.echo(f"error: --indicator: no indicator {', '.join(map(str, missing))}", err=True)
            sys.exit(EXIT_INVALID)
        for pk, owner in rows.items():
            if establishment_id is None or owner == establishment_id:
                chosen.setdefault(owner, []).append(pk)  # type: ignore[union-attr]
        if not chosen:
            click.echo("error: --indicator: none belongs to --establishment", err=True)
            sys.exit(EXIT_INVALID)
    elif establishment_id is not None:
        chosen[_establishment(establishment_id).pk] = None
    else:
        owners = retro_hunt.matchable_everywhere().values_list("establishment_id", flat=True)
        chosen = dict.fromkeys(sorted(set(owners)))
    if not chosen:
        click.echo("nothing to hunt: no active indicator", err=True)
        sys.exit(EXIT_OK)
    failed = False
    with acting_as_operator():
        for establishment in Establishment.objects.filter(pk__in=list(chosen)).order_by("pk"):
            try:
                job = retro_hunt.run_now(
                    establishment, indicator_ids=chosen[establishment.pk], days=days
                )
            except ValidationError as error:
                click.echo(f"error: {validation_message(error)}", err=True)
                sys.exit(EXIT_INVALID)
            counts = job.result or {}
            if job.status != "succeeded":
                failed = True
                click.echo(f"{establishment.pk}\t{establishment.name}\tjob {job.pk} {job.status}")
                continue
            click.echo(
                f"{establishment.pk}\t{establishment.name}\tjob {job.pk}: "
                f"{counts.get('indicators', 0)} indicator(s), {counts.get('events', 0)} "
                f"event(s) searched, {counts.get('sightings', 0)} new sighting(s)"
            )
    sys.exit(EXIT_EMPTY if failed else EXIT_OK)


def setup_platform() -> Callable[[], AbstractContextManager[None]]:
    """Start Django for a platform sub-command kept in its own module (``cli_taxii``), which
    may not import ``hygie.cli`` itself (layering); returns ``acting_as_operator``."""
    from hygie.cli.runtime import acting_as_operator, setup_django

    setup_django()
    return acting_as_operator


def cli_runtime() -> ModuleType:
    """``hygie.cli.runtime`` (setup_django, operator_label, validation_message) for the
    sub-command modules, which may not import ``hygie.cli`` themselves (layering)."""
    from hygie.cli import runtime

    return runtime


# ``hygie intel taxii …``: collections, poll, push, publish, credential (hygie/intel/cli_taxii.py)
from hygie.intel.cli_taxii import taxii  # noqa: E402

intel.add_command(taxii)

# ``hygie intel share|shares|share-approve|share-send|share-download`` (hygie/intel/cli_share.py)
from hygie.intel.cli_share import COMMANDS as SHARE_COMMANDS  # noqa: E402

for _command in SHARE_COMMANDS:
    intel.add_command(_command)
