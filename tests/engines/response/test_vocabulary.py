"""The response vocabulary is defined once: every value has a French and an English label."""

from __future__ import annotations

from enum import StrEnum

import pytest

from hygie.response.engine import choices as vocabulary
from hygie.response.engine.drafts import DraftFacts, build_draft
from hygie.response.engine.text import LocalizedText

REGISTERS = {
    "CARE_IMPACT_STATEMENTS": vocabulary.CareImpact,
    "INCIDENT_STATUS_STATEMENTS": vocabulary.IncidentStatus,
    "RISK_STATEMENTS": vocabulary.Risk,
    "PERSONAL_DATA_STATEMENTS": vocabulary.PersonalData,
    "DATA_CATEGORY_PLAIN": vocabulary.DataCategory,
    "CATEGORY_IN_REASONS": vocabulary.IncidentCategory,
    "CARE_IMPACT_IN_REASONS": vocabulary.CareImpact,
    "RISK_IN_REASONS": vocabulary.Risk,
    "ESTABLISHMENT_TYPE_IN_REASONS": vocabulary.EstablishmentType,
    "NIS2_CLASS_IN_REASONS": vocabulary.NIS2Class,
}


# Engine-internal spellings, never shown to a user as a choice.
INTERNAL = (
    vocabulary.Verification,
    vocabulary.Trigger,
    vocabulary.DeadlineKind,
    vocabulary.ObligationId,
)


def _vocabularies() -> list[type[StrEnum]]:
    return [
        value
        for value in vars(vocabulary).values()
        if isinstance(value, type)
        and issubclass(value, StrEnum)
        and value.__module__ == vocabulary.__name__
        and value not in INTERNAL
    ]


@pytest.mark.parametrize("enum", _vocabularies(), ids=lambda enum: enum.__name__)
def test_every_value_has_both_labels(enum):
    assert set(vocabulary.LABELS) == set(_vocabularies())
    labels = vocabulary.LABELS[enum]
    assert list(labels) == list(enum)
    assert all(
        isinstance(label, LocalizedText) and label.fr and label.en for label in labels.values()
    )


@pytest.mark.parametrize("name", sorted(REGISTERS))
def test_every_register_covers_its_vocabulary(name):
    table = getattr(vocabulary, name)
    assert set(table) == set(REGISTERS[name]), name
    assert all(table.values())


def test_label_of_falls_back_to_the_value_itself():
    assert vocabulary.label_of(vocabulary.Risk, "high").get("en") == "High"
    assert vocabulary.label_of(vocabulary.Risk, "high").get("fr") == "Élevée"
    assert vocabulary.label_of(vocabulary.Risk, "bogus").get("fr") == "bogus"


def test_drafts_name_values_with_the_vocabulary_labels():
    from datetime import UTC, datetime

    at = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    facts = DraftFacts(
        reference="INC-1",
        title="t",
        category="medical_device_compromise",
        severity="High",
        care_impact="none",
        status="new",
        discovered_at=at,
        generated_at=at,
        establishment_name="CH Exemple",
        data_categories=("national_id", "other"),
    )
    for language in ("fr", "en"):
        content = build_draft(facts, "cert_sante", language).to_dict()
        values = {
            f"{g['key']}.{f['key']}": f["value"] for g in content["groups"] for f in g["fields"]
        }
        category = vocabulary.INCIDENT_CATEGORY_LABELS[
            vocabulary.IncidentCategory.MEDICAL_DEVICE_COMPROMISE
        ].get(language)
        assert values["description.nature"] == category
        assert values["description.data"] == ", ".join(
            vocabulary.DATA_CATEGORY_LABELS[vocabulary.DataCategory(value)].get(language)
            for value in ("national_id", "other")
        )
