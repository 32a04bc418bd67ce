"""An obligation as the engine reports it, and the static description each rule declares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from hygie.response.engine.choices import ObligationId, Trigger, Verification
from hygie.response.engine.clocks import Deadline, utc_text


@dataclass(frozen=True)
class ObligationSpec:
    """What does not depend on the incident: who receives it, under which text, how verified."""

    id: ObligationId
    title: str
    recipient: str
    legal_basis: str
    verification: Verification
    trigger: Trigger
    # Some recipients are named per country (CNIL, ANSSI); others fall back to ``recipient``.
    recipient_by_country: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}))

    def recipient_for(self, country: str) -> str:
        return self.recipient_by_country.get(country, self.recipient)


@dataclass(frozen=True)
class Obligation:
    """One regulatory obligation, assessed for one incident at one establishment.

    ``applies`` is False with a ``reason`` when it does not apply; ``deadline`` is then None.
    ``provisional`` marks an obligation that applies only because a fact is still unknown.
    ``notes`` carry caveats: unverified sources and Hygie's own interpretations.
    """

    id: ObligationId
    title: str
    applies: bool
    reason: str
    recipient: str
    legal_basis: str
    verification: Verification
    trigger: Trigger
    trigger_at: datetime
    deadline: Deadline | None = None
    provisional: bool = False
    states: tuple[str, ...] = ()  # hipaa_media: the States or jurisdictions concerned
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping with stable keys; instants in UTC with a ``Z``."""
        return {
            "id": self.id.value,
            "title": self.title,
            "applies": self.applies,
            "provisional": self.provisional,
            "reason": self.reason,
            "recipient": self.recipient,
            "legal_basis": self.legal_basis,
            "verification": self.verification.value,
            "trigger": self.trigger.value,
            "trigger_at": utc_text(self.trigger_at.astimezone(UTC)),
            "deadline": self.deadline.to_dict() if self.deadline else None,
            "states": list(self.states),
            "notes": list(self.notes),
        }
