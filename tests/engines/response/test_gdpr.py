"""GDPR art. 33, 34 and the art. 33(5) register: risk levels, encryption, unknown data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hygie.response.engine import (
    DeadlineKind,
    ObligationId,
    PersonalData,
    Risk,
    Trigger,
    Verification,
)

from .factories import PARIS, breach, french_hospital, incident, obligation

ART33, ART34 = ObligationId.GDPR_ART33, ObligationId.GDPR_ART34
REGISTER = ObligationId.GDPR_BREACH_REGISTER


@pytest.mark.parametrize(
    ("personal", "risk", "encrypted", "art33", "art34", "register"),
    [
        (PersonalData.YES, Risk.NONE, False, False, False, True),
        (PersonalData.YES, Risk.UNLIKELY, False, False, False, True),
        (PersonalData.YES, Risk.MEDIUM, False, True, False, True),
        (PersonalData.YES, Risk.HIGH, False, True, True, True),
        # Encryption exempts from art. 34 (34(3)(a)), not from art. 33.
        (PersonalData.YES, Risk.HIGH, True, True, False, True),
        (PersonalData.YES, Risk.MEDIUM, True, True, False, True),
        (PersonalData.YES, Risk.UNLIKELY, True, False, False, True),
        # No personal data: not a personal data breach at all.
        (PersonalData.NO, Risk.HIGH, False, False, False, False),
        (PersonalData.NO, Risk.NONE, False, False, False, False),
        # Unknown: treated as a breach, with the stated risk.
        (PersonalData.UNKNOWN, Risk.HIGH, False, True, True, True),
        (PersonalData.UNKNOWN, Risk.MEDIUM, False, True, False, True),
        (PersonalData.UNKNOWN, Risk.UNLIKELY, False, False, False, True),
        (PersonalData.UNKNOWN, Risk.HIGH, True, True, False, True),
    ],
)
def test_applicability_matrix(
    personal: PersonalData, risk: Risk, encrypted: bool, art33: bool, art34: bool, register: bool
) -> None:
    facts = breach(personal_data=personal, risk_to_individuals=risk, data_encrypted=encrypted)
    profile = french_hospital()
    results = {oid: obligation(profile, facts, oid) for oid in (ART33, ART34, REGISTER)}
    assert (results[ART33].applies, results[ART34].applies, results[REGISTER].applies) == (
        art33,
        art34,
        register,
    )
    for result in results.values():
        assert result.provisional is (result.applies and personal is PersonalData.UNKNOWN)
        assert ("Applies provisionally" in result.reason) is result.provisional


@pytest.mark.parametrize("oid", [ART33, ART34, REGISTER])
def test_not_a_controller(oid: ObligationId) -> None:
    result = obligation(
        french_hospital(gdpr_controller=False), breach(risk_to_individuals=Risk.HIGH), oid
    )
    assert not result.applies
    assert "art. 33(2)" in result.reason


def test_art33_is_72_hours_of_elapsed_time_across_spring_forward() -> None:
    discovered = datetime(2026, 3, 28, 22, 15, tzinfo=PARIS)
    result = obligation(french_hospital(), breach(discovered_at=discovered), ART33)
    assert result.deadline is not None
    assert result.deadline.kind is DeadlineKind.INSTANT
    assert result.deadline.at == datetime(2026, 3, 31, 21, 15, tzinfo=UTC)
    assert result.deadline.at - discovered == timedelta(hours=72)
    # On the local clock it reads 23:15, one hour "later" than the discovery time of day.
    assert result.deadline.at.astimezone(PARIS).hour == 23
    assert result.deadline.period == "PT72H"
    assert result.trigger is Trigger.AWARENESS
    assert result.trigger_at == discovered


def test_art33_across_fall_back() -> None:
    discovered = datetime(2026, 10, 23, 9, 0, tzinfo=PARIS)
    result = obligation(french_hospital(), breach(discovered_at=discovered), ART33)
    assert result.deadline is not None and result.deadline.at is not None
    assert result.deadline.at.astimezone(PARIS).hour == 8
    assert result.deadline.at == datetime(2026, 10, 26, 7, 0, tzinfo=UTC)


def test_art33_reason_when_unlikely() -> None:
    result = obligation(french_hospital(), breach(risk_to_individuals=Risk.UNLIKELY), ART33)
    assert "art. 33(5)" in result.reason and "unlikely" in result.reason


def test_encryption_note_on_art33() -> None:
    result = obligation(french_hospital(), breach(data_encrypted=True), ART33)
    assert any("not by itself an exemption" in note for note in result.notes)


def test_art34_encryption_exemption_reason() -> None:
    result = obligation(
        french_hospital(), breach(risk_to_individuals=Risk.HIGH, data_encrypted=True), ART34
    )
    assert not result.applies
    assert "34(3)(a)" in result.reason and "34(4)" in result.reason


def test_art34_and_register_have_no_fixed_period() -> None:
    facts = breach(risk_to_individuals=Risk.HIGH)
    for oid in (ART34, REGISTER):
        result = obligation(french_hospital(), facts, oid)
        assert result.deadline is not None
        assert result.deadline.kind is DeadlineKind.WITHOUT_UNDUE_DELAY


@pytest.mark.parametrize(("country", "fragment"), [("FR", "CNIL"), ("DE", "supervisory")])
def test_recipient_by_country(country: str, fragment: str) -> None:
    result = obligation(french_hospital(country=country), breach(), ART33)
    assert fragment in result.recipient


def test_gdpr_is_unverified_in_the_reference() -> None:
    for oid in (ART33, ART34, REGISTER):
        assert obligation(french_hospital(), breach(), oid).verification is Verification.UNVERIFIED


def test_no_personal_data_reason() -> None:
    result = obligation(french_hospital(), incident(), REGISTER)
    assert "art. 4(12)" in result.reason
