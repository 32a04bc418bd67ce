"""The rules engine: which obligations apply to an incident, why, and by when."""

from __future__ import annotations

from datetime import UTC

from hygie.lib.registry import Registry
from hygie.response.engine.choices import ObligationId
from hygie.response.engine.facts import EstablishmentProfile, IncidentFacts
from hygie.response.engine.obligations import Obligation, ObligationWording
from hygie.response.engine.regimes import cert_sante, gdpr, hipaa, nis2
from hygie.response.engine.regimes.common import Case, ObligationRule


def _build_rules() -> Registry[ObligationRule]:
    # The registry rejects two rules claiming one id; freezing it keeps the set fixed at run time.
    rules: Registry[ObligationRule] = Registry("response.obligation_rules")
    for rule in (*cert_sante.RULES, *gdpr.RULES, *nis2.RULES, *hipaa.RULES):
        rules.register(rule.spec.id.value, rule)
    rules.freeze()
    return rules


OBLIGATION_RULES = _build_rules()


def assess(profile: EstablishmentProfile, incident: IncidentFacts) -> list[Obligation]:
    """Every known obligation, in ``ObligationId`` order, each applying or not with its reason.

    Not-applicable obligations are returned too: "why not" is what a crisis cell double-checks.
    """
    case = Case(profile, incident, profile.zone)
    trigger_at = incident.discovered_at.astimezone(UTC)
    obligations = []
    for obligation_id in ObligationId:
        rule = OBLIGATION_RULES.get(obligation_id.value)
        decision = rule.decide(case)
        spec = rule.spec
        wording = ObligationWording(
            title=spec.title,
            reason=decision.reason,
            recipient=spec.recipient_for(profile.country),
            notes=decision.notes,
        )
        obligations.append(
            Obligation(
                id=spec.id,
                title=wording.title.en,
                applies=decision.applies,
                reason=wording.reason.en,
                recipient=wording.recipient.en,
                legal_basis=spec.legal_basis,
                verification=spec.verification,
                trigger=spec.trigger,
                trigger_at=trigger_at,
                deadline=decision.deadline if decision.applies else None,
                provisional=decision.provisional,
                states=decision.states,
                notes=tuple(note.en for note in wording.notes),
                wording=wording,
            )
        )
    return obligations
