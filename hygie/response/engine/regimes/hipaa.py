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

NOTICE_DAYS = 60  # 164.404(b), 164.406(b), 164.408(b), 164.410(b); 164.408(c) after year end
LARGE_BREACH = 500  # 164.408(b): "500 or more"; (c): "less than 500"
MEDIA_THRESHOLD = 500  # 164.406(a): "more than 500 residents of a State or jurisdiction"
DISCOVERY = ("A breach is discovered on the first day it is known to the covered entity or "
             "business associate, or would have been known with reasonable diligence "
             "(164.404(a)(2), 164.410(a)(2)); Hygie takes discovered_at as that day.")
DELAY = "A law-enforcement request may delay the notice (164.412)."


def _spec(obligation_id: ObligationId, title: str, recipient: str, basis: str) -> ObligationSpec:
    return ObligationSpec(id=obligation_id, title=title, recipient=recipient,
                          legal_basis=f"45 CFR {basis}", verification=Verification.UNVERIFIED,
                          trigger=Trigger.DISCOVERY)


INDIVIDUALS = _spec(ObligationId.HIPAA_INDIVIDUALS, "HIPAA notice to affected individuals",
                    "Each individual whose unsecured PHI was breached (written notice; "
                    "substitute notice if contact details are missing, 164.404(d))", "164.404")
HHS = _spec(ObligationId.HIPAA_HHS, "HIPAA notice to the Secretary of HHS",
            "The Secretary of HHS (Office for Civil Rights)", "164.408")
MEDIA = _spec(ObligationId.HIPAA_MEDIA, "HIPAA notice to the media",
              "Prominent media outlets serving each State or jurisdiction listed", "164.406")
BA_NOTICE = _spec(ObligationId.HIPAA_BA_NOTICE,
                  "HIPAA notice from the business associate to the covered entity",
                  "The covered entity for which the business associate acts", "164.410")


def _breach(case: Case) -> Decision | bool:
    """Either why there is no breach of unsecured PHI, or whether it is only provisional."""
    incident = case.incident
    if not case.involves_personal_data:
        return not_applicable("No protected health information involved (personal_data: false).")
    if incident.data_encrypted:
        return not_applicable(
            "Safe harbour: PHI encrypted as HHS guidance specifies is not 'unsecured PHI' "
            "(164.402), so there is no breach to notify, provided the key was not compromised.")
    if incident.risk_to_individuals is Risk.NONE:
        return not_applicable(
            "The documented four-factor risk assessment shows a low probability that the PHI "
            "was compromised (164.402(2), read from risk_to_individuals: none). Keep it: the "
            "burden of proof is on the entity (164.414).")
    return case.personal_data_unknown


def _covered_entity_breach(case: Case, duty: str) -> Decision | bool:
    role = case.profile.hipaa
    if role is HIPAARole.NONE:
        return not_applicable("Not a HIPAA covered entity or business associate (hipaa: none).")
    if role is HIPAARole.BUSINESS_ASSOCIATE:
        return not_applicable(f"A business associate does not {duty} itself: it notifies the "
                              "covered entity (hipaa_ba_notice, 164.410), which does.")
    return _breach(case)


def _sixty_days(case: Case, rule: str) -> Deadline:
    due = calendar_days_after(case.incident.discovered_at, NOTICE_DAYS, case.zone)
    return Deadline.on_date(due, case.zone, "P60D", rule)


PRESUMED = ("Breach of unsecured PHI, presumed unless a risk assessment shows a low probability "
            "of compromise (164.402(2)).")


def decide_individuals(case: Case) -> Decision:
    breach = _covered_entity_breach(case, "notify individuals")
    if isinstance(breach, Decision):
        return breach
    deadline = _sixty_days(case, "Without unreasonable delay and no later than 60 calendar days "
                                 "after discovery (164.404(b)), counted on the establishment's "
                                 "calendar from the local date of discovery.")
    return applies(PRESUMED, deadline, provisional=breach, notes=(DISCOVERY, DELAY))


def _affected_count(case: Case) -> tuple[int | None, int]:
    """The exact number of individuals when counted, and the least it can be."""
    incident = case.incident
    at_least = max(incident.individuals or 0, incident.residents_counted)
    return incident.individuals, at_least


def decide_hhs(case: Case) -> Decision:
    breach = _covered_entity_breach(case, "notify HHS")
    if isinstance(breach, Decision):
        return breach
    exact, at_least = _affected_count(case)
    if exact is not None and exact < LARGE_BREACH:
        year = local_date_of(case.incident.discovered_at, case.zone).year
        due = days_after_end_of_year(year, NOTICE_DAYS)
        deadline = Deadline.on_date(
            due, case.zone, "P60D",
            "Fewer than 500 individuals: log the breach and report it no later than 60 days "
            f"after the end of the calendar year of discovery ({year}), counted from 31 December "
            "in the establishment's timezone (164.408(c)).")
        return applies(f"{PRESUMED} {exact} individuals, fewer than 500: annual report.",
                       deadline, provisional=breach, notes=(DISCOVERY,))
    rule = ("500 or more individuals: at the same time as the notice to individuals, no later "
            "than 60 calendar days after discovery (164.408(b)).")
    if exact is None and at_least < LARGE_BREACH:
        count = ("Number of individuals not counted yet: Hygie assumes 500 or more, the earlier "
                 "deadline, until it is known.")
    else:
        count = (f"{exact} individuals, 500 or more." if exact is not None
                 else f"At least {at_least} individuals (residents_by_state), 500 or more.")
    return applies(f"{PRESUMED} {count}", _sixty_days(case, rule), provisional=breach,
                   notes=(DISCOVERY, DELAY))


def _media_states(case: Case) -> tuple[tuple[str, ...], str | None]:
    """States above the threshold, and why others might be too when the count is incomplete."""
    incident = case.incident
    residents = incident.residents_by_state
    above = tuple(sorted(state for state, count in residents.items() if count > MEDIA_THRESHOLD))
    largest = max(residents.values(), default=0)
    if incident.individuals is None:
        return above, ("the number of individuals is not counted yet, so residents of "
                       f"{'another' if above else 'a'} State or jurisdiction may exceed 500")
    unattributed = incident.individuals - incident.residents_counted
    if unattributed > 0 and (largest + unattributed > MEDIA_THRESHOLD):
        return above, (f"{unattributed} individuals are not attributed to a State or "
                       "jurisdiction and could bring one above 500")
    return above, None


def decide_media(case: Case) -> Decision:
    breach = _covered_entity_breach(case, "notify the media")
    if isinstance(breach, Decision):
        return breach
    above, uncertainty = _media_states(case)
    rule = ("Without unreasonable delay and no later than 60 calendar days after discovery "
            "(164.406(b)).")
    if above:
        notes = (DISCOVERY, DELAY, f"Also check: {uncertainty}.") if uncertainty else (
            DISCOVERY, DELAY)
        return applies(f"{PRESUMED} More than 500 residents affected in: {', '.join(above)} "
                       "(164.406(a)).", _sixty_days(case, rule), provisional=breach,
                       states=above, notes=notes)
    if uncertainty:
        # Conservative: count residents per State (residents_by_state) to settle it.
        return applies(f"{PRESUMED} More than 500 residents of one State or jurisdiction "
                       "cannot be ruled out (164.406(a)).", _sixty_days(case, rule),
                       provisional=breach,
                       uncertain=(f"{uncertainty}; give residents_by_state to settle it",),
                       notes=(DISCOVERY, DELAY))
    return not_applicable("No State or jurisdiction has more than 500 affected residents "
                          "(164.406(a)).")


def decide_ba_notice(case: Case) -> Decision:
    role = case.profile.hipaa
    if role is HIPAARole.NONE:
        return not_applicable("Not a HIPAA covered entity or business associate (hipaa: none).")
    if role is HIPAARole.COVERED_ENTITY:
        return not_applicable("The establishment is the covered entity: it notifies "
                              "individuals, HHS and the media itself.")
    breach = _breach(case)
    if isinstance(breach, Decision):
        return breach
    deadline = _sixty_days(case, "Without unreasonable delay and no later than 60 calendar days "
                                 "after discovery (164.410(b)); identify each individual "
                                 "affected (164.410(c)). The business associate agreement may "
                                 "set a shorter period.")
    return applies(PRESUMED, deadline, provisional=breach, notes=(DISCOVERY, DELAY))


RULES = (
    ObligationRule(INDIVIDUALS, decide_individuals),
    ObligationRule(HHS, decide_hhs),
    ObligationRule(MEDIA, decide_media),
    ObligationRule(BA_NOTICE, decide_ba_notice),
)
