"""The response engines, pure: regulatory clocks (which notification obligations an incident
triggers, and their deadlines; docs/regulatory-clocks.md), the incident lifecycle, observables,
the playbook and exercise-scenario formats, and notification drafts.

Each area lives in its own module; this is the curated public API.
"""

from hygie.response.engine.assessment import OBLIGATION_RULES, assess
from hygie.response.engine.choices import (
    US_JURISDICTIONS,
    CareImpact,
    DeadlineKind,
    EstablishmentType,
    HIPAARole,
    IncidentCategory,
    NIS2Class,
    ObligationId,
    PersonalData,
    Risk,
    Trigger,
    Verification,
)
from hygie.response.engine.clocks import (
    Deadline,
    calendar_days_after,
    calendar_months_after,
    days_after_end_of_year,
    end_of_local_day,
    hours_after,
    local_date,
)
from hygie.response.engine.drafts import DraftContent, DraftError, DraftFacts, build_draft
from hygie.response.engine.errors import FactProblem, FactsError, ResponseEngineError
from hygie.response.engine.facts import EstablishmentProfile, Facts, IncidentFacts
from hygie.response.engine.lifecycle import TransitionError, allowed_targets, check_move
from hygie.response.engine.obligations import Obligation, ObligationText
from hygie.response.engine.observables import ObservableError
from hygie.response.engine.observables import normalise as normalise_observable
from hygie.response.engine.parsing import parse_facts
from hygie.response.engine.playbooks import Playbook, PlaybookError, parse_playbook
from hygie.response.engine.regimes.nis2 import nis2_final_report_due
from hygie.response.engine.scenarios import (
    Scenario,
    ScenarioError,
    due_injects,
    next_inject,
    parse_scenario,
)
from hygie.response.engine.text import LANGUAGES, LocalizedText
from hygie.response.engine.yaml_input import MAX_FACTS_BYTES, facts_from_yaml

__all__ = [
    "LANGUAGES",
    "MAX_FACTS_BYTES",
    "OBLIGATION_RULES",
    "US_JURISDICTIONS",
    "CareImpact",
    "Deadline",
    "DeadlineKind",
    "DraftContent",
    "DraftError",
    "DraftFacts",
    "EstablishmentProfile",
    "EstablishmentType",
    "FactProblem",
    "Facts",
    "FactsError",
    "HIPAARole",
    "IncidentCategory",
    "IncidentFacts",
    "LocalizedText",
    "NIS2Class",
    "Obligation",
    "ObligationId",
    "ObligationText",
    "ObservableError",
    "PersonalData",
    "Playbook",
    "PlaybookError",
    "ResponseEngineError",
    "Risk",
    "Scenario",
    "ScenarioError",
    "TransitionError",
    "Trigger",
    "Verification",
    "allowed_targets",
    "assess",
    "build_draft",
    "calendar_days_after",
    "calendar_months_after",
    "check_move",
    "days_after_end_of_year",
    "due_injects",
    "end_of_local_day",
    "facts_from_yaml",
    "hours_after",
    "local_date",
    "next_inject",
    "nis2_final_report_due",
    "normalise_observable",
    "parse_facts",
    "parse_playbook",
    "parse_scenario",
]
