"""Incidents: creation (by hand, from alerts, from a reported phishing mail), edits, the lifecycle,
tasks, the main courante, observables, comments, assignment and watchers.

Every write checks the caller's capability and establishment, runs in one transaction, and
appends to the incident's timeline what changed. Timeline entries never quote free-text fields
(they may hold patient data): they say "description changed"; the audit trail keeps the values
for those entitled to read it.

``user=None`` means the platform itself (the demo loader, a task): no capability check.
"""

from hygie.response.services.incidents.common import (
    CHOICE_FIELDS,
    CLOCK_SKEW,
    EDITABLE_FIELDS,
    FREE_TEXT_FIELDS,
    M2M_FIELDS,
    MAX_ALERTS,
    MAX_TEXT,
    OPEN_TASK_STATUSES,
    PHISHING_SOURCE_MODULE,
    REFERENCE_ATTEMPTS,
    REFERENCE_PREFIX,
    assignable_users,
    can_comment,
    incident_managers,
    incidents_for,
    open_task_count,
    status_counts,
    task_owner_candidates,
    tasks_in_phase_order,
)
from hygie.response.services.incidents.creation import (
    AlertSuggestion,
    create_from_alerts,
    create_incident,
    link_alerts,
    next_reference,
    suggest_from_alerts,
    visible_alerts,
)
from hygie.response.services.incidents.edits import (
    add_watcher,
    assign,
    available_moves,
    remove_watcher,
    transition,
    unwatch,
    update_incident,
    watch,
)
from hygie.response.services.incidents.journal import (
    add_comment,
    add_log_entry,
    add_observable,
    normalise_observable,
    remove_observable,
)
from hygie.response.services.incidents.tasks import (
    add_task,
    cancel_task,
    complete_task,
    edit_task,
    reassign_task,
    set_task_status,
)

__all__ = [
    "AlertSuggestion",
    "CHOICE_FIELDS",
    "CLOCK_SKEW",
    "EDITABLE_FIELDS",
    "FREE_TEXT_FIELDS",
    "M2M_FIELDS",
    "MAX_ALERTS",
    "MAX_TEXT",
    "OPEN_TASK_STATUSES",
    "PHISHING_SOURCE_MODULE",
    "REFERENCE_ATTEMPTS",
    "REFERENCE_PREFIX",
    "add_comment",
    "add_log_entry",
    "add_observable",
    "add_task",
    "add_watcher",
    "assign",
    "assignable_users",
    "available_moves",
    "can_comment",
    "cancel_task",
    "complete_task",
    "create_from_alerts",
    "create_incident",
    "edit_task",
    "incident_managers",
    "incidents_for",
    "link_alerts",
    "next_reference",
    "normalise_observable",
    "open_task_count",
    "reassign_task",
    "remove_observable",
    "remove_watcher",
    "set_task_status",
    "status_counts",
    "suggest_from_alerts",
    "task_owner_candidates",
    "tasks_in_phase_order",
    "transition",
    "unwatch",
    "update_incident",
    "visible_alerts",
    "watch",
]
