"""What every regime's rules share: the case being assessed and the shape of a decision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hygie.response.engine.choices import IncidentCategory, PersonalData
from hygie.response.engine.clocks import Deadline
from hygie.response.engine.facts import EstablishmentProfile, IncidentFacts
from hygie.response.engine.obligations import ObligationSpec

# Categories that stop or cripple systems by their nature, before any impact is measured.
DISRUPTIVE_CATEGORIES = frozenset({
    IncidentCategory.RANSOMWARE,
    IncidentCategory.DENIAL_OF_SERVICE,
    IncidentCategory.MEDICAL_DEVICE_COMPROMISE,
})

UNKNOWN_PERSONAL_DATA = ("whether personal data are involved is not known yet (personal_data: "
                         "unknown), so Hygie treats the incident as a personal data breach until "
                         "the assessment says otherwise")


@dataclass(frozen=True)
class Case:
    """One incident at one establishment, with the establishment's timezone resolved once."""

    profile: EstablishmentProfile
    incident: IncidentFacts
    zone: ZoneInfo

    @property
    def involves_personal_data(self) -> bool:
        """True when personal data are, or may be, involved: unknown counts (conservative)."""
        return self.incident.personal_data is not PersonalData.NO

    @property
    def personal_data_unknown(self) -> bool:
        return self.incident.personal_data is PersonalData.UNKNOWN


@dataclass(frozen=True)
class Decision:
    """A rule's answer for one case; the engine adds the spec to make an Obligation."""

    applies: bool
    reason: str
    deadline: Deadline | None = None
    provisional: bool = False
    states: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def applies(reason: str, deadline: Deadline, *, provisional: bool = False,
            uncertain: tuple[str, ...] = (), states: tuple[str, ...] = (),
            notes: tuple[str, ...] = ()) -> Decision:
    """An obligation that applies. ``provisional`` means: only because personal data may be
    involved; ``uncertain`` adds other facts whose absence makes it apply provisionally."""
    unknowns = ((UNKNOWN_PERSONAL_DATA,) if provisional else ()) + uncertain
    prefix = f"Applies provisionally: {'; '.join(unknowns)}. " if unknowns else ""
    return Decision(True, prefix + reason, deadline, bool(unknowns), states, notes)


def not_applicable(reason: str, *, notes: tuple[str, ...] = ()) -> Decision:
    return Decision(False, reason, notes=notes)


@dataclass(frozen=True)
class ObligationRule:
    """A spec and the function that decides it for a case."""

    spec: ObligationSpec
    decide: Callable[[Case], Decision]
