"""The response module's models: incidents and their record, playbooks, obligations, drafts,
crisis exercises."""

from hygie.response.models.drafts import NotificationDraft
from hygie.response.models.exercises import Exercise, ExerciseEntry
from hygie.response.models.incidents import (
    Comment,
    CustodyEvent,
    Incident,
    IncidentEvidence,
    IncidentTransition,
    Observable,
    Task,
    TimelineEntry,
)
from hygie.response.models.obligations import IncidentObligation, RegulatoryProfile
from hygie.response.models.playbooks import AppliedPlaybook, Playbook

__all__ = [
    "AUDITED_MODELS",
    "AppliedPlaybook",
    "Comment",
    "CustodyEvent",
    "Exercise",
    "ExerciseEntry",
    "Incident",
    "IncidentEvidence",
    "IncidentObligation",
    "IncidentTransition",
    "NotificationDraft",
    "Observable",
    "Playbook",
    "RegulatoryProfile",
    "Task",
    "TimelineEntry",
]

AUDITED_MODELS = (
    Incident,
    IncidentTransition,
    Task,
    TimelineEntry,
    Observable,
    IncidentEvidence,
    CustodyEvent,
    Comment,
    Playbook,
    AppliedPlaybook,
    RegulatoryProfile,
    IncidentObligation,
    NotificationDraft,
    Exercise,
    ExerciseEntry,
)
