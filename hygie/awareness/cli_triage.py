"""``hygie awareness triage FILE.eml`` (engine command: no database) and
``hygie awareness smtp-listen`` (platform command: the built-in receiving SMTP endpoint)."""

from __future__ import annotations

import json
from pathlib import Path

import click


class UserError(click.ClickException):
    """A mistake the user can fix: a message, no traceback (as ``hygie.cli.UserError``)."""

    exit_code = 2


@click.command("triage", short_help="Analyse a reported mail (.eml) without a database.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--own-domain",
    "own_domains",
    multiple=True,
    help="A domain of your organisation (repeat): look-alikes of it are phishing signs.",
)
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def triage(file: Path, own_domains: tuple[str, ...], output: str) -> None:
    """Analyse FILE (a mail saved as .eml, or a message carrying it as attachment): verdict
    (simulation, clean, spam, phishing, malicious), reasons, authentication results, links
    (defanged in the table) and attachments (type, SHA-256, macros). The body is never printed."""
    from hygie.awareness.engine.report import MAX_REPORT_BYTES, ReportError, analyse, defang

    try:
        with file.open("rb") as handle:
            data = handle.read(MAX_REPORT_BYTES + 1)
    except OSError as error:
        raise UserError(f"{file}: cannot read: {error.strerror or error}") from None
    try:
        result = analyse(data, [d.strip().lower() for d in own_domains if d.strip()])
    except ReportError as error:
        raise UserError(f"{file}: refused: {error.code.replace('_', ' ')}") from None
    if output == "json":
        facts = result.as_dict()
        facts.pop("candidate_tokens", None)
        click.echo(json.dumps(facts, indent=2, ensure_ascii=False))
        return
    click.echo(f"verdict: {result.verdict} (score {result.score})")
    click.echo(f"reasons: {', '.join(result.reasons) or '-'}")
    click.echo(f"from: {result.sender_name} <{result.sender}>")
    if result.reply_to:
        click.echo(f"reply-to: {result.reply_to}")
    auth = ", ".join(f"{k}={v}" for k, v in sorted(result.authentication.items()))
    click.echo(f"authentication: {auth or 'none'}")
    for hop in result.received:
        click.echo(f"received: from {hop.from_host or '?'} [{hop.ip or '?'}] by {hop.by_host}")
    for hit in result.lookalikes:
        click.echo(f"look-alike: {hit['domain']} imitates {hit['imitates']} ({hit['how']})")
    for link in result.urls:
        shown = f" (text shows {link.text_domain})" if link.mismatch else ""
        click.echo(f"link: {defang(link.url)}{shown}")
    for item in result.attachments:
        macros = ", macros" if item.has_macros else ""
        click.echo(
            f"attachment: {item.filename or '?'} {item.detected_type} {item.size} bytes "
            f"sha256={item.sha256}{macros}"
        )


@click.command("smtp-listen", short_help="Receive reported mails over SMTP.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=2525, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--establishment",
    "establishment_id",
    required=True,
    type=int,
    help="Id of the establishment whose reports this endpoint receives.",
)
def smtp_listen(host: str, port: int, establishment_id: int) -> None:
    """Accept reported mails over SMTP (point the report mailbox's forwarding rule or a mail
    gateway here) until interrupted; each message becomes a reported mail to triage."""
    from hygie.awareness.cli import setup_platform

    setup_platform()
    import signal
    import threading

    from hygie.awareness.services.smtp_endpoint import ReportSMTPServer
    from hygie.core.models import Establishment

    if not Establishment.objects.filter(pk=establishment_id).exists():
        raise UserError(f"no establishment with id {establishment_id}")
    server = ReportSMTPServer(host, port, establishment_id)
    server.start()
    click.echo(f"Receiving reported mails on {server.host}:{server.port} (Ctrl-C to stop)")
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        stopping.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
