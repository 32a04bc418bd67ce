"""People's decisions on an obligation: done (with proof), not applicable (with a reason),
reopened."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.services.evidence import add_evidence
from hygie.response import engine
from hygie.response.choices import (
    ObligationStatus,
)
from hygie.response.models import IncidentObligation
from hygie.response.services.obligations.assessment import (
    CLOCK_SKEW,
    MAX_JUSTIFICATION,
    MAX_REFERENCE,
    UNTIMED_KINDS,
    assess_incident,
    obligation_label,
)
from hygie.response.services.timeline import add_entry

if TYPE_CHECKING:
    from hygie.core.models import User

# --- decisions -----------------------------------------------------------------------------


def obligation_zone(obligation: IncidentObligation) -> ZoneInfo:
    return ZoneInfo(obligation.incident.establishment.timezone)


def _record_decision(obligation: IncidentObligation, message: str) -> None:
    audit.record(
        "update", obligation, message=message, establishment_id=obligation.incident.establishment_id
    )


def complete_obligation(
    obligation: IncidentObligation,
    done_at: datetime | None,
    *,
    user: User | None,
    proof_reference: str | None = None,
    proof_file: Any = None,
) -> IncidentObligation:
    """Mark an obligation done: a date (not in the future) and a proof are both required.

    The proof is a reference given by the recipient (receipt, case number) or a file, stored as
    core Evidence (SHA-256, size limit, content check); both may be given.
    """
    errors: dict[str, list[str]] = {}
    reference = (proof_reference or "").strip()
    if obligation.status == ObligationStatus.DONE:
        raise ValidationError(_("This obligation is already done; reopen it first to change it."))
    if done_at is None:
        errors["done_at"] = [_("Give the date and time the obligation was met.")]
    elif timezone.is_naive(done_at):
        errors["done_at"] = [_("The date needs a time zone.")]
    elif done_at > timezone.now() + CLOCK_SKEW:
        errors["done_at"] = [_("The date cannot be in the future.")]
    elif done_at < obligation.trigger_at - timedelta(days=1):
        # A day of slack: the discovery time is often corrected afterwards.
        errors["done_at"] = [_("The date is before the incident was discovered.")]
    if not reference and proof_file is None:
        errors["proof_reference"] = [
            _(
                "Give a proof: the recipient's reference number or a "
                "file (acknowledgement, copy of the notification)."
            )
        ]
    if len(reference) > MAX_REFERENCE:
        errors["proof_reference"] = [_("At most %(max)s characters.") % {"max": MAX_REFERENCE}]
    if errors:
        raise ValidationError(errors)
    assert done_at is not None
    incident = obligation.incident
    with transaction.atomic():
        evidence = None
        if proof_file is not None:
            try:
                evidence = add_evidence(
                    incident.establishment,
                    user,
                    f"{incident.reference} — {obligation_label(obligation.obligation_id)}"[:200],
                    uploaded_file=proof_file,
                    subject=obligation,
                    description=_("Proof that a regulatory obligation was met."),
                )
            except ValidationError as error:
                raise ValidationError({"proof_file": error.messages}) from error
        obligation.status = ObligationStatus.DONE
        obligation.done_at = done_at
        obligation.proof_reference = reference
        obligation.proof_evidence = evidence
        obligation.justification = ""
        obligation.decided_by = user if getattr(user, "is_authenticated", False) else None
        obligation.save(
            update_fields=[
                "status",
                "done_at",
                "proof_reference",
                "proof_evidence",
                "justification",
                "decided_by",
            ]
        )
        zone = obligation_zone(obligation)
        is_late = bool(
            obligation.due_at
            and obligation.deadline_kind not in UNTIMED_KINDS
            and done_at > obligation.due_at
        )

        def done_text() -> str:  # written in each language, dates in the page format
            proofs = []
            if reference:
                proofs.append(_("reference %(reference)s") % {"reference": reference})
            if evidence is not None:
                proofs.append(_("file SHA-256 %(sha)s…") % {"sha": evidence.sha256[:16]})
            local = done_at.astimezone(zone)
            return _("Obligation done: %(label)s, on %(when)s%(late)s; proof: %(proof)s.") % {
                "label": obligation_label(obligation.obligation_id),
                "when": f"{formats.date_format(local, 'DATETIME_FORMAT')} {local:%Z}",
                "late": " " + _("(after the deadline)") if is_late else "",
                "proof": ", ".join(proofs),
            }

        add_entry(incident, done_text, author=user)
        _record_decision(obligation, "obligation marked done")
        if obligation.obligation_id == engine.ObligationId.NIS2_NOTIFICATION.value:
            assess_incident(incident)  # the final report now counts from this submission
    return obligation


def mark_not_applicable(
    obligation: IncidentObligation, justification: str, *, user: User | None
) -> IncidentObligation:
    """Record that the obligation does not apply here, with the reason (required)."""
    text = (justification or "").strip()
    if not text:
        raise ValidationError(
            {
                "justification": [
                    _("Explain why this obligation does not apply (the regulator may ask).")
                ]
            }
        )
    if len(text) > MAX_JUSTIFICATION:
        raise ValidationError(
            {"justification": [_("At most %(max)s characters.") % {"max": MAX_JUSTIFICATION}]}
        )
    if obligation.status == ObligationStatus.DONE:
        raise ValidationError(_("This obligation is done; reopen it first to change it."))
    with transaction.atomic():
        obligation.status = ObligationStatus.NOT_APPLICABLE
        obligation.justification = text
        obligation.done_at = None
        obligation.proof_reference = ""
        obligation.proof_evidence = None
        obligation.decided_by = user if getattr(user, "is_authenticated", False) else None
        obligation.save(
            update_fields=[
                "status",
                "justification",
                "done_at",
                "proof_reference",
                "proof_evidence",
                "decided_by",
            ]
        )
        add_entry(
            obligation.incident,
            _("Obligation set as not applicable: %(label)s. Justification: %(text)s")
            % {"label": obligation_label(obligation.obligation_id), "text": text},
            author=user,
        )
        _record_decision(obligation, "obligation marked not applicable")
    return obligation


def reopen_obligation(obligation: IncidentObligation, *, user: User | None) -> IncidentObligation:
    """Back to pending; the previous decision stays in the timeline and the audit trail."""
    if obligation.status == ObligationStatus.PENDING:
        raise ValidationError(_("This obligation is already pending."))
    was_notification_done = obligation.obligation_id == engine.ObligationId.NIS2_NOTIFICATION.value
    with transaction.atomic():
        previous = obligation.get_status_display()
        obligation.status = ObligationStatus.PENDING
        obligation.done_at = None
        obligation.proof_reference = ""
        obligation.proof_evidence = None
        obligation.justification = ""
        obligation.decided_by = user if getattr(user, "is_authenticated", False) else None
        obligation.last_reminder_at = None  # reminders start again from the current stage
        obligation.save(
            update_fields=[
                "status",
                "done_at",
                "proof_reference",
                "proof_evidence",
                "justification",
                "decided_by",
                "last_reminder_at",
            ]
        )
        add_entry(
            obligation.incident,
            _("Obligation reopened (was: %(previous)s): %(label)s.")
            % {"previous": previous, "label": obligation_label(obligation.obligation_id)},
            author=user,
        )
        _record_decision(obligation, "obligation reopened")
        if was_notification_done:
            assess_incident(obligation.incident)
    return obligation
