"""Incident pages: list (filters, counts), the incident file (audit of every view, sections,
panels of the other areas), declaring/editing with local times, from alerts, and every action,
with permission and establishment checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.core.models import Alert, AuditEntry
from hygie.core.testing import login_with_mfa
from hygie.response.models import Incident, TimelineEntry
from hygie.response.services import incidents as service
from tests.apps.core.view_mixins import DetailViewTests, ListViewTests

pytestmark = pytest.mark.usefixtures("english")


def make_incident(establishment, **extra):
    count = Incident.objects.count() + 1
    return Incident.objects.create(
        reference=f"INC-2026-{count:04d}",
        establishment=establishment,
        title=extra.pop("title", f"Incident numéro {count}"),
        discovered_at=datetime(2026, 3, 10, 9, tzinfo=UTC),
        **extra,
    )


class TestIncidentPages(ListViewTests, DetailViewTests):
    url_base = "response:incident"
    denied_role = "trainer"

    def make_object(self, establishment):
        return make_incident(establishment)


def url(name, *args):
    return reverse(f"response:{name}", args=args)


# --- list -------------------------------------------------------------------------------------


def test_list_filters_and_counts(client_a, user_a, establishment_a):
    open_one = make_incident(
        establishment_a,
        title="Rançongiciel radiologie",
        category="ransomware",
        severity=50,
        assignee=user_a,
    )
    closed = make_incident(
        establishment_a, title="Perte clé USB", status="closed", category="loss_theft"
    )
    page = client_a.get(url("incident_list"), {"state": "open"}).content.decode()
    assert open_one.title in page and closed.title not in page
    page = client_a.get(url("incident_list"), {"state": "closed"}).content.decode()
    assert closed.title in page and open_one.title not in page
    page = client_a.get(url("incident_list"), {"assigned": "me"}).content.decode()
    assert open_one.title in page and closed.title not in page
    page = client_a.get(url("incident_list"), {"category": "loss_theft"}).content.decode()
    assert closed.title in page and open_one.title not in page
    page = client_a.get(url("incident_list"), {"q": "radiologie"}).content.decode()
    assert open_one.title in page and closed.title not in page
    page = client_a.get(url("incident_list"), {"sort": "-severity"}).content.decode()
    assert page.index(open_one.reference) < page.index(closed.reference)
    assert "1 open incident" in client_a.get(url("incident_list")).content.decode()


# --- the incident file ------------------------------------------------------------------------


def test_detail_shows_the_file_and_records_the_view(client_a, user_a, incident):
    service.add_task(user_a, incident, title="Isoler le serveur")
    service.add_observable(user_a, incident, "domain", "evil.example.net")
    service.add_comment(user_a, incident, "Point de situation")
    before = AuditEntry.objects.filter(action="view", object_type="response.incident").count()
    page = client_a.get(url("incident_detail", incident.pk)).content.decode()
    assert (
        AuditEntry.objects.filter(
            action="view", object_type="response.incident", object_id=str(incident.pk)
        ).count()
        == before + 1
    )
    for text in (
        "Isoler le serveur",
        "evil.example.net",
        "Point de situation",
        'aria-current="step"',
        "Europe/Paris",
        "Change phase",
    ):
        assert text in page
    # The discovery time (09:00 UTC) is shown in the establishment's zone (10:00 in Paris).
    assert "10:00" in page or "10 a.m." in page


def test_detail_of_read_only_user_has_no_forms(make_user, establishment_a, incident):
    client = login_with_mfa(Client(), make_user("aud", "auditor", [establishment_a]))
    page = client.get(url("incident_detail", incident.pk)).content.decode()
    assert "Change phase" not in page and "Add a task" not in page
    assert "Follow this incident" in page


# --- declaring and editing --------------------------------------------------------------------


def creation_data(establishment, **extra):
    return {
        "establishment": establishment.pk,
        "title": "Compte de messagerie compromis",
        "category": "account_compromise",
        "severity": 40,
        "care_impact": "none",
        "discovered_at": "2026-03-10T03:15",
        "source": "manual",
        "personal_data": "unknown",
        "risk_to_individuals": "unlikely",
        **extra,
    }


def test_declare_with_local_time(client_a, establishment_a):
    response = client_a.post(url("incident_add"), creation_data(establishment_a))
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    # 03:15 in Paris in March (UTC+1) is 02:15 UTC.
    assert incident.discovered_at == datetime(2026, 3, 10, 2, 15, tzinfo=UTC)
    assert response["Location"] == url("incident_detail", incident.pk)


def test_declare_invalid_writes_nothing(client_a, establishment_a):
    future = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client_a.post(
        url("incident_add"), creation_data(establishment_a, discovered_at=future)
    )
    assert response.status_code == 422
    assert "cannot be in the future" in response.content.decode()
    assert client_a.post(url("incident_add"), {}).status_code == 422
    assert not Incident.objects.exists()


def test_declare_in_another_establishment_is_refused(client_a, establishment_b):
    response = client_a.post(url("incident_add"), creation_data(establishment_b))
    assert response.status_code == 422  # not among the choices
    assert not Incident.objects.exists()


def test_declare_forbidden_without_capability(make_user, establishment_a):
    client = login_with_mfa(Client(), make_user("aud", "auditor", [establishment_a]))
    assert client.get(url("incident_add")).status_code == 403
    assert client.post(url("incident_add"), creation_data(establishment_a)).status_code == 403


def test_edit_shows_and_reads_local_times(client_a, incident):
    form = client_a.get(url("incident_edit", incident.pk)).content.decode()
    assert 'value="2026-03-10T10:00"' in form  # 09:00 UTC shown in Paris time
    data = {
        "title": incident.title,
        "category": "ransomware",
        "severity": 50,
        "care_impact": "patient_transfer",
        "discovered_at": "2026-03-10T10:00",
        "source": "manual",
        "personal_data": "true",
        "data_categories": ["health"],
        "risk_to_individuals": "high",
        "residents_by_state": "",
    }
    response = client_a.post(url("incident_edit", incident.pk), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident.refresh_from_db()
    assert incident.care_impact == "patient_transfer"
    assert incident.discovered_at == datetime(2026, 3, 10, 9, tzinfo=UTC)  # unchanged
    assert incident.data_categories == ["health"]
    log = list(TimelineEntry.objects.filter(incident=incident).values_list("text", flat=True))
    assert "Impact on care: Degraded mode → Patient transfer." in log
    assert not any("Discovered" in text for text in log)


def test_edit_of_other_establishment_is_404(client_a, incident_b):
    assert client_a.get(url("incident_edit", incident_b.pk)).status_code == 404
    assert client_a.post(url("incident_edit", incident_b.pk), {}).status_code == 404


# --- from alerts ------------------------------------------------------------------------------


@pytest.fixture
def alert_pair(establishment_a):
    now = timezone.now()
    return [
        Alert.objects.create(
            establishment=establishment_a,
            source="detection",
            title=title,
            severity=severity,
            first_seen_at=now - timedelta(hours=hours),
            last_seen_at=now,
        )
        for title, severity, hours in (("Renommage massif", 50, 2), ("Connexion suspecte", 30, 3))
    ]


def test_from_alerts_prefills_and_creates(client_a, alert_pair):
    query = "?" + "&".join(f"alert={a.pk}" for a in alert_pair)
    page = client_a.get(url("incident_from_alerts") + query)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Renommage massif (+1 related alerts)" in content
    assert 'value="50" selected' in content
    assert "<td>Detection</td>" in content and "<td>detection</td>" not in content  # module name
    data = creation_data(
        alert_pair[0].establishment, title="Rançongiciel", severity=50, source="alert"
    )
    response = client_a.post(url("incident_from_alerts") + query, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    assert set(incident.alerts.all()) == set(alert_pair)
    assert set(Alert.objects.values_list("status", flat=True)) == {"escalated"}


def test_from_alerts_refuses_invisible_alerts(client_a, establishment_b):
    now = timezone.now()
    theirs = Alert.objects.create(
        establishment=establishment_b,
        source="detection",
        title="Secret de B",
        first_seen_at=now,
        last_seen_at=now,
    )
    response = client_a.get(url("incident_from_alerts"), {"alert": theirs.pk})
    assert response.status_code == 404
    assert "Secret de B" not in response.content.decode()
    assert client_a.get(url("incident_from_alerts"), {"alert": "abc"}).status_code == 404
    assert client_a.get(url("incident_from_alerts")).status_code == 404


# --- actions ----------------------------------------------------------------------------------


def test_transition_buttons(client_a, incident):
    response = client_a.post(
        url("incident_transition", incident.pk), {"transition-to_status": "containment"}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "containment" and incident.contained_at is not None
    refused = client_a.post(
        url("incident_transition", incident.pk), {"transition-to_status": "new"}, follow=True
    )
    assert "one phase at a time" in refused.content.decode()
    incident.refresh_from_db()
    assert incident.status == "containment"


def test_assign_action(client_a, user_a, incident):
    client_a.post(url("incident_assign", incident.pk), {"assign-assignee": user_a.pk})
    incident.refresh_from_db()
    assert incident.assignee == user_a


def test_htmx_sections_return_fragments(client_a, user_a, incident):
    hx = {"HTTP_HX_REQUEST": "true"}
    cases = [
        (
            "incident_tasks",
            {"task-title": "Couper le VPN", "task-phase": "containment"},
            "Couper le VPN",
        ),
        (
            "incident_timeline",
            {"entry-kind": "log", "entry-text": "Appel du SAMU"},
            "Appel du SAMU",
        ),
        (
            "incident_observables",
            {
                "observable-kind": "ip",
                "observable-value": "198.51.100.9",
                "observable-is_ioc": "on",
            },
            "198.51.100.9",
        ),
        ("incident_comments", {"comment-text": "Réunion à 14 h"}, "Réunion à 14 h"),
        ("incident_watchers", {"action": "unwatch"}, "Follow this incident"),
    ]
    for name, data, expected in cases:
        response = client_a.post(url(name, incident.pk), data, **hx)
        content = response.content.decode()
        assert response.status_code == 200, name
        assert "<html" not in content and expected in content, name
        assert client_a.get(url(name, incident.pk), **hx).status_code == 200


def test_htmx_errors_stay_in_the_fragment(client_a, incident):
    response = client_a.post(
        url("incident_observables", incident.pk),
        {"observable-kind": "hash", "observable-value": "zz"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "hexadecimal" in response.content.decode()
    assert not incident.observables.exists()
    entry = client_a.post(
        url("incident_timeline", incident.pk),
        {"entry-kind": "log", "entry-text": "x", "entry-at": "2099-01-01T00:00"},
        HTTP_HX_REQUEST="true",
    )
    assert "future" in entry.content.decode()


def test_task_status_and_edit_pages(client_a, user_a, incident):
    task = service.add_task(user_a, incident, title="Décider du mode dégradé", is_decision=True)
    status_url = url("incident_task_status", incident.pk, task.pk)
    refused = client_a.post(status_url, {"status": "done"}, HTTP_HX_REQUEST="true")
    assert "Write down the decision" in refused.content.decode()
    client_a.post(status_url, {"status": "done", "decision": "Mode dégradé"})
    task.refresh_from_db()
    assert task.status == "done" and task.decision == "Mode dégradé"
    other = service.add_task(user_a, incident, title="Appeler l'éditeur")
    edit_url = url("incident_task_edit", incident.pk, other.pk)
    assert client_a.get(edit_url).status_code == 200
    response = client_a.post(
        edit_url, {"task-title": "Appeler l'éditeur du PACS", "task-due_at": "2026-03-11T08:00"}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.title == "Appeler l'éditeur du PACS"
    assert other.due_at == datetime(2026, 3, 11, 7, tzinfo=UTC)


def test_actions_on_other_establishment_are_404(client_a, incident_b):
    before = TimelineEntry.objects.filter(incident=incident_b).count()
    for name in (
        "incident_transition",
        "incident_assign",
        "incident_tasks",
        "incident_timeline",
        "incident_observables",
        "incident_comments",
        "incident_watchers",
        "incident_evidence",
        "incident_link_alerts",
    ):
        assert client_a.post(url(name, incident_b.pk), {}).status_code == 404, name
    assert TimelineEntry.objects.filter(incident=incident_b).count() == before


def test_actions_forbidden_to_read_only_roles(make_user, establishment_a, incident):
    client = login_with_mfa(Client(), make_user("aud", "auditor", [establishment_a]))
    for name, data in (
        ("incident_transition", {"transition-to_status": "triage"}),
        ("incident_tasks", {"task-title": "x"}),
        ("incident_timeline", {"entry-kind": "log", "entry-text": "x"}),
        ("incident_observables", {"observable-kind": "ip", "observable-value": "203.0.113.1"}),
        ("incident_comments", {"comment-text": "x"}),
    ):
        assert client.post(url(name, incident.pk), data).status_code == 403, name
    incident.refresh_from_db()
    assert incident.status == "new" and not incident.tasks.exists()
    # Reading is enough to follow an incident.
    assert (
        client.post(url("incident_watchers", incident.pk), {"action": "watch"}).status_code == 302
    )


def test_link_alerts_action(client_a, incident, alert_pair):
    client_a.post(
        url("incident_link_alerts", incident.pk),
        {"alerts-alerts": ", ".join(str(a.pk) for a in alert_pair)},
    )
    assert incident.alerts.count() == 2


def test_declare_no_personal_data_with_people_affected_is_flagged_on_the_field(
    client_a, establishment_a
):
    response = client_a.post(
        url("incident_add"),
        creation_data(
            establishment_a,
            personal_data="false",
            data_categories=["health"],
            individuals_affected="1200",
        ),
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "CNIL" in page and "1,200 people affected" in page
    # Shown on the personal-data field, which the form marks invalid.
    errors = page[page.index('id="id_personal_data_error"') :]
    assert errors.index("1,200 people affected") < errors.index('name="personal_data"')
    assert 'aria-invalid="true" aria-describedby="id_personal_data_error"' in page
    assert not Incident.objects.exists()
