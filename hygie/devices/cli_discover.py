"""``hygie devices discover PCAP``: passive discovery from a capture file, no database.
Exit 0 when the capture was read (candidates or not), 2 when it cannot be read."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

MAX_CAPTURE_BYTES = 1024 * 1024 * 1024


class UserError(click.ClickException):
    """As ``hygie.cli.UserError`` (a message, exit 2), which this module may not import."""

    exit_code = 2


@click.command(name="discover")
@click.argument("pcap", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def discover_command(pcap: Path, output: str) -> None:
    """Read a pcap or pcapng capture and list the candidate devices (with their evidence and
    a confidence) and the observed flows. Passive only: nothing is sent on the network."""
    from hygie.devices.engine.discovery import CaptureError, discover, result_to_dict

    try:
        if pcap.stat().st_size > MAX_CAPTURE_BYTES:
            raise UserError(f"{pcap}: larger than {MAX_CAPTURE_BYTES // 1_048_576} MB")
        data = pcap.read_bytes()
    except OSError as error:
        raise UserError(f"{pcap}: cannot be read ({error.strerror or 'error'})") from None
    try:
        result = discover(data)
    except CaptureError as error:
        raise UserError(f"{pcap}: {error}") from None
    if output == "json":
        click.echo(json.dumps(result_to_dict(result), ensure_ascii=False, indent=2))
        return
    click.echo(
        f"{result.capture_format}: {result.frames} frames, {result.decoded} decoded, "
        f"{len(result.candidates)} candidate devices, {len(result.flows)} flows"
    )
    for candidate in result.candidates:
        where = ", ".join(candidate.ips + candidate.macs)
        label = candidate.name or "-"
        maker = candidate.manufacturer or "-"
        click.echo(f"\n{where}  name: {label}  manufacturer: {maker}  ({candidate.confidence:.2f})")
        for item in candidate.evidence:
            click.echo(f"    {item.kind:<30} {item.value}")
    if result.flows:
        click.echo("\nSRC  DST  PORT/PROTO  APPLICATION  PACKETS  BYTES  FIRST SEEN  LAST SEEN")
        for flow in result.flows:
            click.echo(
                f"{flow.src}  {flow.dst}  {flow.port}/{flow.protocol}  {flow.application or '-'}"
                f"  {flow.packets}  {flow.bytes}  {_when(flow.first_seen)}  {_when(flow.last_seen)}"
            )


def _when(stamp: float) -> str:
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
