"""Django choices are built from the engine's vocabulary: same members, values, order, labels."""

from pathlib import Path

from django.db import models
from django.utils import translation

from hygie.response import choices
from hygie.response.engine import choices as vocabulary

PAIRS = [
    (getattr(choices, name), enum)
    for name, enum in [
        ("IncidentCategory", vocabulary.IncidentCategory),
        ("CareImpact", vocabulary.CareImpact),
        ("PersonalData", vocabulary.PersonalData),
        ("Risk", vocabulary.Risk),
        ("IncidentStatus", vocabulary.IncidentStatus),
        ("IncidentSource", vocabulary.IncidentSource),
        ("DataCategory", vocabulary.DataCategory),
        ("TaskStatus", vocabulary.TaskStatus),
        ("TimelineKind", vocabulary.TimelineKind),
        ("ObservableKind", vocabulary.ObservableKind),
        ("CustodyAction", vocabulary.CustodyAction),
        ("NIS2Class", vocabulary.NIS2Class),
        ("HIPAARole", vocabulary.HIPAARole),
        ("RegulatoryType", vocabulary.EstablishmentType),
        ("ObligationStatus", vocabulary.ObligationStatus),
        ("DraftKind", vocabulary.DraftKind),
        ("DraftStatus", vocabulary.DraftStatus),
        ("ExerciseStatus", vocabulary.ExerciseStatus),
        ("ExerciseEntryKind", vocabulary.ExerciseEntryKind),
    ]
]


def test_every_django_choice_mirrors_its_vocabulary():
    declared = {
        name
        for name, value in vars(choices).items()
        if isinstance(value, type) and issubclass(value, models.TextChoices)
    }
    assert declared == {django.__name__ for django, _ in PAIRS}
    for django, enum in PAIRS:
        assert [(m.name, m.value) for m in django] == [(m.name, m.value) for m in enum]


def test_labels_follow_the_active_language_and_default_to_english():
    with translation.override("fr"):
        assert str(choices.IncidentStatus.CLOSED.label) == "Clôturé"
        assert dict(choices.DataCategory.choices)["other"] == "Autres données"
    with translation.override("en"):
        assert str(choices.IncidentStatus.CLOSED.label) == "Closed"
    with translation.override(None):  # makemigrations: no language, English source labels
        assert str(choices.Risk.HIGH.label) == "High"


def test_the_type_stub_declares_the_same_members():
    """Type checkers read hygie/response/choices.pyi: it must follow the vocabulary."""
    stub = Path(choices.__file__).with_suffix(".pyi").read_text(encoding="utf-8")
    assert stub == choices.stub_text(), "regenerate it: python -m hygie.response.choices"
