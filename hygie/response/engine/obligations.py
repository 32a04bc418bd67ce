"""An obligation as the engine reports it, and the static description each rule declares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from hygie.response.engine.choices import ObligationId, Trigger, Verification
from hygie.response.engine.clocks import Deadline, utc_text
from hygie.response.engine.text import LANGUAGES, LocalizedText


@dataclass(frozen=True)
class ObligationSpec:
    """What does not depend on the incident: who receives it, under which text, how verified."""

    id: ObligationId
    title: LocalizedText
    recipient: LocalizedText
    legal_basis: str
    verification: Verification
    trigger: Trigger
    # Some recipients are named per country (CNIL, ANSSI); others fall back to ``recipient``.
    recipient_by_country: Mapping[str, LocalizedText] = field(
        default_factory=lambda: MappingProxyType({})
    )

    def recipient_for(self, country: str) -> LocalizedText:
        return self.recipient_by_country.get(country, self.recipient)


@dataclass(frozen=True)
class ObligationText:
    """The human texts of one obligation in one language."""

    title: str
    reason: str
    recipient: str
    notes: tuple[str, ...]
    deadline_rule: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "reason": self.reason,
            "recipient": self.recipient,
            "notes": list(self.notes),
            "deadline_rule": self.deadline_rule,
        }


@dataclass(frozen=True)
class ObligationWording:
    """The human texts of one obligation in French and English (the engine has no gettext)."""

    title: LocalizedText
    reason: LocalizedText
    recipient: LocalizedText
    notes: tuple[LocalizedText, ...] = ()


@dataclass(frozen=True)
class Obligation:
    """One regulatory obligation, assessed for one incident at one establishment.

    ``applies`` is False with a ``reason`` when it does not apply; ``deadline`` is then None.
    ``provisional`` marks an obligation that applies only because a fact is still unknown.
    ``notes`` carry caveats: unverified sources and Hygie's own interpretations.
    ``title``, ``reason``, ``recipient`` and ``notes`` are the stable English wording;
    ``wording`` holds them in French and English, read with ``text(language)``.
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
    wording: ObligationWording | None = None

    def text(self, language: str | None) -> ObligationText:
        """The human texts in ``language`` ("fr" or "en"; other tags count as French unless
        they start with "en"); the English fields when no wording was given."""
        rule = self.deadline.rule_in(language) if self.deadline else ""
        if self.wording is None:
            return ObligationText(self.title, self.reason, self.recipient, self.notes, rule)
        wording = self.wording
        return ObligationText(
            wording.title.get(language),
            wording.reason.get(language),
            wording.recipient.get(language),
            tuple(note.get(language) for note in wording.notes),
            rule,
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping with stable keys; instants in UTC with a ``Z``.

        The top-level texts are English; ``texts`` gives them in every language
        (``texts.fr``, ``texts.en``), with the deadline's counting rule.
        """
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
            "texts": {language: self.text(language).to_dict() for language in LANGUAGES},
        }
