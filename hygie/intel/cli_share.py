"""``hygie intel share …``: share an incident with a partner from the command line, through the
same service as the pages and the API (``hygie.intel.services.sharing``): the privacy scrub, the
TLP rules, the approval (four-eyes when ``HYGIE_INTEL_TWO_PERSON_APPROVAL`` is on), the audit
trail and the incident's timeline are the same.

A person acts, never the bare command line: ``--as LOGIN`` names the Hygie account whose rights
are checked (``intel.share``, the incident's establishment) and who is recorded as preparing,
approving, sending or downloading; the audit entries carry that account, the ``cli`` channel and
the OS user running the command.

* ``share INCIDENT``: ``--preview`` prints what the scrub removed and why (nothing stored, nothing
  sent); otherwise a draft is prepared, and with ``--approve`` approved and delivered at once
  (sent to ``--partner`` or written to ``--download FILE``);
* ``shares``: the shares the account may see (drafts waiting for approval first);
* ``share-approve SHARE``: approve a draft (``--send`` or ``--download FILE`` to deliver it);
* ``share-send SHARE`` / ``share-download SHARE FILE``: deliver an approved share.

Exit codes: 0 done; 1 the delivery failed (partner unreachable or refusing, file not written);
2 invalid input or refused by a rule (unknown id, TLP, approval missing, four-eyes);
3 the account may not do this (no ``intel.share``, or the incident is not visible to it).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from hygie.core.models import User
    from hygie.intel.models import IncidentShare

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_DENIED = 0, 1, 2, 3
SHAREABLE_TLP = ("clear", "green", "amber", "amber+strict")


def _fail(message: str, code: int = EXIT_INVALID) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def _setup(login: str) -> tuple[User, Callable[[], AbstractContextManager[None]]]:
    """Django started; the account ``login`` and the context attributing audit entries to it
    (channel ``cli``, the OS user kept as the user agent)."""
    from hygie.intel.cli import cli_runtime

    runtime = cli_runtime()
    runtime.setup_django()
    from hygie.core.context import ActorContext, acting_as
    from hygie.core.models import User

    user = User.objects.filter(username=login).first()
    if user is None or not user.is_active:
        _fail(f"--as {login}: no active account with this login")
    label = runtime.operator_label()

    @contextmanager
    def acting() -> Iterator[None]:
        context = ActorContext(
            user=user, channel="cli", label=label, user_agent=f"hygie CLI ({label})"
        )
        with acting_as(context):
            yield

    return user, acting


def _partner(user: User, partner_id: int | None) -> Any:
    if partner_id is None:
        return None
    from hygie.intel.models import Partner

    found = Partner.objects.visible_to(user).filter(pk=partner_id).first()
    if found is None:
        _fail(f"--partner {partner_id}: no such partner visible to {user.get_username()}")
    return found


def _share(user: User, share_id: int) -> IncidentShare:
    from hygie.intel.models import IncidentShare

    found = (
        IncidentShare.objects.visible_to(user)
        .select_related("partner", "prepared_by", "approved_by")
        .filter(pk=share_id)
        .first()
    )
    if found is None:
        _fail(f"no share {share_id} visible to {user.get_username()}")
    return found


@contextmanager
def _rules(what: str) -> Iterator[None]:
    """The service's refusals as located messages and exit codes."""
    from django.core.exceptions import PermissionDenied, ValidationError

    from hygie.intel.cli import cli_runtime
    from hygie.intel.services.sharing import ShareError

    validation_message = cli_runtime().validation_message

    try:
        yield
    except PermissionDenied:
        _fail(
            f"{what}: unknown, or not allowed for this account (it needs intel.share and "
            "access to the incident's establishment)",
            EXIT_DENIED,
        )
    except ValidationError as error:
        _fail(f"{what}: {validation_message(error)}")
    except ShareError as error:
        _fail(f"{what}: not sent: {error}", EXIT_FAILED)


def _print_removed(removed: list[dict[str, str]]) -> None:
    from hygie.intel.services.sharing import REASONS

    for row in removed:
        reason = row.get("reason", "")
        click.echo(
            "\t".join(
                (
                    row.get("field", ""),
                    row.get("entity", ""),
                    row.get("masked", ""),
                    str(REASONS.get(reason, reason)),
                )
            )
        )


def _deliver(user: User, share: IncidentShare, download: Path | None) -> None:
    """Send to the share's partner, or write the file (whole or not at all)."""
    from hygie.intel.cli import _write_atomically
    from hygie.intel.services import sharing

    if download is None:
        with _rules(f"share {share.pk}"):
            sharing.send(user, share)
        click.echo(f"share {share.pk} sent: {share.destination}")
        return
    if not download.resolve().parent.is_dir():
        _fail(f"--download {download}: the folder does not exist", EXIT_FAILED)
    with _rules(f"share {share.pk}"):
        made = sharing.download(user, share)
    try:
        _write_atomically(download, made.content)
    except OSError as error:
        _fail(f"cannot write {download} ({error.strerror})", EXIT_FAILED)
    click.echo(f"share {share.pk} written to {download}")


def _approve(user: User, share: IncidentShare) -> None:
    from hygie.intel.services import sharing

    with _rules(f"share {share.pk}"):
        sharing.approve(user, share)
    click.echo(f"share {share.pk} approved by {user.get_username()}")


_as_option = click.option(
    "--as",
    "login",
    required=True,
    metavar="LOGIN",
    help="Hygie account acting (its rights are checked; recorded in the audit trail).",
)


@click.command("share")
@click.argument("incident")
@_as_option
@click.option("--partner", "partner_id", type=int, help="Id of the partner to share with.")
@click.option(
    "--download",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the approved share to this file instead of sending it.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["stix21", "misp"]), default="stix21", show_default=True
)
@click.option(
    "--tlp",
    type=click.Choice(SHAREABLE_TLP),
    default="amber",
    show_default=True,
    help="TLP marking of the share (TLP:RED is never shared).",
)
@click.option(
    "--include-staff-names", is_flag=True, help="Keep the names of staff members (off: removed)."
)
@click.option(
    "--preview",
    is_flag=True,
    help="Print what the privacy scrub removed and why; store and send nothing.",
)
@click.option("--show-content", is_flag=True, help="With --preview: print the scrubbed document.")
@click.option(
    "--approve",
    is_flag=True,
    help="Approve the draft at once and deliver it (refused under two-person approval).",
)
def share_command(
    incident: str,
    login: str,
    partner_id: int | None,
    download: Path | None,
    fmt: str,
    tlp: str,
    include_staff_names: bool,
    preview: bool,
    show_content: bool,
    approve: bool,
) -> None:
    """Share the incident INCIDENT (its id) with a partner: scrubbed of personal data, TLP-marked,
    approved by a person before it leaves."""
    user, acting = _setup(login)
    from hygie.intel.services import sharing

    partner = _partner(user, partner_id)
    if preview:
        with _rules(f"incident {incident}"):
            made = sharing.preview(
                user,
                incident,
                partner=partner,
                fmt=fmt,
                tlp=tlp,
                keep_staff_names=include_staff_names,
            )
        _print_removed(made.removed)
        if show_content:
            click.echo(json.dumps(made.document, ensure_ascii=False, indent=2))
        click.echo(
            f"{made.reference}: {len(made.removed)} item(s) removed by the privacy scrub; "
            "preview only: nothing stored, nothing sent",
            err=True,
        )
        sys.exit(EXIT_OK)
    if partner is None and download is None:
        _fail("give --partner ID (to send) or --download FILE (or --preview)")
    if approve and sharing.two_person_approval():
        _fail(
            "--approve: Two-person approval is on: another person approves "
            "(hygie intel share-approve SHARE --as LOGIN); nothing was prepared"
        )
    with acting():
        with _rules(f"incident {incident}"):
            share = sharing.prepare(
                user,
                incident,
                partner=partner,
                fmt=fmt,
                tlp=tlp,
                keep_staff_names=include_staff_names,
            )
        _print_removed(share.removed)
        click.echo(f"share {share.pk} prepared (draft): {len(share.removed)} item(s) removed")
        if not approve:
            deliver = f"--download {download}" if download else "--send"
            other = ""
            if sharing.two_person_approval():
                other = " (another person: two-person approval)"
            click.echo(f"next: hygie intel share-approve {share.pk} --as LOGIN {deliver}{other}")
            sys.exit(EXIT_OK)
        _approve(user, share)
        _deliver(user, share, download)
    sys.exit(EXIT_OK)


@click.command("shares")
@_as_option
@click.option("--status", type=click.Choice(["draft", "approved", "sent", "downloaded", "failed"]))
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
def shares_command(login: str, status: str | None, limit: int) -> None:
    """Incident shares the account may see, tab-separated: id, status, incident, partner,
    format, TLP, prepared by, approved by."""
    user, _acting = _setup(login)
    from hygie.intel.engine.model import TLP
    from hygie.intel.models import IncidentShare

    queryset = IncidentShare.objects.visible_to(user).select_related(
        "partner", "prepared_by", "approved_by"
    )
    if status:
        queryset = queryset.filter(status=status)
    rows = list(queryset.order_by("-created_at")[:limit])
    for row in rows:
        click.echo(
            "\t".join(
                (
                    str(row.pk),
                    row.status,
                    row.incident_title or row.incident_ref,
                    row.partner.name if row.partner else "-",
                    row.format,
                    TLP(row.tlp).label,
                    row.prepared_by.get_username() if row.prepared_by else "-",
                    row.approved_by.get_username() if row.approved_by else "-",
                )
            )
        )
    click.echo(f"{len(rows)} share(s)", err=True)


@click.command("share-approve")
@click.argument("share_id", type=int)
@_as_option
@click.option("--send", is_flag=True, help="Send it to its partner once approved.")
@click.option(
    "--download",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write it to this file once approved.",
)
def share_approve_command(share_id: int, login: str, send: bool, download: Path | None) -> None:
    """Approve the draft share SHARE_ID as it stands (recorded with the account in the audit
    trail); under two-person approval, not by the person who prepared it."""
    user, acting = _setup(login)
    if send and download is not None:
        _fail("--send or --download, not both")
    share = _share(user, share_id)
    with acting():
        _approve(user, share)
        if send or download is not None:
            _deliver(user, share, download)
    sys.exit(EXIT_OK)


@click.command("share-send")
@click.argument("share_id", type=int)
@_as_option
def share_send_command(share_id: int, login: str) -> None:
    """Send the approved share SHARE_ID to its partner (TAXII collection or MISP instance)."""
    user, acting = _setup(login)
    share = _share(user, share_id)
    with acting():
        _deliver(user, share, None)
    sys.exit(EXIT_OK)


@click.command("share-download")
@click.argument("share_id", type=int)
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@_as_option
def share_download_command(share_id: int, output: Path, login: str) -> None:
    """Write the approved share SHARE_ID to OUTPUT (audited, noted on the incident's timeline)."""
    user, acting = _setup(login)
    share = _share(user, share_id)
    with acting():
        _deliver(user, share, output)
    sys.exit(EXIT_OK)


COMMANDS = (
    share_command,
    shares_command,
    share_approve_command,
    share_send_command,
    share_download_command,
)
