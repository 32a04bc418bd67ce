"""The awareness module's part of the isolation test (tests/apps/core/test_isolation.py):
establishment B's sending profile, template, landing page, a finished campaign with a recipient
and its events, a report mailbox and a reported mail (and training's share, from
``isolation_training``), each carrying the marker. The shared lure library (no establishment)
is the same for everyone and holds nothing of B's.

The public routes take a token, not an id: a token is a recipient's (or a trainee's)
capability, not establishment data, so they are walked with an unknown token (answered 404, or
the pixel's image) and B's tokens are never given to A.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hygie.awareness import engine
from hygie.awareness.isolation_training import build_training_isolation
from hygie.awareness.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    LandingPage,
    MailTemplate,
    ReportedMail,
    ReportMailbox,
    SendingProfile,
)
from hygie.awareness.services.profiles import seal_secret
from hygie.core.testing import IsolationPart, IsolationWorld, count_in

UNKNOWN_TOKEN = "A" * 24
PUBLIC_TOKEN_PAGES = ("track_open", "track_click", "track_confirm", "track_submit", "track_learn")


def build_isolation(world: IsolationWorld) -> IsolationPart:
    marker, establishment = world.marker, world.establishment
    now = timezone.now()
    profile = SendingProfile.objects.create(
        establishment=establishment,
        name=f"Relais {marker}",
        host=f"smtp.{marker.lower()}.example",
        port=587,
        username=f"{marker}-user",
        password=seal_secret(f"{marker}-password"),
        envelope_from=f"{marker.lower()}@simulation.example",
        header_from=f"{marker} <{marker.lower()}@simulation.example>",
        custom_headers={"X-Allow": marker},
    )
    template = MailTemplate.objects.create(
        establishment=establishment,
        name=f"Modèle {marker}",
        subject=f"Objet {marker}",
        html=f'<p>{marker} <a href="{{{{ tracking_link }}}}">lien</a></p>',
        text=f"{marker} {{{{ tracking_link }}}}",
        clues=[{"title": marker, "explanation": marker}],
    )
    page = LandingPage.objects.create(
        establishment=establishment, name=f"Page {marker}", html=f"<h1>{marker}</h1>"
    )
    campaign = Campaign.objects.create(
        establishment=establishment,
        name=f"Campagne {marker}",
        description=marker,
        status="finished",
        sending_profile=profile,
        template_a=template,
        landing_page=page,
        window_start=now - timedelta(days=10),
        window_end=now - timedelta(days=7),
        launched_at=now - timedelta(days=10),
        finished_at=now - timedelta(days=7),
    )
    recipient = CampaignRecipient.objects.create(
        establishment=establishment,
        campaign=campaign,
        person=world.person,
        email=world.person.email,
        first_name=world.person.first_name,
        department_name=world.department.name,
        profession=f"{marker} profession",
        token=engine.new_token(),
        scheduled_at=now - timedelta(days=9),
        sent_at=now - timedelta(days=9),
        first_clicked_at=now - timedelta(days=9),
    )
    event = CampaignEvent.objects.create(
        establishment=establishment,
        recipient=recipient,
        kind="clicked",
        at=now - timedelta(days=9),
        user_agent=f"{marker}-agent",
        method="GET",
    )
    mailbox = ReportMailbox.objects.create(
        establishment=establishment,
        name=f"Boîte {marker}",
        host=f"imap.{marker.lower()}.example",
        username=f"{marker}-signalement",
        password=seal_secret(f"{marker}-imap"),
    )
    report = ReportedMail.objects.create(
        establishment=establishment,
        reporter_person=world.person,
        reporter_email=world.person.email,
        received_at=now - timedelta(days=8),
        sender=f"{marker}@phish.example",
        subject=f"Objet signalé {marker}",
        facts={"urls": [f"hxxps://{marker.lower()}[.]example"]},
        suggested_verdict="phishing",
        recipient=recipient,
    )
    training = build_training_isolation(world)
    tokens: dict[str, tuple[str, ...]] = {"token": (UNKNOWN_TOKEN,)}
    return IsolationPart(
        objects=[
            profile,
            template,
            page,
            campaign,
            recipient,
            event,
            mailbox,
            report,
            *training["objects"],
        ],
        page_objects={
            "sendingprofile": profile,
            "mailtemplate": template,
            "landingpage": page,
            "campaign": campaign,
            "reportmailbox": mailbox,
            "reportedmail": report,
            **training["page_objects"],
        },
        api_objects={
            "profile_id": profile,
            "template_id": template,
            "page_id": page,
            "campaign_id": campaign,
            "report_id": report,
            "mailbox_id": mailbox,
            **training["api_objects"],
        },
        page_parameter_allow_list={
            # A token is a recipient's capability, not establishment data: an unknown token
            # answers 404 (the open pixel answers its image); B's tokens are never given to A.
            **{f"awareness:{name}": tokens for name in PUBLIC_TOKEN_PAGES},
            **training["page_parameter_allow_list"],
        },
        api_parameter_allow_list={
            # An output format (CSV or PDF), not establishment data.
            "export_campaign_results": {"fmt": ("csv", "pdf")},
        },
        counts=lambda: {
            **count_in(
                establishment,
                SendingProfile,
                MailTemplate,
                LandingPage,
                Campaign,
                CampaignRecipient,
                CampaignEvent,
                ReportMailbox,
                ReportedMail,
            ),
            **training["counts"](),
        },
        links_to_b=lambda: [],
    )
