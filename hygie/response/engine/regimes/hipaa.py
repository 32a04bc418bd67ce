"""HIPAA Breach Notification Rule (45 CFR 164.400-414) for covered entities and their business
associates. reference/frameworks.md §5.2: timelines standard, section text UNVERIFIED.
"""

from __future__ import annotations

from hygie.response.engine.choices import HIPAARole, ObligationId, Risk, Trigger, Verification
from hygie.response.engine.clocks import Deadline, calendar_days_after, days_after_end_of_year
from hygie.response.engine.clocks import local_date as local_date_of
from hygie.response.engine.obligations import ObligationSpec
from hygie.response.engine.regimes.common import (
    Case,
    Decision,
    ObligationRule,
    applies,
    not_applicable,
)
from hygie.response.engine.text import LocalizedText, text

NOTICE_DAYS = 60  # 164.404(b), 164.406(b), 164.408(b), 164.410(b); 164.408(c) after year end
LARGE_BREACH = 500  # 164.408(b): "500 or more"; (c): "less than 500"
MEDIA_THRESHOLD = 500  # 164.406(a): "more than 500 residents of a State or jurisdiction"
DISCOVERY = text(
    "Une violation est découverte le premier jour où elle est connue de l'entité couverte "
    "(covered entity) ou du sous-traitant (business associate), ou l'aurait été avec une "
    "diligence raisonnable (164.404(a)(2), 164.410(a)(2)) ; Hygie retient discovered_at comme "
    "ce jour.",
    "A breach is discovered on the first day it is known to the covered entity or "
    "business associate, or would have been known with reasonable diligence "
    "(164.404(a)(2), 164.410(a)(2)); Hygie takes discovered_at as that day.",
)
DELAY = text(
    "Une demande des autorités judiciaires ou de police peut différer la notification (164.412).",
    "A law-enforcement request may delay the notice (164.412).",
)


def _spec(
    obligation_id: ObligationId, title: LocalizedText, recipient: LocalizedText, basis: str
) -> ObligationSpec:
    return ObligationSpec(
        id=obligation_id,
        title=title,
        recipient=recipient,
        legal_basis=f"45 CFR {basis}",
        verification=Verification.UNVERIFIED,
        trigger=Trigger.DISCOVERY,
    )


INDIVIDUALS = _spec(
    ObligationId.HIPAA_INDIVIDUALS,
    text("Notification HIPAA aux personnes concernées", "HIPAA notice to affected individuals"),
    text(
        "Chaque personne dont les PHI non sécurisées ont fait l'objet de la violation "
        "(notification écrite ; notification de substitution si les coordonnées manquent, "
        "164.404(d))",
        "Each individual whose unsecured PHI was breached (written notice; "
        "substitute notice if contact details are missing, 164.404(d))",
    ),
    "164.404",
)
HHS = _spec(
    ObligationId.HIPAA_HHS,
    text("Notification HIPAA au Secretary of HHS", "HIPAA notice to the Secretary of HHS"),
    text(
        "Le Secretary of HHS (Office for Civil Rights)",
        "The Secretary of HHS (Office for Civil Rights)",
    ),
    "164.408",
)
MEDIA = _spec(
    ObligationId.HIPAA_MEDIA,
    text("Notification HIPAA aux médias", "HIPAA notice to the media"),
    text(
        "Des médias de premier plan couvrant chaque État ou juridiction listé",
        "Prominent media outlets serving each State or jurisdiction listed",
    ),
    "164.406",
)
BA_NOTICE = _spec(
    ObligationId.HIPAA_BA_NOTICE,
    text(
        "Notification HIPAA du sous-traitant (business associate) à l'entité couverte",
        "HIPAA notice from the business associate to the covered entity",
    ),
    text(
        "L'entité couverte (covered entity) pour le compte de laquelle agit le sous-traitant",
        "The covered entity for which the business associate acts",
    ),
    "164.410",
)
NOT_HIPAA = text(
    "Ni entité couverte (covered entity) ni sous-traitant (business associate) au sens de "
    "HIPAA (hipaa : none).",
    "Not a HIPAA covered entity or business associate (hipaa: none).",
)


def _breach(case: Case) -> Decision | bool:
    """Either why there is no breach of unsecured PHI, or whether it is only provisional."""
    incident = case.incident
    if not case.involves_personal_data:
        return not_applicable(
            text(
                "Aucune information de santé protégée (PHI) concernée (personal_data : false).",
                "No protected health information involved (personal_data: false).",
            )
        )
    if incident.data_encrypted:
        return not_applicable(
            text(
                "Exonération (safe harbour) : des PHI chiffrées selon les recommandations du HHS "
                "ne "
                "sont pas des « PHI non sécurisées » (164.402) ; il n'y a donc pas de violation à "
                "notifier, à condition que la clé n'ait pas été compromise.",
                "Safe harbour: PHI encrypted as HHS guidance specifies is not 'unsecured PHI' "
                "(164.402), so there is no breach to notify, provided the key was not compromised.",
            )
        )
    if incident.risk_to_individuals is Risk.NONE:
        return not_applicable(
            text(
                "L'évaluation documentée du risque en quatre facteurs montre une faible "
                "probabilité "
                "que les PHI aient été compromises (164.402(2), lu dans risk_to_individuals : "
                "none). "
                "Conservez-la : la charge de la preuve incombe à l'entité (164.414).",
                "The documented four-factor risk assessment shows a low probability that the PHI "
                "was compromised (164.402(2), read from risk_to_individuals: none). Keep it: the "
                "burden of proof is on the entity (164.414).",
            )
        )
    return case.personal_data_unknown


def _covered_entity_breach(case: Case, duty: LocalizedText) -> Decision | bool:
    role = case.profile.hipaa
    if role is HIPAARole.NONE:
        return not_applicable(NOT_HIPAA)
    if role is HIPAARole.BUSINESS_ASSOCIATE:
        return not_applicable(
            text(
                f"Un sous-traitant (business associate) ne doit pas {duty.fr} lui-même : il "
                "notifie "
                "l'entité couverte (hipaa_ba_notice, 164.410), qui s'en charge.",
                f"A business associate does not {duty.en} itself: it notifies the "
                "covered entity (hipaa_ba_notice, 164.410), which does.",
            )
        )
    return _breach(case)


def _sixty_days(case: Case, rule: LocalizedText) -> Deadline:
    due = calendar_days_after(case.incident.discovered_at, NOTICE_DAYS, case.zone)
    return Deadline.on_date(due, case.zone, "P60D", rule)


PRESUMED = text(
    "Violation de PHI non sécurisées, présumée sauf si une évaluation du risque montre une "
    "faible probabilité de compromission (164.402(2)).",
    "Breach of unsecured PHI, presumed unless a risk assessment shows a low probability "
    "of compromise (164.402(2)).",
)
SPACE = text(" ", " ")


def decide_individuals(case: Case) -> Decision:
    breach = _covered_entity_breach(case, text("notifier les personnes", "notify individuals"))
    if isinstance(breach, Decision):
        return breach
    deadline = _sixty_days(
        case,
        text(
            "Sans retard déraisonnable et au plus tard 60 jours calendaires après la découverte "
            "(164.404(b)), comptés sur le calendrier de l'établissement à partir de la date locale "
            "de découverte.",
            "Without unreasonable delay and no later than 60 calendar days "
            "after discovery (164.404(b)), counted on the establishment's "
            "calendar from the local date of discovery.",
        ),
    )
    return applies(PRESUMED, deadline, provisional=breach, notes=(DISCOVERY, DELAY))


def _affected_count(case: Case) -> tuple[int | None, int]:
    """The exact number of individuals when counted, and the least it can be."""
    incident = case.incident
    at_least = max(incident.individuals or 0, incident.residents_counted)
    return incident.individuals, at_least


def decide_hhs(case: Case) -> Decision:
    breach = _covered_entity_breach(case, text("notifier le HHS", "notify HHS"))
    if isinstance(breach, Decision):
        return breach
    exact, at_least = _affected_count(case)
    if exact is not None and exact < LARGE_BREACH:
        year = local_date_of(case.incident.discovered_at, case.zone).year
        due = days_after_end_of_year(year, NOTICE_DAYS)
        deadline = Deadline.on_date(
            due,
            case.zone,
            "P60D",
            text(
                "Moins de 500 personnes : consigner la violation et la déclarer au plus tard 60 "
                "jours "
                f"après la fin de l'année civile de la découverte ({year}), comptés à partir du "
                "31 décembre dans le fuseau horaire de l'établissement (164.408(c)).",
                "Fewer than 500 individuals: log the breach and report it no later than 60 days "
                f"after the end of the calendar year of discovery ({year}), counted from 31 "
                "December "
                "in the establishment's timezone (164.408(c)).",
            ),
        )
        return applies(
            PRESUMED
            + text(
                f" {exact} personnes, moins de 500 : déclaration annuelle.",
                f" {exact} individuals, fewer than 500: annual report.",
            ),
            deadline,
            provisional=breach,
            notes=(DISCOVERY,),
        )
    rule = text(
        "500 personnes ou plus : en même temps que la notification aux personnes, au plus tard "
        "60 jours calendaires après la découverte (164.408(b)).",
        "500 or more individuals: at the same time as the notice to individuals, no later "
        "than 60 calendar days after discovery (164.408(b)).",
    )
    if exact is None and at_least < LARGE_BREACH:
        count = text(
            "Nombre de personnes pas encore établi : Hygie suppose 500 ou plus, l'échéance la "
            "plus proche, jusqu'à ce qu'il soit connu.",
            "Number of individuals not counted yet: Hygie assumes 500 or more, the earlier "
            "deadline, until it is known.",
        )
    elif exact is not None:
        count = text(f"{exact} personnes, 500 ou plus.", f"{exact} individuals, 500 or more.")
    else:
        count = text(
            f"Au moins {at_least} personnes (residents_by_state), 500 ou plus.",
            f"At least {at_least} individuals (residents_by_state), 500 or more.",
        )
    return applies(
        PRESUMED + SPACE + count,
        _sixty_days(case, rule),
        provisional=breach,
        notes=(DISCOVERY, DELAY),
    )


def _media_states(case: Case) -> tuple[tuple[str, ...], LocalizedText | None]:
    """States above the threshold, and why others might be too when the count is incomplete."""
    incident = case.incident
    residents = incident.residents_by_state
    above = tuple(sorted(state for state, count in residents.items() if count > MEDIA_THRESHOLD))
    largest = max(residents.values(), default=0)
    if incident.individuals is None:
        return above, text(
            "le nombre de personnes n'est pas encore établi : les résidents "
            f"{'d’un autre' if above else 'd’un'} État ou juridiction peuvent dépasser 500",
            "the number of individuals is not counted yet, so residents of "
            f"{'another' if above else 'a'} State or jurisdiction may exceed 500",
        )
    unattributed = incident.individuals - incident.residents_counted
    if unattributed > 0 and (largest + unattributed > MEDIA_THRESHOLD):
        return above, text(
            f"{unattributed} personnes ne sont rattachées à aucun État ou juridiction et "
            "pourraient en faire passer un au-dessus de 500",
            f"{unattributed} individuals are not attributed to a State or "
            "jurisdiction and could bring one above 500",
        )
    return above, None


def decide_media(case: Case) -> Decision:
    breach = _covered_entity_breach(case, text("notifier les médias", "notify the media"))
    if isinstance(breach, Decision):
        return breach
    above, uncertainty = _media_states(case)
    rule = text(
        "Sans retard déraisonnable et au plus tard 60 jours calendaires après la découverte "
        "(164.406(b)).",
        "Without unreasonable delay and no later than 60 calendar days after discovery "
        "(164.406(b)).",
    )
    if above:
        states = ", ".join(above)
        notes: tuple[LocalizedText, ...] = (DISCOVERY, DELAY)
        if uncertainty:
            notes += (
                text(f"À vérifier aussi : {uncertainty.fr}.", f"Also check: {uncertainty.en}."),
            )
        return applies(
            PRESUMED
            + text(
                f" Plus de 500 résidents concernés dans : {states} (164.406(a)).",
                f" More than 500 residents affected in: {states} (164.406(a)).",
            ),
            _sixty_days(case, rule),
            provisional=breach,
            states=above,
            notes=notes,
        )
    if uncertainty:
        # Conservative: count residents per State (residents_by_state) to settle it.
        return applies(
            PRESUMED
            + text(
                " On ne peut exclure plus de 500 résidents d'un même État ou juridiction "
                "(164.406(a)).",
                " More than 500 residents of one State or jurisdiction "
                "cannot be ruled out (164.406(a)).",
            ),
            _sixty_days(case, rule),
            provisional=breach,
            uncertain=(
                text(
                    f"{uncertainty.fr} ; indiquez residents_by_state pour trancher",
                    f"{uncertainty.en}; give residents_by_state to settle it",
                ),
            ),
            notes=(DISCOVERY, DELAY),
        )
    return not_applicable(
        text(
            "Aucun État ou juridiction ne compte plus de 500 résidents concernés (164.406(a)).",
            "No State or jurisdiction has more than 500 affected residents (164.406(a)).",
        )
    )


def decide_ba_notice(case: Case) -> Decision:
    role = case.profile.hipaa
    if role is HIPAARole.NONE:
        return not_applicable(NOT_HIPAA)
    if role is HIPAARole.COVERED_ENTITY:
        return not_applicable(
            text(
                "L'établissement est l'entité couverte (covered entity) : il notifie lui-même les "
                "personnes, le HHS et les médias.",
                "The establishment is the covered entity: it notifies "
                "individuals, HHS and the media itself.",
            )
        )
    breach = _breach(case)
    if isinstance(breach, Decision):
        return breach
    deadline = _sixty_days(
        case,
        text(
            "Sans retard déraisonnable et au plus tard 60 jours calendaires après la découverte "
            "(164.410(b)) ; identifier chaque personne concernée (164.410(c)). Le contrat de "
            "sous-traitance (business associate agreement) peut fixer un délai plus court.",
            "Without unreasonable delay and no later than 60 calendar days "
            "after discovery (164.410(b)); identify each individual "
            "affected (164.410(c)). The business associate agreement may "
            "set a shorter period.",
        ),
    )
    return applies(PRESUMED, deadline, provisional=breach, notes=(DISCOVERY, DELAY))


RULES = (
    ObligationRule(INDIVIDUALS, decide_individuals),
    ObligationRule(HHS, decide_hhs),
    ObligationRule(MEDIA, decide_media),
    ObligationRule(BA_NOTICE, decide_ba_notice),
)
