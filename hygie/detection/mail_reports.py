"""Suspicious e-mails reported by staff: each report becomes a detection alert for the security
team, with the message kept as evidence (used by the report page, the API and the demo).

The alert names the sender, the link domains and the attachment types, never the subject or the
body: a genuine message reported by mistake may name a patient. The message itself is evidence,
readable by the roles that may see evidence. Reports of one message (same Message-ID) are one
alert: its occurrences count the reports, its details list the reporters and their evidence.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from hygie.core import display
from hygie.core.choices import SeverityChoice
from hygie.core.models import Alert, Establishment, Evidence, User
from hygie.core.services import crud
from hygie.core.services.alerts import raise_alert
from hygie.core.services.evidence import add_evidence
from hygie.detection.engine.reported_mail import (
    MAX_MAIL_BYTES,
    ReportedMail,
    ReportedMailError,
    parse_reported_mail,
)
from hygie.detection.roles import REPORT_MAIL
from hygie.detection.services import ALERT_SOURCE

RULE_ID = "detection.reported_mail"
TAGS = ("attack.initial-access", "attack.t1566")  # ATT&CK: phishing
MAX_NOTE = 1000

# The alert's title written in English (the CLI, the demo) reads in the reader's language.
display.register_stored_messages(gettext_noop("Suspicious e-mail reported from %(sender)s"))


@dataclass(frozen=True)
class MailReport:
    alert: Alert
    evidence: Evidence
    mail: ReportedMail
    repeat: bool  # the message had been reported already (the alert counts one more)


def _error(code: str) -> ValidationError:
    messages = {
        "empty": _("The file is empty."),
        "too_large": _("The message is too large (limit %(limit)s).")
        % {"limit": filesizeformat(MAX_MAIL_BYTES)},
        "not_mail": _(
            "This file is not an e-mail message. Save the message from your mail program "
            "(“Save as” or drag it to a folder) and send the .eml file."
        ),
    }
    return ValidationError(messages.get(code, messages["not_mail"]), code=code)


def report_suspicious_mail(
    *, user: User | None, establishment: Establishment, data: bytes, note: str = ""
) -> MailReport:
    """Raise (or count again) the alert of a reported message and keep the message as evidence.
    ``user`` None is the platform (demo). Raises ValidationError for a file that is no e-mail,
    PermissionDenied when the user may not report for this establishment."""
    if user is not None:
        if not user.can(REPORT_MAIL):
            raise PermissionDenied(_("You may not report e-mails."))
        crud.check_establishment_allowed(user, establishment.pk)
    try:
        mail = parse_reported_mail(data)
    except ReportedMailError as error:
        raise _error(error.code) from None
    digest = hashlib.sha256(data).hexdigest()
    key = mail.message_id or digest
    severity = SeverityChoice.MEDIUM if mail.suspicious_signs else SeverityChoice.LOW
    signs = []
    if mail.risky_attachments:
        signs.append(_("an attachment of a type that can run code"))
    if mail.failed_authentication:
        signs.append(
            _("sender checks failed (%(checks)s)")
            % {"checks": ", ".join(name.upper() for name in mail.failed_authentication)}
        )
    if mail.reply_elsewhere:
        signs.append(_("replies go to another domain than the sender's"))
    description = _(
        "A member of staff reported this e-mail as suspicious. The message is attached as "
        "evidence; open it in an isolated environment."
    )
    if signs:
        description += " " + _("Warning signs: %(signs)s.") % {"signs": "; ".join(signs)}
    details = {
        "sender": mail.sender,
        "sender_domain": mail.sender_domain,
        "reply_to": mail.reply_to,
        "return_path": mail.return_path,
        "message_id": mail.message_id,
        "date": mail.date,
        "link_count": mail.link_count,
        "link_domains": list(mail.link_domains),
        "attachment_extensions": list(mail.attachment_extensions),
        "authentication": mail.authentication,
        "sha256": digest,
        "reporter_ids": [user.pk] if user is not None else [],
    }
    with transaction.atomic():
        alert = raise_alert(
            establishment=establishment,
            source=ALERT_SOURCE,
            title=_("Suspicious e-mail reported from %(sender)s")
            % {"sender": mail.sender_domain or _("an unknown sender")},
            severity=severity,
            rule_id=RULE_ID,
            description=description,
            group_key=f"{RULE_ID}|{key}"[:300],
            tags=TAGS,
            details=details,
        )
        repeat = alert.occurrences > 1
        evidence = add_evidence(
            establishment,
            None,  # the platform stores it: reporting needs no evidence capability
            _("Reported suspicious e-mail"),
            uploaded_file=ContentFile(data, name=f"reported-{digest[:12]}.eml"),
            subject=alert,
            description=note.strip()[:MAX_NOTE],
        )
        if user is not None:
            Evidence.objects.filter(pk=evidence.pk).update(collected_by=user)
        alert.details = {
            **(alert.details or {}),
            "evidence_ids": [*(alert.details or {}).get("evidence_ids", []), evidence.pk][-100:],
        }
        alert.save(update_fields=["details", "updated_at"])
    return MailReport(alert, evidence, mail, repeat)


def reports_by(user: User, limit: int = 5) -> list[Alert]:
    """The latest alerts raised by this user's reports (what the report page shows them back:
    the date and whether the security team has dealt with it), whatever the user may see."""
    alert_ids = Evidence.objects.filter(
        collected_by=user, subject_type=ContentType.objects.get_for_model(Alert)
    ).values_list("subject_id", flat=True)
    return list(
        Alert.objects.filter(
            pk__in=[int(pk) for pk in alert_ids if str(pk).isdigit()],
            source=ALERT_SOURCE,
            rule_id=RULE_ID,
        ).order_by("-last_seen_at")[:limit]
    )
