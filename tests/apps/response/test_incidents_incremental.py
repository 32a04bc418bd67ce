"""Incremental export: ``GET /response/incidents?updated_since=`` returns every incident whose
record changed since the last pull, including changes to its tasks, log or comments."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from hygie.response.models import Incident
from hygie.response.services import incidents as service
from tests.apps.core.api_support import APIClient, issue_token


def _age(incident: Incident) -> None:
    Incident.objects.filter(pk=incident.pk).update(updated_at=timezone.now() - timedelta(days=1))


def test_updated_since_returns_incidents_whose_record_changed(user_a, incident, incident_b):
    api = APIClient(issue_token(user_a))
    _age(incident)
    params = {"updated_since": (timezone.now() - timedelta(hours=1)).isoformat()}
    assert api.get("/response/incidents", params).json()["items"] == []

    # A comment changes no field of the incident itself, yet the incident changed.
    service.add_comment(user_a, incident, "Point de situation")
    found = api.get("/response/incidents", params).json()["items"]
    assert [item["reference"] for item in found] == [incident.reference]


def test_tasks_observables_and_log_entries_move_updated_at(user_a, incident):
    for change in (
        lambda: service.add_task(user_a, incident, title="Isoler le serveur"),
        lambda: service.add_observable(user_a, incident, "ip", "203.0.113.7"),
        lambda: service.add_log_entry(user_a, incident, "Appel du standard"),
    ):
        _age(incident)
        change()
        incident.refresh_from_db()
        assert incident.updated_at > timezone.now() - timedelta(minutes=1)
