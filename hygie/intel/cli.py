"""``hygie intel …``: ``convert`` is the engine command (no database); the commands that read or
write the platform's indicators call ``setup_django`` themselves, as ``hygie devices`` does.

Exit codes: 0 converted; 1 nothing to convert or the output cannot be written; 2 invalid input
(the message locates it: file, line or JSON path). The output is written whole or not at all.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import click

from hygie.intel.engine.convert import FORMATS_IN, FORMATS_OUT, Input, convert
from hygie.intel.engine.errors import IntelError
from hygie.intel.engine.model import TLP

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


def _write_atomically(target: Path, content: str) -> None:
    folder = target.resolve().parent
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(content)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@click.group(help="Threat intelligence: convert, import and export indicators, TAXII, sharing.")
def intel() -> None:
    pass


@intel.command("convert")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--to", "to", type=click.Choice(FORMATS_OUT), required=True, help="Output format.")
@click.option(
    "--from",
    "from_",
    type=click.Choice(FORMATS_IN),
    default="auto",
    show_default=True,
    help="Input format (auto: from each file's content and name).",
)
@click.option(
    "--tlp",
    "default_tlp",
    type=click.Choice([t.value for t in TLP]),
    default=TLP.AMBER.value,
    show_default=True,
    help="TLP given to indicators whose input carries none.",
)
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
