"""Campaign back-office pages: profiles (write-only password), the shared library (read-only,
synchronised), GoPhish import with its preview, a campaign from creation to launch, and
establishment scoping."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hygie.awareness.models import (
    Campaign,
    CampaignRecipient,
    LandingPage,
    MailTemplate,
    SendingProfile,
)
from hygie.awareness.services import templates_library
from hygie.core.models import Department, Person

pytestmark = pytest.mark.django_db

SECRET = "mot-de-passe-du-relais-42"


@pytest.fixture
def trainer(make_user, establishment_a, login, client):
    user = make_user("tina", "trainer", [establishment_a])
    login(user)
    return user


def _profile(establishment, **extra):
    return SendingProfile.objects.create(
        establishment=establishment,
        name=extra.pop("name", "Relais"),
        host="127.0.0.1",
        port=2525,
        security="none",
        envelope_from="bounce@ght.example",
        header_from="DSI <dsi@ght.example>",
        **extra,
    )


def test_the_relay_password_is_never_rendered_back(client, trainer, establishment_a):
    response = client.post(
        reverse("awareness:sendingprofile_add"),
        {
            "establishment": establishment_a.pk,
            "name": "Relais GHT",
            "host": "smtp.ght.example",
            "port": 587,
            "security": "starttls",
            "username": "campagnes",
            "password": SECRET,
            "envelope_from": "bounce@ght.example",
            "header_from": "Service RH <rh@ght.example>",
            "rate_per_minute": 20,
            "is_active": "on",
            "headers_text": "X-Allow-Simulation: oui",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = SendingProfile.objects.get(name="Relais GHT")
    assert profile.password.startswith("fernet:") and SECRET not in profile.password
    assert profile.custom_headers == {"X-Allow-Simulation": "oui"}
    for url in (
        reverse("awareness:sendingprofile_detail", args=[profile.pk]),
        reverse("awareness:sendingprofile_edit", args=[profile.pk]),
    ):
        page = client.get(url).content.decode()
        assert SECRET not in page and profile.password not in page
    # Saving without typing it keeps the stored password.
    stored = profile.password
    client.post(
        reverse("awareness:sendingprofile_edit", args=[profile.pk]),
        {
            "establishment": establishment_a.pk,
            "name": "Relais GHT",
            "host": "smtp.ght.example",
            "port": 587,
            "security": "starttls",
            "envelope_from": "bounce@ght.example",
            "header_from": "Service RH <rh@ght.example>",
            "rate_per_minute": 20,
            "headers_text": "Bcc: espion@example.org",
        },
    )
    profile.refresh_from_db()
    assert profile.password == stored and profile.custom_headers == {"X-Allow-Simulation": "oui"}
    from hygie.core.models import AuditEntry

    assert not AuditEntry.objects.filter(changes__icontains=SECRET).exists()


def test_the_shared_library_is_listed_and_read_only(client, trainer):
    page = client.get(reverse("awareness:mailtemplate_list"))
    assert page.status_code == 200
    library = MailTemplate.objects.filter(establishment__isnull=True)
    assert library.count() == 16  # eight lures, French and English
    template = library.get(lure_id="cps-card-renewal", language="fr")
    assert (
        client.get(reverse("awareness:mailtemplate_detail", args=[template.pk])).status_code == 200
    )
    assert client.get(reverse("awareness:mailtemplate_edit", args=[template.pk])).status_code == 403
    again = templates_library.sync_library()
    assert again.created == 0 and again.updated == 0


def test_library_pages_offer_no_edit_or_delete_link(client, trainer, establishment_a):
    """Library rows are read-only: their pages link to no edit or delete page (403)."""
    templates_library.ensure_library()
    for model, name in ((MailTemplate, "mailtemplate"), (LandingPage, "landingpage")):
        row = model.objects.filter(establishment__isnull=True).first()
        assert row is not None
        html = client.get(reverse(f"awareness:{name}_detail", args=[row.pk])).content.decode()
        for action in ("edit", "delete"):
            url = reverse(f"awareness:{name}_{action}", args=[row.pk])
            assert f'href="{url}"' not in html
            assert client.get(url).status_code == 403
        own = model.objects.create(
            establishment=establishment_a, name="Own", language="fr", html="<p>x</p>"
        )
        html = client.get(reverse(f"awareness:{name}_detail", args=[own.pk])).content.decode()
        assert reverse(f"awareness:{name}_edit", args=[own.pk]) in html


def test_template_variables_are_shown_as_code_not_as_words(client, trainer):
    """Variables (``{{ sender_name }}``, ``first_name``) appear as code or as words of the
    page's language, never as bare keys in the text (the French crawl reads them as English)."""
    templates_library.ensure_library()
    shared = MailTemplate.objects.get(
        lure_id="shared-document", language="fr", establishment__isnull=True
    )
    assert shared.name.startswith("[expéditeur] a partagé « Protocole [service]")
    assert "{{" not in "".join(MailTemplate.objects.values_list("name", flat=True))
    detail = client.get(reverse("awareness:mailtemplate_detail", args=[shared.pk]))
    html = detail.content.decode()
    assert "<code>{{ sender_name }} a partagé" in html
    assert '<pre class="data">' in html
    add = client.get(reverse("awareness:mailtemplate_add")).content.decode()
    assert "<code>{{ first_name }}</code>" in add


def test_target_departments_name_their_establishment(
    client, make_user, login, establishment_a, establishment_b
):
    """Two "Urgences" in two establishments: the targets list tells them apart."""
    login(make_user("gina", "trainer", [establishment_a, establishment_b]))
    for establishment in (establishment_a, establishment_b):
        Department.objects.create(establishment=establishment, name="Urgences")
    campaign = Campaign.objects.create(
        establishment=establishment_a,
        name="Deux services",
        sending_profile=_profile(establishment_a),
        template_a=MailTemplate.objects.create(
            establishment=establishment_a, name="T", language="fr", subject="S"
        ),
        landing_page=LandingPage.objects.create(
            establishment=establishment_a, name="L", language="fr", html="<p>x</p>"
        ),
        window_start=timezone.now(),
        window_end=timezone.now() + timedelta(days=1),
    )
    html = client.get(reverse("awareness:campaign_detail", args=[campaign.pk])).content.decode()
    assert f"Urgences ({establishment_a})" in html and f"Urgences ({establishment_b})" in html


def test_a_gophish_export_is_previewed_then_imported(client, trainer, establishment_a):
    export = json.dumps(
        {
            "templates": [
                {
                    "name": "Colis",
                    "subject": "Votre colis {{.FirstName}}",
                    "html": '<p>Bonjour {{.FirstName}}, <a href="{{.URL}}">suivre</a></p>',
                    "text": "",
                    "attachments": [{"name": "a.zip"}],
                },
                {"name": "Broken"},
            ],
            "pages": [{"name": "Login", "html": "<form><input name=password></form>"}],
        }
    )
    url = reverse("awareness:mailtemplate_import")
    preview = client.post(
        url,
        {
            "establishment": establishment_a.pk,
            "language": "fr",
            "file": SimpleUploadedFile("export.json", export.encode()),
        },
    )
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Colis" in text and "Login" in text
    assert not MailTemplate.objects.filter(source="gophish").exists()
    done = client.post(
        url,
        {"establishment": establishment_a.pk, "language": "fr", "content": export, "confirm": "1"},
    )
    assert done.status_code == 302
    imported = MailTemplate.objects.get(source="gophish")
    assert imported.establishment == establishment_a and imported.name == "Colis"


def test_a_campaign_is_created_targeted_and_launched(client, trainer, establishment_a, settings):
    templates_library.sync_library()
    template = MailTemplate.objects.get(lure_id="lab-results", language="fr")
    profile = _profile(establishment_a, rate_per_minute=30)
    from hygie.awareness.models import LandingPage

    landing = LandingPage.objects.get(lure_id="lab-results", language="fr")
    start = timezone.now() + timedelta(days=1)
    response = client.post(
        reverse("awareness:campaign_add"),
        {
            "establishment": establishment_a.pk,
            "name": "Résultats labo — décembre",
            "sending_profile": profile.pk,
            "template_a": template.pk,
            "landing_page": landing.pk,
            "window_start": start.strftime("%Y-%m-%dT%H:%M"),
            "window_end": (start + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "working_hours_start": "09:00",
            "working_hours_end": "17:00",
            "working_days": ["0", "1", "2", "3", "4"],
            "time_zone": "Europe/Paris",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get()
    assert campaign.created_by == trainer
    department = Department.objects.create(establishment=establishment_a, name="Urgences")
    for index in range(3):
        Person.objects.create(
            establishment=establishment_a, department=department, first_name=f"P{index}",
            last_name="Test", email=f"p{index}@ght.example", profession="IDE",
        )  # fmt: skip
    Person.objects.create(
        establishment=establishment_a, first_name="X", last_name="Y", email="x@ght.example",
        profession="Médecin",
    )  # fmt: skip
    client.post(
        reverse("awareness:campaign_targets", args=[campaign.pk]),
        {"departments": [department.pk], "professions": "ide"},
    )
    assert campaign.recipients.count() == 3
    client.post(reverse("awareness:campaign_targets", args=[campaign.pk]), {"clear": "1"})
    assert campaign.recipients.count() == 0
    client.post(
        reverse("awareness:campaign_targets", args=[campaign.pk]),
        {"csv_file": SimpleUploadedFile("t.csv", b"email;department\np0@ght.example;Urgences\n")},
    )
    assert list(campaign.recipients.values_list("email", flat=True)) == ["p0@ght.example"]
    client.post(
        reverse("awareness:campaign_targets", args=[campaign.pk]),
        {"departments": [department.pk], "professions": "ide"},
    )
    assert campaign.recipients.count() == 3
    detail = client.get(reverse("awareness:campaign_detail", args=[campaign.pk]))
    assert detail.status_code == 200 and "p0@ght.example" in detail.content.decode()
    client.post(reverse("awareness:campaign_launch", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == "scheduled" and campaign.launched_at
    assert not CampaignRecipient.objects.filter(campaign=campaign, scheduled_at=None).exists()
    # A launched campaign is no longer editable.
    assert client.get(reverse("awareness:campaign_edit", args=[campaign.pk])).status_code == 403
    client.post(reverse("awareness:campaign_cancel", args=[campaign.pk]))
    campaign.refresh_from_db()
    assert campaign.status == "cancelled"


def test_another_establishments_campaign_is_a_404(client, trainer, establishment_b):
    templates_library.sync_library()
    from hygie.awareness.models import LandingPage

    other = Campaign.objects.create(
        establishment=establishment_b,
        name="Autre",
        sending_profile=_profile(establishment_b),
        template_a=MailTemplate.objects.filter(language="fr").first(),
        landing_page=LandingPage.objects.filter(language="fr").first(),
        window_start=timezone.now(),
        window_end=timezone.now() + timedelta(days=1),
    )
    assert client.get(reverse("awareness:campaign_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("awareness:campaign_launch", args=[other.pk])).status_code == 404
    listing = client.get(reverse("awareness:campaign_list")).content.decode()
    assert "Autre" not in listing


def test_an_auditor_reads_campaigns_but_not_the_back_office(
    client, make_user, login, establishment_a
):
    templates_library.sync_library()
    from hygie.awareness.models import LandingPage

    campaign = Campaign.objects.create(
        establishment=establishment_a,
        name="Terminée",
        status="finished",
        sending_profile=_profile(establishment_a),
        template_a=MailTemplate.objects.filter(language="fr").first(),
        landing_page=LandingPage.objects.filter(language="fr").first(),
        window_start=timezone.now() - timedelta(days=9),
        window_end=timezone.now() - timedelta(days=8),
    )
    CampaignRecipient.objects.create(
        establishment=establishment_a, campaign=campaign, email="lu@ght.example",
        token="T" * 24, scheduled_at=campaign.window_start, sent_at=campaign.window_start,
    )  # fmt: skip
    login(make_user("audrey", "auditor", [establishment_a]))
    page = client.get(reverse("awareness:campaign_detail", args=[campaign.pk]))
    text = page.content.decode()
    assert page.status_code == 200 and "lu@ght.example" in text and "T" * 24 not in text
    assert reverse("awareness:campaign_launch", args=[campaign.pk]) not in text
    assert client.get(reverse("awareness:sendingprofile_list")).status_code == 403
    assert client.post(reverse("awareness:campaign_cancel", args=[campaign.pk])).status_code == 403
