"""Regulatory clocks on incidents: assessment, decisions (done / not applicable / reopen),
the cross-establishment dashboard and e-mail reminders.

The rules live in the pure engine (``hygie.response.engine``); this module maps an incident and
its establishment's regulatory profile to the engine's facts, stores one ``IncidentObligation``
row per engine obligation, and keeps the people's decisions on those rows across
re-assessments. See docs/response-obligations.md and docs/regulatory-clocks.md.
"""

from hygie.response.services.obligations.assessment import (
    CLOCK_SKEW,
    FACT_FIELDS,
    MAX_JUSTIFICATION,
    MAX_REFERENCE,
    OBLIGATION_LABELS,
    STATES_NOTE,
    SUBMISSION_NOTE,
    UNTIMED_KINDS,
    AssessmentResult,
    assess_incident,
    facts_error_to_validation,
    facts_for,
    obligation_label,
    reassess_establishment,
)
from hygie.response.services.obligations.dashboard import (
    GROUP_DAY,
    GROUP_LABELS,
    GROUP_LATER,
    GROUP_ORDER,
    GROUP_OVERDUE,
    GROUP_UNTIMED,
    GROUP_WEEK,
    group_obligations,
    group_of,
    overdue_count,
    pending_obligations,
)
from hygie.response.services.obligations.decisions import (
    complete_obligation,
    mark_not_applicable,
    reopen_obligation,
)
from hygie.response.services.obligations.profiles import (
    EU_COUNTRIES,
    KIND_TO_TYPE,
    clean_notification_emails,
    default_profile_values,
    notification_addresses,
    profiles_of,
    regulatory_profile,
    save_profile,
)
from hygie.response.services.obligations.reminders import (
    ReminderReport,
    send_due_reminders,
    stage_at,
)

__all__ = [
    "AssessmentResult",
    "CLOCK_SKEW",
    "EU_COUNTRIES",
    "FACT_FIELDS",
    "GROUP_DAY",
    "GROUP_LABELS",
    "GROUP_LATER",
    "GROUP_ORDER",
    "GROUP_OVERDUE",
    "GROUP_UNTIMED",
    "GROUP_WEEK",
    "KIND_TO_TYPE",
    "MAX_JUSTIFICATION",
    "MAX_REFERENCE",
    "OBLIGATION_LABELS",
    "ReminderReport",
    "STATES_NOTE",
    "SUBMISSION_NOTE",
    "UNTIMED_KINDS",
    "assess_incident",
    "clean_notification_emails",
    "complete_obligation",
    "default_profile_values",
    "facts_error_to_validation",
    "facts_for",
    "group_obligations",
    "group_of",
    "mark_not_applicable",
    "notification_addresses",
    "obligation_label",
    "overdue_count",
    "pending_obligations",
    "profiles_of",
    "reassess_establishment",
    "regulatory_profile",
    "reopen_obligation",
    "save_profile",
    "send_due_reminders",
    "stage_at",
]
