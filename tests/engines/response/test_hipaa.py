"""HIPAA breach notification: roles, safe harbour, 60 days, the <500 annual log, media by State."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from hygie.response.engine import (
    DeadlineKind,
    HIPAARole,
    ObligationId,
    PersonalData,
    Risk,
    Trigger,
)

from .factories import NEW_YORK, PARIS, breach, incident, obligation, us_hospital

INDIVIDUALS, HHS = ObligationId.HIPAA_INDIVIDUALS, ObligationId.HIPAA_HHS
MEDIA, BA = ObligationId.HIPAA_MEDIA, ObligationId.HIPAA_BA_NOTICE
HIPAA_IDS = (INDIVIDUALS, HHS, MEDIA, BA)


def results(
    facts: object, role: HIPAARole = HIPAARole.COVERED_ENTITY, **profile: object
) -> dict[ObligationId, object]:
    establishment = us_hospital(hipaa=role, **profile)
    return {oid: obligation(establishment, facts, oid) for oid in HIPAA_IDS}  # type: ignore


def applying(facts: object, role: HIPAARole = HIPAARole.COVERED_ENTITY) -> set[ObligationId]:
    return {oid for oid, result in results(facts, role).items() if result.applies}  # type: ignore


@pytest.mark.parametrize(
    ("role", "individuals", "expected"),
    [
        (HIPAARole.COVERED_ENTITY, 10, {INDIVIDUALS, HHS}),
        (HIPAARole.COVERED_ENTITY, 499, {INDIVIDUALS, HHS}),
        (HIPAARole.BUSINESS_ASSOCIATE, 10, {BA}),
        (HIPAARole.BUSINESS_ASSOCIATE, 5000, {BA}),
        (HIPAARole.NONE, 5000, set()),
    ],
)
def test_roles(role: HIPAARole, individuals: int, expected: set[ObligationId]) -> None:
    assert applying(breach(individuals=individuals), role) == expected


@pytest.mark.parametrize(
    ("personal", "risk", "encrypted", "applies", "fragment"),
    [
        (PersonalData.YES, Risk.MEDIUM, False, True, "presumed"),
        (PersonalData.YES, Risk.UNLIKELY, False, True, "presumed"),  # presumption stands
        (PersonalData.YES, Risk.HIGH, False, True, "presumed"),
        (PersonalData.YES, Risk.NONE, False, False, "low probability"),
        (PersonalData.YES, Risk.HIGH, True, False, "Safe harbour"),
        (PersonalData.NO, Risk.HIGH, False, False, "No protected health information"),
        (PersonalData.UNKNOWN, Risk.MEDIUM, False, True, "Applies provisionally"),
        (PersonalData.UNKNOWN, Risk.MEDIUM, True, False, "Safe harbour"),
    ],
)
@pytest.mark.parametrize("role", [HIPAARole.COVERED_ENTITY, HIPAARole.BUSINESS_ASSOCIATE])
def test_breach_of_unsecured_phi(
    role: HIPAARole,
    personal: PersonalData,
    risk: Risk,
    encrypted: bool,
    applies: bool,
    fragment: str,
) -> None:
    facts = breach(
        personal_data=personal, risk_to_individuals=risk, data_encrypted=encrypted, individuals=50
    )
    oid = INDIVIDUALS if role is HIPAARole.COVERED_ENTITY else BA
    result = obligation(us_hospital(hipaa=role), facts, oid)
    assert result.applies is applies
    assert fragment in result.reason
    assert result.provisional is (applies and personal is PersonalData.UNKNOWN)


@pytest.mark.parametrize(
    ("discovered", "due"),
    [
        (datetime(2026, 1, 10, 9, 0, tzinfo=NEW_YORK), date(2026, 3, 11)),
        (datetime(2028, 1, 10, 9, 0, tzinfo=NEW_YORK), date(2028, 3, 10)),  # leap year
        (datetime(2028, 2, 29, 9, 0, tzinfo=NEW_YORK), date(2028, 4, 29)),
        # Across spring forward (8 March 2026) and fall back (1 November 2026).
        (datetime(2026, 2, 20, 23, 0, tzinfo=NEW_YORK), date(2026, 4, 21)),
        (datetime(2026, 10, 5, 0, 30, tzinfo=NEW_YORK), date(2026, 12, 4)),
        # 23:30 in New York is the next day in UTC: the local date counts.
        (datetime(2026, 6, 30, 23, 30, tzinfo=NEW_YORK), date(2026, 8, 29)),
        # End of month and of year.
        (datetime(2026, 12, 31, 12, 0, tzinfo=NEW_YORK), date(2027, 3, 1)),
        (datetime(2026, 10, 31, 12, 0, tzinfo=NEW_YORK), date(2026, 12, 30)),
    ],
)
def test_sixty_calendar_days(discovered: datetime, due: date) -> None:
    facts = breach(individuals=800, discovered_at=discovered, residents_by_state={"NY": 800})
    for oid in (INDIVIDUALS, HHS, MEDIA):
        result = obligation(us_hospital(), facts, oid)
        assert result.deadline.kind is DeadlineKind.DATE
        assert result.deadline.on == due
        assert result.deadline.period == "P60D"
        assert result.trigger is Trigger.DISCOVERY
    ba = obligation(us_hospital(hipaa=HIPAARole.BUSINESS_ASSOCIATE), facts, BA)
    assert ba.deadline.on == due


def test_date_deadline_ends_at_local_midnight_in_standard_time() -> None:
    facts = breach(individuals=10, discovered_at=datetime(2026, 9, 10, 12, 0, tzinfo=NEW_YORK))
    result = obligation(us_hospital(), facts, INDIVIDUALS)
    assert result.deadline.on == date(2026, 11, 9)
    # Discovered in summer time (EDT), due after the fall back: midnight EST is 05:00 UTC.
    assert result.deadline.ends_at == datetime(2026, 11, 10, 5, 0, tzinfo=UTC)


def test_timezone_of_the_establishment_decides_the_date() -> None:
    discovered = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    new_york = obligation(
        us_hospital(), breach(individuals=10, discovered_at=discovered), INDIVIDUALS
    )
    paris = obligation(
        us_hospital(timezone="Europe/Paris"),
        breach(individuals=10, discovered_at=discovered),
        INDIVIDUALS,
    )
    assert new_york.deadline.on == date(2026, 8, 29)  # 19:30 on 30 June in New York
    assert paris.deadline.on == date(2026, 8, 30)  # 01:30 on 1 July in Paris


@pytest.mark.parametrize(
    ("discovered", "individuals", "due"),
    [
        (datetime(2026, 5, 4, 10, 0, tzinfo=NEW_YORK), 499, date(2027, 3, 1)),
        (datetime(2026, 1, 1, 0, 5, tzinfo=NEW_YORK), 1, date(2027, 3, 1)),
        # Discovered on 31 December: the same calendar year, so only 60 days later.
        (datetime(2026, 12, 31, 23, 59, tzinfo=NEW_YORK), 12, date(2027, 3, 1)),
        # 31 Dec local but already 1 Jan in UTC: the local year counts.
        (datetime(2027, 1, 1, 4, 30, tzinfo=UTC), 12, date(2027, 3, 1)),
        # Reported in a leap year: 29 February.
        (datetime(2027, 7, 14, 9, 0, tzinfo=NEW_YORK), 120, date(2028, 2, 29)),
        (datetime(2027, 12, 31, 18, 0, tzinfo=NEW_YORK), 120, date(2028, 2, 29)),
        # Discovered in a leap year (even on 29 Feb), reported in a common year.
        (datetime(2028, 2, 29, 9, 0, tzinfo=NEW_YORK), 3, date(2029, 3, 1)),
        (datetime(2028, 12, 31, 9, 0, tzinfo=NEW_YORK), 3, date(2029, 3, 1)),
    ],
)
def test_fewer_than_500_is_due_60_days_after_the_end_of_the_calendar_year(
    discovered: datetime, individuals: int, due: date
) -> None:
    result = obligation(
        us_hospital(), breach(individuals=individuals, discovered_at=discovered), HHS
    )
    assert result.applies
    assert result.deadline.kind is DeadlineKind.DATE
    assert result.deadline.on == due
    assert "fewer than 500" in result.reason
    assert "164.408(c)" in result.deadline.rule


def test_new_year_in_paris_is_the_next_calendar_year() -> None:
    # 23:30 UTC on 31 Dec 2026 is 00:30 on 1 Jan 2027 in Paris: the report goes to 2028.
    facts = breach(individuals=12, discovered_at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    result = obligation(us_hospital(timezone="Europe/Paris"), facts, HHS)
    assert result.deadline.on == date(2028, 2, 29)
    assert result.deadline.ends_at == datetime(2028, 2, 29, 23, 0, tzinfo=UTC)
    _ = PARIS


@pytest.mark.parametrize(
    ("individuals", "residents", "annual"),
    [
        (500, {}, False),  # "500 or more" (164.408(b))
        (499, {}, True),
        (0, {}, True),
        (None, {}, False),  # not counted: the earlier deadline
        (None, {"NY": 300, "NJ": 250}, False),  # at least 550 counted by State
        (None, {"NY": 300}, False),  # at least 300, maybe more: still the earlier deadline
    ],
)
def test_hhs_threshold(individuals: int | None, residents: dict[str, int], annual: bool) -> None:
    facts = breach(
        individuals=individuals,
        residents_by_state=residents,
        discovered_at=datetime(2026, 5, 4, 10, 0, tzinfo=NEW_YORK),
    )
    result = obligation(us_hospital(), facts, HHS)
    assert result.applies
    assert result.deadline.on == (date(2027, 3, 1) if annual else date(2026, 7, 3))
    if individuals is None and not residents:
        assert "assumes 500 or more" in result.reason


@pytest.mark.parametrize(
    ("individuals", "residents", "applies", "provisional", "states"),
    [
        (1200, {"NY": 501, "NJ": 600, "CT": 99}, True, False, ("NJ", "NY")),
        (1000, {"NY": 500, "NJ": 500}, False, False, ()),  # "more than 500": 500 is not enough
        (501, {"NY": 501}, True, False, ("NY",)),
        (400, {}, False, False, ()),  # cannot exceed 500 anywhere
        (500, {}, False, False, ()),
        (501, {}, True, True, ()),  # who knows where they live
        (900, {"NY": 450}, True, True, ()),  # 450 unattributed could push NY over 500
        (901, {"NY": 450, "NJ": 400}, True, True, ()),  # 51 unattributed: NY could reach 501
        (900, {"NY": 450, "NJ": 400}, False, False, ()),  # 50 unattributed: 500 at most
        (None, {}, True, True, ()),  # not counted yet
        (None, {"NY": 700}, True, False, ("NY",)),
        (2000, {"NY": 700, "NJ": 100}, True, False, ("NY",)),  # NY certain; others noted
    ],
)
def test_media(
    individuals: int | None,
    residents: dict[str, int],
    applies: bool,
    provisional: bool,
    states: tuple[str, ...],
) -> None:
    result = obligation(
        us_hospital(), breach(individuals=individuals, residents_by_state=residents), MEDIA
    )
    assert result.applies is applies
    assert result.provisional is provisional
    assert result.states == states
    if applies:
        assert result.deadline.kind is DeadlineKind.DATE
        for state in states:
            assert state in result.reason
    if provisional:
        assert "residents_by_state" in result.reason


def test_media_notes_uncounted_individuals_when_some_states_are_certain() -> None:
    result = obligation(
        us_hospital(), breach(individuals=None, residents_by_state={"NY": 700}), MEDIA
    )
    assert any("another State or jurisdiction may exceed 500" in note for note in result.notes)


def test_media_notes_unattributed_individuals_when_some_states_are_certain() -> None:
    result = obligation(
        us_hospital(), breach(individuals=2000, residents_by_state={"NY": 700, "NJ": 100}), MEDIA
    )
    assert any("1200 individuals are not attributed" in note for note in result.notes)


def test_business_associate_reasons() -> None:
    found = results(breach(individuals=50), HIPAARole.BUSINESS_ASSOCIATE)
    for oid in (INDIVIDUALS, HHS, MEDIA):
        assert "business associate" in found[oid].reason  # type: ignore[attr-defined]
    assert "164.410" in found[BA].deadline.rule  # type: ignore[attr-defined]
    covered = results(breach(individuals=50))
    assert "is the covered entity" in covered[BA].reason  # type: ignore[attr-defined]


def test_no_hipaa_role() -> None:
    for result in results(incident(), HIPAARole.NONE).values():
        assert not result.applies  # type: ignore[attr-defined]
        assert "hipaa: none" in result.reason  # type: ignore[attr-defined]
