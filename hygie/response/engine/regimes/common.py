"""What every regime's rules share: the case being assessed and the shape of a decision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hygie.response.engine.choices import (
    CARE_IMPACT_IN_REASONS,
    CATEGORY_IN_REASONS,
    ESTABLISHMENT_TYPE_IN_REASONS,
    NIS2_CLASS_IN_REASONS,
    RISK_IN_REASONS,
    CareImpact,
    EstablishmentType,
    IncidentCategory,
    NIS2Class,
    PersonalData,
    Risk,
)
from hygie.response.engine.clocks import Deadline
from hygie.response.engine.facts import EstablishmentProfile, IncidentFacts
from hygie.response.engine.obligations import ObligationSpec
from hygie.response.engine.text import LocalizedText, text

# Categories that stop or cripple systems by their nature, before any impact is measured.
DISRUPTIVE_CATEGORIES = frozenset(
    {
        IncidentCategory.RANSOMWARE,
        IncidentCategory.DENIAL_OF_SERVICE,
        IncidentCategory.MEDICAL_DEVICE_COMPROMISE,
    }
)

UNKNOWN_PERSONAL_DATA = text(
    "on ne sait pas encore si des données à caractère personnel sont concernées (personal_data : "
    "unknown) ; Hygie traite donc l'incident comme une violation de données à caractère "
    "personnel jusqu'à ce que l'analyse dise le contraire",
    "whether personal data are involved is not known yet (personal_data: unknown), so Hygie "
    "treats the incident as a personal data breach until the assessment says otherwise",
)

# The reasons quote a value by its French words (from the vocabulary), followed by the stable
# spelling in parentheses where a reader may need to find it in the facts file.


def category_text(category: IncidentCategory) -> LocalizedText:
    return text(f"{CATEGORY_IN_REASONS[category]} ({category.value})", category.value)


def care_impact_text(impact: CareImpact) -> LocalizedText:
    return text(CARE_IMPACT_IN_REASONS[impact], impact.value)


def risk_text(risk: Risk) -> LocalizedText:
    return text(RISK_IN_REASONS[risk], risk.value)


def type_text(kind: EstablishmentType) -> LocalizedText:
    return text(f"{ESTABLISHMENT_TYPE_IN_REASONS[kind]} ({kind.value})", kind.value)


def nis2_text(nis2: NIS2Class) -> LocalizedText:
    return text(NIS2_CLASS_IN_REASONS[nis2], nis2.value)


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
    reason: LocalizedText
    deadline: Deadline | None = None
    provisional: bool = False
    states: tuple[str, ...] = ()
    notes: tuple[LocalizedText, ...] = ()


def applies(
    reason: LocalizedText,
    deadline: Deadline,
    *,
    provisional: bool = False,
    uncertain: tuple[LocalizedText, ...] = (),
    states: tuple[str, ...] = (),
    notes: tuple[LocalizedText, ...] = (),
) -> Decision:
    """An obligation that applies. ``provisional`` means: only because personal data may be
    involved; ``uncertain`` adds other facts whose absence makes it apply provisionally."""
    unknowns = ((UNKNOWN_PERSONAL_DATA,) if provisional else ()) + uncertain
    prefix = (
        (
            text("S'applique à titre provisoire : ", "Applies provisionally: ")
            + text(" ; ", "; ").join(unknowns)
            + text(". ", ". ")
        )
        if unknowns
        else text("", "")
    )
    return Decision(True, prefix + reason, deadline, bool(unknowns), states, notes)


def not_applicable(reason: LocalizedText, *, notes: tuple[LocalizedText, ...] = ()) -> Decision:
    return Decision(False, reason, notes=notes)


@dataclass(frozen=True)
class ObligationRule:
    """A spec and the function that decides it for a case."""

    spec: ObligationSpec
    decide: Callable[[Case], Decision]
