"""The sending of a campaign's mails, through the platform's one mail sender
(``hygie.core.services.mail``) with the campaign's sending profile as relay.

* **When:** a mail leaves at its planned time (``scheduled_at``, from ``engine.schedule``) or
  later, and only while ``campaigns.in_window`` allows it (inside the window, on a working day,
  in working hours of the campaign's time zone). A job that starts late catches up inside the
  window; mails still unsent when the window closes are marked ``window_closed``, not sent.
* **Rate:** at most the profile's ``rate_per_minute``, spaced evenly (60/rate seconds between
  two mails of the profile), across every campaign and process using the profile: each batch's
  slots are reserved from the profile's last sending (or reserved slot), read under a row lock
  on the profile, and a job keeps the spacing between its own mails.
* **Once:** recipients are claimed by batches (``sent_at`` set to their slot under the same
  lock, committed) before any mail leaves, so two jobs, or a job restarted after a crash, never
  send the same mail; after the batch, ``sent_at`` becomes the moment the relay accepted the
  mail and the ``sent`` events are stored, in one transaction. A relay that cannot be reached
  releases the claims not sent and ends the run (the periodic job tries again); a refusal of
  one message is recorded on the recipient (error type only: an SMTP error may echo addresses).
* **Speed:** a batch is at most ``BATCH_MAILS`` mails (unthrottled) or ``BATCH_AHEAD`` of slots
  (throttled): a few queries per batch, not per mail, and one SMTP session per run.
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


BATCH_MAILS = 50  # at most this many recipients claimed per transaction
BATCH_AHEAD = timedelta(seconds=1)  # throttled: slots reserved at most this far ahead


@dataclass
class _Batch:
    """Recipients claimed together, each with its slot (``sent_at``, the earliest moment it may
    leave), or how long to wait before the next one is due."""

    recipients: list[CampaignRecipient] = field(default_factory=list)
    wait: timedelta = timedelta(0)
    exhausted: bool = False  # nothing is left to send
    outside_hours: bool = False  # the next mail falls outside the window's working hours


def _last_sent(profile: SendingProfile) -> datetime | None:
    """The profile's latest sending (or reserved slot), across every campaign and job."""
    last: datetime | None = CampaignRecipient.objects.filter(
        campaign__sending_profile=profile, sent_at__isnull=False
    ).aggregate(last=Max("sent_at"))["last"]
    return last


def _claim(campaign: Campaign, clock: _Clock) -> _Batch:
    """Under the profile's lock: the next due recipients, each claimed with its slot.

    The rate is a token bucket seeded from the database once per batch (the profile's last
    sending, under the row lock, so other jobs and campaigns of the profile count): slots are
    spaced by ``interval`` and reserved at most ``BATCH_AHEAD`` ahead; unthrottled, everything
    due now (up to ``BATCH_MAILS``). The claim (``sent_at``) is committed before any mail
    leaves, so a restarted or concurrent job never sends these again."""
    batch = _Batch()
    with transaction.atomic():
        profile = SendingProfile.objects.select_for_update().get(pk=campaign.sending_profile_id)
        pending = list(
            CampaignRecipient.objects.filter(
                campaign=campaign, sent_at__isnull=True, send_error="", scheduled_at__isnull=False
            )
            .select_related("establishment")
            .order_by("scheduled_at", "pk")[:BATCH_MAILS]
        )
        if not pending:
            batch.exhausted = True
            return batch
        now = clock.now()
        gap = interval(profile)
        cursor = _last_sent(profile) if gap else None
        horizon = now + BATCH_AHEAD if gap else now
        for recipient in pending:
            slot = max(recipient.scheduled_at or now, now)
            if cursor is not None:
                slot = max(slot, cursor + gap)
            if slot > horizon:
                if not batch.recipients:
                    batch.wait = slot - now
                break
            if not campaigns.in_window(campaign, slot):
                batch.outside_hours = not batch.recipients
                break
            recipient.sent_at = slot
            recipient.campaign = campaign  # its profile and templates, loaded once per run
            cursor = slot
            batch.recipients.append(recipient)
        if batch.recipients:
            CampaignRecipient.objects.bulk_update(batch.recipients, ["sent_at"])
    return batch


def _release(recipients: list[CampaignRecipient], error: str = "") -> None:
    if recipients:
        CampaignRecipient.objects.filter(pk__in=[r.pk for r in recipients]).update(
            sent_at=None, send_error=error[:300]
        )


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


def _open(campaign: Campaign, report: SendReport) -> Any:
    """The run's one SMTP session to the profile's relay, or None (``report.stopped`` says why)."""
    try:
        relay = profiles.relay_for(campaign.sending_profile)
    except profiles.SecretUnavailableError:
        report.stopped = SECRET_UNREADABLE
        return None
    connection = mail.connection(relay)
    try:
        connection.open()  # kept open for the run: one session, many mails
    except mail.MAIL_ERRORS as error:
        logger.warning(
            "awareness: campaign %s: relay unreachable (%s)", campaign.pk, type(error).__name__
        )
        report.stopped = "relay"
        return None
    return connection


def send_campaign(
    campaign: Campaign,
    *,
    budget: float = 60.0,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
    report: SendReport | None = None,
) -> SendReport:
    """Send what falls due of one campaign within ``budget`` seconds (waiting for the planned
    times and the rate in between); the rest is left for the next run.

    Mails are claimed by batches (``_claim``), sent through one SMTP session, and recorded
    per batch (``sent_at`` as the relay accepted the mail, the ``sent`` events) in one
    transaction; progress is reported per batch."""
    report = report or SendReport()
    clock = _Clock(sleep)
    deadline = time.monotonic() + budget
    loaded = (
        Campaign.objects.select_related("sending_profile", "template_a", "template_b")
        .filter(pk=campaign.pk)
        .first()
    )
    if loaded is None or loaded.status not in ACTIVE:
        return report
    campaign = loaded
    total = campaign.recipients.count()
    connection = None
    try:
        while True:
            campaign.refresh_from_db(fields=["status"])
            if campaign.status not in ACTIVE:
                break
            if clock.now() >= campaign.window_end:
                report.closed += _close_window(campaign)
                break
            batch = _claim(campaign, clock)
            if batch.exhausted:
                break
            if batch.outside_hours:
                report.stopped = "outside_hours"
                break
            if not batch.recipients:
                if batch.wait.total_seconds() > deadline - time.monotonic():
                    report.stopped = "budget"
                    break
                clock.sleep(batch.wait.total_seconds())
                continue
            if connection is None:
                connection = _open(campaign, report)
                if connection is None:
                    _release(batch.recipients)
                    break
            if campaign.status == CampaignStatus.SCHEDULED:
                Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SCHEDULED).update(
                    status=CampaignStatus.RUNNING
                )
            if not _deliver(batch.recipients, connection, clock, report):
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


def _deliver(
    batch: list[CampaignRecipient], connection: Any, clock: _Clock, report: SendReport
) -> bool:
    """Send a claimed batch, each mail at its slot or later and at least ``interval`` after the
    previous one; record it in one transaction. False when the relay itself failed (the claims
    of the mails not sent are released)."""
    gap = interval(batch[0].campaign.sending_profile)
    sent: list[tuple[CampaignRecipient, datetime]] = []
    refused: dict[str, list[CampaignRecipient]] = {}
    unsent: list[CampaignRecipient] = []
    previous: datetime | None = None
    relay_ok = True
    for index, recipient in enumerate(batch):
        slot = recipient.sent_at or clock.now()
        if gap and previous is not None:
            slot = max(slot, previous + gap)
        wait = (slot - clock.now()).total_seconds()
        if wait > 0:
            clock.sleep(wait)
        message = build_message(recipient, connection)
        try:
            message.send()
        except mail.MAIL_ERRORS as error:
            kind = type(error).__name__
            logger.warning(
                "awareness: campaign %s: mail not sent (%s)", recipient.campaign_id, kind
            )
            if kind in _MESSAGE_ERRORS:
                refused.setdefault(kind, []).append(recipient)
                report.failed += 1
                continue
            unsent = batch[index:]
            report.stopped = "relay"
            relay_ok = False
            break
        previous = max(clock.now(), slot)
        recipient.sent_at = previous  # as the relay accepted it (the classifier's delivery)
        sent.append((recipient, previous))
    with transaction.atomic():
        if sent:
            CampaignRecipient.objects.bulk_update([r for r, _at in sent], ["sent_at"])
            CampaignEvent.objects.bulk_create(
                CampaignEvent(
                    establishment_id=recipient.establishment_id,
                    recipient=recipient,
                    kind=EventKind.SENT,
                    at=at,
                )
                for recipient, at in sent
            )
        for kind, recipients in refused.items():
            _release(recipients, kind)
        _release(unsent)
    report.sent += len(sent)
    return relay_ok


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
