"""The engine as a whole: stable ids and order, the registry, JSON output, the public API."""

from __future__ import annotations

import json
from datetime import datetime

import hygie.response.engine as engine
from hygie.response.engine import (
    OBLIGATION_RULES,
    CareImpact,
    IncidentCategory,
    ObligationId,
    PersonalData,
    Risk,
    assess,
)

from .factories import PARIS, french_hospital, incident, us_hospital

STABLE_IDS = [
    "cert_sante",
    "gdpr_art33",
    "gdpr_art34",
    "gdpr_breach_register",
    "nis2_early_warning",
    "nis2_notification",
    "nis2_final_report",
    "hipaa_individuals",
    "hipaa_hhs",
    "hipaa_media",
    "hipaa_ba_notice",
]


def test_ids_are_the_documented_ones_in_a_stable_order() -> None:
    assert [o.value for o in ObligationId] == STABLE_IDS
    assert [o.id.value for o in assess(french_hospital(), incident())] == STABLE_IDS
    assert [o.id.value for o in assess(us_hospital(), incident())] == STABLE_IDS


def test_registry_has_one_rule_per_id_and_is_frozen() -> None:
    assert list(OBLIGATION_RULES) == sorted(STABLE_IDS)
    assert OBLIGATION_RULES.is_frozen
    for key, rule in OBLIGATION_RULES.items():
        assert rule.spec.id.value == key


def test_ransomware_at_a_french_chu() -> None:
    facts = incident(
        category=IncidentCategory.RANSOMWARE,
        personal_data=PersonalData.UNKNOWN,
        risk_to_individuals=Risk.HIGH,
        care_impact=CareImpact.DEPROGRAMMED_ACTIVITY,
        discovered_at=datetime(2026, 3, 29, 1, 30, tzinfo=PARIS),
    )
    applying = {o.id.value for o in assess(french_hospital(), facts) if o.applies}
    assert applying == set(STABLE_IDS[:7])


def test_quiet_incident_triggers_nothing_and_says_why() -> None:
    for result in assess(french_hospital(), incident()):
        assert not result.applies
        assert result.deadline is None
        assert result.reason


def test_json_output_is_serialisable_and_complete() -> None:
    facts = incident(
        category=IncidentCategory.RANSOMWARE,
        personal_data=PersonalData.YES,
        risk_to_individuals=Risk.HIGH,
    )
    dumped = json.loads(json.dumps([o.to_dict() for o in assess(french_hospital(), facts)]))
    assert [d["id"] for d in dumped] == STABLE_IDS
    keys = {
        "id",
        "title",
        "applies",
        "provisional",
        "reason",
        "recipient",
        "legal_basis",
        "verification",
        "trigger",
        "trigger_at",
        "deadline",
        "states",
        "notes",
        "texts",
    }
    assert all(set(d) == keys for d in dumped)
    text_keys = {"title", "reason", "recipient", "notes", "deadline_rule"}
    assert all(set(d["texts"]) == {"fr", "en"} for d in dumped)
    assert all(set(d["texts"][lang]) == text_keys for d in dumped for lang in ("fr", "en"))
    art33 = dumped[1]
    assert art33["deadline"]["kind"] == "instant"
    assert art33["deadline"]["at"].endswith("Z")
    assert art33["trigger_at"] == "2026-06-10T07:00:00Z"
    assert art33["verification"] == "UNVERIFIED"
    assert dumped[0]["verification"] == "VERIFIED"


def test_public_api_list_is_complete_and_importable() -> None:
    assert engine.__all__ == sorted(engine.__all__, key=lambda n: (not n.isupper(), n))
    assert len(set(engine.__all__)) == len(engine.__all__)
    for name in engine.__all__:
        assert getattr(engine, name) is not None
    # Everything a caller needs to build facts and read obligations is exported.
    needed = {
        "assess",
        "parse_facts",
        "facts_from_yaml",
        "EstablishmentProfile",
        "IncidentFacts",
        "Facts",
        "Obligation",
        "Deadline",
        "DeadlineKind",
        "ObligationId",
        "FactsError",
        "Verification",
        "Trigger",
    }
    assert needed <= set(engine.__all__)
