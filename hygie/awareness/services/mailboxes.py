"""Report mailboxes: the IMAP mailboxes staff forward suspicious mail to, polled by a job.

Each mailbox remembers the UID of the last message it read (``last_uid``): a poll fetches only
newer UIDs, in order, and moves ``last_uid`` past each message once it is recorded (or refused),
so nothing is read twice and a failure part-way resumes where it stopped. The mailbox is opened
read-only (``EXAMINE``; bodies fetched with ``BODY.PEEK``): Hygie changes nothing in it. A
message over the size limit is skipped without being downloaded. The password is sealed at rest
(derived from the instance's secret key), never rendered back and never logged; errors are
stored and logged by kind, never with the server's text (which may echo an address).
"""

from __future__ import annotations

import imaplib
import logging
import re
import ssl
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.awareness.engine.report import MAX_REPORT_BYTES
from hygie.awareness.models import MailboxSecurity, ReportChannel, ReportMailbox
from hygie.awareness.roles import TRIAGE
from hygie.awareness.services.profiles import SecretUnavailableError, open_secret, seal_secret
from hygie.awareness.services.triage import receive_report
from hygie.core.models import Establishment, User
from hygie.core.services import crud

logger = logging.getLogger("hygie.awareness.mailboxes")

TIMEOUT = 30.0
MAX_PER_POLL = 200  # messages per mailbox per poll (the next poll reads on)
_FETCH_SIZE = re.compile(rb"UID (\d+) RFC822\.SIZE (\d+)|RFC822\.SIZE (\d+) UID (\d+)")


def seal(password: str) -> str:
    return seal_secret(password)


def unseal(sealed: str) -> str:
    """The password, or "" when it cannot be read (the secret key changed: enter it again)."""
    try:
        return open_secret(sealed)
    except SecretUnavailableError:
        return ""


MAILBOX_FIELDS = ("name", "host", "port", "security", "username", "folder", "is_active")


def save_mailbox(
    user: User | None,
    establishment: Establishment,
    values: dict[str, object],
    *,
    password: str = "",
    mailbox: ReportMailbox | None = None,
) -> ReportMailbox:
    """Create or edit a mailbox. An empty ``password`` keeps the stored one."""
    if user is not None:
        if not user.can(TRIAGE):
            raise PermissionDenied(_("You may not manage report mailboxes."))
        crud.check_establishment_allowed(user, establishment.pk)
    mailbox = mailbox or ReportMailbox(establishment=establishment)
    if mailbox.pk and mailbox.establishment_id != establishment.pk:
        raise ValidationError(_("The mailbox belongs to another establishment."))
    for name in MAILBOX_FIELDS:
        if name in values:
            setattr(mailbox, name, values[name])
    if password:
        mailbox.password = seal(password)
    mailbox.full_clean()
    with transaction.atomic():
        mailbox.save()
    return mailbox


@dataclass
class PollResult:
    fetched: int = 0
    reported: int = 0
    refused: int = 0
    skipped_large: int = 0
    error: str = ""
    report_ids: list[int] = field(default_factory=list)


def _connect(mailbox: ReportMailbox) -> imaplib.IMAP4:
    context = ssl.create_default_context()
    if mailbox.security == MailboxSecurity.TLS:
        return imaplib.IMAP4_SSL(mailbox.host, mailbox.port, ssl_context=context, timeout=TIMEOUT)
    client = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
    if mailbox.security == MailboxSecurity.STARTTLS:
        client.starttls(ssl_context=context)
    return client


def _error_kind(error: BaseException) -> str:
    if isinstance(error, imaplib.IMAP4.error) and "auth" in str(error).lower():
        return "authentication failed"
    if isinstance(error, ssl.SSLError):
        return "TLS error"
    if isinstance(error, (TimeoutError, OSError)):
        return "connection failed"
    return type(error).__name__


def _new_uids(client: imaplib.IMAP4, last_uid: int) -> list[int]:
    status, data = client.uid("SEARCH", f"UID {last_uid + 1}:*")
    if status != "OK":
        raise imaplib.IMAP4.error("search failed")
    uids = sorted(int(u) for u in (data[0] or b"").split() if u.isdigit())
    # ``n:*`` always matches the last message, even when its UID is below n.
    return [uid for uid in uids if uid > last_uid][:MAX_PER_POLL]


def _size(client: imaplib.IMAP4, uid: int) -> int | None:
    status, data = client.uid("FETCH", str(uid), "(RFC822.SIZE)")
    if status != "OK":
        return None
    for item in data:
        line = item[0] if isinstance(item, tuple) else item
        if isinstance(line, bytes):
            match = _FETCH_SIZE.search(line)
            if match:
                return int(match.group(2) or match.group(3))
    return None


def _body(client: imaplib.IMAP4, uid: int) -> bytes | None:
    status, data = client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def poll_mailbox(mailbox: ReportMailbox) -> PollResult:
    """Read the messages that arrived since the last poll and record each as a report."""
    result = PollResult()
    client: imaplib.IMAP4 | None = None
    try:
        client = _connect(mailbox)
        client.login(mailbox.username, unseal(mailbox.password))
        status, _data = client.select(_quoted(mailbox.folder), readonly=True)
        if status != "OK":
            raise imaplib.IMAP4.error("folder not found")
        for uid in _new_uids(client, mailbox.last_uid):
            result.fetched += 1
            size = _size(client, uid)
            if size is not None and size > MAX_REPORT_BYTES:
                result.skipped_large += 1
            else:
                data = _body(client, uid)
                try:
                    report = receive_report(
                        data or b"", ReportChannel.IMAP, establishment=mailbox.establishment
                    )
                except ValidationError:
                    result.refused += 1
                else:
                    result.reported += 1
                    result.report_ids.append(report.pk)
            ReportMailbox.objects.filter(pk=mailbox.pk).update(last_uid=uid)
            mailbox.last_uid = uid
    except (imaplib.IMAP4.error, OSError, ssl.SSLError, EOFError) as error:
        result.error = _error_kind(error)
        logger.warning("report mailbox %s: %s", mailbox.pk, result.error)
    finally:
        if client is not None:
            try:
                client.logout()
            except (imaplib.IMAP4.error, OSError, EOFError):
                pass
    ReportMailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_error=result.error[:300]
    )
    return result


def _quoted(folder: str) -> str:
    name = folder.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{name}"'


def poll_all() -> dict[str, int]:
    """Poll every active mailbox (the periodic job)."""
    totals = {"mailboxes": 0, "reported": 0, "refused": 0, "errors": 0}
    for mailbox in ReportMailbox.objects.filter(is_active=True).select_related("establishment"):
        result = poll_mailbox(mailbox)
        totals["mailboxes"] += 1
        totals["reported"] += result.reported
        totals["refused"] += result.refused + result.skipped_large
        totals["errors"] += bool(result.error)
    return totals
