"""Facts from a plain mapping (a parsed YAML or JSON document), checked field by field.

Every problem is collected before raising, so a crisis cell fixes its file in one pass. Messages
name the field and list the valid choices; they never repeat the offending value (design §5).
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from hygie.lib.errors import Location
from hygie.response.engine.choices import (
    US_JURISDICTIONS,
    CareImpact,
    EstablishmentType,
    HIPAARole,
    IncidentCategory,
    NIS2Class,
    PersonalData,
    Risk,
    choices_of,
)
from hygie.response.engine.errors import FactProblem, FactsError
from hygie.response.engine.facts import EstablishmentProfile, Facts, IncidentFacts

SECTIONS = ("establishment", "incident")
ESTABLISHMENT_REQUIRED = ("country", "type", "timezone", "nis2", "hipaa", "gdpr_controller")
ESTABLISHMENT_OPTIONAL = ("name",)
INCIDENT_REQUIRED = (
    "category",
    "personal_data",
    "risk_to_individuals",
    "care_impact",
    "discovered_at",
)
# Optional fields default to the conservative reading: not encrypted (no exemption), not counted.
INCIDENT_OPTIONAL = ("data_encrypted", "individuals", "residents_by_state")
MAX_NAME_LENGTH = 200
MAX_PEOPLE = 10**10  # beyond the world's population: a typo, not a count
NOT_IANA_ZONES = frozenset({"localtime", "Factory", "posixrules"})
DATETIME_EXAMPLE = "e.g. 2026-03-29T01:30:00+01:00"


@dataclass(frozen=True)
class _Invalid:
    """What a converter returns instead of a value: why the value cannot be used."""

    message: str


def _choice(vocabulary: type[StrEnum]) -> Callable[[object], StrEnum | _Invalid]:
    def convert(value: object) -> StrEnum | _Invalid:
        if isinstance(value, str) and value in choices_of(vocabulary):
            return vocabulary(value)
        return _Invalid(f"unknown value; valid choices: {', '.join(choices_of(vocabulary))}")

    return convert


def _boolean(value: object) -> bool | _Invalid:
    return value if isinstance(value, bool) else _Invalid("must be true or false")


def _country(value: object) -> str | _Invalid:
    if isinstance(value, bool):
        # YAML 1.1 reads an unquoted NO (Norway) as false: say how to write it.
        return _Invalid('must be a two-letter ISO 3166-1 code as text (quote it, e.g. "NO")')
    if isinstance(value, str) and len(value) == 2 and value.isascii() and value.isalpha():
        return value.upper()
    return _Invalid("must be a two-letter ISO 3166-1 code, e.g. FR or US")


@functools.cache
def _known_timezones() -> frozenset[str]:
    # ZoneInfo also opens "right/…" zones (with leap seconds: clocks off by ~27 s), "posix/…"
    # duplicates and the host's "localtime": only the canonical IANA names are accepted.
    return frozenset(available_timezones()) - NOT_IANA_ZONES


def _timezone(value: object) -> str | _Invalid:
    example = "an IANA timezone name, e.g. Europe/Paris or America/New_York"
    if not isinstance(value, str) or not value:
        return _Invalid(f"must be {example}")
    if value not in _known_timezones():
        close = difflib.get_close_matches(value, sorted(_known_timezones()), n=3)
        hint = f"; did you mean: {', '.join(close)}" if close else ""
        return _Invalid(f"unknown timezone: must be {example}{hint}")
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return _Invalid(f"timezone data unreadable on this system: must be {example}")
    return value


def _discovered_at(value: object) -> datetime | _Invalid:
    # YAML turns an ISO 8601 timestamp into a datetime itself; JSON leaves it a string.
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return _Invalid(f"must be an ISO 8601 date and time with an offset, {DATETIME_EXAMPLE}")
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            return _Invalid(
                "has no UTC offset: add one (+01:00, -05:00 or Z) so that the clocks "
                "start at a known instant"
            )
        return value
    if isinstance(value, date):
        return _Invalid(f"needs a time and a UTC offset, not only a date, {DATETIME_EXAMPLE}")
    return _Invalid(f"must be an ISO 8601 date and time with an offset, {DATETIME_EXAMPLE}")


def _personal_data(value: object) -> PersonalData | _Invalid:
    if isinstance(value, bool):
        return PersonalData.YES if value else PersonalData.NO
    if isinstance(value, str) and value in choices_of(PersonalData):
        return PersonalData(value)
    return _Invalid(f"unknown value; valid choices: {', '.join(choices_of(PersonalData))}")


def _count(value: object) -> int | _Invalid:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PEOPLE:
        return value
    return _Invalid("must be a whole number of people, 0 or more")


def _optional_count(value: object) -> int | None | _Invalid:
    return None if value is None else _count(value)


def _name(value: object) -> str | None | _Invalid:
    if value is None or (isinstance(value, str) and len(value) <= MAX_NAME_LENGTH):
        return value
    return _Invalid(f"must be text of at most {MAX_NAME_LENGTH} characters")


def _shown(key: object) -> str:
    return key if isinstance(key, str) else "(non-text key)"


class _Reader:
    """Reads one facts document, recording problems instead of stopping at the first."""

    def __init__(self, lines: Mapping[str, int], source: str | None) -> None:
        self.lines = lines
        self.source = source
        self.problems: list[FactProblem] = []

    def problem(self, path: str, message: str) -> None:
        # A missing key has no line of its own: point at the closest enclosing key that has one.
        anchor = path
        line = self.lines.get(anchor)
        while line is None and "." in anchor:
            anchor = anchor.rsplit(".", 1)[0]
            line = self.lines.get(anchor)
        location = Location(self.source, line) if (self.source or line) else None
        self.problems.append(FactProblem(path, message, location))

    def section(
        self,
        data: Mapping[Any, Any],
        name: str,
        required: tuple[str, ...],
        optional: tuple[str, ...],
    ) -> Mapping[str, object]:
        value = data.get(name)
        if not isinstance(value, Mapping):
            self.problem(
                name,
                "required section is missing"
                if value is None
                else "must be a mapping of keys to values",
            )
            return {}
        known = (*required, *optional)
        fields: dict[str, object] = {}
        for key, item in value.items():
            if isinstance(key, str) and key in known:
                fields[key] = item
            else:
                self.problem(
                    f"{name}.{_shown(key)}", f"unknown key; valid keys: {', '.join(known)}"
                )
        for key in required:
            if key not in fields:
                self.problem(f"{name}.{key}", "required key is missing")
        return fields

    def field(
        self,
        fields: Mapping[str, object],
        path: str,
        convert: Callable[[object], Any],
        default: object = None,
    ) -> Any:
        key = path.rsplit(".", 1)[-1]
        if key not in fields:
            return default
        result = convert(fields[key])
        if isinstance(result, _Invalid):
            self.problem(path, result.message)
            return default
        return result

    def residents(self, fields: Mapping[str, object]) -> dict[str, int]:
        path = "incident.residents_by_state"
        value = fields.get("residents_by_state")
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.problem(
                path,
                "must be a mapping of State or jurisdiction code to a number of "
                "residents, e.g. {NY: 620, NJ: 80}",
            )
            return {}
        residents: dict[str, int] = {}
        for key, count in value.items():
            code = key.upper() if isinstance(key, str) else None
            if code is None or code not in US_JURISDICTIONS:
                self.problem(
                    f"{path}.{_shown(key)}",
                    f"unknown State or jurisdiction; valid choices: {', '.join(US_JURISDICTIONS)}",
                )
            elif code in residents:
                self.problem(f"{path}.{key}", "State or jurisdiction given twice")
            else:
                counted = _count(count)
                if isinstance(counted, _Invalid):
                    self.problem(f"{path}.{key}", counted.message)
                else:
                    residents[code] = counted
        return residents


def _establishment(reader: _Reader, data: Mapping[Any, Any]) -> dict[str, Any]:
    fields = reader.section(data, "establishment", ESTABLISHMENT_REQUIRED, ESTABLISHMENT_OPTIONAL)
    return {
        "country": reader.field(fields, "establishment.country", _country),
        "type": reader.field(fields, "establishment.type", _choice(EstablishmentType)),
        "timezone": reader.field(fields, "establishment.timezone", _timezone),
        "nis2": reader.field(fields, "establishment.nis2", _choice(NIS2Class)),
        "hipaa": reader.field(fields, "establishment.hipaa", _choice(HIPAARole)),
        "gdpr_controller": reader.field(fields, "establishment.gdpr_controller", _boolean),
        "name": reader.field(fields, "establishment.name", _name),
    }


def _incident(reader: _Reader, data: Mapping[Any, Any]) -> dict[str, Any]:
    fields = reader.section(data, "incident", INCIDENT_REQUIRED, INCIDENT_OPTIONAL)
    values = {
        "category": reader.field(fields, "incident.category", _choice(IncidentCategory)),
        "personal_data": reader.field(fields, "incident.personal_data", _personal_data),
        "risk_to_individuals": reader.field(fields, "incident.risk_to_individuals", _choice(Risk)),
        "care_impact": reader.field(fields, "incident.care_impact", _choice(CareImpact)),
        "discovered_at": reader.field(fields, "incident.discovered_at", _discovered_at),
        "data_encrypted": reader.field(fields, "incident.data_encrypted", _boolean, False),
        "individuals": reader.field(fields, "incident.individuals", _optional_count),
        "residents_by_state": reader.residents(fields),
    }
    individuals = values["individuals"]
    if individuals is not None and sum(values["residents_by_state"].values()) > individuals:
        reader.problem(
            "incident.residents_by_state", "counts more residents than incident.individuals"
        )
    return values


def parse_facts(
    data: object, *, lines: Mapping[str, int] | None = None, source: str | None = None
) -> Facts:
    """Build the facts from a mapping with ``establishment`` and ``incident`` sections.

    ``lines`` maps dotted field paths (``incident.category``) to 1-based line numbers so that
    problems point into the file; ``source`` names the file. Raises :class:`FactsError` listing
    every problem found.
    """
    reader = _Reader(lines or {}, source)
    if not isinstance(data, Mapping):
        reader.problem(
            "(document)", f"must be a mapping with the sections {' and '.join(SECTIONS)}"
        )
        raise FactsError(reader.problems, source)
    for key in data:
        if key not in SECTIONS:
            reader.problem(_shown(key), f"unknown section; valid sections: {', '.join(SECTIONS)}")
    establishment = _establishment(reader, data)
    incident = _incident(reader, data)
    if reader.problems:
        raise FactsError(reader.problems, source)
    return Facts(
        establishment=EstablishmentProfile(**establishment), incident=IncidentFacts(**incident)
    )
