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


@click.command(name="check-flows")
@click.option(
    "--policy",
    "policy_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Segmentation policy (YAML): zones and allowed flows.",
)
@click.argument("flows", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--input",
    "kind",
    type=click.Choice(["auto", "pcap", "netflow", "zeek"]),
    default="auto",
    show_default=True,
    help="What FLOWS is: a capture, a NetFlow/IPFIX CSV or a Zeek conn.log (auto: guessed).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def check_flows_command(policy_path: Path, flows: Path, kind: str, output: str) -> None:
    """Check observed flows against a segmentation policy, without a database. Exit 0 when
    every flow is allowed, 1 when some are not, 2 on bad input."""
    from hygie.devices.engine import segmentation
    from hygie.devices.engine.discovery import CaptureError, discover

    try:
        policy = segmentation.parse_policy(policy_path.read_bytes(), str(policy_path))
        data = flows.read_bytes()
    except segmentation.SegmentationError as error:
        raise UserError(str(error)) from None
    except OSError as error:
        raise UserError(f"cannot be read ({error.strerror or 'error'})") from None
    if kind == "auto":
        kind = _guess(data)
    try:
        if kind == "pcap":
            result = discover(data)
            observed = [
                segmentation.ObservedFlow(
                    f.src, f.dst, f.port, f.protocol, f.bytes, f.packets, f.first_seen, f.last_seen
                )
                for f in result.flows
            ]
        elif kind == "zeek":
            observed = segmentation.parse_zeek_conn(data.decode("utf-8", "replace"), str(flows))
        else:
            observed = segmentation.parse_netflow_csv(data.decode("utf-8", "replace"), str(flows))
    except (CaptureError, segmentation.SegmentationError) as error:
        raise UserError(f"{flows}: {error}" if kind == "pcap" else str(error)) from None
    violations = segmentation.check(policy, observed)
    if output == "json":
        rows = [
            {
                "src": v.src,
                "dst": v.dst,
                "port": v.port,
                "protocol": v.protocol,
                "src_zone": v.src_zone,
                "dst_zone": v.dst_zone,
                "bytes": v.bytes,
                "packets": v.packets,
                "flows": v.flows,
                "first_seen": v.first_seen,
                "last_seen": v.last_seen,
                "why": v.why,
            }
            for v in violations
        ]
        click.echo(json.dumps(rows, indent=2))
    else:
        for v in violations:
            click.echo(f"{v.src} -> {v.dst}:{v.port}/{v.protocol}  {v.why}")
        click.echo(f"{len(observed)} flows, {len(violations)} outside the policy")
    if violations:
        raise click.exceptions.Exit(1)


def _guess(data: bytes) -> str:
    from hygie.devices.engine.discovery import CaptureError
    from hygie.devices.engine.discovery.capture import capture_format

    try:
        capture_format(data)
    except CaptureError:
        text = data[:4096].decode("utf-8", "replace").lstrip()
        return "zeek" if text.startswith(("#", "{")) else "netflow"
    return "pcap"
