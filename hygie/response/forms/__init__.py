"""The response module's forms, one module per area; views import them from here."""

from hygie.response.forms.exercises import AfterActionForm, EntryForm, ExercisePlanForm
from hygie.response.forms.incidents import (
    AlertLinkForm,
    AssignForm,
    CommentForm,
    CustodyForm,
    EvidenceForm,
    IncidentForm,
    LocalDateTimeField,
    ObservableForm,
    TaskForm,
    TaskStatusForm,
    TimelineEntryForm,
    TransitionForm,
    WatcherForm,
    to_zone,
    wall_clock,
)
from hygie.response.forms.obligations import (
    CompleteForm,
    NotApplicableForm,
    RegulatoryProfileForm,
    complete_form,
    not_applicable_form,
)
from hygie.response.forms.playbooks import PlaybookSourceForm, PlaybookUploadForm

__all__ = [
    "AfterActionForm",
    "AlertLinkForm",
    "AssignForm",
    "CommentForm",
    "CompleteForm",
    "CustodyForm",
    "EntryForm",
    "EvidenceForm",
    "ExercisePlanForm",
    "IncidentForm",
    "LocalDateTimeField",
    "NotApplicableForm",
    "ObservableForm",
    "PlaybookSourceForm",
    "PlaybookUploadForm",
    "RegulatoryProfileForm",
    "TaskForm",
    "TaskStatusForm",
    "TimelineEntryForm",
    "TransitionForm",
    "WatcherForm",
    "complete_form",
    "not_applicable_form",
    "to_zone",
    "wall_clock",
]
