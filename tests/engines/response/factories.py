"""Builders for facts with sensible defaults, so each test states only what it is about."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hygie.response.engine import (
    CareImpact,
    EstablishmentProfile,
    EstablishmentType,
    HIPAARole,
    IncidentCategory,
    IncidentFacts,
    NIS2Class,
    Obligation,
    ObligationId,
    PersonalData,
    Risk,
    assess,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def french_hospital(**changes: Any) -> EstablishmentProfile:
    values: dict[str, Any] = dict(
        country="FR",
        type=EstablishmentType.HOSPITAL,
        timezone="Europe/Paris",
        nis2=NIS2Class.ESSENTIAL,
        hipaa=HIPAARole.NONE,
        gdpr_controller=True,
    )
    values.update(changes)
    return EstablishmentProfile(**values)


def us_hospital(**changes: Any) -> EstablishmentProfile:
    values: dict[str, Any] = dict(
        country="US",
        type=EstablishmentType.HOSPITAL,
        timezone="America/New_York",
        nis2=NIS2Class.NONE,
        hipaa=HIPAARole.COVERED_ENTITY,
        gdpr_controller=False,
    )
    values.update(changes)
    return EstablishmentProfile(**values)


def incident(**changes: Any) -> IncidentFacts:
    """A quiet incident by default: nothing applies until a test adds the fact under study."""
    values: dict[str, Any] = dict(
        category=IncidentCategory.PHISHING,
        personal_data=PersonalData.NO,
        risk_to_individuals=Risk.NONE,
        care_impact=CareImpact.NONE,
        discovered_at=datetime(2026, 6, 10, 9, 0, tzinfo=PARIS),
    )
    values.update(changes)
    return IncidentFacts(**values)


def breach(**changes: Any) -> IncidentFacts:
    """A personal data breach with a medium risk, data not encrypted."""
    values: dict[str, Any] = dict(
        category=IncidentCategory.DATA_BREACH,
        personal_data=PersonalData.YES,
        risk_to_individuals=Risk.MEDIUM,
    )
    values.update(changes)
    return incident(**values)


def obligation(
    profile: EstablishmentProfile, facts: IncidentFacts, obligation_id: ObligationId
) -> Obligation:
    found = [o for o in assess(profile, facts) if o.id is obligation_id]
    assert len(found) == 1
    return found[0]


def valid_document() -> dict[str, Any]:
    """A facts document as yaml.safe_load returns it, valid as it stands."""
    return {
        "establishment": {
            "country": "FR",
            "type": "hospital",
            "timezone": "Europe/Paris",
            "nis2": "essential",
            "hipaa": "none",
            "gdpr_controller": True,
        },
        "incident": {
            "category": "ransomware",
            "personal_data": "unknown",
            "risk_to_individuals": "high",
            "care_impact": "degraded_mode",
            "discovered_at": "2026-03-29T01:30:00+01:00",
        },
    }
