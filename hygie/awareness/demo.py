"""Demo data of the awareness module: the shared lure library and training catalogue, a sending
profile, and a finished phishing simulation in the first establishment (six weeks ago, A/B
between the lab-results and payslip lures) with every recipient's events, including what mail
scanners do (a HEAD request and a scanner's GET seconds after delivery, flagged automated), so
the results page shows raw and validated figures that differ, as they do in real life. A
draft campaign for next month is ready to launch. Training's share (a year of completions) is
``demo_training``.

Events are written as the tracking service records them (first ``*_at`` columns on the
recipient, one ``CampaignEvent`` per request, network /24 only, field names only); who does
what follows a fixed pattern over the directory's order, so the demo is reproducible.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from hygie.awareness.demo_training import load_training_demo
from hygie.awareness.demo_triage import load_triage_demo
from hygie.awareness.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    CampaignStatus,
    EventKind,
    LandingPage,
    MailTemplate,
    SendingProfile,
    TrainingModule,
)
from hygie.awareness.services import campaigns, profiles, templates_library, training
from hygie.core.models import Establishment, Organisation

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
PHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
SCANNER = "python-requests/2.31.0"  # an automated link checker announcing itself
HOSPITAL_NETWORK = "10.20.30.0/24"
SCANNER_NETWORK = "40.92.0.0/24"  # in Exchange Online Protection's published ranges
# Who does what, by position in the directory (repeating): o = opens only, c = clicks and
# confirms, s = clicks, confirms and submits, r = reports, u = clicks without JavaScript,
# n = nothing, m = opens and reports. Scanners pass on every third recipient.
PATTERN = "ocrsnmocrnun"


def _profile(establishment: Establishment) -> SendingProfile:
    return profiles.save_profile(
        SendingProfile(establishment=establishment),
        None,
        name="Relais de simulation (démo)",
        host="smtp.demo.invalid",
        port=587,
        security="starttls",
        username="simulation",
        password="",
        envelope_from="retour-simulation@demo.invalid",
        header_from="Service informatique <informatique@demo.invalid>",
        rate_per_minute=20,
        custom_headers={"X-Demo-Gateway-Allow": "simulation-hygie"},
    )


def _event(recipient: CampaignRecipient, kind: str, at: datetime, **extra: object) -> None:
    CampaignEvent.objects.create(
        establishment_id=recipient.establishment_id, recipient=recipient, kind=kind, at=at,
        **extra,
    )  # fmt: skip


def _play(recipient: CampaignRecipient, behaviour: str, scanned: bool, index: int) -> None:
    """Record what this recipient (and a scanner before them) did after delivery."""
    sent = recipient.sent_at
    assert sent is not None
    if scanned:
        _event(recipient, EventKind.CLICKED, sent + timedelta(seconds=2), is_automated=True,
               reasons=["fast_after_delivery", "head_request", "scanner_network"], method="HEAD",
               source_network=SCANNER_NETWORK)  # fmt: skip
        _event(recipient, EventKind.CLICKED, sent + timedelta(seconds=3), is_automated=True,
               reasons=["fast_after_delivery", "scanner_user_agent", "scanner_network"],
               method="GET", user_agent=SCANNER, source_network=SCANNER_NETWORK)  # fmt: skip
        recipient.first_clicked_at = sent + timedelta(seconds=2)
    if behaviour == "n":
        return
    agent = PHONE if index % 4 == 0 else BROWSER
    opened = sent + timedelta(minutes=7 + 11 * (index % 9))
    _event(recipient, EventKind.OPENED, opened, method="GET", user_agent=agent,
           source_network=HOSPITAL_NETWORK)  # fmt: skip
    recipient.first_opened_at = opened
    if behaviour in "csu":
        clicked = opened + timedelta(minutes=1 + index % 5)
        _event(recipient, EventKind.CLICKED, clicked, method="GET", user_agent=agent,
               source_network=HOSPITAL_NETWORK)  # fmt: skip
        recipient.first_clicked_at = min(filter(None, [recipient.first_clicked_at, clicked]))
        if behaviour != "u":
            confirmed = clicked + timedelta(seconds=2)
            _event(recipient, EventKind.CONFIRMED, confirmed, method="POST", user_agent=agent,
                   source_network=HOSPITAL_NETWORK, reasons=["confirmed_in_browser"])  # fmt: skip
            recipient.confirmed_at = confirmed
            if behaviour == "s":
                submitted = confirmed + timedelta(seconds=40)
                _event(recipient, EventKind.SUBMITTED, submitted, method="POST",
                       user_agent=agent, source_network=HOSPITAL_NETWORK,
                       field_names=["username", "password"])  # fmt: skip
                recipient.submitted_at = submitted
            _event(recipient, EventKind.TEACHABLE_VIEWED, confirmed + timedelta(minutes=1),
                   method="GET", user_agent=agent, source_network=HOSPITAL_NETWORK)  # fmt: skip
    if behaviour in "rm":
        reported = opened + timedelta(minutes=3 + index % 7)
        _event(recipient, EventKind.REPORTED, reported)
        recipient.reported_at = reported
    recipient.save()


def _finished_campaign(establishment: Establishment, profile: SendingProfile) -> Campaign:
    template_a = MailTemplate.objects.get(lure_id="lab-results", language="fr", source="library")
    template_b = MailTemplate.objects.get(lure_id="payslip", language="fr", source="library")
    page = LandingPage.objects.get(lure_id="lab-results", language="fr", source="library")
    module = (
        TrainingModule.objects.filter(establishment__isnull=True, language="fr", is_published=True)
        .filter(slug="spotting-phishing")
        .order_by("-version")
        .first()
    )
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday() + 42)  # six weeks ago
    start = timezone.make_aware(datetime.combine(monday, time(8, 0)))
    campaign = Campaign.objects.create(
        establishment=establishment,
        name="Résultats de laboratoire et bulletin de paie (A/B)",
        description="Première simulation de l'année, tous services.",
        sending_profile=profile,
        template_a=template_a,
        template_b=template_b,
        landing_page=page,
        window_start=start,
        window_end=start + timedelta(days=3),
        time_zone=establishment.timezone,
        enrol_module=module,
    )
    people = campaigns.people_for(None, [establishment.pk])
    campaigns.add_recipients(campaign, campaigns.targets_from_people(people), None)
    planned = dict(campaigns.plan(campaign))
    recipients = list(campaign.recipients.select_related("person").order_by("email"))
    for index, recipient in enumerate(recipients):
        recipient.scheduled_at = recipient.sent_at = planned[recipient.email]
        recipient.save(update_fields=["scheduled_at", "sent_at"])
        _event(recipient, EventKind.SENT, recipient.sent_at)
        _play(recipient, PATTERN[index % len(PATTERN)], index % 3 == 0, index)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.FINISHED,
        launched_at=start - timedelta(hours=1),
        finished_at=max(planned.values()),
    )
    if module is not None:
        clickers = [r.person for r in recipients if r.confirmed_at and r.person is not None]
        if clickers:
            training.assign(module.slug, clickers, source="campaign")
            for recipient in recipients:
                if recipient.confirmed_at and recipient.person is not None:
                    _event(
                        recipient, EventKind.ENROLLED, recipient.confirmed_at + timedelta(minutes=2)
                    )
    campaign.refresh_from_db()
    return campaign


def _draft_campaign(establishment: Establishment, profile: SendingProfile) -> Campaign:
    template = MailTemplate.objects.get(lure_id="cps-card-renewal", language="fr", source="library")
    page = LandingPage.objects.get(lure_id="cps-card-renewal", language="fr", source="library")
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today + timedelta(days=30), time(8, 0)))
    campaign = Campaign.objects.create(
        establishment=establishment,
        name="Renouvellement de carte CPS",
        sending_profile=profile,
        template_a=template,
        landing_page=page,
        window_start=start,
        window_end=start + timedelta(days=3),
        time_zone=establishment.timezone,
    )
    people = campaigns.people_for(None, [establishment.pk])
    campaigns.add_recipients(campaign, campaigns.targets_from_people(people), None)
    return campaign


def load_demo(organisation: Organisation, establishments: list[Establishment]) -> None:
    templates_library.sync_library()
    training.sync_catalogue()
    if not establishments:
        return
    first = establishments[0]
    load_training_demo(first)
    profile = _profile(first)
    _finished_campaign(first, profile)
    _draft_campaign(first, profile)
    load_triage_demo(first)
