"""NIS2 (Directive (EU) 2022/2555) art. 23: reporting significant incidents.

reference/frameworks.md §4: the timeline is standard, the wording UNVERIFIED; France's
transposition law was not yet finally adopted in the sources consulted (UNVERIFIED).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from hygie.response.engine.choices import (
    CareImpact,
    NIS2Class,
    ObligationId,
    Risk,
    Trigger,
    Verification,
)
from hygie.response.engine.clocks import (
    Deadline,
    calendar_months_after,
    hours_after,
    local_date,
)
from hygie.response.engine.obligations import ObligationSpec
from hygie.response.engine.regimes.common import (
    DISRUPTIVE_CATEGORIES,
    Case,
    Decision,
    ObligationRule,
    applies,
    care_impact_text,
    category_text,
    nis2_text,
    not_applicable,
)
from hygie.response.engine.text import LocalizedText, text

EARLY_WARNING_HOURS = 24  # art. 23(4)(a)
NOTIFICATION_HOURS = 72  # art. 23(4)(b)
FINAL_REPORT_MONTHS = 1  # art. 23(4)(d)

SIGNIFICANCE = text(
    "Le caractère « important » de l'incident (art. 23(3)) est l'interprétation prudente de "
    "Hygie : tout impact sur les soins, un rançongiciel, un déni de service ou la compromission "
    "d'un dispositif médical, ou une violation de données à caractère personnel présentant un "
    "risque élevé pour les personnes.",
    "'Significant' (art. 23(3)) is Hygie's conservative interpretation: any impact "
    "on care, ransomware, denial of service or medical device compromise, or a "
    "personal data breach with a high risk to individuals.",
)
FRENCH_TRANSPOSITION = text(
    "France : la loi de transposition n'était pas définitivement adoptée dans les sources "
    "consultées (UNVERIFIED) ; jusqu'à son entrée en vigueur, un opérateur de services "
    "essentiels au titre de NIS1 notifie l'ANSSI sans délai (loi 2018-133 art. 7).",
    "France: the transposition law was not finally adopted in the sources "
    "consulted (UNVERIFIED); until it is in force, an operator of essential "
    "services under NIS1 notifies ANSSI without delay (loi 2018-133 art. 7).",
)
RECIPIENT = text(
    "Le CSIRT national ou, le cas échéant, l'autorité compétente (art. 23(1))",
    "The national CSIRT or, where applicable, the competent authority (art. 23(1))",
)
RECIPIENT_BY_COUNTRY = {"FR": LocalizedText.same("ANSSI (CERT-FR)")}


def _spec(obligation_id: ObligationId, title: LocalizedText, basis: str) -> ObligationSpec:
    return ObligationSpec(
        id=obligation_id,
        title=title,
        recipient=RECIPIENT,
        recipient_by_country=RECIPIENT_BY_COUNTRY,
        legal_basis=f"NIS2 (Directive (EU) 2022/2555) {basis}",
        verification=Verification.UNVERIFIED,
        trigger=Trigger.AWARENESS,
    )


EARLY_WARNING = _spec(
    ObligationId.NIS2_EARLY_WARNING,
    text("Alerte précoce NIS2", "NIS2 early warning"),
    "art. 23(4)(a)",
)
NOTIFICATION = _spec(
    ObligationId.NIS2_NOTIFICATION,
    text("Notification d'incident NIS2", "NIS2 incident notification"),
    "art. 23(4)(b)",
)
FINAL_REPORT = _spec(
    ObligationId.NIS2_FINAL_REPORT,
    text("Rapport final NIS2", "NIS2 final report"),
    "art. 23(4)(d), (e)",
)


def significance_grounds(case: Case) -> tuple[list[LocalizedText], bool]:
    """Why the incident counts as significant, and whether only an unknown fact makes it so."""
    incident = case.incident
    grounds: list[LocalizedText] = []
    if incident.care_impact is not CareImpact.NONE:
        impact = care_impact_text(incident.care_impact)
        grounds.append(
            text(
                f"impact sur les soins ({impact.fr}) : perturbation opérationnelle du service de "
                "soins (art. 23(3)(a))",
                f"impact on care ({impact.en}): operational disruption "
                "of the care service (art. 23(3)(a))",
            )
        )
    if incident.category in DISRUPTIVE_CATEGORIES:
        category = category_text(incident.category)
        grounds.append(
            text(
                f"{category.fr} : susceptible de causer une perturbation opérationnelle grave "
                "(art. 23(3)(a))",
                f"{category.en} is capable of causing severe operational "
                "disruption (art. 23(3)(a))",
            )
        )
    only_unknown_data = False
    if case.involves_personal_data and incident.risk_to_individuals is Risk.HIGH:
        only_unknown_data = not grounds and case.personal_data_unknown
        grounds.append(
            text(
                "violation de données à caractère personnel présentant un risque élevé pour les "
                "personnes : susceptible de causer un dommage moral considérable à des tiers "
                "(art. 23(3)(b))",
                "personal data breach with a high risk to individuals: capable of "
                "considerable non-material damage to others (art. 23(3)(b))",
            )
        )
    return grounds, only_unknown_data


def _notes(case: Case) -> tuple[LocalizedText, ...]:
    return (SIGNIFICANCE, FRENCH_TRANSPOSITION) if case.profile.country == "FR" else (SIGNIFICANCE,)


def _scope(case: Case) -> Decision | tuple[LocalizedText, bool]:
    """Either why NIS2 reporting does not apply, or the reason it does and its provisionality."""
    if case.profile.nis2 is NIS2Class.NONE:
        return not_applicable(
            text(
                "Pas une entité essentielle ou importante au sens de NIS2 (nis2 : none).",
                "Not an essential or important entity under NIS2 (nis2: none).",
            )
        )
    grounds, only_unknown_data = significance_grounds(case)
    if not grounds:
        category = category_text(case.incident.category)
        return not_applicable(
            text(
                "Pas un incident important selon la règle de Hygie : pas d'impact sur les soins, "
                f"catégorie {category.fr}, pas de risque élevé pour les personnes. Réévaluez si "
                "l'impact s'aggrave (art. 23(3)).",
                "Not a significant incident under Hygie's rule: no impact on care, category "
                f"{category.en}, no high risk to individuals. Re-assess if the "
                "impact grows (art. 23(3)).",
            ),
            notes=_notes(case),
        )
    nis2 = nis2_text(case.profile.nis2)
    reason = (
        text(
            f"Incident important dans une entité {nis2.fr} : ",
            f"Significant incident at an {nis2.en} entity: ",
        )
        + text(" ; ", "; ").join(grounds)
        + text(".", ".")
    )
    return reason, only_unknown_data


def decide_early_warning(case: Case) -> Decision:
    scope = _scope(case)
    if isinstance(scope, Decision):
        return scope
    reason, provisional = scope
    deadline = Deadline.instant(
        hours_after(case.incident.discovered_at, EARLY_WARNING_HOURS),
        "PT24H",
        text(
            "24 heures de temps écoulé après avoir pris connaissance de l'incident important "
            "(art. 23(4)(a)) ; indiquer si l'on soupçonne un acte illicite ou malveillant et si "
            "l'incident pourrait avoir un impact transfrontière.",
            "24 hours of elapsed time after becoming aware of the significant incident "
            "(art. 23(4)(a)); say whether unlawful or malicious acts are suspected and whether "
            "it could have a cross-border impact.",
        ),
    )
    return applies(reason, deadline, provisional=provisional, notes=_notes(case))


def decide_notification(case: Case) -> Decision:
    scope = _scope(case)
    if isinstance(scope, Decision):
        return scope
    reason, provisional = scope
    deadline = Deadline.instant(
        hours_after(case.incident.discovered_at, NOTIFICATION_HOURS),
        "PT72H",
        text(
            "72 heures de temps écoulé après avoir pris connaissance de l'incident important "
            "(art. 23(4)(b)) : mettre à jour l'alerte précoce, donner une évaluation initiale "
            "(gravité, impact) et, le cas échéant, les indicateurs de compromission.",
            "72 hours of elapsed time after becoming aware of the significant incident "
            "(art. 23(4)(b)): update the early warning, give an initial assessment (severity, "
            "impact) and indicators of compromise where available.",
        ),
    )
    return applies(reason, deadline, provisional=provisional, notes=_notes(case))


def nis2_final_report_due(notification_submitted_at: datetime, zone: ZoneInfo) -> date:
    """The last local date for the final report, once the notification's submission is known."""
    return calendar_months_after(local_date(notification_submitted_at, zone), FINAL_REPORT_MONTHS)


def decide_final_report(case: Case) -> Decision:
    scope = _scope(case)
    if isinstance(scope, Decision):
        return scope
    reason, provisional = scope
    # The month runs from the day the notification is actually submitted. Until then, the latest
    # possible date is one month after the notification's own deadline, on the local calendar.
    notification_due = hours_after(case.incident.discovered_at, NOTIFICATION_HOURS)
    latest = nis2_final_report_due(notification_due, case.zone)
    deadline = Deadline.relative(
        ObligationId.NIS2_NOTIFICATION,
        "P1M",
        latest,
        case.zone,
        text(
            "Au plus tard un mois après la soumission de la notification d'incident "
            "(art. 23(4)(d)) : le même quantième du mois suivant dans le fuseau horaire de "
            "l'établissement, ou le dernier jour de ce mois s'il est plus court (règl. 1182/71 "
            "art. 3(2)(c), UNVERIFIED). La date affichée suppose que la notification est "
            "soumise à sa propre échéance ; la soumettre plus tôt avance cette date : comptez "
            "un mois à partir de la soumission effective. Si l'incident est encore en cours à "
            "ce moment, envoyez un rapport d'avancement à la place, puis le rapport final dans "
            "un délai d'un mois après le traitement de l'incident (art. 23(4)(e)).",
            "Not later than one month after the incident notification is submitted "
            "(art. 23(4)(d)): the same day number of the next month in the establishment's "
            "timezone, or that month's last day when it is shorter (Reg. 1182/71 art. 3(2)(c), "
            "UNVERIFIED). The date shown assumes the notification is submitted at its own "
            "deadline; submitting it earlier brings this date forward: count one month from the "
            "actual submission. If the incident is still ongoing then, send a progress report "
            "instead and the final report within one month of handling the incident "
            "(art. 23(4)(e)).",
        ),
    )
    return applies(reason, deadline, provisional=provisional, notes=_notes(case))


RULES = (
    ObligationRule(EARLY_WARNING, decide_early_warning),
    ObligationRule(NOTIFICATION, decide_notification),
    ObligationRule(FINAL_REPORT, decide_final_report),
)
