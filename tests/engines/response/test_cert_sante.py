"""CERT Santé / ARS declaration (CSP L.1111-8-2, D.1111-16-2): who declares, which incidents."""

from __future__ import annotations

import pytest

from hygie.response.engine import (
    CareImpact,
    DeadlineKind,
    EstablishmentType,
    IncidentCategory,
    ObligationId,
    PersonalData,
    Trigger,
    Verification,
)

from .factories import french_hospital, incident, obligation, us_hospital

CERT = ObligationId.CERT_SANTE


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (EstablishmentType.HOSPITAL, True),
        (EstablishmentType.MILITARY_HOSPITAL, True),
        (EstablishmentType.LABORATORY, True),
        (EstablishmentType.CARE_CENTRE, True),
        (EstablishmentType.MEDICO_SOCIAL, True),  # since décret 2022-715
        (EstablishmentType.PRIVATE_PRACTICE, False),
        (EstablishmentType.OTHER, False),
    ],
)
def test_who_declares(kind: EstablishmentType, expected: bool) -> None:
    result = obligation(
        french_hospital(type=kind), incident(category=IncidentCategory.RANSOMWARE), CERT
    )
    assert result.applies is expected
    if not expected:
        assert kind.value in result.reason


def test_only_in_france() -> None:
    result = obligation(us_hospital(), incident(category=IncidentCategory.RANSOMWARE), CERT)
    assert not result.applies
    assert "country is US" in result.reason


@pytest.mark.parametrize(
    ("category", "care", "personal", "expected"),
    [
        # 3°: ransomware and denial of service disrupt normal operation by nature.
        (IncidentCategory.RANSOMWARE, CareImpact.NONE, PersonalData.NO, True),
        (IncidentCategory.DENIAL_OF_SERVICE, CareImpact.NONE, PersonalData.NO, True),
        # 1°: a compromised medical device threatens the safety of care.
        (IncidentCategory.MEDICAL_DEVICE_COMPROMISE, CareImpact.NONE, PersonalData.NO, True),
        # 1° and 3°: any impact on care.
        (IncidentCategory.MALWARE, CareImpact.DEGRADED_MODE, PersonalData.NO, True),
        (IncidentCategory.OTHER, CareImpact.DEPROGRAMMED_ACTIVITY, PersonalData.NO, True),
        (IncidentCategory.OTHER, CareImpact.PATIENT_TRANSFER, PersonalData.NO, True),
        (IncidentCategory.OTHER, CareImpact.PATIENT_SAFETY_EVENT, PersonalData.NO, True),
        # 2°: health data involved.
        (IncidentCategory.PHISHING, CareImpact.NONE, PersonalData.YES, True),
        (IncidentCategory.LOSS_THEFT, CareImpact.NONE, PersonalData.YES, True),
        # Nothing in the facts: no declaration (4° and 5° are left to the user).
        (IncidentCategory.PHISHING, CareImpact.NONE, PersonalData.NO, False),
        (IncidentCategory.MALWARE, CareImpact.NONE, PersonalData.NO, False),
        (IncidentCategory.ACCOUNT_COMPROMISE, CareImpact.NONE, PersonalData.NO, False),
        (IncidentCategory.UNAUTHORISED_ACCESS, CareImpact.NONE, PersonalData.NO, False),
    ],
)
def test_which_incidents_are_serious(
    category: IncidentCategory, care: CareImpact, personal: PersonalData, expected: bool
) -> None:
    result = obligation(
        french_hospital(),
        incident(category=category, care_impact=care, personal_data=personal),
        CERT,
    )
    assert result.applies is expected
    assert not result.provisional
    if expected:
        assert result.deadline is not None
        assert result.deadline.kind is DeadlineKind.IMMEDIATE
        assert result.reason.startswith("Serious incident: ")
    else:
        assert result.deadline is None
        assert "4° and 5°" in result.reason


def test_unknown_personal_data_alone_applies_provisionally() -> None:
    result = obligation(
        french_hospital(),
        incident(category=IncidentCategory.PHISHING, personal_data=PersonalData.UNKNOWN),
        CERT,
    )
    assert result.applies and result.provisional
    assert result.reason.startswith("Applies provisionally: ")


def test_unknown_personal_data_is_not_provisional_when_another_ground_holds() -> None:
    result = obligation(
        french_hospital(),
        incident(category=IncidentCategory.RANSOMWARE, personal_data=PersonalData.UNKNOWN),
        CERT,
    )
    assert result.applies and not result.provisional


def test_metadata() -> None:
    result = obligation(french_hospital(), incident(category=IncidentCategory.RANSOMWARE), CERT)
    assert result.verification is Verification.VERIFIED
    assert result.trigger is Trigger.DISCOVERY
    assert "L.1111-8-2" in result.legal_basis
    assert "signalement.social-sante.gouv.fr" in result.recipient
    assert any("Hygie's reading" in note for note in result.notes)
