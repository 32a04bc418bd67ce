"""Response probes added for issue 11: post-incident reviews, the breach register's entries,
every playbook reviewed — pass and fail on live data (synthetic incidents only)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.core.registries import probes
from hygie.response.models import Incident, IncidentObligation, Playbook, RegulatoryProfile
from hygie.response.probes.breaches import breach_register_complete
from hygie.response.probes.obligations import regulatory_profile_set
from hygie.response.probes.playbooks import every_playbook_reviewed
from hygie.response.probes.reviews import post_incident_reviews
from hygie.response.services import playbooks as playbook_service

pytestmark = pytest.mark.django_db


def _incident(establishment, user, number: int, **fields) -> Incident:
    values = {
        "reference": f"INC-2026-{number:04d}",
        "establishment": establishment,
        "title": "Incident synthétique",
        "category": "ransomware",
        "severity": 40,
        "discovered_at": timezone.now() - timedelta(days=20),
        "created_by": user,
        **fields,
    }
    return Incident.objects.create(**values)


def _closed(establishment, user, number: int, **fields) -> Incident:
    return _incident(
        establishment,
        user,
        number,
        status="closed",
        closed_at=timezone.now() - timedelta(days=5),
        **fields,
    )


def test_post_incident_reviews(establishment_a, user_a):
    assert post_incident_reviews(establishment_a).status == "not_applicable"
    _incident(establishment_a, user_a, 1)  # still open: not counted
    _closed(establishment_a, user_a, 2, root_cause="Mot de passe réutilisé")  # no lessons
    result = post_incident_reviews(establishment_a)
    assert result.status == "fail" and result.data["without_review"] == ["INC-2026-0002"]
    _closed(
        establishment_a,
        user_a,
        3,
        root_cause="Phishing",
        lessons_learned="Former le standard",
    )
    result = post_incident_reviews(establishment_a)
    assert result.status == "partial" and result.params == {"reviewed": 1, "closed": 2}
    Incident.objects.filter(reference="INC-2026-0002").update(lessons_learned="MFA partout")
    assert post_incident_reviews(establishment_a).status == "pass"
    # Incidents closed more than 12 months ago are out of the period.
    Incident.objects.update(closed_at=timezone.now() - timedelta(days=400))
    assert post_incident_reviews(establishment_a).status == "not_applicable"


def _art33(incident: Incident) -> IncidentObligation:
    return IncidentObligation.objects.create(
        incident=incident,
        obligation_id="gdpr_art33",
        title="Notify the CNIL",
        applies=True,
        reason="Personal data breach",
        recipient="CNIL",
        legal_basis="GDPR art. 33",
        verification="verified",
        trigger_at=incident.discovered_at,
        assessed_at=timezone.now(),
    )


def test_breach_register_complete(establishment_a, user_a):
    assert breach_register_complete(establishment_a).status == "not_applicable"
    _incident(establishment_a, user_a, 1, personal_data="false")  # not a breach
    assert breach_register_complete(establishment_a).status == "not_applicable"
    breach = _incident(establishment_a, user_a, 2, personal_data="true")
    # Saving the incident assessed its obligations (art. 33 among them); drop that assessment.
    assert breach.obligations.filter(obligation_id="gdpr_art33").exists()
    breach.obligations.all().delete()
    result = breach_register_complete(establishment_a)
    assert result.status == "fail"
    assert result.data["incomplete"] == [
        {
            "incident_reference": "INC-2026-0002",
            "problems": ["no_data_categories", "no_people_count", "notification_not_assessed"],
        }
    ]
    Incident.objects.filter(pk=breach.pk).update(
        data_categories=["identity", "health"], individuals_affected=120
    )
    assert breach_register_complete(establishment_a).status == "fail"
    _art33(breach)
    assert breach_register_complete(establishment_a).status == "pass"
    # "Unknown" is fine while the 72 hours run, not after.
    unknown = _incident(
        establishment_a,
        user_a,
        3,
        personal_data="unknown",
        discovered_at=timezone.now() - timedelta(hours=10),
    )
    assert breach_register_complete(establishment_a).status == "pass"
    Incident.objects.filter(pk=unknown.pk).update(discovered_at=timezone.now() - timedelta(days=4))
    result = breach_register_complete(establishment_a)
    assert result.status == "partial" and result.params == {"complete": 1, "entries": 2}


def test_every_playbook_reviewed(user_a, organisation, establishment_a):
    assert every_playbook_reviewed(establishment_a).status == "not_applicable"
    playbook_service.adopt_shipped(user_a, organisation, "ransomware")
    assert every_playbook_reviewed(establishment_a).status == "pass"
    playbook_service.copy_playbook(user_a, organisation, key="phi-data-breach")  # not reviewed
    result = every_playbook_reviewed(establishment_a)
    assert result.status == "partial"
    assert [row["playbook"] for row in result.data["not_reviewed"]] == ["phi-data-breach"]
    Playbook.objects.update(reviewed_at=timezone.now() - timedelta(days=400))
    assert every_playbook_reviewed(establishment_a).status == "fail"


def test_registered_with_their_controls():
    assert probes.get("response.post_incident_reviews").controls == (
        "hygie.incident.post_incident_review",
    )
    assert probes.get("response.breach_register_complete").controls == (
        "hygie.incident.breach_register",
    )
    assert probes.get("response.every_playbook_reviewed").controls == (
        "hygie.incident.response_plan",
    )


def test_regulatory_profile_set(establishment_a):
    RegulatoryProfile.objects.filter(establishment=establishment_a).delete()
    assert regulatory_profile_set(establishment_a).status == "fail"
    profile = RegulatoryProfile.objects.create(establishment=establishment_a)
    assert regulatory_profile_set(establishment_a).status == "partial"
    profile.notification_emails = "rssi@example.org\nnot an address\ndpo@example.org"
    profile.save()
    result = regulatory_profile_set(establishment_a)
    assert result.status == "pass" and result.data["reminder_recipients"] == 2
