"""Detection pages: event search (scoped, filters, time range), rule library and toggling,
navigation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.core.models import AuditEntry
from hygie.core.registries import sections_for
from hygie.core.testing import login_with_mfa
from hygie.detection import services
from hygie.detection.models import Event, RuleSetting
from tests.apps.detection.conftest import SQLI_RULE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _event(establishment, host: str, raw: str, **extra) -> Event:
    return Event.objects.create(
        establishment=establishment,
        received_at=timezone.now(),
        source="file",
        host=host,
        raw=raw,
        **extra,
    )


def test_events_page_shows_only_visible_establishments(client_a, establishment_a, establishment_b):
    _event(establishment_a, "pacs-alpha", "alpha line")
    _event(establishment_b, "pacs-betamarker", "beta line")
    response = client_a.get(reverse("detection:event_list"))
    assert response.status_code == 200
    assert b"pacs-alpha" in response.content
    assert b"betamarker" not in response.content


def test_events_search_filters_and_time_range(client_a, establishment_a):
    _event(establishment_a, "pacs-01", "sshd failed password", product="linux", service="sshd")
    old = _event(establishment_a, "ehr-02", "GET /portail", category="webserver")
    Event.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=3))
    url = reverse("detection:event_list")
    assert b"ehr-02" not in client_a.get(url, {"q": "sshd"}).content
    assert b"pacs-01" in client_a.get(url, {"service": "sshd"}).content
    by_host = client_a.get(url, {"host": "EHR"}).content
    assert b"ehr-02" in by_host and b"pacs-01" not in by_host
    since = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    recent = client_a.get(url, {"since": since}).content
    assert b"pacs-01" in recent and b"ehr-02" not in recent
    until = client_a.get(url, {"until": (timezone.now() - timedelta(days=2)).date()}).content
    assert b"ehr-02" in until and b"pacs-01" not in until


def test_events_page_needs_the_capability(make_user, establishment_a):
    staff = login_with_mfa(Client(), make_user("nurse", "staff", [establishment_a]))
    assert staff.get(reverse("detection:event_list")).status_code == 403
    assert staff.get(reverse("detection:rule_list")).status_code == 403


def test_rule_library_lists_the_pack_and_toggles_per_establishment(client_a, establishment_a):
    page = client_a.get(reverse("detection:rule_list"))
    assert page.status_code == 200
    assert b"SQL Injection Attempt on the Patient Portal" in page.content
    response = client_a.post(
        reverse("detection:rule_toggle"),
        {"establishment": establishment_a.pk, "rule_id": SQLI_RULE, "is_enabled": "0"},
    )
    assert response.status_code == 302
    assert SQLI_RULE in services.disabled_rule_ids(establishment_a)
    assert AuditEntry.objects.filter(object_type="detection.rulesetting").exists()
    client_a.post(
        reverse("detection:rule_toggle"),
        {"establishment": establishment_a.pk, "rule_id": SQLI_RULE, "is_enabled": "1"},
    )
    assert SQLI_RULE not in services.disabled_rule_ids(establishment_a)


def test_rule_toggle_is_scoped_and_needs_manage_rules(client_a, establishment_b, analyst):
    response = client_a.post(
        reverse("detection:rule_toggle"),
        {"establishment": establishment_b.pk, "rule_id": SQLI_RULE, "is_enabled": "0"},
    )
    assert response.status_code == 404
    analyst_client = login_with_mfa(Client(), analyst)
    response = analyst_client.post(
        reverse("detection:rule_toggle"),
        {
            "establishment": analyst.establishments.first().pk,
            "rule_id": SQLI_RULE,
            "is_enabled": "0",
        },
    )
    assert response.status_code == 403
    assert not RuleSetting.objects.exists()


def test_unknown_rule_cannot_be_toggled(client_a, establishment_a):
    response = client_a.post(
        reverse("detection:rule_toggle"),
        {"establishment": establishment_a.pk, "rule_id": "nope", "is_enabled": "0"},
    )
    assert response.status_code == 403
    assert not RuleSetting.objects.exists()


def test_navigation_has_a_detection_section(user_a, make_user, establishment_a):
    keys = {section.key for section, _items in sections_for(user_a)}
    assert "detection" in keys
    nurse = make_user("nurse", "staff", [establishment_a])
    nurse_keys = {section.key for section, _items in sections_for(nurse)}
    # Staff may report a suspicious e-mail, in a section of its own, not under Detection.
    assert "detection" not in nurse_keys and "reporting" in nurse_keys


def test_pages_are_translated_into_french(client_a, settings):
    settings.LANGUAGE_CODE = "fr"
    page = client_a.get(reverse("detection:rule_list"), HTTP_ACCEPT_LANGUAGE="fr").content
    assert "Bibliothèque de règles".encode() in page
    # Sigma's level shows as the severity label, not its raw word.
    assert "Élevée".encode() in page and b"<td>high</td>" not in page
    targets = client_a.get(
        reverse("detection:forwardingtarget_list"), HTTP_ACCEPT_LANGUAGE="fr"
    ).content
    assert b"Adresse" in targets and b"Address" not in targets
    events = client_a.get(reverse("detection:event_list"), HTTP_ACCEPT_LANGUAGE="fr").content
    assert "Reçus à partir du".encode() in events
