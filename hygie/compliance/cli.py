"""``hygie compliance …``: the module's commands (``check-library`` runs without a database)."""

from __future__ import annotations

from pathlib import Path

import click

# Above this a file is not read at all (the loader's own limit, lower, is reported as a problem).
MAX_READ_BYTES = 64 * 1024 * 1024
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


@click.group(help="Compliance: framework library tools.")
def compliance() -> None:
    pass


@compliance.command(name="check-library")
@click.argument(
    "directory",
    metavar="[DIR]",
    required=False,
    type=click.Path(path_type=Path),
)
@click.option("--quiet", "-q", is_flag=True, help="Print problems only, no summary.")
def check_library_command(directory: Path | None, quiet: bool) -> None:
    """Check a framework library folder: every problem as file:line: message.

    DIR holds controls.yaml, frameworks/*.yaml and mappings/*.yaml (Hygie's control catalogue
    is used when DIR has no controls.yaml). Without DIR, the library shipped with Hygie is
    checked. Exit 0 when the library is valid, 1 when problems were found, 2 when DIR is not a
    folder or a file cannot be read.
    """
    from hygie.compliance.engine import check_library, parse_library
    from hygie.compliance.library_files import CONTROLS_FILE, LIBRARY_ROOT, library_paths

    root = LIBRARY_ROOT if directory is None else directory
    if not root.is_dir():
        click.echo(f"{root}: not a folder", err=True)
        raise click.exceptions.Exit(EXIT_USAGE)
    paths = library_paths(root)
    if not any(name != CONTROLS_FILE for name in paths):
        click.echo(
            f"{root}: no library file (frameworks/*.yaml, mappings/*.yaml, controls.yaml)",
            err=True,
        )
        raise click.exceptions.Exit(EXIT_USAGE)
    # The shipped library's files by their name in it; a folder's by their path.
    shown = {name: name if directory is None else str(path) for name, path in paths.items()}
    if CONTROLS_FILE not in paths:
        paths[CONTROLS_FILE] = LIBRARY_ROOT / CONTROLS_FILE
        shown[CONTROLS_FILE] = f"{CONTROLS_FILE} (Hygie's catalogue)"
    files: dict[str, str] = {}
    unreadable = False
    for name, path in paths.items():
        text = _read(path)
        if text is None:
            unreadable = True
        else:
            files[name] = text
    if unreadable:
        raise click.exceptions.Exit(EXIT_USAGE)

    problems = check_library(files)
    for problem in problems:
        where = shown.get(problem.file, problem.file)
        line = f":{problem.line}" if problem.line is not None else ""
        click.echo(f"{where}{line}: {problem.message}")
    if problems:
        click.echo(f"{len(problems)} problem(s) in {root}", err=True)
        raise click.exceptions.Exit(EXIT_PROBLEMS)
    if quiet:
        return
    library = parse_library(files)
    for framework in library.frameworks.values():
        total = len(framework.requirements)
        assessable = len(framework.assessable())
        unverified = len(framework.unverified())
        click.echo(
            f"{framework.id}: {total} requirements ({assessable} assessable,"
            f" {unverified} unverified) — {shown.get(framework.source_name, framework.source_name)}"
        )
    entries = sum(len(mapping.entries) for mapping in library.mappings)
    click.echo(
        f"ok: {len(library.frameworks)} framework(s), {len(library.controls)} controls,"
        f" {len(library.mappings)} mapping(s) ({entries} entries)"
    )


@compliance.command(name="convert-ciso")
@click.argument("source", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the framework file here (default: standard output).",
)
def convert_ciso_command(source: Path, output: Path | None) -> None:
    """Convert a CISO Assistant YAML library into a Hygie framework file.

    The result (format hygie-framework/1) can be completed (French or English texts, controls:
    naming Hygie's controls), checked with check-library and imported. Problems are printed as
    file:line: message. Exit 0 when converted, 1 when the library has problems, 2 when FILE
    cannot be read or OUTPUT written.
    """
    from hygie.compliance.engine import (
        LibraryError,
        framework_to_yaml,
        parse_ciso_assistant_library,
    )

    text = _read(source)
    if text is None:
        raise click.exceptions.Exit(EXIT_USAGE)
    try:
        framework = parse_ciso_assistant_library(str(source), text)
    except LibraryError as error:
        for problem in error.problems:
            click.echo(str(problem))
        click.echo(f"{len(error.problems)} problem(s) in {source}", err=True)
        raise click.exceptions.Exit(EXIT_PROBLEMS) from None
    header = (
        "Converted by `hygie compliance convert-ciso` from a CISO Assistant library"
        f" ({source.name}).\n"
        "Every requirement is unverified: check it against the official text."
    )
    result = framework_to_yaml(framework, header)
    if output is None:
        click.echo(result, nl=False)
        return
    try:
        _write_atomically(output, result)
    except OSError as error:
        click.echo(f"{output}: cannot be written ({error.strerror or 'error'})", err=True)
        raise click.exceptions.Exit(EXIT_USAGE) from None
    click.echo(
        f"{output}: {framework.id}, {len(framework.requirements)} requirements"
        f" ({len(framework.assessable())} assessable), languages {', '.join(framework.locales)}",
        err=True,
    )


def _write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, then rename: never half a file."""
    import os
    import tempfile

    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read(path: Path) -> str | None:
    """The file's text, or None after printing why it cannot be read."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_READ_BYTES + 1)
    except OSError as error:
        click.echo(f"{path}: cannot be read ({error.strerror or 'error'})", err=True)
        return None
    if len(raw) > MAX_READ_BYTES:
        click.echo(f"{path}: larger than {MAX_READ_BYTES} bytes", err=True)
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        click.echo(f"{path}: not UTF-8 text", err=True)
        return None


@compliance.command(name="report")
@click.argument("assessment_id", metavar="ASSESSMENT_ID", type=int)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "csv", "xlsx"]),
    default="pdf",
    show_default=True,
    help="The report's format.",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report here.",
)
def report_command(assessment_id: int, fmt: str, output: Path) -> None:
    """Write an assessment's audit-ready report (scope, scores, requirements with evidence and
    probe results, gaps, action plan). The export is recorded in the audit trail as made from
    the command line. Exit 0 when written, 1 when the assessment does not exist, 2 when OUTPUT
    cannot be written."""
    from hygie.cli.runtime import acting_as_operator, setup_django

    setup_django()
    from hygie.compliance.models import Assessment
    from hygie.compliance.services import reports

    assessment = (
        Assessment.objects.select_related("framework", "establishment")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        click.echo(f"assessment {assessment_id}: not found", err=True)
        raise click.exceptions.Exit(EXIT_PROBLEMS)
    with acting_as_operator():
        data, _content_type, _name = reports.export_report(assessment, fmt)
    try:
        partial = output.with_name(output.name + ".part")
        partial.write_bytes(data)
        partial.replace(output)  # nothing half-written under the final name
    except OSError as error:
        click.echo(f"{output}: cannot be written ({error.strerror or 'error'})", err=True)
        raise click.exceptions.Exit(EXIT_USAGE) from None
    click.echo(f"{output}: {fmt} report of “{assessment.title}” ({len(data)} bytes)")


@compliance.command(name="sync-library")
def sync_library_command() -> None:
    """Load the frameworks shipped with Hygie into the database (idempotent: a second run
    changes nothing). Exit 0 when loaded, 1 when the shipped library has problems."""
    from hygie.cli.runtime import acting_as_operator, setup_django

    setup_django()
    from hygie.compliance.services import library

    with acting_as_operator():
        report = library.sync_shipped_library()
    for problem in report.problems:
        click.echo(problem, err=True)
    if report.problems:
        raise click.exceptions.Exit(EXIT_PROBLEMS)
    click.echo(
        f"{report.frameworks} framework(s) loaded ({report.created} new,"
        f" {report.updated} refreshed), {report.requirements} requirements"
    )


@compliance.command(name="run-probes")
@click.option(
    "--establishment",
    "establishment_ids",
    type=int,
    multiple=True,
    help="An establishment id (repeatable). Default: every establishment.",
)
@click.option("--probe", "probe_ids", multiple=True, help="A probe id (repeatable).")
def run_probes_command(establishment_ids: tuple[int, ...], probe_ids: tuple[str, ...]) -> None:
    """Run the registered probes now, store each result with its evidence snapshot and propose
    the statuses in open assessments. Exit 0, or 1 when an establishment does not exist."""
    from hygie.cli.runtime import acting_as_operator, setup_django

    setup_django()
    from hygie.compliance.services import probes
    from hygie.core.models import Establishment

    queryset = Establishment.objects.order_by("pk")
    if establishment_ids:
        queryset = queryset.filter(pk__in=establishment_ids)
        missing = set(establishment_ids) - set(queryset.values_list("pk", flat=True))
        if missing:
            click.echo(f"establishment(s) not found: {sorted(missing)}", err=True)
            raise click.exceptions.Exit(EXIT_PROBLEMS)
    with acting_as_operator():
        for establishment in queryset:
            runs = probes.run_probes(establishment, None, probe_ids or None)
            counts: dict[str, int] = {}
            for run in runs:
                counts[run.status] = counts.get(run.status, 0) + 1
            summary = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
            click.echo(f"{establishment.name}: {len(runs)} result(s) ({summary})")


def _write_bytes(output: Path, data: bytes) -> None:
    """Write through ``OUTPUT.part`` then rename (nothing half-written); exit 2 on failure."""
    try:
        partial = output.with_name(output.name + ".part")
        partial.write_bytes(data)
        partial.replace(output)
    except OSError as error:
        click.echo(f"{output}: cannot be written ({error.strerror or 'error'})", err=True)
        raise click.exceptions.Exit(EXIT_USAGE) from None


@compliance.command(name="register")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["pdf", "csv", "xlsx"]),
    default="pdf",
    show_default=True,
    help="The export's format.",
)
@click.option(
    "--establishment",
    "establishment_ids",
    type=int,
    multiple=True,
    help="Only this establishment (repeatable); every establishment by default.",
)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the export here.",
)
def register_command(fmt: str, establishment_ids: tuple[int, ...], output: Path) -> None:
    """Export the GDPR record of processing activities (art. 30) for an auditor. Recorded in
    the audit trail as made from the command line. Exit 0 when written, 2 when OUTPUT cannot
    be written."""
    from hygie.cli.runtime import acting_as_operator, setup_django

    setup_django()
    from hygie.compliance.models import ProcessingActivity
    from hygie.compliance.services import registers

    queryset = ProcessingActivity.objects.all()
    if establishment_ids:
        queryset = queryset.filter(establishment_id__in=establishment_ids)
    with acting_as_operator():
        data, _content_type, _name = registers.export_register(queryset, fmt)
    _write_bytes(output, data)
    click.echo(f"{output}: {fmt} record of {queryset.count()} processing activities")


@compliance.command(name="dpia")
@click.argument("dpia_id", metavar="DPIA_ID", type=int)
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the PDF here.",
)
def dpia_command(dpia_id: int, output: Path) -> None:
    """Write a DPIA as PDF (context, principles, risks with the risk map, action plan, DPO
    opinion). Recorded in the audit trail. Exit 0 when written, 1 when the DPIA does not
    exist, 2 when OUTPUT cannot be written."""
    from hygie.cli.runtime import acting_as_operator, setup_django

    setup_django()
    from hygie.compliance.models import DPIA
    from hygie.compliance.services import registers

    dpia = DPIA.objects.select_related("establishment", "processing").filter(pk=dpia_id).first()
    if dpia is None:
        click.echo(f"DPIA {dpia_id}: not found", err=True)
        raise click.exceptions.Exit(EXIT_PROBLEMS)
    with acting_as_operator():
        data, _content_type, _name = registers.export_dpia_pdf(dpia)
    _write_bytes(output, data)
    click.echo(f"{output}: DPIA “{dpia.title}” ({len(data)} bytes)")
