"""``hygie report-mail FILE… --establishment ID``: report suspicious e-mails (.eml files, e.g.
exported from a shared "phishing" mailbox) to the security team, as the report page does: each
message becomes a detection alert (one per Message-ID) and is kept as evidence."""

from __future__ import annotations

from pathlib import Path

import click

from hygie.cli import UserError
from hygie.cli.runtime import acting_as_operator, setup_django


@click.command("report-mail", short_help="Report suspicious e-mails (.eml) as detection alerts.")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--establishment",
    "establishment_id",
    required=True,
    type=int,
    help="Id of the establishment the messages were received in.",
)
@click.option("--note", default="", help="Added to each message's evidence (no patient data).")
def report_mail(files: tuple[Path, ...], establishment_id: int, note: str) -> None:
    """Report each FILE (an e-mail saved as .eml); a file that is not an e-mail is listed and
    the others are still reported (exit code 1 when any was refused)."""
    setup_django()
    from django.core.exceptions import ValidationError

    from hygie.core.models import Establishment
    from hygie.detection.engine.reported_mail import MAX_MAIL_BYTES
    from hygie.detection.mail_reports import report_suspicious_mail

    establishment = Establishment.objects.filter(pk=establishment_id).first()
    if establishment is None:
        raise UserError(f"no establishment with id {establishment_id}")
    refused = 0
    with acting_as_operator():
        for path in files:
            try:
                with path.open("rb") as handle:
                    data = handle.read(MAX_MAIL_BYTES + 1)
                report = report_suspicious_mail(
                    user=None, establishment=establishment, data=data, note=note
                )
            except OSError as error:
                refused += 1
                click.echo(f"{path}: cannot read: {error.strerror or error}", err=True)
                continue
            except ValidationError as error:
                refused += 1
                click.echo(f"{path}: refused: {' '.join(error.messages)}", err=True)
                continue
            state = "reported again" if report.repeat else "reported"
            click.echo(
                f"{path}: {state}, alert #{report.alert.pk} (severity {report.alert.severity})"
            )
    if refused:
        raise SystemExit(1)
