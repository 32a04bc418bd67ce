"""The public side of a simulation, through Django's test client: open pixel, tracked link,
the browser confirmation, the landing form (field names only) and the teachable moment."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hygie.awareness.models import CampaignEvent, CampaignRecipient, TrainingAssignment
from hygie.awareness.services import tracking

from .tracking_support import BROWSER_UA, SCANNER_UA, make_campaign

pytestmark = pytest.mark.django_db

SECRET = "Sup3r-secret-Passw0rd!"


@pytest.fixture
def campaign(establishment_a):
    return make_campaign(establishment_a)


def _recipient(campaign, index=0) -> CampaignRecipient:
    return campaign.recipients.order_by("email")[index]


def _browser() -> Client:
    return Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="192.0.2.57")


def _proof(page: bytes) -> str:
    text = page.decode()
    return text.split('data-awareness-proof="', 1)[1].split('"', 1)[0]


def test_tracking_base_builds_the_engine_links(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://hygie.chu.example"]
    assert tracking.tracking_base() == "https://hygie.chu.example/awareness/t"


def test_open_pixel_records_and_never_tells_an_unknown_token(campaign):
    recipient = _recipient(campaign)
    client = _browser()
    answer = client.get(f"/awareness/t/o/{recipient.token}")
    unknown = client.get("/awareness/t/o/" + "A" * 24)
    malformed = client.get("/awareness/t/o/not-a-token")
    for response in (answer, unknown, malformed):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/gif"
        assert response.content == answer.content
        assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    recipient.refresh_from_db()
    assert recipient.first_opened_at is not None
    event = CampaignEvent.objects.get(recipient=recipient, kind="opened")
    assert event.source_network == "192.0.2.0/24"
    assert not event.is_automated
    assert CampaignEvent.objects.filter(kind="opened").count() == 1


def test_click_confirmed_in_a_browser_is_human_and_enrols(campaign):
    recipient = _recipient(campaign)
    client = _browser()
    page = client.get(f"/awareness/t/c/{recipient.token}")
    assert page.status_code == 200
    body = page.content.decode()
    # The landing page is served safely: our script only, the form posts to us, links go nowhere.
    assert "<script>alert" not in body and "onclick" not in body
    assert "evil.example" not in body
    assert f'action="/awareness/t/s/{recipient.token}"' in body
    assert 'method="post"' in body
    assert 'autocomplete="off"' in body
    assert page["X-Robots-Tag"].startswith("noindex")
    recipient.refresh_from_db()
    assert recipient.first_clicked_at is not None and recipient.confirmed_at is None

    confirm = client.post(f"/awareness/t/v/{recipient.token}", {"proof": _proof(page.content)})
    assert confirm.status_code == 204
    recipient.refresh_from_db()
    assert recipient.confirmed_at is not None
    kinds = list(recipient.events.values_list("kind", flat=True))
    assert kinds == ["clicked", "confirmed", "enrolled"]
    assignment = TrainingAssignment.objects.get(person=recipient.person)
    assert assignment.source == "campaign" and assignment.assigned_by is None
    assert assignment.module == campaign.enrol_module
    assert assignment.due_at > timezone.now()
    # A second confirmation does not enrol twice.
    client.post(f"/awareness/t/v/{recipient.token}", {"proof": _proof(page.content)})
    assert TrainingAssignment.objects.filter(person=recipient.person).count() == 1


def test_a_forged_or_foreign_proof_confirms_nothing(campaign):
    first, second = _recipient(campaign, 0), _recipient(campaign, 1)
    client = _browser()
    page = client.get(f"/awareness/t/c/{first.token}")
    client.post(f"/awareness/t/v/{second.token}", {"proof": _proof(page.content)})
    client.post(f"/awareness/t/v/{first.token}", {"proof": "forged:proof"})
    client.post(f"/awareness/t/v/{first.token}", {})
    assert not CampaignEvent.objects.filter(kind="confirmed").exists()


@pytest.mark.parametrize(
    ("method", "headers", "reason"),
    [
        ("head", {"HTTP_USER_AGENT": BROWSER_UA}, "head_request"),
        ("get", {"HTTP_USER_AGENT": SCANNER_UA}, "scanner_user_agent"),
        ("get", {"HTTP_USER_AGENT": BROWSER_UA, "HTTP_SEC_PURPOSE": "prefetch"}, "prefetch_header"),
        ("get", {"HTTP_USER_AGENT": BROWSER_UA, "REMOTE_ADDR": "40.107.3.9"}, "scanner_network"),
        ("get", {}, "no_user_agent"),
    ],
)
def test_scanner_requests_are_automated_never_validated(campaign, method, headers, reason):
    recipient = _recipient(campaign)
    client = Client(**{"REMOTE_ADDR": "198.51.100.7", **headers})
    response = getattr(client, method)(f"/awareness/t/c/{recipient.token}")
    assert response.status_code == 200
    if method == "get":  # a scanner that even runs the script is still a scanner
        client.post(f"/awareness/t/v/{recipient.token}", {"proof": _proof(response.content)})
    else:
        assert response.content == b""
    recipient.refresh_from_db()
    assert recipient.first_clicked_at is not None  # the raw figure counts it
    assert recipient.confirmed_at is None  # never a validated click
    events = list(recipient.events.all())
    assert events and all(e.is_automated for e in events)
    assert reason in events[0].reasons
    verdict = tracking.recipient_verdict(recipient, events)
    assert verdict is not None and verdict.verdict == "automated"
    assert not TrainingAssignment.objects.exists()


def test_a_click_seconds_after_delivery_is_automated(campaign):
    recipient = _recipient(campaign)
    CampaignRecipient.objects.filter(pk=recipient.pk).update(sent_at=timezone.now())
    client = _browser()
    page = client.get(f"/awareness/t/c/{recipient.token}")
    client.post(f"/awareness/t/v/{recipient.token}", {"proof": _proof(page.content)})
    recipient.refresh_from_db()
    assert recipient.confirmed_at is None
    assert "fast_after_delivery" in recipient.events.get(kind="confirmed").reasons


def test_a_click_without_the_script_stays_unconfirmed(campaign):
    recipient = _recipient(campaign)
    _browser().get(f"/awareness/t/c/{recipient.token}")
    recipient.refresh_from_db()
    verdict = tracking.recipient_verdict(recipient, list(recipient.events.all()))
    assert verdict.verdict == "unconfirmed" and "no_javascript" in verdict.reasons


def test_scanner_first_then_the_person_is_human(campaign):
    recipient = _recipient(campaign)
    Client(HTTP_USER_AGENT=SCANNER_UA).head(f"/awareness/t/c/{recipient.token}")
    client = _browser()
    page = client.get(f"/awareness/t/c/{recipient.token}")
    client.post(f"/awareness/t/v/{recipient.token}", {"proof": _proof(page.content)})
    recipient.refresh_from_db()
    assert recipient.confirmed_at is not None
    verdict = tracking.recipient_verdict(recipient, list(recipient.events.all()))
    assert verdict.verdict == "human" and verdict.automated_requests == 1


def test_landing_form_keeps_field_names_never_values(campaign, caplog):
    recipient = _recipient(campaign)
    client = _browser()
    client.get(f"/awareness/t/c/{recipient.token}")
    with caplog.at_level(logging.DEBUG):
        answer = client.post(
            f"/awareness/t/s/{recipient.token}",
            {"username": "agent.zero", "password": SECRET, "csrfmiddlewaretoken": "x"},
        )
    assert answer.status_code == 303
    assert answer["Location"] == f"/awareness/t/l/{recipient.token}"
    recipient.refresh_from_db()
    assert recipient.submitted_at is not None
    event = recipient.events.get(kind="submitted")
    assert event.field_names == ["password", "username"]
    assert SECRET not in caplog.text and "agent.zero" not in caplog.text
    for row in CampaignEvent.objects.values():
        assert SECRET not in str(row) and "agent.zero" not in str(row)
    # Submitting counts as a person acting: the training is assigned.
    assert TrainingAssignment.objects.filter(person=recipient.person).exists()


def test_teachable_moment_explains_the_clues_in_the_recipients_language(campaign):
    french, english = _recipient(campaign, 0), _recipient(campaign, 2)
    assert english.language == "en"
    client = _browser()
    client.get(f"/awareness/t/c/{french.token}")
    client.post(f"/awareness/t/s/{french.token}", {"password": SECRET})
    page = client.get(f"/awareness/t/l/{french.token}").content.decode()
    assert "C’était un exercice d’hameçonnage" in page
    assert "Une urgence artificielle" in page
    assert "Résultats disponibles pour Prénom0" in page  # the subject as received
    assert "Ce que vous avez saisi n’a pas été enregistré." in page
    assert SECRET not in page
    english_page = client.get(f"/awareness/t/l/{english.token}").content.decode()
    assert 'lang="en"' in english_page
    assert "This was a phishing exercise" in english_page
    assert "Artificial urgency" in english_page  # the same lure's clues, in English
    assert CampaignEvent.objects.filter(kind="teachable_viewed").count() == 2


def test_inactive_campaigns_and_unknown_tokens_answer_alike(establishment_a):
    draft = make_campaign(establishment_a, status="draft", name="Brouillon")
    token = draft.recipients.first().token
    client = _browser()
    for path in (f"/awareness/t/c/{token}", "/awareness/t/c/" + "B" * 24, "/awareness/t/c/x"):
        response = client.get(path)
        assert response.status_code == 404
        assert b"Page introuvable" in response.content
    assert client.post(f"/awareness/t/s/{token}", {"password": SECRET}).status_code == 404
    assert not CampaignEvent.objects.exists()


def test_public_endpoints_refuse_other_methods(campaign):
    token = _recipient(campaign).token
    client = _browser()
    assert client.post(f"/awareness/t/c/{token}").status_code == 405
    assert client.get(f"/awareness/t/s/{token}").status_code == 405
    assert client.get(f"/awareness/t/v/{token}").status_code == 405


def test_a_click_loop_cannot_fill_the_database(campaign):
    recipient = _recipient(campaign)
    client = Client(HTTP_USER_AGENT=SCANNER_UA)
    for _ in range(tracking.MAX_EVENTS_PER_KIND + 5):
        client.head(f"/awareness/t/c/{recipient.token}")
    assert recipient.events.count() == tracking.MAX_EVENTS_PER_KIND


def test_only_the_network_is_kept(campaign):
    recipient = _recipient(campaign)
    Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="2001:db8:abcd:12::5").get(
        f"/awareness/t/c/{recipient.token}"
    )
    event = recipient.events.get()
    assert event.source_network == "2001:db8:abcd::/48"
    assert tracking.source_network("not an address") == ""


def test_late_clicks_on_a_finished_campaign_still_count(establishment_a):
    campaign = make_campaign(establishment_a, status="finished", name="Terminée")
    recipient = campaign.recipients.first()
    CampaignRecipient.objects.filter(pk=recipient.pk).update(
        sent_at=timezone.now() - timedelta(days=3)
    )
    assert _browser().get(f"/awareness/t/c/{recipient.token}").status_code == 200
