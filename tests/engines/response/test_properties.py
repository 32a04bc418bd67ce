"""Invariants over random facts: stable ids, deadlines never before discovery, exact hours."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.response.engine import (
    CareImpact,
    DeadlineKind,
    EstablishmentProfile,
    EstablishmentType,
    HIPAARole,
    IncidentCategory,
    IncidentFacts,
    NIS2Class,
    ObligationId,
    PersonalData,
    Risk,
    assess,
    local_date,
    parse_facts,
)

# Zones with DST, half-hour offsets, 30-minute DST (Lord Howe), DST at midnight (Santiago),
# far east and far west of UTC.
ZONES = [
    "Europe/Paris",
    "America/New_York",
    "UTC",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Pacific/Auckland",
    "Pacific/Pago_Pago",
    "America/St_Johns",
    "Pacific/Kiritimati",
]
HOURS = {"PT24H": 24, "PT72H": 72}

profiles = st.builds(
    EstablishmentProfile,
    country=st.sampled_from(["FR", "US", "DE"]),
    type=st.sampled_from(EstablishmentType),
    timezone=st.sampled_from(ZONES),
    nis2=st.sampled_from(NIS2Class),
    hipaa=st.sampled_from(HIPAARole),
    gdpr_controller=st.booleans(),
)


@st.composite
def incidents(draw: st.DrawFn) -> IncidentFacts:
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    residents = draw(
        st.dictionaries(st.sampled_from(["NY", "NJ", "CA", "PR"]), st.integers(0, 2000), max_size=4)
    )
    counted = draw(st.one_of(st.none(), st.integers(0, 3000)))
    individuals = None if counted is None else counted + sum(residents.values())
    return IncidentFacts(
        category=draw(st.sampled_from(IncidentCategory)),
        personal_data=draw(st.sampled_from(PersonalData)),
        risk_to_individuals=draw(st.sampled_from(Risk)),
        care_impact=draw(st.sampled_from(CareImpact)),
        discovered_at=draw(
            st.datetimes(
                min_value=datetime(1990, 1, 1),
                max_value=datetime(2200, 12, 31),
                timezones=st.just(zone),
            )
        ),
        data_encrypted=draw(st.booleans()),
        individuals=individuals,
        residents_by_state=residents,
    )


@settings(max_examples=200)
@given(profiles, incidents())
def test_ids_are_stable_and_complete(
    profile: EstablishmentProfile, incident: IncidentFacts
) -> None:
    assert [o.id for o in assess(profile, incident)] == list(ObligationId)


@settings(max_examples=200)
@given(profiles, incidents())
def test_deadlines_never_fall_before_discovery(
    profile: EstablishmentProfile, incident: IncidentFacts
) -> None:
    # Compare in UTC: PEP 495 makes a datetime in a repeated (fold) hour unequal to every
    # datetime of another zone, even the same instant.
    discovered = incident.discovered_at.astimezone(UTC)
    local_discovery = local_date(discovered, profile.zone)
    for obligation in assess(profile, incident):
        assert (obligation.deadline is not None) is obligation.applies
        assert obligation.trigger_at == discovered
        if obligation.deadline is None:
            continue
        latest = obligation.deadline.latest_instant
        if latest is not None:
            assert latest > discovered
        if obligation.deadline.on is not None:
            assert obligation.deadline.on > local_discovery


@settings(max_examples=200)
@given(profiles, incidents())
def test_hour_counted_deadlines_are_exact_elapsed_hours(
    profile: EstablishmentProfile, incident: IncidentFacts
) -> None:
    for obligation in assess(profile, incident):
        deadline = obligation.deadline
        if deadline is None or deadline.kind is not DeadlineKind.INSTANT:
            continue
        assert deadline.at is not None and deadline.at.tzinfo is UTC
        assert deadline.period in HOURS
        elapsed = deadline.at - incident.discovered_at.astimezone(UTC)
        assert elapsed == timedelta(hours=HOURS[deadline.period])


@settings(max_examples=200)
@given(profiles, incidents())
def test_day_counted_deadlines_are_sixty_local_days_or_the_annual_log(
    profile: EstablishmentProfile, incident: IncidentFacts
) -> None:
    local_discovery = local_date(incident.discovered_at, profile.zone)
    for obligation in assess(profile, incident):
        deadline = obligation.deadline
        if deadline is None or deadline.kind is not DeadlineKind.DATE:
            continue
        assert deadline.on is not None and deadline.ends_at is not None
        end_of_year = local_discovery.replace(month=12, day=31)
        assert deadline.on - local_discovery == timedelta(days=60) or (
            obligation.id is ObligationId.HIPAA_HHS
            and deadline.on - end_of_year == timedelta(days=60)
        )
        # ends_at is the local midnight that closes the due date (01:00 where DST skips it).
        local_end = deadline.ends_at.astimezone(profile.zone)
        assert local_end.date() == deadline.on + timedelta(days=1)
        assert (local_end.hour, local_end.minute) in ((0, 0), (0, 30), (1, 0))


@settings(max_examples=200)
@given(profiles, incidents())
def test_nis2_clocks_are_in_order(profile: EstablishmentProfile, incident: IncidentFacts) -> None:
    by_id = {o.id: o for o in assess(profile, incident)}
    early = by_id[ObligationId.NIS2_EARLY_WARNING].deadline
    notification = by_id[ObligationId.NIS2_NOTIFICATION].deadline
    final = by_id[ObligationId.NIS2_FINAL_REPORT].deadline
    if early is None or notification is None or final is None:
        return
    assert early.at is not None and notification.at is not None
    assert final.ends_at is not None
    assert early.at < notification.at < final.ends_at
    assert final.relative_to is ObligationId.NIS2_NOTIFICATION
    assert final.ends_at - notification.at >= timedelta(days=27)


@settings(max_examples=200)
@given(profiles, incidents())
def test_output_is_deterministic_and_json_ready(
    profile: EstablishmentProfile, incident: IncidentFacts
) -> None:
    first = [o.to_dict() for o in assess(profile, incident)]
    assert first == [o.to_dict() for o in assess(profile, incident)]
    json.dumps(first)
    for obligation in assess(profile, incident):
        assert obligation.provisional <= obligation.applies
        assert obligation.reason.startswith("Applies provisionally") == obligation.provisional


@settings(max_examples=200)
@given(profiles, incidents())
def test_documents_round_trip_through_the_parser(
    profile: EstablishmentProfile, incident: IncidentFacts
) -> None:
    personal = {PersonalData.YES: True, PersonalData.NO: False, PersonalData.UNKNOWN: "unknown"}[
        incident.personal_data
    ]
    document = {
        "establishment": {
            "country": profile.country,
            "type": profile.type.value,
            "timezone": profile.timezone,
            "nis2": profile.nis2.value,
            "hipaa": profile.hipaa.value,
            "gdpr_controller": profile.gdpr_controller,
        },
        "incident": {
            "category": incident.category.value,
            "personal_data": personal,
            "risk_to_individuals": incident.risk_to_individuals.value,
            "care_impact": incident.care_impact.value,
            "discovered_at": incident.discovered_at.isoformat(),
            "data_encrypted": incident.data_encrypted,
            "individuals": incident.individuals,
            "residents_by_state": dict(incident.residents_by_state),
        },
    }
    facts = parse_facts(document)
    assert facts.establishment == profile
    assert facts.incident.discovered_at.astimezone(UTC) == incident.discovered_at.astimezone(UTC)
    assert [o.to_dict() for o in assess(facts.establishment, facts.incident)] == [
        o.to_dict() for o in assess(profile, incident)
    ]
