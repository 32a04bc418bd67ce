"""E-mail reminders as a deadline approaches and passes."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hygie.core.services.mail import may_receive, recipient_language, site_origin
from hygie.response import engine
from hygie.response.choices import (
    ObligationStatus,
)
from hygie.response.models import IncidentObligation, RegulatoryProfile
from hygie.response.services.obligations.assessment import (
    obligation_label,
)
from hygie.response.services.obligations.decisions import (
    obligation_zone,
)
from hygie.response.services.obligations.profiles import (
    notification_addresses,
    regulatory_profile,
)
from hygie.response.services.timeline import add_entry

logger = logging.getLogger(__name__)

# --- reminders -----------------------------------------------------------------------------

STAGE_NONE, STAGE_DAY, STAGE_HOUR, STAGE_OVERDUE = 0, 1, 2, 3


def stage_at(due_at: datetime, instant: datetime | None) -> int:
    """The reminder stage reached at ``instant``: 24 h before, 1 h before, due (overdue)."""
    if instant is None:
        return STAGE_NONE
    if instant >= due_at:
        return STAGE_OVERDUE
    if instant >= due_at - timedelta(hours=1):
        return STAGE_HOUR
    if instant >= due_at - timedelta(hours=24):
        return STAGE_DAY
    return STAGE_NONE


@dataclass
class ReminderReport:
    obligations: int = 0
    messages: int = 0
    failures: int = 0
    without_recipients: int = 0


def _recipients(
    obligation: IncidentObligation, profile: RegulatoryProfile
) -> list[tuple[str, str]]:
    """(address, language) of the assignee, watchers and the profile's list, deduplicated.

    Users who no longer see the establishment are left out: a reminder is still a pointer to a
    record they may not open.
    """
    incident = obligation.incident
    establishment = incident.establishment
    default_language = establishment.default_language
    people = [incident.assignee] if incident.assignee is not None else []
    people.extend(incident.watchers.all())
    found: dict[str, tuple[str, str]] = {}
    for person in people:
        if not may_receive(person, establishment):
            continue
        found.setdefault(
            person.email.lower(), (person.email, recipient_language(person, establishment))
        )
    for address in notification_addresses(profile):
        found.setdefault(address.lower(), (address, default_language))
    return list(found.values())


def _reminder_message(
    obligation: IncidentObligation, stage: int, link: str, now: datetime
) -> tuple[str, str]:
    """Subject and body, in the active language; no incident title or description (PHI)."""
    incident = obligation.incident
    zone = obligation_zone(obligation)
    label = obligation_label(obligation.obligation_id)
    if obligation.deadline_kind == engine.DeadlineKind.IMMEDIATE.value:
        headline = _("due immediately (sans délai)")
    elif stage == STAGE_OVERDUE:
        headline = _("deadline passed")
    elif stage == STAGE_HOUR:
        headline = _("due within 1 hour")
    else:
        headline = _("due within 24 hours")
    subject = f"[Hygie] {incident.reference} — {label}: {headline}"
    assert obligation.due_at is not None
    local = obligation.due_at.astimezone(zone)
    utc = f"{obligation.due_at.astimezone(ZoneInfo('UTC')):%Y-%m-%d %H:%M}"
    if obligation.deadline_date is not None:
        due = _("end of %(date)s (local date) — %(utc)s UTC") % {
            "date": obligation.deadline_date.isoformat(),
            "utc": utc,
        }
    elif obligation.deadline_kind == engine.DeadlineKind.IMMEDIATE.value:
        due = _("immediately (sans délai) — clock started %(local)s") % {
            "local": f"{local:%Y-%m-%d %H:%M %Z}"
        }
    else:
        due = _("%(local)s — %(utc)s UTC") % {"local": f"{local:%Y-%m-%d %H:%M %Z}", "utc": utc}
    lines = [
        _("Regulatory obligation reminder"),
        "",
        _("Incident: %(reference)s") % {"reference": incident.reference},
        _("Establishment: %(name)s") % {"name": incident.establishment.name},
        _("Obligation: %(label)s") % {"label": label},
        _("Title: %(title)s") % {"title": obligation.shown_title},
        _("Recipient: %(recipient)s") % {"recipient": obligation.shown_recipient},
        _("Legal basis: %(basis)s (%(verification)s)")
        % {"basis": obligation.legal_basis, "verification": obligation.verification},
        _("Due: %(due)s") % {"due": due},
        _("Status: %(headline)s") % {"headline": headline},
        "",
        _(
            "Open the incident to record the notification (date and proof) or why it does not "
            "apply: %(link)s"
        )
        % {"link": link},
        "",
        _("This message was sent by Hygie. It contains no patient data."),
    ]
    return subject, "\n".join(lines)


def send_due_reminders(now: datetime | None = None) -> ReminderReport:
    """E-mail the reminders that are due: 24 h before, 1 h before and once overdue, each stage
    once per obligation (the stage already sent is read from ``last_reminder_at``)."""
    now = now or timezone.now()
    report = ReminderReport()
    candidates = (
        IncidentObligation.objects.filter(
            applies=True,
            status=ObligationStatus.PENDING,
            due_at__isnull=False,
            due_at__lte=now + timedelta(hours=24),
        )
        .exclude(deadline_kind=engine.DeadlineKind.WITHOUT_UNDUE_DELAY.value)
        .select_related("incident", "incident__establishment", "incident__assignee")
        .order_by("due_at", "pk")
    )
    origin = site_origin()
    connection = get_connection(fail_silently=False)
    for obligation in candidates:
        assert obligation.due_at is not None
        stage = stage_at(obligation.due_at, now)
        if stage <= stage_at(obligation.due_at, obligation.last_reminder_at):
            continue
        report.obligations += 1
        profile = regulatory_profile(obligation.incident.establishment)
        recipients = _recipients(obligation, profile)
        link = origin + _incident_path(obligation.incident_id)
        sent = 0
        for address, language in recipients:
            with translation.override(language):
                subject, body = _reminder_message(obligation, stage, link, now)
            message = EmailMessage(
                subject, body, settings.DEFAULT_FROM_EMAIL, [address], connection=connection
            )
            try:
                message.send()
            except (smtplib.SMTPException, OSError) as error:
                report.failures += 1
                logger.warning(
                    "obligation reminder %s could not be sent: %s",
                    obligation.pk,
                    type(error).__name__,
                )
                continue
            sent += 1
        report.messages += sent
        if recipients and not sent:
            continue  # nobody got it: try again at the next run
        if not recipients:
            report.without_recipients += 1
        with transaction.atomic():
            IncidentObligation.objects.filter(pk=obligation.pk).update(last_reminder_at=now)
            with translation.override(obligation.incident.establishment.default_language):
                _subject, _body = _reminder_message(obligation, stage, link, now)
                text = (
                    _("Reminder e-mailed to %(count)s recipient(s): %(subject)s")
                    % {"count": sent, "subject": _subject}
                    if sent
                    else _(
                        "Reminder due but no recipient is configured (assignee, watchers or "
                        "the regulatory profile's addresses): %(subject)s"
                    )
                    % {"subject": _subject}
                )
            add_entry(obligation.incident, text, at=now)
    return report


def _incident_path(incident_id: int) -> str:
    """The incident's page, or the dashboard while the incident pages are not installed."""
    try:
        return reverse("response:incident_detail", args=[incident_id])
    except NoReverseMatch:
        return reverse("response:incidentobligation_list")
