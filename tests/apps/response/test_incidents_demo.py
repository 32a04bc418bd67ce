"""The demo incident (loaded with ``hygie demo``) and the global search over incidents."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from hygie.core.registries import search_providers
from hygie.core.services.demo import load_demo
from hygie.response.models import Exercise, Incident, Playbook
from hygie.response.services.demo import DEMO_TITLE, RANSOMWARE_CHAIN_RULES
from hygie.response.services.incidents import create_incident

pytestmark = pytest.mark.usefixtures("english")


@pytest.mark.django_db
def test_demo_loads_a_realistic_incident():
    load_demo()
    incident = Incident.objects.get(title=DEMO_TITLE)
    assert incident.establishment.name == "Centre hospitalier Exemple-sur-Loire"
    assert (incident.status, incident.category, incident.care_impact, incident.severity) == (
        "containment",
        "ransomware",
        "degraded_mode",
        50,
    )
    assert incident.triaged_at < incident.contained_at
    assert incident.occurred_at < incident.discovered_at
    local = incident.discovered_at.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.hour, local.minute) == (3, 12)  # discovered at night
    assert {d.name for d in incident.departments.all()} == {"Radiologie", "DSI"}
    # Opened from the alerts the detection demo raised on last night's ransomware chain.
    linked = set(incident.alerts.filter(status="escalated").values_list("rule_id", flat=True))
    assert linked == set(RANSOMWARE_CHAIN_RULES)
    assert incident.tasks.filter(applied_playbook__isnull=True).count() == 6
    assert incident.tasks.filter(status="done", is_decision=True).exclude(decision="").exists()
    assert incident.timeline.filter(kind="log").count() >= 5
    assert incident.timeline.filter(kind="decision").exists()
    values = set(incident.observables.values_list("value", flat=True))
    assert {
        "203.0.113.45",
        "198.51.100.23",
        "update-check.example.net",
        "http://update-check.example.net/agent.bin",
    } <= values
    assert incident.comments.count() == 1


@pytest.mark.django_db
def test_demo_incident_uses_every_area_of_the_response_module():
    load_demo()
    incident = Incident.objects.get(title=DEMO_TITLE)
    applied = incident.playbooks.get()
    assert applied.key == "ransomware"
    assert incident.tasks.filter(applied_playbook=applied).count() > 10
    clocks = {o.obligation_id: o for o in incident.obligations.filter(applies=True)}
    # Personal data still unknown and the risk not yet assessed: the CNIL clock runs.
    assert {"cert_sante", "gdpr_art33", "nis2_early_warning"} <= set(clocks)
    assert clocks["cert_sante"].status == "done" and clocks["cert_sante"].proof_reference
    assert clocks["gdpr_art33"].status == "pending" and clocks["gdpr_art33"].provisional
    assert set(incident.drafts.values_list("kind", flat=True)) == {"cert_sante", "cnil"}
    exercise = Exercise.objects.get()
    assert (exercise.establishment, exercise.status) == (incident.establishment, "planned")
    adopted = Playbook.objects.get()
    assert (adopted.key, adopted.reviewed_at is not None) == ("ransomware", True)


def test_search_finds_by_reference_and_title_within_scope(user_a, incident, incident_b):
    search = search_providers.get("response.incidents").search
    assert [hit.label for hit in search(user_a, "INC-2026-0001")] == [
        str(f"{incident.reference} — {incident.title}")
    ]
    assert search(user_a, "chiffrement serveurs")[0].url == reverse(
        "response:incident_detail", args=[incident.pk]
    )
    assert search(user_a, "portable") == []  # incident_b is in establishment B


def test_search_needs_the_capability_and_skips_descriptions(
    make_user, establishment_a, user_a, incident
):
    trainer = make_user("trainer", "trainer", [establishment_a])
    assert search_providers.get("response.incidents").search(trainer, "INC") == []
    create_incident(
        user_a,
        establishment=establishment_a,
        title="Courriel suspect",
        description="Dossier de Jeanne Exemple",
        discovered_at=incident.discovered_at,
    )
    assert search_providers.get("response.incidents").search(user_a, "Jeanne") == []


def test_global_search_page_lists_incidents(client_a, incident):
    response = client_a.get(reverse("core:search"), {"q": "INC-2026-0001"})
    assert response.status_code == 200
    assert incident.reference in response.content.decode()


@pytest.mark.django_db
def test_cnil_draft_of_the_demo_incident_uses_the_stored_contacts():
    from hygie.response.services.drafts import generate_draft

    load_demo()
    incident = Incident.objects.get(title=DEMO_TITLE)
    draft, _ = generate_draft(incident, "cnil", "fr", None)
    fields = {
        (group["key"], item["key"]): item
        for group in draft.content["groups"]
        for item in group["fields"]
    }
    # Fictitious contacts of the demo organisation (core/services/demo.py), never retyped.
    assert fields[("dpo", "name")]["value"] == "Claire Exemple"
    assert fields[("dpo", "email")]["value"].endswith(".invalid")
    assert fields[("dpo", "phone")]["value"] == "02 61 91 00 01"
    assert fields[("declarant", "name")]["value"] == "Marc Fictif"  # the RSSI
    assert fields[("declarant", "phone")]["value"] == "02 61 91 00 99"  # the 24/7 line
    assert "Hélène Démo" in fields[("controller", "legal_representative")]["value"]
    assert "Exemple-sur-Loire" in fields[("controller", "address")]["value"]
    for key in (
        ("dpo", "name"),
        ("dpo", "phone"),
        ("declarant", "phone"),
        ("controller", "address"),
    ):
        assert not fields[key]["to_complete"]
