"""What a draft is made from (a frozen snapshot of the incident) and what it is made of (ordered
field groups); no wording here, only shapes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hygie.response.engine.choices import DraftKind
from hygie.response.engine.errors import ResponseEngineError

LANGUAGES = ("fr", "en")


# Which regulatory obligations (engine ids) each draft serves: the draft is suggested when one
# of them applies, and a sent draft is the natural proof of that obligation.
DRAFT_OBLIGATIONS: Mapping[DraftKind, tuple[str, ...]] = {
    DraftKind.CERT_SANTE: ("cert_sante",),
    DraftKind.CNIL: ("gdpr_art33",),
    DraftKind.NIS2_EARLY_WARNING: ("nis2_early_warning",),
    DraftKind.NIS2_NOTIFICATION: ("nis2_notification",),
    DraftKind.HHS: ("hipaa_hhs",),
    DraftKind.INDIVIDUALS_LETTER: ("gdpr_art34", "hipaa_individuals"),
}


class DraftError(ResponseEngineError, ValueError):
    """An unknown kind or language, or values that do not fit the draft."""


# --- the snapshot ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObligationFact:
    """One assessed obligation, as the drafts need it."""

    id: str
    title: str
    applies: bool
    recipient: str
    due_at: datetime | None = None
    status: str = "pending"  # pending, done, not_applicable
    done_at: datetime | None = None


@dataclass(frozen=True)
class DraftFacts:
    """What Hygie knows of an incident when a draft is generated (all instants timezone-aware)."""

    reference: str
    title: str
    category: str  # IncidentCategory value
    severity: str  # display label of the severity, already in the draft's language or neutral
    care_impact: str  # CareImpact value
    status: str  # IncidentStatus value
    discovered_at: datetime
    generated_at: datetime
    establishment_name: str
    country: str = "FR"
    timezone: str = "Europe/Paris"
    finess: str = ""
    description: str = ""
    occurred_at: datetime | None = None
    contained_at: datetime | None = None
    recovered_at: datetime | None = None
    departments: tuple[str, ...] = ()
    affected_establishments: tuple[str, ...] = ()
    asset_counts: tuple[tuple[str, int], ...] = ()  # (AssetKind value, count)
    data_categories: tuple[str, ...] = ()  # DataCategory values
    individuals: int | None = None
    personal_data: str = "unknown"  # "true", "false", "unknown"
    risk: str = "unlikely"  # none, unlikely, medium, high
    data_encrypted: bool = False
    measures: tuple[str, ...] = ()  # completed actions (done tasks, decisions), in order
    root_cause: str = ""
    iocs: tuple[tuple[str, str], ...] = ()  # (kind, value) of observables marked as IoC
    residents_by_state: tuple[tuple[str, int], ...] = ()  # US State → residents (HIPAA media)
    obligations: tuple[ObligationFact, ...] = ()
    nis2_class: str = "none"
    declarant_name: str = ""
    declarant_role: str = ""
    declarant_email: str = ""
    dpo_name: str = ""
    dpo_email: str = ""
    # The establishment's stored contacts (core ContactDetails), so nobody retypes them per draft.
    dpo_phone: str = ""
    rssi_name: str = ""
    rssi_email: str = ""
    rssi_phone: str = ""
    on_call_phone: str = ""
    legal_representative_name: str = ""
    legal_representative_title: str = ""
    postal_address: str = ""

    def __post_init__(self) -> None:
        for name in (
            "discovered_at",
            "generated_at",
            "occurred_at",
            "contained_at",
            "recovered_at",
        ):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise DraftError(f"{name} must be timezone-aware")
        ZoneInfo(self.timezone)  # fail early on an unknown zone

    def residents_states(self) -> tuple[str, ...]:
        return tuple(state for state, count in self.residents_by_state if count > 500)

    def obligation(self, obligation_id: str) -> ObligationFact | None:
        return next((o for o in self.obligations if o.id == obligation_id), None)


# --- the content -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftField:
    key: str
    label: str
    value: str = ""
    help: str = ""
    required: bool = True
    multiline: bool = False

    @property
    def to_complete(self) -> bool:
        return self.required and not self.value.strip()

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "to_complete": self.to_complete,
            "help": self.help,
            "required": self.required,
            "multiline": self.multiline,
        }


@dataclass(frozen=True)
class FieldGroup:
    key: str
    title: str
    fields: tuple[DraftField, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "title": self.title, "fields": [f.to_dict() for f in self.fields]}


@dataclass(frozen=True)
class DraftContent:
    kind: DraftKind
    language: str
    title: str
    recipient: str
    legal_basis: str
    groups: tuple[FieldGroup, ...]
    notes: tuple[str, ...] = ()

    @property
    def to_complete_count(self) -> int:
        return sum(1 for g in self.groups for f in g.fields if f.to_complete)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "language": self.language,
            "title": self.title,
            "recipient": self.recipient,
            "legal_basis": self.legal_basis,
            "notes": list(self.notes),
            "groups": [g.to_dict() for g in self.groups],
        }
