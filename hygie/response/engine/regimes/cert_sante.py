"""France: declaration of serious IT security incidents to the ARS and CERT Santé.

Source: CSP art. L.1111-8-2, art. D.1111-16-2 to D.1111-16-4 (décret 2016-1214 as amended by
décret 2022-715), arrêté du 30 octobre 2017 (form). reference/frameworks.md §2: VERIFIED.
"""

from __future__ import annotations

from hygie.response.engine.choices import (
    CareImpact,
    EstablishmentType,
    IncidentCategory,
    ObligationId,
    Trigger,
    Verification,
)
from hygie.response.engine.clocks import Deadline
from hygie.response.engine.obligations import ObligationSpec
from hygie.response.engine.regimes.common import (
    Case,
    Decision,
    ObligationRule,
    applies,
    not_applicable,
)

# Who must declare (L.1111-8-2; médico-social added by décret 2022-715). A private practice and a
# non-care organisation are not in the list.
DECLARING_TYPES = frozenset({
    EstablishmentType.HOSPITAL,
    EstablishmentType.MILITARY_HOSPITAL,
    EstablishmentType.LABORATORY,
    EstablishmentType.CARE_CENTRE,
    EstablishmentType.MEDICO_SOCIAL,
})

INTERPRETATION = ("Which incidents are serious enough to declare is Hygie's reading of "
                  "D.1111-16-2 II: impact on care (1°, 3°), personal data involved (2°), "
                  "ransomware or denial of service (3°), medical device compromise (1°).")

SPEC = ObligationSpec(
    id=ObligationId.CERT_SANTE,
    title="Declaration of a serious IT security incident (ARS / CERT Santé)",
    recipient=("ARS and ANS / CERT Santé, through the portal signalement.social-sante.gouv.fr "
               "(if it is unavailable: the same content to the ARS by any means)"),
    legal_basis=("CSP art. L.1111-8-2; art. D.1111-16-2 to D.1111-16-4 (décret 2016-1214, "
                 "amended by décret 2022-715); arrêté du 30 octobre 2017"),
    verification=Verification.VERIFIED,
    trigger=Trigger.DISCOVERY,
)


def _grounds(case: Case) -> tuple[list[str], bool]:
    """The D.1111-16-2 II grounds the facts show, and whether they rest only on unknown data."""
    incident = case.incident
    grounds: list[str] = []
    if incident.care_impact is not CareImpact.NONE:
        grounds.append(f"impact on care ({incident.care_impact.value}): consequences on the "
                       "safety of care and on normal operation (D.1111-16-2 II 1° and 3°)")
    if incident.category is IncidentCategory.MEDICAL_DEVICE_COMPROMISE:
        grounds.append("a compromised medical device has potential consequences on the safety "
                       "of care (1°)")
    if incident.category in (IncidentCategory.RANSOMWARE, IncidentCategory.DENIAL_OF_SERVICE):
        grounds.append(f"{incident.category.value} harms the normal operation of the "
                       "establishment (3°)")
    only_unknown_data = not grounds and case.personal_data_unknown
    if case.involves_personal_data:
        grounds.append("health data involved: consequences on their confidentiality or "
                       "integrity (2°)")
    return grounds, only_unknown_data


def decide(case: Case) -> Decision:
    profile = case.profile
    if profile.country != "FR":
        return not_applicable("French obligation (CSP L.1111-8-2); the establishment's country "
                              f"is {profile.country}.")
    if profile.type not in DECLARING_TYPES:
        return not_applicable(
            f"An establishment of type {profile.type.value} is not among the structures that "
            "must declare: établissements de santé, hôpitaux des armées, organisations and "
            "services of prevention, diagnosis or care, and (since décret 2022-715) "
            "medico-social establishments and services.")
    grounds, only_unknown_data = _grounds(case)
    if not grounds:
        return not_applicable(
            "No ground for a declaration in the facts: no impact on care, no personal data, "
            f"category {case.incident.category.value}. Declare anyway if the incident could "
            "affect the departmental, regional or national health system or other "
            "establishments (D.1111-16-2 II 4° and 5°), which the facts do not describe.",
            notes=(INTERPRETATION,))
    deadline = Deadline.immediate(
        "'Sans délai' (CSP L.1111-8-2): no hour count. Declare on discovery with what is known "
        "(arrêté du 30 octobre 2017: date of discovery, scope, systems and data, handling, "
        "impacts, causes if known), and complete the declaration as the facts come in.")
    return applies("Serious incident: " + "; ".join(grounds) + ".", deadline,
                   provisional=only_unknown_data,
                   notes=(INTERPRETATION,
                          "Also recommended: a complaint to the police or gendarmerie."))


RULES = (ObligationRule(SPEC, decide),)
