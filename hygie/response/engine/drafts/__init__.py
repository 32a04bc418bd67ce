"""Notification drafts: the content of each regulator's form, pre-filled from an incident's facts.

Pure: a frozen snapshot of what Hygie knows (``DraftFacts``) and a kind and language in, ordered
field groups out. A field Hygie cannot know is left empty and marked ``to_complete`` with a hint
saying what to write; nothing is invented. Labels exist in French and English as data (the
recipient decides the language, not the user's interface), so this module needs no gettext.

Free text typed by the team (title, description, task titles, root cause) may mention patients or
staff. It goes only into the fields of forms that ask for it (CERT Santé, CNIL, NIS2 notification,
HHS); the NIS2 early warning and the letter to individuals are built from structured facts alone.

Form structures are summarised in ``reference/frameworks.md`` and the cited texts; where a form's
exact sub-fields were not checked against the official form, the draft's notes say UNVERIFIED.
"""

from __future__ import annotations

from collections.abc import Sequence

from hygie.response.engine.choices import DraftKind
from hygie.response.engine.drafts.builder import Builder, format_instant
from hygie.response.engine.drafts.cert_sante import build_cert_sante
from hygie.response.engine.drafts.cnil import build_cnil
from hygie.response.engine.drafts.edits import apply_values, merge_edits
from hygie.response.engine.drafts.hhs import build_hhs
from hygie.response.engine.drafts.letter import build_letter
from hygie.response.engine.drafts.model import (
    DRAFT_OBLIGATIONS,
    LANGUAGES,
    DraftContent,
    DraftError,
    DraftFacts,
    DraftField,
    FieldGroup,
    ObligationFact,
)
from hygie.response.engine.drafts.nis2 import build_nis2_early_warning, build_nis2_notification

__all__ = [
    "DRAFT_OBLIGATIONS",
    "LANGUAGES",
    "DraftContent",
    "DraftError",
    "DraftFacts",
    "DraftField",
    "DraftKind",
    "FieldGroup",
    "ObligationFact",
    "apply_values",
    "build_draft",
    "format_instant",
    "merge_edits",
    "suggested_kinds",
]

_BUILDERS = {
    DraftKind.CERT_SANTE: build_cert_sante,
    DraftKind.CNIL: build_cnil,
    DraftKind.NIS2_EARLY_WARNING: build_nis2_early_warning,
    DraftKind.NIS2_NOTIFICATION: build_nis2_notification,
    DraftKind.HHS: build_hhs,
    DraftKind.INDIVIDUALS_LETTER: build_letter,
}


def build_draft(facts: DraftFacts, kind: str, language: str) -> DraftContent:
    """The draft of ``kind`` in ``language`` ("fr" or "en"), pre-filled from ``facts``."""
    try:
        draft_kind = DraftKind(kind)
    except ValueError:
        raise DraftError(
            f"unknown draft kind {kind!r}; expected one of {', '.join(k.value for k in DraftKind)}"
        ) from None
    if language not in LANGUAGES:
        raise DraftError(f"unknown language {language!r}; expected fr or en")
    return _BUILDERS[draft_kind](Builder(facts, language))


def suggested_kinds(obligations: Sequence[ObligationFact]) -> tuple[DraftKind, ...]:
    """The drafts an incident calls for: those serving an obligation that applies."""
    applying = {o.id for o in obligations if o.applies}
    return tuple(kind for kind, ids in DRAFT_OBLIGATIONS.items() if applying & set(ids))
