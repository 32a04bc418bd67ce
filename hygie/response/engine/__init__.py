"""Regulatory clocks: which notification obligations an incident triggers, and their deadlines.

Pure: facts in (a mapping or YAML text), obligations out. See docs/regulatory-clocks.md.
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
from hygie.response.engine.errors import FactProblem, FactsError, ResponseEngineError
from hygie.response.engine.facts import EstablishmentProfile, Facts, IncidentFacts
from hygie.response.engine.obligations import Obligation
from hygie.response.engine.parsing import parse_facts
from hygie.response.engine.regimes.nis2 import nis2_final_report_due
from hygie.response.engine.yaml_input import MAX_FACTS_BYTES, facts_from_yaml

__all__ = [
    "MAX_FACTS_BYTES",
    "OBLIGATION_RULES",
    "US_JURISDICTIONS",
    "CareImpact",
    "Deadline",
    "DeadlineKind",
    "EstablishmentProfile",
    "EstablishmentType",
    "FactProblem",
    "Facts",
    "FactsError",
    "HIPAARole",
    "IncidentCategory",
    "IncidentFacts",
    "NIS2Class",
    "Obligation",
    "ObligationId",
    "PersonalData",
    "ResponseEngineError",
    "Risk",
    "Trigger",
    "Verification",
    "assess",
    "calendar_days_after",
    "calendar_months_after",
    "days_after_end_of_year",
    "end_of_local_day",
    "facts_from_yaml",
    "hours_after",
    "local_date",
    "nis2_final_report_due",
    "parse_facts",
]
