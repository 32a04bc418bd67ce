"""Alerts → incidents from the core alert pages: the incident block on an alert, and opening one
incident from several ticked alerts of the alert queue."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hygie.core.services.alerts import raise_alert
from hygie.response.models import Incident

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def alerts(establishment_a):
    return [
        raise_alert(
            establishment=establishment_a,
            source="detection",
            title=title,
            severity=severity,
            group_key=title,
        )
        for title, severity in (
            ("Shadow copies deleted on srv-fic-01", 50),
            ("Mass file renames on srv-fic-01", 40),
        )
    ]


def test_alert_page_offers_to_open_an_incident(client_a, alerts):
    page = client_a.get(reverse("core:alert_detail", args=[alerts[0].pk]))
    html = page.content.decode()
    assert "This alert is not part of an incident." in html
    link = reverse("response:incident_from_alerts") + f"?alert={alerts[0].pk}"
    assert f'href="{link}"' in html


def test_alert_page_lists_its_incidents(client_a, alerts, incident):
    incident.alerts.add(alerts[0])
    html = client_a.get(reverse("core:alert_detail", args=[alerts[0].pk])).content.decode()
    assert incident.reference in html
    assert reverse("response:incident_detail", args=[incident.pk]) in html


def test_read_only_user_sees_incidents_but_no_button(
    make_user, login, client, establishment_a, alerts
):
    login(make_user("audrey", "auditor", [establishment_a]))
    html = client.get(reverse("core:alert_detail", args=[alerts[0].pk])).content.decode()
    assert "Incidents" in html
    assert "open-incident" not in html


def test_alert_queue_ticks_alerts_into_one_incident(client_a, alerts, establishment_a):
    html = client_a.get(reverse("core:alert_list")).content.decode()
    assert 'id="bulk-form"' in html
    action = reverse("response:incident_from_alerts")
    assert f'formaction="{action}"' in html
    ticked = re.findall(r'<input type="checkbox" form="bulk-form" name="alert" value="(\d+)"', html)
    assert sorted(map(int, ticked)) == sorted(alert.pk for alert in alerts)

    # What the browser sends when both boxes are ticked and the button is pressed.
    query = "&".join(f"alert={pk}" for pk in ticked)
    form = client_a.get(f"{action}?{query}")
    assert form.status_code == 200
    assert "Shadow copies deleted" in form.content.decode()
    created = client_a.post(
        f"{action}?{query}",
        {
            "establishment": establishment_a.pk,
            "title": "Rançongiciel sur srv-fic-01",
            "category": "ransomware",
            "severity": 50,
            "care_impact": "degraded_mode",
            "personal_data": "unknown",
            "risk_to_individuals": "unlikely",
            "source": "alert",
            "discovered_at": "2026-03-10T04:12",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    incident = Incident.objects.get(title="Rançongiciel sur srv-fic-01")
    assert set(incident.alerts.all()) == set(alerts)


def test_auditor_gets_no_bulk_action(make_user, login, client, establishment_a, alerts):
    login(make_user("audrey", "auditor", [establishment_a]))
    html = client.get(reverse("core:alert_list")).content.decode()
    assert "bulk-form" not in html
