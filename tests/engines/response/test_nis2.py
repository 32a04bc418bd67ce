"""NIS2 art. 23: entity class, Hygie's significance rule, 24 h / 72 h / one month."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from hygie.response.engine import (
    CareImpact,
    DeadlineKind,
    IncidentCategory,
    NIS2Class,
    ObligationId,
    PersonalData,
    Risk,
    Verification,
    nis2_final_report_due,
)

from .factories import PARIS, french_hospital, incident, obligation

EARLY, NOTIFY, FINAL = (
    ObligationId.NIS2_EARLY_WARNING,
    ObligationId.NIS2_NOTIFICATION,
    ObligationId.NIS2_FINAL_REPORT,
)
NIS2_IDS = (EARLY, NOTIFY, FINAL)


def nis2(facts: object, **profile: object) -> list:  # type: ignore[type-arg]
    establishment = french_hospital(**profile)
    return [obligation(establishment, facts, oid) for oid in NIS2_IDS]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        (NIS2Class.ESSENTIAL, True),
        (NIS2Class.IMPORTANT, True),
        (NIS2Class.NONE, False),
    ],
)
def test_entity_class(entity: NIS2Class, expected: bool) -> None:
    results = nis2(incident(category=IncidentCategory.RANSOMWARE), nis2=entity)
    assert [r.applies for r in results] == [expected] * 3


@pytest.mark.parametrize(
    ("category", "care", "personal", "risk", "expected"),
    [
        (IncidentCategory.RANSOMWARE, CareImpact.NONE, PersonalData.NO, Risk.NONE, True),
        (IncidentCategory.DENIAL_OF_SERVICE, CareImpact.NONE, PersonalData.NO, Risk.NONE, True),
        (
            IncidentCategory.MEDICAL_DEVICE_COMPROMISE,
            CareImpact.NONE,
            PersonalData.NO,
            Risk.NONE,
            True,
        ),
        (IncidentCategory.PHISHING, CareImpact.DEGRADED_MODE, PersonalData.NO, Risk.NONE, True),
        (
            IncidentCategory.MALWARE,
            CareImpact.PATIENT_SAFETY_EVENT,
            PersonalData.NO,
            Risk.NONE,
            True,
        ),
        (IncidentCategory.DATA_BREACH, CareImpact.NONE, PersonalData.YES, Risk.HIGH, True),
        (IncidentCategory.DATA_BREACH, CareImpact.NONE, PersonalData.YES, Risk.MEDIUM, False),
        (IncidentCategory.DATA_BREACH, CareImpact.NONE, PersonalData.NO, Risk.HIGH, False),
        (IncidentCategory.PHISHING, CareImpact.NONE, PersonalData.NO, Risk.NONE, False),
        (
            IncidentCategory.ACCOUNT_COMPROMISE,
            CareImpact.NONE,
            PersonalData.YES,
            Risk.UNLIKELY,
            False,
        ),
        (IncidentCategory.LOSS_THEFT, CareImpact.NONE, PersonalData.YES, Risk.MEDIUM, False),
    ],
)
def test_significance(
    category: IncidentCategory, care: CareImpact, personal: PersonalData, risk: Risk, expected: bool
) -> None:
    facts = incident(
        category=category, care_impact=care, personal_data=personal, risk_to_individuals=risk
    )
    for result in nis2(facts):
        assert result.applies is expected
        assert any("Hygie's conservative interpretation" in note for note in result.notes)
        if not expected:
            assert "Re-assess" in result.reason


def test_unknown_personal_data_with_high_risk_is_provisionally_significant() -> None:
    facts = incident(
        category=IncidentCategory.UNAUTHORISED_ACCESS,
        personal_data=PersonalData.UNKNOWN,
        risk_to_individuals=Risk.HIGH,
    )
    assert all(r.applies and r.provisional for r in nis2(facts))


def test_hour_deadlines_across_spring_forward() -> None:
    discovered = datetime(2026, 3, 29, 1, 30, tzinfo=PARIS)  # 30 min before the change
    early, notify, final = nis2(
        incident(category=IncidentCategory.RANSOMWARE, discovered_at=discovered)
    )
    assert early.deadline.kind is DeadlineKind.INSTANT
    assert early.deadline.at == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)
    assert early.deadline.at - discovered == timedelta(hours=24)
    assert notify.deadline.at == datetime(2026, 4, 1, 0, 30, tzinfo=UTC)
    assert notify.deadline.at - discovered == timedelta(hours=72)
    assert notify.deadline.at.astimezone(PARIS).strftime("%H:%M %Z") == "02:30 CEST"
    assert final.deadline.kind is DeadlineKind.RELATIVE


@pytest.mark.parametrize(
    ("discovered", "latest"),
    [
        # notification due 1 April (local) → final report by 1 May.
        (datetime(2026, 3, 29, 1, 30, tzinfo=PARIS), date(2026, 5, 1)),
        # notification due 31 January → the month is February: its last day.
        (datetime(2026, 1, 28, 10, 0, tzinfo=PARIS), date(2026, 2, 28)),
        (datetime(2028, 1, 28, 10, 0, tzinfo=PARIS), date(2028, 2, 29)),
        # notification due 31 March → 30 April.
        (datetime(2026, 3, 28, 10, 0, tzinfo=PARIS), date(2026, 4, 30)),
        # 72 h after 22:30 UTC on 28 Dec is 23:30 local on 31 Dec... in Paris, 00:30 on 1 Jan:
        # the local date of the notification deadline is what counts.
        (datetime(2026, 12, 28, 23, 30, tzinfo=UTC), date(2027, 2, 1)),
    ],
)
def test_final_report_is_one_month_after_the_notification(
    discovered: datetime, latest: date
) -> None:
    final = nis2(incident(category=IncidentCategory.RANSOMWARE, discovered_at=discovered))[2]
    deadline = final.deadline
    assert deadline.relative_to is ObligationId.NIS2_NOTIFICATION
    assert deadline.period == "P1M"
    assert deadline.on == latest
    assert deadline.ends_at == datetime.combine(
        latest + timedelta(days=1), datetime.min.time(), tzinfo=PARIS
    ).astimezone(UTC)
    assert "23(4)(e)" in deadline.rule


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        (datetime(2026, 3, 30, 9, 0, tzinfo=PARIS), date(2026, 4, 30)),
        (datetime(2026, 1, 31, 23, 30, tzinfo=PARIS), date(2026, 2, 28)),
        # 23:30 UTC on 31 March is 1 April in Paris: the local date counts.
        (datetime(2026, 3, 31, 23, 30, tzinfo=UTC), date(2026, 5, 1)),
    ],
)
def test_final_report_from_the_actual_submission(submitted: datetime, due: date) -> None:
    assert nis2_final_report_due(submitted, PARIS) == due


@pytest.mark.parametrize(
    ("country", "recipient", "transposition_note"),
    [
        ("FR", "ANSSI (CERT-FR)", True),
        ("BE", "The national CSIRT", False),
    ],
)
def test_recipient_and_french_transposition_note(
    country: str, recipient: str, transposition_note: bool
) -> None:
    for result in nis2(incident(category=IncidentCategory.RANSOMWARE), country=country):
        assert result.recipient.startswith(recipient)
        assert any("UNVERIFIED" in note for note in result.notes) is transposition_note
        assert result.verification is Verification.UNVERIFIED
