"""Facts documents: valid ones load, invalid ones fail with every problem and the valid choices."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from hygie.response.engine import (
    US_JURISDICTIONS,
    CareImpact,
    EstablishmentType,
    FactsError,
    HIPAARole,
    IncidentCategory,
    IncidentFacts,
    NIS2Class,
    PersonalData,
    Risk,
    parse_facts,
)
from hygie.response.engine.choices import choices_of

from .factories import valid_document


def problems_of(document: Any) -> dict[str, str]:
    with pytest.raises(FactsError) as caught:
        parse_facts(document, source="facts.yaml")
    return {problem.path: problem.message for problem in caught.value.problems}


def changed(section: str, key: str, value: object) -> dict[str, Any]:
    document = copy.deepcopy(valid_document())
    document[section][key] = value
    return document


def without(section: str, key: str) -> dict[str, Any]:
    document = copy.deepcopy(valid_document())
    del document[section][key]
    return document


def test_valid_document_loads() -> None:
    facts = parse_facts(valid_document())
    assert facts.establishment.country == "FR"
    assert facts.establishment.type is EstablishmentType.HOSPITAL
    assert facts.establishment.nis2 is NIS2Class.ESSENTIAL
    assert facts.establishment.hipaa is HIPAARole.NONE
    assert facts.establishment.gdpr_controller is True
    assert facts.establishment.name is None
    incident = facts.incident
    assert incident.category is IncidentCategory.RANSOMWARE
    assert incident.personal_data is PersonalData.UNKNOWN
    assert incident.risk_to_individuals is Risk.HIGH
    assert incident.care_impact is CareImpact.DEGRADED_MODE
    assert incident.discovered_at == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    # Optional facts default to the conservative reading.
    assert incident.data_encrypted is False
    assert incident.individuals is None
    assert dict(incident.residents_by_state) == {}


@pytest.mark.parametrize(
    ("section", "key", "vocabulary"),
    [
        ("establishment", "type", EstablishmentType),
        ("establishment", "nis2", NIS2Class),
        ("establishment", "hipaa", HIPAARole),
        ("incident", "category", IncidentCategory),
        ("incident", "risk_to_individuals", Risk),
        ("incident", "care_impact", CareImpact),
        ("incident", "personal_data", PersonalData),
    ],
)
def test_unknown_value_lists_every_choice(section: str, key: str, vocabulary: Any) -> None:
    message = problems_of(changed(section, key, "bogus"))[f"{section}.{key}"]
    assert message.startswith("unknown value; valid choices: ")
    for choice in choices_of(vocabulary):
        assert choice in message
    assert "bogus" not in message  # values are never echoed (design §5)


@pytest.mark.parametrize("value", [1, None, ["ransomware"], {"a": 1}])
def test_non_text_choice_is_an_error(value: object) -> None:
    assert (
        "valid choices" in problems_of(changed("incident", "category", value))["incident.category"]
    )


def test_unknown_keys_list_the_valid_keys() -> None:
    document = valid_document()
    document["establishment"]["nis"] = "essential"
    document["incident"]["severity"] = "high"
    problems = problems_of(document)
    assert problems["establishment.nis"] == (
        "unknown key; valid keys: country, type, timezone, nis2, hipaa, gdpr_controller, name"
    )
    assert "valid keys:" in problems["incident.severity"]
    assert "residents_by_state" in problems["incident.severity"]


def test_unknown_section() -> None:
    document = valid_document()
    document["establishments"] = {}
    assert problems_of(document)["establishments"] == (
        "unknown section; valid sections: establishment, incident"
    )


@pytest.mark.parametrize("document", [None, [], "facts", 3])
def test_document_must_be_a_mapping(document: object) -> None:
    assert "must be a mapping" in problems_of(document)["(document)"]


def test_missing_sections_and_keys_are_all_reported() -> None:
    problems = problems_of({"establishment": {"country": "FR"}})
    assert problems["incident"] == "required section is missing"
    for key in ("type", "timezone", "nis2", "hipaa", "gdpr_controller"):
        assert problems[f"establishment.{key}"] == "required key is missing"


@pytest.mark.parametrize(
    "key", ["category", "personal_data", "risk_to_individuals", "care_impact", "discovered_at"]
)
def test_required_incident_keys(key: str) -> None:
    assert problems_of(without("incident", key))[f"incident.{key}"] == "required key is missing"


def test_section_must_be_a_mapping() -> None:
    document = valid_document()
    document["incident"] = ["ransomware"]
    assert problems_of(document)["incident"] == "must be a mapping of keys to values"


def test_every_problem_is_collected_at_once() -> None:
    document = valid_document()
    document["establishment"]["type"] = "chu"
    document["establishment"]["timezone"] = "Paris"
    document["incident"]["category"] = "ransom"
    document["incident"]["care_impact"] = "severe"
    with pytest.raises(FactsError) as caught:
        parse_facts(document, source="facts.yaml")
    assert len(caught.value.problems) == 4
    text = str(caught.value)
    assert text.startswith("invalid facts in facts.yaml (4 problems):")
    assert "establishment.type" in text and "incident.care_impact" in text


@pytest.mark.parametrize(("value", "expected"), [("FR", "FR"), ("us", "US"), ("De", "DE")])
def test_country_codes(value: str, expected: str) -> None:
    assert parse_facts(changed("establishment", "country", value)).establishment.country == expected


@pytest.mark.parametrize("value", ["FRA", "F", "", "F1", 33, None])
def test_bad_country(value: object) -> None:
    assert (
        "ISO 3166-1"
        in problems_of(changed("establishment", "country", value))["establishment.country"]
    )


def test_norway_read_as_false_by_yaml_gets_a_quoting_hint() -> None:
    message = problems_of(changed("establishment", "country", False))["establishment.country"]
    assert 'quote it, e.g. "NO"' in message


def test_unknown_timezone_suggests_close_names() -> None:
    message = problems_of(changed("establishment", "timezone", "Europe/Pariss"))[
        "establishment.timezone"
    ]
    assert "unknown timezone" in message
    assert "did you mean: Europe/Paris" in message


@pytest.mark.parametrize(
    "value",
    [
        "",
        "../../etc/passwd",
        1,
        None,
        "Not/AZone",
        "right/UTC",
        "posix/Europe/Paris",
        "localtime",
        "Europe",
        "a" * 300,
        "Europe/Paris\x00",
    ],
)
def test_bad_timezone(value: object) -> None:
    assert (
        "IANA timezone"
        in problems_of(changed("establishment", "timezone", value))["establishment.timezone"]
    )


@pytest.mark.parametrize("value", ["yes", 1, None, "true"])
def test_booleans_must_be_booleans(value: object) -> None:
    assert (
        problems_of(changed("establishment", "gdpr_controller", value))[
            "establishment.gdpr_controller"
        ]
        == "must be true or false"
    )
    assert (
        problems_of(changed("incident", "data_encrypted", value))["incident.data_encrypted"]
        == "must be true or false"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, PersonalData.YES),
        (False, PersonalData.NO),
        ("unknown", PersonalData.UNKNOWN),
        ("true", PersonalData.YES),
        ("false", PersonalData.NO),
    ],
)
def test_personal_data_values(value: object, expected: PersonalData) -> None:
    assert (
        parse_facts(changed("incident", "personal_data", value)).incident.personal_data is expected
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-29T01:30:00+01:00", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        ("2026-03-29T00:30:00Z", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        (
            datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=1))),
            datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
        ),
    ],
)
def test_discovered_at_forms(value: object, expected: datetime) -> None:
    assert (
        parse_facts(changed("incident", "discovered_at", value)).incident.discovered_at == expected
    )


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2026-03-29T01:30:00", "has no UTC offset"),
        (datetime(2026, 3, 29, 1, 30), "has no UTC offset"),
        ("2026-03-29", "has no UTC offset"),  # fromisoformat reads a date as midnight, naive
        (datetime(2026, 3, 29).date(), "not only a date"),
        ("yesterday", "ISO 8601"),
        (1774744200, "ISO 8601"),
    ],
)
def test_bad_discovered_at(value: object, fragment: str) -> None:
    assert (
        fragment
        in problems_of(changed("incident", "discovered_at", value))["incident.discovered_at"]
    )


def test_incident_facts_refuse_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        IncidentFacts(
            category=IncidentCategory.OTHER,
            personal_data=PersonalData.NO,
            risk_to_individuals=Risk.NONE,
            care_impact=CareImpact.NONE,
            discovered_at=datetime(2026, 1, 1),
        )


@pytest.mark.parametrize("value", [-1, 1.5, "12", True, 10**11])
def test_bad_individuals(value: object) -> None:
    assert problems_of(changed("incident", "individuals", value))["incident.individuals"] == (
        "must be a whole number of people, 0 or more"
    )


def test_individuals_null_means_not_counted() -> None:
    assert parse_facts(changed("incident", "individuals", None)).incident.individuals is None


def test_residents_by_state_normalises_codes() -> None:
    facts = parse_facts(changed("incident", "residents_by_state", {"ny": 600, "PR": 3}))
    assert dict(facts.incident.residents_by_state) == {"NY": 600, "PR": 3}


def test_residents_by_state_is_read_only_and_facts_stay_hashable() -> None:
    facts = parse_facts(changed("incident", "residents_by_state", {"NY": 600}))
    with pytest.raises(TypeError):
        facts.incident.residents_by_state["NJ"] = 1  # type: ignore[index]
    assert hash(facts) == hash(parse_facts(changed("incident", "residents_by_state", {"NY": 600})))
    assert facts != parse_facts(changed("incident", "residents_by_state", {"NY": 601}))


def test_unknown_state_lists_the_jurisdictions() -> None:
    message = problems_of(changed("incident", "residents_by_state", {"XX": 3}))[
        "incident.residents_by_state.XX"
    ]
    assert message.startswith("unknown State or jurisdiction; valid choices: AL, AK")
    assert all(code in message for code in US_JURISDICTIONS)


@pytest.mark.parametrize(
    ("value", "path", "fragment"),
    [
        ({"NY": -3}, "incident.residents_by_state.NY", "whole number"),
        ({"NY": 1, "ny": 2}, "incident.residents_by_state.ny", "given twice"),
        ({1: 2}, "incident.residents_by_state.(non-text key)", "unknown State"),
        (["NY"], "incident.residents_by_state", "must be a mapping"),
    ],
)
def test_bad_residents(value: object, path: str, fragment: str) -> None:
    assert fragment in problems_of(changed("incident", "residents_by_state", value))[path]


def test_residents_cannot_exceed_individuals() -> None:
    document = changed("incident", "residents_by_state", {"NY": 400, "NJ": 200})
    document["incident"]["individuals"] = 500
    assert problems_of(document)["incident.residents_by_state"] == (
        "counts more residents than incident.individuals"
    )


def test_name_is_optional_text() -> None:
    assert (
        parse_facts(changed("establishment", "name", "CHU Exemple")).establishment.name
        == "CHU Exemple"
    )
    assert (
        "at most" in problems_of(changed("establishment", "name", "x" * 201))["establishment.name"]
    )


def test_lines_locate_problems_and_missing_keys_point_at_their_section() -> None:
    document = changed("incident", "category", "ransom")
    del document["establishment"]["nis2"]
    lines = {"establishment": 1, "incident": 9, "incident.category": 10}
    with pytest.raises(FactsError) as caught:
        parse_facts(document, lines=lines, source="facts.yaml")
    by_path = {p.path: p for p in caught.value.problems}
    assert str(by_path["incident.category"].location) == "facts.yaml:10"
    assert str(by_path["establishment.nis2"].location) == "facts.yaml:1"
    assert caught.value.location == by_path["establishment.nis2"].location
