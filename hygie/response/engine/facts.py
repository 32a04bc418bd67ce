"""The facts the rules read: who the establishment is, and what happened."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

from hygie.response.engine.choices import (
    CareImpact,
    EstablishmentType,
    HIPAARole,
    IncidentCategory,
    NIS2Class,
    PersonalData,
    Risk,
)


@dataclass(frozen=True)
class EstablishmentProfile:
    """The establishment's regulatory profile: where it is and which regimes it falls under."""

    country: str  # ISO 3166-1 alpha-2, upper case
    type: EstablishmentType
    timezone: str  # IANA name; day-counted deadlines are calendar dates in this zone
    nis2: NIS2Class
    hipaa: HIPAARole
    gdpr_controller: bool
    name: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class IncidentFacts:
    """What is known of the incident when the obligations are assessed."""

    category: IncidentCategory
    personal_data: PersonalData
    risk_to_individuals: Risk
    care_impact: CareImpact
    discovered_at: datetime  # timezone-aware; the moment of discovery, taken as awareness too
    data_encrypted: bool = False
    individuals: int | None = None  # None: not counted yet
    # Left out of the hash (a mapping has none) but not out of equality: facts stay hashable.
    residents_by_state: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({}), hash=False
    )

    def __post_init__(self) -> None:
        # Every clock starts from this instant: a naive one would be read in an unknown zone.
        if self.discovered_at.utcoffset() is None:
            raise ValueError("discovered_at must be timezone-aware")
        # A frozen dataclass should not hold a dict a caller can still mutate.
        residents = MappingProxyType(dict(self.residents_by_state))
        object.__setattr__(self, "residents_by_state", residents)

    @property
    def residents_counted(self) -> int:
        return sum(self.residents_by_state.values())


@dataclass(frozen=True)
class Facts:
    """A whole facts document: one establishment, one incident."""

    establishment: EstablishmentProfile
    incident: IncidentFacts
