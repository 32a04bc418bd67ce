"""Steps of the awareness end-to-end test that run inside the live server's installation (its
HYGIE_HOME and database), in a separate process: ``python -m tests.browser.awareness_live
<step> '<json>'``. Each step prints one JSON object. Synthetic people and addresses only."""

from __future__ import annotations

import json
import sys
from datetime import time, timedelta
from typing import Any


def setup(args: dict[str, Any]) -> dict[str, Any]:
    """A running campaign to two directory people through a relay on 127.0.0.1, sent now."""
    from django.utils import timezone

    from hygie.awareness.models import (
        Campaign,
        LandingPage,
        MailTemplate,
        SendingProfile,
        TrainingModule,
    )
    from hygie.awareness.services import campaigns, sending
    from hygie.core.models import Department, Establishment, Person

    establishment = Establishment.objects.order_by("pk").first()
    department, _ = Department.objects.get_or_create(
        establishment=establishment, name="Laboratoire E2E"
    )
    people = [
        Person.objects.update_or_create(
            establishment=establishment,
            email=f"{name}@e2e.example.org",
            defaults={
                "first_name": name.capitalize(),
                "last_name": "Essai",
                "department": department,
                "profession": "Technicien de laboratoire",
            },
        )[0]
        for name in ("camille", "dominique")
    ]
    profile = SendingProfile.objects.create(
        establishment=establishment,
        name=f"Relais E2E {args['port']}",
        host="127.0.0.1",
        port=args["port"],
        security="none",
        envelope_from="simulation@e2e.example.org",
        header_from="Laboratoire <resultats@e2e.example.org>",
        rate_per_minute=0,
    )
    template = MailTemplate.objects.create(
        establishment=establishment,
        lure_id="lab-results",
        language="fr",
        name="Résultats E2E",
        sender_name="Laboratoire - Résultats",
        subject="Résultats de laboratoire disponibles – action requise",
        html=(
            "<p>Bonjour {{ first_name }},</p><p>De nouveaux résultats sont disponibles pendant "
            '24 heures.</p><p><a href="{{ tracking_link }}">Consulter les résultats</a></p>'
            "{{ tracking_pixel }}"
        ),
        text="Bonjour {{ first_name }}, résultats : {{ tracking_link }}",
        clues=[
            {"title": "Une urgence artificielle", "explanation": "« 24 heures » presse."},
            {"title": "Un lien vers un portail inconnu", "explanation": "Survolez le lien."},
        ],
    )
    landing = LandingPage.objects.create(
        establishment=establishment,
        name="Portail des résultats",
        language="fr",
        html=(
            "<h1>Portail des résultats</h1><form><label>Identifiant "
            '<input name="username"></label><label>Mot de passe '
            '<input type="password" name="password"></label><button>Se connecter</button></form>'
        ),
    )
    module = TrainingModule.objects.create(
        establishment=establishment,
        slug=f"e2e-phishing-{args['port']}",
        language="fr",
        title="Repérer l'hameçonnage (E2E)",
        body_markdown="# Repérer l'hameçonnage",
    )
    now = timezone.now()
    campaign = Campaign.objects.create(
        establishment=establishment,
        name=f"Simulation E2E {args['port']}",
        sending_profile=profile,
        template_a=template,
        landing_page=landing,
        window_start=now - timedelta(minutes=5),
        window_end=now + timedelta(days=1),
        working_hours_start=time(0, 0),
        working_hours_end=time(23, 59, 59),
        working_days=[0, 1, 2, 3, 4, 5, 6],
        time_zone="UTC",
        enrol_module=module,
    )
    campaigns.add_recipients(
        campaign,
        campaigns.targets_from_people(Person.objects.filter(pk__in=[p.pk for p in people])),
        None,
    )
    campaign = campaigns.launch(campaign, None, start_sending=False)
    campaign.recipients.update(scheduled_at=now - timedelta(minutes=1))
    report = sending.send_campaign(campaign, budget=30)
    return {
        "campaign": campaign.pk,
        "sent": report.sent,
        "stopped": report.stopped,
        "recipients": {r.email: r.token for r in campaign.recipients.all()},
    }


def report(args: dict[str, Any]) -> dict[str, Any]:
    """The recipient forwards the simulation to the report mailbox (as an attachment): the
    triage service's ``receive_report``, as the IMAP poller and the SMTP endpoint call it."""
    from hygie.awareness.models import Campaign
    from hygie.awareness.services import triage

    campaign = Campaign.objects.get(pk=args["campaign"])
    eml = bytes.fromhex(args["eml_hex"])
    reported = triage.receive_report(
        eml, "smtp", establishment=campaign.establishment, reporter_email=args["reporter"]
    )
    return {"report": reported.pk, "verdict": reported.suggested_verdict}


def dump(args: dict[str, Any]) -> dict[str, Any]:
    """Every event of the campaign and its figures as the results page computes them."""
    from hygie.awareness.models import Campaign, TrainingAssignment
    from hygie.awareness.services import results

    campaign = Campaign.objects.get(pk=args["campaign"])
    found = results.campaign_results(campaign)
    recipients = {}
    for row in found.recipients:
        r = row.recipient
        recipients[r.email] = {
            "verdict": row.verdict,
            "reasons": list(row.reasons),
            "confirmed": r.confirmed_at is not None,
            "submitted": r.submitted_at is not None,
            "reported": r.reported_at is not None,
            "field_names": list(row.field_names),
            "events": [
                {"kind": e.kind, "automated": e.is_automated, "reasons": e.reasons}
                for e in r.events.order_by("at", "pk")
            ],
            "assignments": TrainingAssignment.objects.filter(
                person_id=r.person_id, source="campaign"
            ).count(),
        }
    return {"funnel": found.funnel.as_dict(), "recipients": recipients}


STEPS = {"setup": setup, "report": report, "dump": dump}

if __name__ == "__main__":
    from hygie.cli.runtime import setup_django

    setup_django()
    print(json.dumps(STEPS[sys.argv[1]](json.loads(sys.argv[2]))))
