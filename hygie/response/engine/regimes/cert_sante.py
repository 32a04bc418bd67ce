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
    care_impact_text,
    category_text,
    not_applicable,
    type_text,
)
from hygie.response.engine.text import LocalizedText, text

# Who must declare (L.1111-8-2; médico-social added by décret 2022-715). A private practice and a
# non-care organisation are not in the list.
DECLARING_TYPES = frozenset(
    {
        EstablishmentType.HOSPITAL,
        EstablishmentType.MILITARY_HOSPITAL,
        EstablishmentType.LABORATORY,
        EstablishmentType.CARE_CENTRE,
        EstablishmentType.MEDICO_SOCIAL,
    }
)

INTERPRETATION = text(
    "Quels incidents sont assez graves pour être déclarés relève de la lecture par Hygie du "
    "D.1111-16-2 II : impact sur les soins (1°, 3°), données à caractère personnel concernées "
    "(2°), rançongiciel ou déni de service (3°), compromission d'un dispositif médical (1°).",
    "Which incidents are serious enough to declare is Hygie's reading of "
    "D.1111-16-2 II: impact on care (1°, 3°), personal data involved (2°), "
    "ransomware or denial of service (3°), medical device compromise (1°).",
)

SPEC = ObligationSpec(
    id=ObligationId.CERT_SANTE,
    title=text(
        "Déclaration d'un incident grave de sécurité des systèmes d'information (ARS / CERT Santé)",
        "Declaration of a serious IT security incident (ARS / CERT Santé)",
    ),
    recipient=text(
        "ARS et ANS / CERT Santé, via le portail signalement.social-sante.gouv.fr "
        "(s'il est indisponible : le même contenu à l'ARS par tout moyen)",
        "ARS and ANS / CERT Santé, through the portal signalement.social-sante.gouv.fr "
        "(if it is unavailable: the same content to the ARS by any means)",
    ),
    legal_basis=(
        "CSP art. L.1111-8-2; art. D.1111-16-2 to D.1111-16-4 (décret 2016-1214, "
        "amended by décret 2022-715); arrêté du 30 octobre 2017"
    ),
    verification=Verification.VERIFIED,
    trigger=Trigger.DISCOVERY,
)


def _grounds(case: Case) -> tuple[list[LocalizedText], bool]:
    """The D.1111-16-2 II grounds the facts show, and whether they rest only on unknown data."""
    incident = case.incident
    grounds: list[LocalizedText] = []
    if incident.care_impact is not CareImpact.NONE:
        impact = care_impact_text(incident.care_impact)
        grounds.append(
            text(
                f"impact sur les soins ({impact.fr}) : conséquences sur la sécurité des soins et "
                "sur "
                "le fonctionnement normal de l'établissement (D.1111-16-2 II 1° et 3°)",
                f"impact on care ({impact.en}): consequences on the "
                "safety of care and on normal operation (D.1111-16-2 II 1° and 3°)",
            )
        )
    if incident.category is IncidentCategory.MEDICAL_DEVICE_COMPROMISE:
        grounds.append(
            text(
                "un dispositif médical compromis a des conséquences potentielles sur la sécurité "
                "des "
                "soins (1°)",
                "a compromised medical device has potential consequences on the safety "
                "of care (1°)",
            )
        )
    if incident.category in (IncidentCategory.RANSOMWARE, IncidentCategory.DENIAL_OF_SERVICE):
        category = category_text(incident.category)
        grounds.append(
            text(
                f"{category.fr} : atteinte au fonctionnement normal de l'établissement (3°)",
                f"{category.en} harms the normal operation of the establishment (3°)",
            )
        )
    only_unknown_data = not grounds and case.personal_data_unknown
    if case.involves_personal_data:
        grounds.append(
            text(
                "données de santé concernées : conséquences sur leur confidentialité ou leur "
                "intégrité (2°)",
                "health data involved: consequences on their confidentiality or integrity (2°)",
            )
        )
    return grounds, only_unknown_data


def decide(case: Case) -> Decision:
    profile = case.profile
    if profile.country != "FR":
        return not_applicable(
            text(
                "Obligation française (CSP L.1111-8-2) ; le pays de l'établissement est "
                f"{profile.country}.",
                "French obligation (CSP L.1111-8-2); the establishment's country "
                f"is {profile.country}.",
            )
        )
    if profile.type not in DECLARING_TYPES:
        kind = type_text(profile.type)
        return not_applicable(
            text(
                f"Un établissement de type {kind.fr} ne fait pas partie des structures tenues de "
                "déclarer : établissements de santé, hôpitaux des armées, organismes et services "
                "exerçant des activités de prévention, de diagnostic ou de soins et (depuis le "
                "décret 2022-715) établissements et services médico-sociaux.",
                f"An establishment of type {kind.en} is not among the structures that "
                "must declare: établissements de santé, hôpitaux des armées, organisations and "
                "services of prevention, diagnosis or care, and (since décret 2022-715) "
                "medico-social establishments and services.",
            )
        )
    grounds, only_unknown_data = _grounds(case)
    if not grounds:
        category = category_text(case.incident.category)
        return not_applicable(
            text(
                "Aucun motif de déclaration dans les faits : pas d'impact sur les soins, pas de "
                f"données à caractère personnel, catégorie {category.fr}. Déclarez néanmoins si "
                "l'incident peut affecter le système de santé départemental, régional ou national "
                "ou d'autres établissements (D.1111-16-2 II 4° et 5°), ce que les faits ne "
                "décrivent "
                "pas.",
                "No ground for a declaration in the facts: no impact on care, no personal data, "
                f"category {category.en}. Declare anyway if the incident could "
                "affect the departmental, regional or national health system or other "
                "establishments (D.1111-16-2 II 4° and 5°), which the facts do not describe.",
            ),
            notes=(INTERPRETATION,),
        )
    deadline = Deadline.immediate(
        text(
            "« Sans délai » (CSP L.1111-8-2) : aucun décompte en heures. Déclarez dès la "
            "constatation avec ce qui est connu (arrêté du 30 octobre 2017 : date de constat, "
            "périmètre, systèmes et données, prise en charge, impacts, causes si elles sont "
            "connues), puis complétez la déclaration au fur et à mesure des constatations.",
            "'Sans délai' (CSP L.1111-8-2): no hour count. Declare on discovery with what is known "
            "(arrêté du 30 octobre 2017: date of discovery, scope, systems and data, handling, "
            "impacts, causes if known), and complete the declaration as the facts come in.",
        )
    )
    return applies(
        text("Incident grave : ", "Serious incident: ")
        + text(" ; ", "; ").join(grounds)
        + text(".", "."),
        deadline,
        provisional=only_unknown_data,
        notes=(
            INTERPRETATION,
            text(
                "Également recommandé : un dépôt de plainte auprès de la police "
                "ou de la gendarmerie.",
                "Also recommended: a complaint to the police or gendarmerie.",
            ),
        ),
    )


RULES = (ObligationRule(SPEC, decide),)
