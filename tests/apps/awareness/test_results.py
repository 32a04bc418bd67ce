"""Campaign results: the funnel raw and validated, breakdowns, delay distributions, repeat
clickers, trend, the live page and its htmx fragment, CSV/PDF exports, the API, the dashboard
tile and the trainer's landing panel."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hygie.awareness import engine
from hygie.awareness.models import CampaignRecipient
from hygie.awareness.services import results
from hygie.core.models import AuditEntry
from hygie.core.registries import dashboard_tiles, landing_panels
from tests.apps.core.api_support import API, issue_token

from .tracking_support import BROWSER_UA, SCANNER_UA, make_campaign

pytestmark = pytest.mark.django_db
SECRET = "Un-mot-de-passe-tres-secret-42"


def _proof(page: bytes) -> str:
    return page.decode().split('data-awareness-proof="', 1)[1].split('"', 1)[0]


def _play(campaign):
    """Recipient 0: opens, clicks in a browser, confirms, submits; 1: a scanner HEAD, then
    nothing; 2: reports without clicking; 3: clicks without the script."""
    recipients = list(campaign.recipients.order_by("email"))
    browser = Client(HTTP_USER_AGENT=BROWSER_UA, REMOTE_ADDR="192.0.2.10")
    token = recipients[0].token
    browser.get(f"/awareness/t/o/{token}")
    page = browser.get(f"/awareness/t/c/{token}")
    browser.post(f"/awareness/t/v/{token}", {"proof": _proof(page.content)})
    browser.post(f"/awareness/t/s/{token}", {"username": "x", "password": SECRET})
    Client(HTTP_USER_AGENT=SCANNER_UA).head(f"/awareness/t/c/{recipients[1].token}")
    CampaignRecipient.objects.filter(pk=recipients[2].pk).update(
        reported_at=recipients[2].sent_at + timedelta(minutes=3)
    )
    Client(HTTP_USER_AGENT=BROWSER_UA).get(f"/awareness/t/c/{recipients[3].token}")
    return recipients


@pytest.fixture
def played(establishment_a):
    campaign = make_campaign(establishment_a, recipients=4)
    _play(campaign)
    return campaign


def test_funnel_raw_and_validated(played):
    found = results.campaign_results(played)
    f = found.funnel
    assert (f.recipients, f.delivered, f.opened) == (4, 4, 1)
    assert (f.clicked_raw, f.clicked_human, f.clicked_automated, f.clicked_unconfirmed) == (
        3,
        1,
        1,
        1,
    )
    assert (f.submitted_raw, f.submitted_human, f.reported) == (1, 1, 1)
    verdicts = {r.recipient.email: r.verdict for r in found.recipients}
    assert sorted(v for v in verdicts.values() if v) == ["automated", "human", "unconfirmed"]
    submitted = [r for r in found.recipients if r.field_names]
    assert submitted[0].field_names == ("password", "username")
    # Distributions: one human click about 30 minutes after delivery, one report at 3 minutes.
    assert sum(found.click_delays) == 1 and found.click_delays[3] == 1
    assert sum(found.report_delays) == 1 and found.report_delays[1] == 1
    assert 1790 < found.median_seconds_to_click < 1900
    labels = dict(found.automated_reasons)
    assert "HEAD request" in labels or "requête HEAD" in labels


def test_breakdowns_by_department_profession_establishment_variant(played):
    found = results.campaign_results(played)
    departments = {g.label: g.funnel for g in found.by_department}
    assert set(departments) == {"Cardiologie", "Urgences"}
    assert sum(g.delivered for g in departments.values()) == 4
    assert departments["Cardiologie"].clicked_human == 1  # recipient 0 is in Cardiologie
    assert {g.label for g in found.by_profession} == {"Médecin", "Infirmier"}
    assert [g.label for g in found.by_establishment] == ["CH Alpha"]
    assert [g.label for g in found.by_variant] == ["A"]


def test_repeat_clickers_across_campaigns(establishment_a, user_a):
    first = make_campaign(
        establishment_a, name="Première", launched_at=timezone.now() - timedelta(days=40)
    )
    second = make_campaign(establishment_a, name="Seconde")
    now = timezone.now()
    # The same person validated a click in both campaigns.
    email = first.recipients.order_by("email").first().email
    CampaignRecipient.objects.filter(campaign=first, email=email).update(
        confirmed_at=now - timedelta(days=39)
    )
    target = second.recipients.order_by("email").first()
    CampaignRecipient.objects.filter(pk=target.pk).update(email=email)
    browser = Client(HTTP_USER_AGENT=BROWSER_UA)
    page = browser.get(f"/awareness/t/c/{target.token}")
    browser.post(f"/awareness/t/v/{target.token}", {"proof": _proof(page.content)})
    found = results.campaign_results(second)
    assert [r.recipient.email for r in found.repeat_clickers] == [email]
    across = results.repeat_clickers(user_a)
    assert [(row.email, row.campaigns) for row in across] == [(email, 2)]
    trend = results.trend(user_a)
    assert [row.campaign.name for row in trend] == ["Première", "Seconde"]
    assert trend[1].clicked_human == 1
    assert "<svg" in str(results.trend_chart(trend))


def test_results_page_live_fragment_and_scoping(client_a, played, establishment_b, user_b):
    url = f"/awareness/campaigns/{played.pk}/results/"
    page = client_a.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'hx-trigger="every 10s"' in body  # running: the figures refresh
    assert 'data-figure="clicked_human">1<' in body
    assert 'data-figure="reported">1<' in body
    assert "password, username" in body
    assert SECRET not in body
    fragment = client_a.get(url, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert fragment.content.decode().lstrip().startswith('<div id="campaign-live"')
    other = Client()
    from hygie.core.testing import login_with_mfa

    login_with_mfa(other, user_b)
    assert other.get(url).status_code == 404
    assert other.get(url + "export/?format=csv").status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302


def test_overview_page(client_a, played):
    page = client_a.get("/awareness/results/")
    assert page.status_code == 200
    assert played.name in page.content.decode()


def test_csv_export_names_fields_never_values_and_is_audited(client_a, played):
    answer = client_a.get(f"/awareness/campaigns/{played.pk}/results/export/?format=csv")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    text = answer.content.decode("utf-8-sig")
    assert SECRET not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4
    clicked = [row for row in rows if row["click_verdict"] == "human"]
    assert clicked[0]["submitted_field_names"] == "password username"
    assert clicked[0]["enrolled"] == "yes"
    automated = [row for row in rows if row["click_verdict"] == "automated"]
    assert "head_request" in automated[0]["automated_signs"]
    assert AuditEntry.objects.filter(action="export", object_id=str(played.pk)).exists()
    assert (
        client_a.get(f"/awareness/campaigns/{played.pk}/results/export/?format=xls").status_code
        == 404
    )


def test_pdf_export(client_a, played):
    answer = client_a.get(f"/awareness/campaigns/{played.pk}/results/export/?format=pdf")
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")


def test_api_results_and_trend(played, user_a):
    token = issue_token(user_a, "read")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    answer = api.get(f"{API}/awareness/campaigns/{played.pk}/results")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert data["funnel"]["clicked_raw"] == 3 and data["funnel"]["clicked_human"] == 1
    assert len(data["delays"]) == len(results.DELAY_BUCKETS)
    assert {g["label"] for g in data["by_department"]} == {"Cardiologie", "Urgences"}
    trend = api.get(f"{API}/awareness/results/trend").json()
    assert trend[0]["campaign_id"] == played.pk
    exported = api.get(f"{API}/awareness/campaigns/{played.pk}/results/export/csv")
    assert exported.status_code == 200 and SECRET.encode() not in exported.content


def test_dashboard_tile_and_trainer_panel(played, user_a, make_user, establishment_a):
    tile = dashboard_tiles.get("awareness.last_simulation")
    data = tile.compute(user_a, [establishment_a])[establishment_a.pk]
    assert data.value == "25 %"  # one validated click of four delivered
    assert data.status == "neutral"  # still running
    assert [part.value for part in data.parts] == ["25 %", 3, 1]
    trainer = make_user("trainer", "trainer", [establishment_a])
    panel = landing_panels.get("awareness.simulations")
    context = panel.context(trainer)
    assert context["running"] == 1 and context["rows"][0].clicked_human == 1
    nobody = make_user("trainer-b", "trainer", [])
    assert panel.context(nobody) is None


def test_engine_and_service_agree_on_human_clicks(played):
    """``confirmed_at`` (read by the trend and tiles) is the classifier's human verdict."""
    found = results.campaign_results(played)
    humans = {r.recipient.pk for r in found.recipients if r.verdict == engine.HUMAN}
    confirmed = set(
        played.recipients.filter(confirmed_at__isnull=False).values_list("pk", flat=True)
    )
    assert humans == confirmed


def test_results_page_reads_in_french(client_a, played):
    body = client_a.get(f"/awareness/campaigns/{played.pk}/results/").content.decode()
    for french in (
        "Chiffres clés",
        "Entonnoir\u00a0: brut et validé",
        "Délai avant clic et délai avant signalement",
        "Par service",
        "Destinataires ayant cliqué",
        "humain",
    ):
        assert french in body, french
    for english in ("Headline figures", "By department", "Recipients who clicked", "Validated"):
        assert english not in body, english
