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
)

NOTIFICATION_HOURS = 72  # art. 33(1)
AWARENESS = ("Hygie takes the discovery time as the moment of awareness: the earliest "
             "reading, so the clock never starts late.")

ART33 = ObligationSpec(
    id=ObligationId.GDPR_ART33,
    title="Notify the personal data breach to the supervisory authority",
    recipient="The competent supervisory authority (the lead authority for cross-border "
              "processing, art. 56)",
    recipient_by_country={"FR": "CNIL (Commission nationale de l'informatique et des libertés)"},
    legal_basis="GDPR art. 33(1); content art. 33(3); phased information art. 33(4)",
    verification=Verification.UNVERIFIED,
    trigger=Trigger.AWARENESS,
)
ART34 = ObligationSpec(
    id=ObligationId.GDPR_ART34,
    title="Communicate the personal data breach to the data subjects",
    recipient="The data subjects (patients, staff) whose data are involved",
    legal_basis="GDPR art. 34(1); exemptions art. 34(3); authority's power art. 34(4)",
    verification=Verification.UNVERIFIED,
    trigger=Trigger.AWARENESS,
)
REGISTER = ObligationSpec(
    id=ObligationId.GDPR_BREACH_REGISTER,
    title="Record the breach in the internal breach register",
    recipient="The controller's breach register, kept available to the supervisory authority",
    legal_basis="GDPR art. 33(5)",
    verification=Verification.UNVERIFIED,
    trigger=Trigger.AWARENESS,
)


def _outside_scope(case: Case) -> Decision | None:
    """The reasons shared by the three GDPR obligations for not applying at all."""
    if not case.profile.gdpr_controller:
        return not_applicable("The GDPR breach duties fall on the controller, and the "
                              "establishment is not one (gdpr_controller: false). If it "
                              "processes the data for a controller, it informs that controller "
                              "without undue delay (art. 33(2)).")
    if not case.involves_personal_data:
        return not_applicable("No personal data involved (personal_data: false): not a "
                              "personal data breach (art. 4(12)).")
    return None


def decide_register(case: Case) -> Decision:
    if (outside := _outside_scope(case)) is not None:
        return outside
    deadline = Deadline.without_undue_delay(
        "Art. 33(5) sets no period. Hygie asks for the entry without undue delay, since it "
        "records the facts behind the art. 33 decision (Hygie's interpretation).")
    return applies("Every personal data breach is documented (facts, effects, remedial action), "
                   "whatever its risk and even when it is not notified (art. 33(5)).", deadline,
                   provisional=case.personal_data_unknown)


def decide_art33(case: Case) -> Decision:
    if (outside := _outside_scope(case)) is not None:
        return outside
    risk = case.incident.risk_to_individuals
    if risk in (Risk.NONE, Risk.UNLIKELY):
        return not_applicable(f"Risk to individuals assessed as {risk.value}: a breach unlikely "
                              "to result in a risk is not notified (art. 33(1)). Record the "
                              "assessment in the breach register (art. 33(5)).")
    deadline = Deadline.instant(
        hours_after(case.incident.discovered_at, NOTIFICATION_HOURS), "PT72H",
        "72 hours of elapsed time after becoming aware of the breach (art. 33(1)). Later "
        "notifications must give the reasons for the delay; information may be given in phases "
        "(art. 33(4)).")
    notes = [AWARENESS]
    if case.incident.data_encrypted:
        notes.append("Encryption weighs in the risk assessment but is not by itself an "
                     "exemption from art. 33.")
    return applies(f"Personal data breach with a {risk.value} risk to individuals: notify "
                   "unless unlikely to result in a risk (art. 33(1)).", deadline,
                   provisional=case.personal_data_unknown, notes=tuple(notes))


def decide_art34(case: Case) -> Decision:
    if (outside := _outside_scope(case)) is not None:
        return outside
    risk = case.incident.risk_to_individuals
    if risk is not Risk.HIGH:
        return not_applicable(f"Risk to individuals assessed as {risk.value}, not high: no "
                              "communication to data subjects required (art. 34(1)).")
    if case.incident.data_encrypted:
        return not_applicable(
            "High risk, but the data were encrypted: no communication is required when the data "
            "are unintelligible to anyone not authorised to access them (art. 34(3)(a)), "
            "provided the key was not compromised. The supervisory authority may still require "
            "it (art. 34(4)).")
    deadline = Deadline.without_undue_delay("Without undue delay (art. 34(1)); no hour count.")
    return applies(
        "Personal data breach likely to result in a high risk to individuals, data not "
        "encrypted (art. 34(1)). Exemptions art. 34(3)(b) (later measures remove the high risk) "
        "and (c) (disproportionate effort: public communication instead) cannot be judged from "
        "the facts.", deadline, provisional=case.personal_data_unknown)


RULES = (
    ObligationRule(ART33, decide_art33),
    ObligationRule(ART34, decide_art34),
    ObligationRule(REGISTER, decide_register),
)
