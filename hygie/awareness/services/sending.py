"""The sending of a campaign's mails, through the platform's one mail sender
(``hygie.core.services.mail``) with the campaign's sending profile as relay.

* **When:** a mail leaves at its planned time (``scheduled_at``, from ``engine.schedule``) or
  later, and only while ``campaigns.in_window`` allows it (inside the window, on a working day,
  in working hours of the campaign's time zone). A job that starts late catches up inside the
  window; mails still unsent when the window closes are marked ``window_closed``, not sent.
* **Rate:** at most the profile's ``rate_per_minute``, spaced evenly (60/rate seconds between
  two mails of the profile), across every campaign and process using the profile: the interval
  is checked against the profile's last sending under a row lock on the profile.
* **Once:** a recipient is claimed (``sent_at`` set under the same lock) before the mail leaves,
  so two jobs never send the same mail; a relay that cannot be reached releases the claim and
  ends the run (the periodic job tries again), a refusal of that one message is recorded on the
  recipient (error type only: an SMTP error may echo addresses).
* **What:** ``engine.render_mail`` (safe variables, links and pixel to the recipient's token),
  the profile's custom headers and Hygie's simulation header, so gateways and the triage
  recognise the simulation.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.utils import make_msgid, parseaddr
from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_noop

from hygie.awareness import engine
from hygie.awareness.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    CampaignStatus,
    EventKind,
    SendingProfile,
)
from hygie.awareness.services import campaigns, profiles, tracking
from hygie.core.services import mail

logger = logging.getLogger(__name__)

ACTIVE = (CampaignStatus.SCHEDULED, CampaignStatus.RUNNING)
WINDOW_CLOSED = "window_closed"
SECRET_UNREADABLE = "password_unreadable"
# Errors of one message (the relay refused it); anything else means the relay is unusable now.
_MESSAGE_ERRORS = ("SMTPRecipientsRefused", "SMTPDataError", "SMTPSenderRefused")


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    closed: int = 0
    finished: list[int] = field(default_factory=list)
    stopped: str = ""  # why the run ended early: "", "budget", "relay", "outside_hours"


class _Clock:
    """Time as the service sees it (tests pass their own ``sleep``)."""

    def __init__(self, sleep: Callable[[float], None]) -> None:
        self.sleep = sleep

    @staticmethod
    def now() -> datetime:
        return timezone.now()


def interval(profile: SendingProfile) -> timedelta:
    """The minimum time between two mails of a profile (0 when unthrottled)."""
    rate = profile.rate_per_minute
    return timedelta(seconds=60 / rate) if rate > 0 else timedelta(0)


def _from_header(profile: SendingProfile, sender_name: str) -> str:
    name, address = parseaddr(profile.header_from)
    display = (sender_name or name).replace("\r", " ").replace("\n", " ")[:150]
    try:
        return str(Address(display_name=display, addr_spec=address or profile.envelope_from))
    except (ValueError, IndexError):
        return profile.envelope_from


def build_message(recipient: CampaignRecipient, connection: Any = None) -> EmailMultiAlternatives:
    """The mail this recipient receives (A/B template, their token, the profile's headers)."""
    campaign = recipient.campaign
    profile = campaign.sending_profile
    template = tracking.template_of(recipient)
    values = dict(tracking.recipient_values(recipient))
    values["sender_name"] = template.sender_name
    markup = template.html
    if markup and "tracking_pixel" not in engine.placeholders(markup):
        markup += "\n{{ tracking_pixel }}"  # the open is recorded even when the lure lacks it
    rendered = engine.render_mail(
        engine.MailTemplate(
            template.name,
            template.subject,
            markup,
            template.text,
            sender_name=template.sender_name,
        ),
        values,
        tracking.tracking_base(),
        recipient.token,
    )
    domain = profile.envelope_from.rpartition("@")[2] or "hygie.invalid"
    headers = {
        **profiles.simulation_headers(profile, campaign.pk),
        "From": _from_header(profile, template.sender_name),
        "Message-ID": make_msgid(domain=domain),
    }
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text or "",
        from_email=profile.envelope_from,
        to=[recipient.email],
        headers=headers,
        connection=connection,
    )
    if rendered.html:
        message.attach_alternative(rendered.html, "text/html")
    return message


def _claim(campaign: Campaign, clock: _Clock) -> tuple[CampaignRecipient | None, timedelta, bool]:
    """Under the profile's lock: the next due recipient, claimed, or how long to wait.

    Returns (recipient, wait, exhausted): ``exhausted`` when nothing is left to send."""
    with transaction.atomic():
        profile = SendingProfile.objects.select_for_update().get(pk=campaign.sending_profile_id)
        pending = CampaignRecipient.objects.filter(
            campaign=campaign, sent_at__isnull=True, send_error="", scheduled_at__isnull=False
        ).order_by("scheduled_at", "pk")
        recipient = pending.first()
        if recipient is None:
            return None, timedelta(0), True
        now = clock.now()
        earliest = recipient.scheduled_at or now
        gap = interval(profile)
        if gap:
            last = CampaignRecipient.objects.filter(
                campaign__sending_profile=profile, sent_at__isnull=False
            ).aggregate(last=Max("sent_at"))["last"]
            if last is not None:
                earliest = max(earliest, last + gap)
        if earliest > now:
            return None, earliest - now, False
        CampaignRecipient.objects.filter(pk=recipient.pk).update(sent_at=now)
        recipient.sent_at = now
        return recipient, timedelta(0), False


def _release(recipient: CampaignRecipient, error: str = "") -> None:
    CampaignRecipient.objects.filter(pk=recipient.pk).update(sent_at=None, send_error=error[:300])


def _close_window(campaign: Campaign) -> int:
    return CampaignRecipient.objects.filter(
        campaign=campaign, sent_at__isnull=True, send_error=""
    ).update(send_error=WINDOW_CLOSED)


def _finish_if_done(campaign: Campaign, report: SendReport) -> None:
    left = CampaignRecipient.objects.filter(
        campaign=campaign, sent_at__isnull=True, send_error=""
    ).exists()
    if left:
        return
    updated = Campaign.objects.filter(pk=campaign.pk, status__in=ACTIVE).update(
        status=CampaignStatus.FINISHED, finished_at=timezone.now()
    )
    if updated:
        report.finished.append(campaign.pk)


def send_campaign(
    campaign: Campaign,
    *,
    budget: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
    report: SendReport | None = None,
) -> SendReport:
    """Send what falls due of one campaign within ``budget`` seconds (waiting for the planned
    times and the rate in between); the rest is left for the next run."""
    report = report or SendReport()
    clock = _Clock(sleep)
    deadline = time.monotonic() + budget
    campaign.refresh_from_db()
    if campaign.status not in ACTIVE:
        return report
    total = campaign.recipients.count()
    connection = None
    try:
        while True:
            campaign.refresh_from_db(fields=["status"])
            if campaign.status not in ACTIVE:
                break
            now = clock.now()
            if now >= campaign.window_end:
                report.closed += _close_window(campaign)
                break
            recipient, wait, exhausted = _claim(campaign, clock)
            if exhausted:
                break
            if recipient is None:
                remaining = deadline - time.monotonic()
                if wait.total_seconds() > remaining:
                    report.stopped = "budget"
                    break
                clock.sleep(wait.total_seconds())
                continue
            if not campaigns.in_window(campaign, recipient.sent_at or now):
                _release(recipient)
                report.stopped = "outside_hours"
                break
            if connection is None:
                try:
                    relay = profiles.relay_for(campaign.sending_profile)
                except profiles.SecretUnavailableError:
                    _release(recipient)
                    report.stopped = SECRET_UNREADABLE
                    break
                connection = mail.connection(relay)
                try:
                    connection.open()  # kept open for the run: one session, many mails
                except mail.MAIL_ERRORS as error:
                    logger.warning(
                        "awareness: campaign %s: relay unreachable (%s)",
                        campaign.pk,
                        type(error).__name__,
                    )
                    _release(recipient)
                    connection = None
                    report.stopped = "relay"
                    break
            if not _deliver(recipient, connection, report):
                connection = None
                break
            if progress is not None:
                progress(campaign.recipients.filter(sent_at__isnull=False).count(), total)
    finally:
        if connection is not None:
            try:
                connection.close()
            except mail.MAIL_ERRORS:
                pass
    _finish_if_done(campaign, report)
    return report


def _deliver(recipient: CampaignRecipient, connection: Any, report: SendReport) -> bool:
    """Send one claimed mail; False when the relay itself failed (the claim is released)."""
    campaign = recipient.campaign
    if campaign.status == CampaignStatus.SCHEDULED:
        Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SCHEDULED).update(
            status=CampaignStatus.RUNNING
        )
    message = build_message(recipient, connection)
    try:
        message.send()
    except mail.MAIL_ERRORS as error:
        kind = type(error).__name__
        logger.warning("awareness: campaign %s: mail not sent (%s)", campaign.pk, kind)
        if kind in _MESSAGE_ERRORS:
            _release(recipient, kind)
            report.failed += 1
            return True
        _release(recipient)
        report.stopped = "relay"
        return False
    sent_at = recipient.sent_at or timezone.now()
    CampaignEvent.objects.create(
        establishment_id=recipient.establishment_id,
        recipient=recipient,
        kind=EventKind.SENT,
        at=sent_at,
    )
    report.sent += 1
    return True


def send_due(
    *,
    budget: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    campaign_ids: list[int] | None = None,
) -> SendReport:
    """Every active campaign's due mails (the periodic job), within ``budget`` seconds."""
    report = SendReport()
    started = time.monotonic()
    active = Campaign.objects.filter(status__in=ACTIVE).select_related("sending_profile")
    if campaign_ids is not None:
        active = active.filter(pk__in=campaign_ids)
    for campaign in active.order_by("window_start", "pk"):
        left = budget - (time.monotonic() - started)
        if left <= 0:
            report.stopped = "budget"
            break
        send_campaign(campaign, budget=left, sleep=sleep, report=report)
    return report


PROGRESS_MESSAGE = gettext_noop("%(sent)s of %(total)s mails sent")
