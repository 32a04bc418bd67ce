"""Pages of the regulatory clocks: dashboard, incident panel, decisions, regulatory profile."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from hygie.core.models import AuditEntry
from hygie.core.testing import login_with_mfa
from hygie.response.models import IncidentObligation, RegulatoryProfile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
PARIS = ZoneInfo("Europe/Paris")


def obligation(incident, obligation_id="cert_sante"):
    return IncidentObligation.objects.get(incident=incident, obligation_id=obligation_id)


@pytest.fixture
def recent(incident):
    """The shared incident, discovered 60 hours ago: some clocks overdue, some close."""
    incident.discovered_at = timezone.now() - timedelta(hours=60)
    incident.personal_data = "true"
    incident.risk_to_individuals = "high"
    incident.save()
    return incident


# --- dashboard ------------------------------------------------------------------------------


def test_dashboard_groups_and_banner(client_a, recent):
    response = client_a.get(reverse("response:incidentobligation_list"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "1 regulatory obligation is overdue." in content  # NIS2 early warning (24 h)
    for heading in (
        "Overdue",
        "Due within 24 hours",
        "Due within 7 days",
        "Due later",
        "No fixed deadline",
    ):
        assert heading in content
    assert recent.reference in content
    assert "overdue by 1 d 12 h" in content
    assert "UTC" in content and "CNIL" in content
    assert 'hx-trigger="every 60s"' in content  # countdowns refreshed without inline script
    assert "<script>" not in content
    assert (
        reverse("response:establishment_regulatoryprofile", args=[recent.establishment_id])
        in content
    )


def test_dashboard_filters_and_htmx_fragment(client_a, recent):
    url = reverse("response:incidentobligation_list")
    only_hipaa = client_a.get(url, {"obligation": "hipaa_hhs"}).content.decode()
    assert recent.reference not in only_hipaa
    closed = client_a.get(url, {"incident_status": "closed"}).content.decode()
    assert recent.reference not in closed
    fragment = client_a.get(
        url, {"obligation": "gdpr_art33", "establishment": "nonsense"}, HTTP_HX_REQUEST="true"
    )
    text = fragment.content.decode()
    assert "<html" not in text and 'id="obligation-groups"' in text
    assert recent.reference in text  # invalid establishment value ignored, not trusted


def test_dashboard_is_scoped(client_a, incident, incident_b):
    content = client_a.get(reverse("response:incidentobligation_list")).content.decode()
    assert incident_b.reference not in content
    assert "Clinique Beta" not in content


def test_dashboard_needs_the_capability(make_user, establishment_a, client):
    staff = make_user("staff", "staff", [establishment_a])
    login_with_mfa(client, staff)
    assert client.get(reverse("response:incidentobligation_list")).status_code == 403


def test_dashboard_requires_sign_in(client):
    response = client.get(reverse("response:incidentobligation_list"))
    assert response.status_code == 302


# --- incident panel -------------------------------------------------------------------------


def test_panel_fragment(client_a, recent):
    url = reverse("response:incident_obligations", args=[recent.pk])
    response = client_a.get(url, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200 and "<html" not in content
    assert 'id="incident-obligations-panel"' in content
    # Opened without htmx, the same panel comes inside a whole page.
    page = client_a.get(url).content.decode()
    assert "<html" in page and 'id="incident-obligations-panel"' in page
    # Unverified rules carry the discreet "to check" marker, never the raw flag (decision 0025).
    assert "VERIFIED" in content and 'class="to-check"' in content
    assert ">UNVERIFIED<" not in content
    assert "Immediately (sans délai)" in content
    assert "Europe/Paris" in content and "UTC" in content
    assert "do not apply" in content  # HIPAA ones, with why
    assert "Mark done" in content and "Re-assess" in content


def test_panel_of_another_establishment_is_404(client_a, incident_b):
    assert (
        client_a.get(reverse("response:incident_obligations", args=[incident_b.pk])).status_code
        == 404
    )


def test_panel_read_only_for_an_auditor(make_user, establishment_a, recent):
    auditor = login_with_mfa(Client(), make_user("audit", "auditor", [establishment_a]))
    content = auditor.get(
        reverse("response:incident_obligations", args=[recent.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Mark done" not in content and "Re-assess" not in content
    target = obligation(recent)
    response = auditor.post(
        reverse("response:incidentobligation_complete", args=[target.pk]),
        {"done_at": "2026-03-10T10:00", "proof_reference": "X"},
    )
    assert response.status_code == 403


def test_complete_through_htmx_with_reference(client_a, recent):
    target = obligation(recent)
    done_at = (timezone.now().astimezone(PARIS) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")
    response = client_a.post(
        reverse("response:incidentobligation_complete", args=[target.pk]),
        {"done_at": done_at, "proof_reference": "SIG-2026-001"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert 'id="incident-obligations-panel"' in response.content.decode()
    target.refresh_from_db()
    assert target.status == "done" and target.proof_reference == "SIG-2026-001"
    # The form's time is read in the establishment's zone (Europe/Paris).
    assert abs(target.done_at - (timezone.now() - timedelta(minutes=10))) < timedelta(minutes=2)


def test_complete_without_proof_shows_the_error(client_a, recent):
    target = obligation(recent)
    response = client_a.post(
        reverse("response:incidentobligation_complete", args=[target.pk]),
        {"done_at": "2026-03-10T10:00"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200  # htmx swaps only 2xx: the panel shows the error
    assert "Give a proof" in response.content.decode()
    plain = client_a.post(
        reverse("response:incidentobligation_complete", args=[target.pk]), {"done_at": ""}
    )
    assert plain.status_code == 422
    assert "This field is required" in plain.content.decode()
    target.refresh_from_db()
    assert target.status == "pending"


def test_complete_with_a_file_then_reopen(client_a, recent):
    target = obligation(recent, "gdpr_art33")
    proof = SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n% synthetic\n%%EOF\n")
    response = client_a.post(
        reverse("response:incidentobligation_complete", args=[target.pk]),
        {
            "done_at": "2026-01-01T10:00",
            "proof_file": proof,
            "next": reverse("response:incidentobligation_list"),
        },
    )
    # 1 January is before discovery: refused, the page shows why.
    assert response.status_code == 422
    assert "before the incident was discovered" in response.content.decode()
    when = (timezone.now() - timedelta(hours=1)).astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")
    proof.seek(0)
    response = client_a.post(
        reverse("response:incidentobligation_complete", args=[target.pk]),
        {"done_at": when, "proof_file": proof, "next": reverse("response:incidentobligation_list")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("response:incidentobligation_list")
    target.refresh_from_db()
    assert target.proof_evidence is not None
    response = client_a.post(
        reverse("response:incidentobligation_reopen", args=[target.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.status == "pending"


def test_next_must_stay_on_the_site(client_a, recent):
    target = obligation(recent)
    response = client_a.post(
        reverse("response:incidentobligation_not_applicable", args=[target.pk]),
        {"justification": "Déclaré par le GHT.", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_not_applicable_needs_a_justification(client_a, recent):
    target = obligation(recent)
    response = client_a.post(
        reverse("response:incidentobligation_not_applicable", args=[target.pk]),
        {"justification": "  "},
    )
    assert response.status_code == 422
    response = client_a.post(
        reverse("response:incidentobligation_not_applicable", args=[target.pk]),
        {"justification": "Déclaration faite par l'établissement support."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.status == "not_applicable"


def test_decisions_on_another_establishment_are_404(client_a, incident_b):
    target = obligation(incident_b, "cert_sante")
    for name in (
        "incidentobligation_complete",
        "incidentobligation_not_applicable",
        "incidentobligation_reopen",
        "incidentobligation_detail",
    ):
        url = reverse(f"response:{name}", args=[target.pk])
        response = (
            client_a.get(url)
            if name == "incidentobligation_detail"
            else client_a.post(
                url, {"justification": "x", "done_at": "2026-04-01T10:00", "proof_reference": "x"}
            )
        )
        assert response.status_code == 404, name
    target.refresh_from_db()
    assert target.status == "pending"


def test_reassess_button(client_a, recent):
    response = client_a.post(
        reverse("response:incident_reassess", args=[recent.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "nothing changed" in response.content.decode()


def test_obligation_detail_page(client_a, recent):
    target = obligation(recent, "gdpr_art33")
    content = client_a.get(
        reverse("response:incidentobligation_detail", args=[target.pk])
    ).content.decode()
    assert "GDPR art. 33" in content and 'class="to-check"' in content and "Decision" in content


def in_french(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # as the language switcher sets it
    return client


def test_french_pages_show_the_french_texts(client_a, recent):
    client = in_french(client_a)
    target = obligation(recent, "gdpr_art33")
    french = target.texts["fr"]
    panel = client.get(
        reverse("response:incident_obligations", args=[recent.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    detail = client.get(
        reverse("response:incidentobligation_detail", args=[target.pk])
    ).content.decode()
    dashboard = client.get(reverse("response:incidentobligation_list")).content.decode()
    for page in (panel, detail):
        assert escape(french["reason"]) in page and escape(target.reason) not in page
        assert escape(french["deadline_rule"]) in page
        assert escape(french["notes"][0]) in page
    assert escape(french["title"]) in detail and escape(target.title) not in detail
    assert "Incident grave" in panel  # CERT Santé
    # The marker, translated, with its tooltip; no raw flag.
    assert 'title="à vérifier sur le texte officiel">à vérifier</span>' in detail
    assert "UNVERIFIED" not in detail
    assert escape(obligation(recent, "gdpr_art34").texts["fr"]["recipient"]) in dashboard


def test_english_pages_show_the_english_texts(client_a, recent):
    target = obligation(recent, "gdpr_art33")
    detail = client_a.get(
        reverse("response:incidentobligation_detail", args=[target.pk])
    ).content.decode()
    assert escape(target.reason) in detail and escape(target.texts["fr"]["reason"]) not in detail


def test_rows_assessed_before_texts_show_english(client_a, recent):
    IncidentObligation.objects.filter(incident=recent).update(texts={})
    client = in_french(client_a)
    target = obligation(recent, "gdpr_art33")
    detail = client.get(
        reverse("response:incidentobligation_detail", args=[target.pk])
    ).content.decode()
    assert escape(target.reason) in detail


# --- regulatory profile ---------------------------------------------------------------------


def test_profile_edit_reassesses(client_a, recent):
    url = reverse("response:establishment_regulatoryprofile", args=[recent.establishment_id])
    assert client_a.get(url).status_code == 200
    assert obligation(recent, "nis2_early_warning").applies
    response = client_a.post(
        url,
        {
            "type": "hospital",
            "nis2": "none",
            "hipaa": "none",
            "gdpr_controller": "on",
            "notification_emails": "rssi@ch.example\n",
        },
    )
    assert response.status_code == 302
    profile = RegulatoryProfile.objects.get(establishment_id=recent.establishment_id)
    assert profile.nis2 == "none" and profile.notification_emails == "rssi@ch.example"
    assert not obligation(recent, "nis2_early_warning").applies
    assert AuditEntry.objects.filter(
        object_type="response.regulatoryprofile", action="update"
    ).exists()


def test_profile_edit_rejects_bad_addresses(client_a, establishment_a):
    url = reverse("response:establishment_regulatoryprofile", args=[establishment_a.pk])
    response = client_a.post(
        url,
        {
            "type": "hospital",
            "nis2": "none",
            "hipaa": "none",
            "notification_emails": "ok@ch.example\nnope",
        },
    )
    assert response.status_code == 422
    assert "not a valid e-mail address" in response.content.decode()


def test_profile_of_another_establishment_is_404(client_a, establishment_b):
    url = reverse("response:establishment_regulatoryprofile", args=[establishment_b.pk])
    assert client_a.get(url).status_code == 404
    assert client_a.post(url, {"type": "other", "nis2": "none", "hipaa": "none"}).status_code == 404


def test_profile_edit_needs_manage_obligations(make_user, establishment_a):
    analyst = login_with_mfa(Client(), make_user("soc", "soc_analyst", [establishment_a]))
    url = reverse("response:establishment_regulatoryprofile", args=[establishment_a.pk])
    assert analyst.get(url).status_code == 403
