"""GDPR (Regulation (EU) 2016/679): personal data breaches, art. 33 and 34.

reference/frameworks.md §7 marks the GDPR summaries as UNVERIFIED wording.
"""

from __future__ import annotations

from hygie.response.engine.choices import ObligationId, Risk, Trigger, Verification
from hygie.response.engine.clocks import Deadline, hours_after
from hygie.response.engine.obligations import ObligationSpec
from hygie.response.engine.regimes.common import (
    Case,
    Decision,
    ObligationRule,
    applies,
    not_applicable,
    risk_text,
)
from hygie.response.engine.text import text

NOTIFICATION_HOURS = 72  # art. 33(1)
AWARENESS = text(
    "Hygie retient l'heure de découverte comme le moment où le responsable de traitement en a "
    "pris connaissance : la lecture la plus précoce, pour que le délai ne commence jamais en "
    "retard.",
    "Hygie takes the discovery time as the moment of awareness: the earliest "
    "reading, so the clock never starts late.",
)

ART33 = ObligationSpec(
    id=ObligationId.GDPR_ART33,
    title=text(
        "Notifier la violation de données à caractère personnel à l'autorité de contrôle",
        "Notify the personal data breach to the supervisory authority",
    ),
    recipient=text(
        "L'autorité de contrôle compétente (l'autorité chef de file pour les "
        "traitements transfrontaliers, art. 56)",
        "The competent supervisory authority (the lead authority for cross-border "
        "processing, art. 56)",
    ),
    recipient_by_country={
        "FR": text(
            "CNIL (Commission nationale de l'informatique et des libertés)",
            "CNIL (Commission nationale de l'informatique et des libertés)",
        )
    },
    legal_basis="GDPR art. 33(1); content art. 33(3); phased information art. 33(4)",
    verification=Verification.UNVERIFIED,
    trigger=Trigger.AWARENESS,
)
ART34 = ObligationSpec(
    id=ObligationId.GDPR_ART34,
    title=text(
        "Communiquer la violation de données à caractère personnel aux personnes concernées",
        "Communicate the personal data breach to the data subjects",
    ),
    recipient=text(
        "Les personnes concernées (patients, personnels) dont les données sont en cause",
        "The data subjects (patients, staff) whose data are involved",
    ),
    legal_basis="GDPR art. 34(1); exemptions art. 34(3); authority's power art. 34(4)",
    verification=Verification.UNVERIFIED,
    trigger=Trigger.AWARENESS,
)
REGISTER = ObligationSpec(
    id=ObligationId.GDPR_BREACH_REGISTER,
    title=text(
        "Consigner la violation dans le registre interne des violations",
        "Record the breach in the internal breach register",
    ),
    recipient=text(
        "Le registre des violations du responsable de traitement, tenu à la "
        "disposition de l'autorité de contrôle",
        "The controller's breach register, kept available to the supervisory authority",
    ),
    legal_basis="GDPR art. 33(5)",
    verification=Verification.UNVERIFIED,
    trigger=Trigger.AWARENESS,
)


def _outside_scope(case: Case) -> Decision | None:
    """The reasons shared by the three GDPR obligations for not applying at all."""
    if not case.profile.gdpr_controller:
        return not_applicable(
            text(
                "Les obligations du RGPD en cas de violation pèsent sur le responsable de "
                "traitement, et l'établissement ne l'est pas (gdpr_controller : false). S'il "
                "traite "
                "les données pour le compte d'un responsable de traitement (sous-traitant), il "
                "informe ce dernier dans les meilleurs délais (art. 33(2)).",
                "The GDPR breach duties fall on the controller, and the "
                "establishment is not one (gdpr_controller: false). If it "
                "processes the data for a controller, it informs that controller "
                "without undue delay (art. 33(2)).",
            )
        )
    if not case.involves_personal_data:
        return not_applicable(
            text(
                "Aucune donnée à caractère personnel concernée (personal_data : false) : ce n'est "
                "pas une violation de données à caractère personnel (art. 4(12)).",
                "No personal data involved (personal_data: false): not a "
                "personal data breach (art. 4(12)).",
            )
        )
    return None


def decide_register(case: Case) -> Decision:
    if (outside := _outside_scope(case)) is not None:
        return outside
    deadline = Deadline.without_undue_delay(
        text(
            "L'art. 33(5) ne fixe aucun délai. Hygie demande l'inscription dans les meilleurs "
            "délais, "
            "puisqu'elle consigne les faits sur lesquels repose la décision au titre de l'art. 33 "
            "(interprétation de Hygie).",
            "Art. 33(5) sets no period. Hygie asks for the entry without undue delay, since it "
            "records the facts behind the art. 33 decision (Hygie's interpretation).",
        )
    )
    return applies(
        text(
            "Toute violation de données à caractère personnel est documentée (faits, effets, "
            "mesures prises pour y remédier), quel que soit son risque et même si elle n'est pas "
            "notifiée (art. 33(5)).",
            "Every personal data breach is documented (facts, effects, remedial action), "
            "whatever its risk and even when it is not notified (art. 33(5)).",
        ),
        deadline,
        provisional=case.personal_data_unknown,
    )


def decide_art33(case: Case) -> Decision:
    if (outside := _outside_scope(case)) is not None:
        return outside
    risk = case.incident.risk_to_individuals
    level = risk_text(risk)
    if risk in (Risk.NONE, Risk.UNLIKELY):
        return not_applicable(
            text(
                f"Risque pour les personnes évalué comme {level.fr} ({risk.value}) : une violation "
                "qui n'est pas susceptible d'engendrer un risque n'est pas notifiée (art. 33(1)). "
                "Consignez l'évaluation dans le registre des violations (art. 33(5)).",
                f"Risk to individuals assessed as {level.en}: a breach unlikely "
                "to result in a risk is not notified (art. 33(1)). Record the "
                "assessment in the breach register (art. 33(5)).",
            )
        )
    deadline = Deadline.instant(
        hours_after(case.incident.discovered_at, NOTIFICATION_HOURS),
        "PT72H",
        text(
            "72 heures de temps écoulé après en avoir pris connaissance (art. 33(1)). Passé ce "
            "délai, la notification est accompagnée des motifs du retard ; les informations "
            "peuvent être communiquées de manière échelonnée (art. 33(4)).",
            "72 hours of elapsed time after becoming aware of the breach (art. 33(1)). Later "
            "notifications must give the reasons for the delay; information may be given in "
            "phases (art. 33(4)).",
        ),
    )
    notes = [AWARENESS]
    if case.incident.data_encrypted:
        notes.append(
            text(
                "Le chiffrement pèse dans l'évaluation du risque mais ne dispense pas à lui seul "
                "de "
                "la notification de l'art. 33.",
                "Encryption weighs in the risk assessment but is not by itself an "
                "exemption from art. 33.",
            )
        )
    return applies(
        text(
            f"Violation de données à caractère personnel présentant un risque {level.fr} pour les "
            "personnes : à notifier, sauf si elle n'est pas susceptible d'engendrer un risque "
            "(art. 33(1)).",
            f"Personal data breach with a {level.en} risk to individuals: notify "
            "unless unlikely to result in a risk (art. 33(1)).",
        ),
        deadline,
        provisional=case.personal_data_unknown,
        notes=tuple(notes),
    )


def decide_art34(case: Case) -> Decision:
    if (outside := _outside_scope(case)) is not None:
        return outside
    risk = case.incident.risk_to_individuals
    level = risk_text(risk)
    if risk is not Risk.HIGH:
        return not_applicable(
            text(
                f"Risque pour les personnes évalué comme {level.fr} ({risk.value}), non élevé : "
                "aucune communication aux personnes concernées n'est requise (art. 34(1)).",
                f"Risk to individuals assessed as {level.en}, not high: no "
                "communication to data subjects required (art. 34(1)).",
            )
        )
    if case.incident.data_encrypted:
        return not_applicable(
            text(
                "Risque élevé, mais les données étaient chiffrées : aucune communication n'est "
                "requise lorsque les données sont incompréhensibles pour toute personne non "
                "autorisée à y accéder (art. 34(3)(a)), à condition que la clé n'ait pas été "
                "compromise. L'autorité de contrôle peut néanmoins l'exiger (art. 34(4)).",
                "High risk, but the data were encrypted: no communication is required when the "
                "data "
                "are unintelligible to anyone not authorised to access them (art. 34(3)(a)), "
                "provided the key was not compromised. The supervisory authority may still require "
                "it (art. 34(4)).",
            )
        )
    deadline = Deadline.without_undue_delay(
        text(
            "Dans les meilleurs délais (art. 34(1)) ; aucun décompte en heures.",
            "Without undue delay (art. 34(1)); no hour count.",
        )
    )
    return applies(
        text(
            "Violation de données à caractère personnel susceptible d'engendrer un risque élevé "
            "pour les personnes, données non chiffrées (art. 34(1)). Les exceptions de l'art. "
            "34(3)(b) (mesures ultérieures supprimant le risque élevé) et (c) (efforts "
            "disproportionnés : communication publique à la place) ne peuvent pas être appréciées "
            "à partir des faits.",
            "Personal data breach likely to result in a high risk to individuals, data not "
            "encrypted (art. 34(1)). Exemptions art. 34(3)(b) (later measures remove the high "
            "risk) "
            "and (c) (disproportionate effort: public communication instead) cannot be judged from "
            "the facts.",
        ),
        deadline,
        provisional=case.personal_data_unknown,
    )


RULES = (
    ObligationRule(ART33, decide_art33),
    ObligationRule(ART34, decide_art34),
    ObligationRule(REGISTER, decide_register),
)
