"""What every regime's rules share: the case being assessed and the shape of a decision."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from hygie.response.engine.choices import (
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
DISRUPTIVE_CATEGORIES = frozenset({
    IncidentCategory.RANSOMWARE,
    IncidentCategory.DENIAL_OF_SERVICE,
    IncidentCategory.MEDICAL_DEVICE_COMPROMISE,
})

UNKNOWN_PERSONAL_DATA = text(
    "on ne sait pas encore si des données à caractère personnel sont concernées (personal_data : "
    "unknown) ; Hygie traite donc l'incident comme une violation de données à caractère "
    "personnel jusqu'à ce que l'analyse dise le contraire",
    "whether personal data are involved is not known yet (personal_data: unknown), so Hygie "
    "treats the incident as a personal data breach until the assessment says otherwise")

# French names of the vocabulary values the reasons quote; the stable spelling follows in
# parentheses where a reader may need to find it in the facts file.
_CATEGORY_FR = {
    IncidentCategory.RANSOMWARE: "rançongiciel",
    IncidentCategory.DATA_BREACH: "fuite de données",
    IncidentCategory.ACCOUNT_COMPROMISE: "compromission de compte",
    IncidentCategory.PHISHING: "hameçonnage",
    IncidentCategory.MALWARE: "logiciel malveillant",
    IncidentCategory.MEDICAL_DEVICE_COMPROMISE: "compromission d'un dispositif médical",
    IncidentCategory.DENIAL_OF_SERVICE: "déni de service",
    IncidentCategory.LOSS_THEFT: "perte ou vol",
    IncidentCategory.UNAUTHORISED_ACCESS: "accès non autorisé",
    IncidentCategory.OTHER: "autre",
}
_CARE_IMPACT_FR = {
    CareImpact.NONE: "aucun",
    CareImpact.DEGRADED_MODE: "fonctionnement en mode dégradé",
    CareImpact.DEPROGRAMMED_ACTIVITY: "activité déprogrammée",
    CareImpact.PATIENT_TRANSFER: "transfert de patients",
    CareImpact.PATIENT_SAFETY_EVENT: "événement touchant la sécurité des patients",
}
_RISK_FR = {Risk.NONE: "nul", Risk.UNLIKELY: "improbable", Risk.MEDIUM: "moyen",
            Risk.HIGH: "élevé"}
_TYPE_FR = {
    EstablishmentType.HOSPITAL: "établissement de santé",
    EstablishmentType.MILITARY_HOSPITAL: "hôpital des armées",
    EstablishmentType.LABORATORY: "laboratoire de biologie médicale",
    EstablishmentType.CARE_CENTRE: "structure de prévention, de diagnostic ou de soins",
    EstablishmentType.MEDICO_SOCIAL: "établissement ou service médico-social",
    EstablishmentType.PRIVATE_PRACTICE: "cabinet libéral",
    EstablishmentType.OTHER: "autre structure",
}
_NIS2_FR = {NIS2Class.ESSENTIAL: "essentielle", NIS2Class.IMPORTANT: "importante",
            NIS2Class.NONE: "aucune"}


def category_text(category: IncidentCategory) -> LocalizedText:
    return text(f"{_CATEGORY_FR[category]} ({category.value})", category.value)


def care_impact_text(impact: CareImpact) -> LocalizedText:
    return text(_CARE_IMPACT_FR[impact], impact.value)


def risk_text(risk: Risk) -> LocalizedText:
    return text(_RISK_FR[risk], risk.value)


def type_text(kind: EstablishmentType) -> LocalizedText:
    return text(f"{_TYPE_FR[kind]} ({kind.value})", kind.value)


def nis2_text(nis2: NIS2Class) -> LocalizedText:
    return text(_NIS2_FR[nis2], nis2.value)


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


def applies(reason: LocalizedText, deadline: Deadline, *, provisional: bool = False,
            uncertain: tuple[LocalizedText, ...] = (), states: tuple[str, ...] = (),
            notes: tuple[LocalizedText, ...] = ()) -> Decision:
    """An obligation that applies. ``provisional`` means: only because personal data may be
    involved; ``uncertain`` adds other facts whose absence makes it apply provisionally."""
    unknowns = ((UNKNOWN_PERSONAL_DATA,) if provisional else ()) + uncertain
    prefix = (text("S'applique à titre provisoire : ", "Applies provisionally: ")
              + text(" ; ", "; ").join(unknowns) + text(". ", ". ")) if unknowns \
        else text("", "")
    return Decision(True, prefix + reason, deadline, bool(unknowns), states, notes)


def not_applicable(reason: LocalizedText, *, notes: tuple[LocalizedText, ...] = ()) -> Decision:
    return Decision(False, reason, notes=notes)


@dataclass(frozen=True)
class ObligationRule:
    """A spec and the function that decides it for a case."""

    spec: ObligationSpec
    decide: Callable[[Case], Decision]
