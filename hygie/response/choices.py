"""The response module's Django choices, built from the one vocabulary in the engine.

``hygie.response.engine.choices`` defines every value and its French and English labels as plain
data (the engines are pure); this module only turns each table into a ``TextChoices`` class for
models, forms and filters. Labels are lazy and follow the active language; with no language
active (``makemigrations``), they are English, as gettext's source strings would be.
"""

from collections.abc import Mapping
from enum import StrEnum
from typing import TypeVar

from django.db import models

from hygie.core.choices import Label, choices_from, choices_stub
from hygie.response.engine import choices as vocabulary

E = TypeVar("E", bound=StrEnum)


def django_choices(
    enum: type[E], labels: Mapping[E, Label], name: str = ""
) -> type[models.TextChoices]:
    return choices_from(enum, labels, name, module=__name__)


IncidentCategory = django_choices(vocabulary.IncidentCategory, vocabulary.INCIDENT_CATEGORY_LABELS)
CareImpact = django_choices(vocabulary.CareImpact, vocabulary.CARE_IMPACT_LABELS)
PersonalData = django_choices(vocabulary.PersonalData, vocabulary.PERSONAL_DATA_LABELS)
Risk = django_choices(vocabulary.Risk, vocabulary.RISK_LABELS)
IncidentStatus = django_choices(vocabulary.IncidentStatus, vocabulary.INCIDENT_STATUS_LABELS)
IncidentSource = django_choices(vocabulary.IncidentSource, vocabulary.INCIDENT_SOURCE_LABELS)
DataCategory = django_choices(vocabulary.DataCategory, vocabulary.DATA_CATEGORY_LABELS)
TaskStatus = django_choices(vocabulary.TaskStatus, vocabulary.TASK_STATUS_LABELS)
TimelineKind = django_choices(vocabulary.TimelineKind, vocabulary.TIMELINE_KIND_LABELS)
ObservableKind = django_choices(vocabulary.ObservableKind, vocabulary.OBSERVABLE_KIND_LABELS)
CustodyAction = django_choices(vocabulary.CustodyAction, vocabulary.CUSTODY_ACTION_LABELS)
NIS2Class = django_choices(vocabulary.NIS2Class, vocabulary.NIS2_CLASS_LABELS)
HIPAARole = django_choices(vocabulary.HIPAARole, vocabulary.HIPAA_ROLE_LABELS)
# The engine's establishment types (they decide who declares to CERT Santé).
RegulatoryType = django_choices(
    vocabulary.EstablishmentType, vocabulary.ESTABLISHMENT_TYPE_LABELS, "RegulatoryType"
)
ObligationStatus = django_choices(vocabulary.ObligationStatus, vocabulary.OBLIGATION_STATUS_LABELS)
DraftKind = django_choices(vocabulary.DraftKind, vocabulary.DRAFT_KIND_LABELS)
DraftStatus = django_choices(vocabulary.DraftStatus, vocabulary.DRAFT_STATUS_LABELS)
ExerciseStatus = django_choices(vocabulary.ExerciseStatus, vocabulary.EXERCISE_STATUS_LABELS)
ExerciseEntryKind = django_choices(
    vocabulary.ExerciseEntryKind, vocabulary.EXERCISE_ENTRY_KIND_LABELS
)


def stub_text() -> str:
    """The ``choices.pyi`` type checkers read (regenerate: ``python -m hygie.response.choices``)."""
    classes = {
        name: value
        for name, value in globals().items()
        if isinstance(value, type)
        and issubclass(value, models.TextChoices)
        and value.__module__ == __name__
    }
    return choices_stub(classes, "hygie.response.engine.choices")


if __name__ == "__main__":  # pragma: no cover - the developer's regeneration command
    from pathlib import Path

    Path(__file__).with_suffix(".pyi").write_text(stub_text(), encoding="utf-8")
