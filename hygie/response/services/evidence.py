"""Incident evidence and its chain of custody.

Files are stored by the core (``add_evidence``: size limit, type checked by content, SHA-256,
stored under the digest, never the uploaded name). This module links them to the incident and
records every link of the chain: collected, downloaded, handed over, sealed, verified, returned.
"Verified" recomputes the SHA-256 of the stored bytes and records whether they still match.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.choices import SeverityChoice
from hygie.core.models import Evidence, User
from hygie.core.roles import ADD_EVIDENCE, VIEW_EVIDENCE
from hygie.core.services import crud
from hygie.core.services.alerts import raise_alert
from hygie.core.services.evidence import add_evidence, open_for_download
from hygie.response.choices import CustodyAction
from hygie.response.models import CustodyEvent, Incident, IncidentEvidence
from hygie.response.roles import MANAGE_INCIDENTS, VIEW_INCIDENTS
from hygie.response.services.timeline import add_entry

MAX_FIELD = 200
MAX_NOTE = 5000
# Actions a person records by hand (collection and download are recorded by the platform).
MANUAL_ACTIONS = (CustodyAction.TRANSFERRED, CustodyAction.SEALED, CustodyAction.RETURNED)


def _require(user: User | None, incident: Incident, capability: str) -> None:
    if user is not None:
        if not user.can(capability):
            raise PermissionDenied(_("Your role does not allow this action."))
        crud.check_establishment_allowed(user, incident.establishment_id)


def _author(user: User | None) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _clean_text(value: str, limit: int, field: str) -> str:
    value = (value or "").strip()
    if len(value) > limit or "\x00" in value:
        raise ValidationError({field: [_("This text is too long or contains invalid characters.")]})
    return value


def attach_evidence(
    user: User | None,
    incident: Incident,
    *,
    title: str,
    uploaded_file: Any = None,
    snapshot: Any = None,
    description: str = "",
    location: str = "",
    note: str = "",
) -> IncidentEvidence:
    """Store a file (or snapshot) as evidence of the incident; the uploader becomes its first
    holder and the chain of custody opens with "collected"."""
    _require(user, incident, MANAGE_INCIDENTS)
    title = _clean_text(title, 300, "title")
    if not title:
        raise ValidationError({"title": [_("Give the evidence a title.")]})
    location = _clean_text(location, 300, "location")
    note = _clean_text(note, MAX_NOTE, "note")
    author = _author(user)
    holder = (author.get_full_name() or author.get_username()) if author else _("Hygie")
    with transaction.atomic():
        evidence = add_evidence(
            incident.establishment,
            user,
            title,
            uploaded_file=uploaded_file,
            snapshot=snapshot,
            subject=incident,
            description=description,
        )
        item = IncidentEvidence.objects.create(
            incident=incident, evidence=evidence, holder=holder[:200], location=location
        )
        CustodyEvent.objects.create(
            item=item,
            action=CustodyAction.COLLECTED,
            actor=_author(user),
            at=evidence.collected_at,
            sha256_verified=evidence.sha256,
            note=note,
        )
        add_entry(
            incident,
            _("Evidence added: %(title)s (SHA-256 %(digest)s…, %(size)s).")
            % {
                "title": title,
                "digest": evidence.sha256[:16],
                "size": filesizeformat(evidence.size),
            },
            author=_author(user),
        )
    return item


def open_evidence(user: User | None, item: IncidentEvidence) -> tuple[Any, str, str]:
    """The file for download; every download is a link of the chain and an audit entry."""
    incident = item.incident
    _require(user, incident, VIEW_INCIDENTS)
    if user is not None and not user.can(VIEW_EVIDENCE):
        raise PermissionDenied(_("Your role does not allow this action."))
    with transaction.atomic():
        CustodyEvent.objects.create(
            item=item, action=CustodyAction.DOWNLOADED, actor=_author(user), at=timezone.now()
        )
        audit.record(
            "export", item.evidence, message=f"incident evidence downloaded ({incident.reference})"
        )
    return open_for_download(item.evidence)


def record_custody(
    user: User | None,
    item: IncidentEvidence,
    action: str,
    *,
    counterpart: str = "",
    location: str = "",
    note: str = "",
) -> CustodyEvent:
    """Hand-over, seal or return. A hand-over names who receives it, and makes them the holder;
    a return names who gets it back."""
    incident = item.incident
    _require(user, incident, MANAGE_INCIDENTS)
    if action not in MANUAL_ACTIONS:
        raise ValidationError({"action": [_("Choose hand-over, seal or return.")]})
    counterpart = _clean_text(counterpart, MAX_FIELD, "counterpart")
    location = _clean_text(location, 300, "location")
    note = _clean_text(note, MAX_NOTE, "note")
    if action in (CustodyAction.TRANSFERRED, CustodyAction.RETURNED) and not counterpart:
        raise ValidationError({"counterpart": [_("Say who receives the evidence.")]})
    if action == CustodyAction.SEALED and not note:
        raise ValidationError({"note": [_("Give the seal number or describe the seal.")]})
    with transaction.atomic():
        event = CustodyEvent.objects.create(
            item=item,
            action=action,
            actor=_author(user),
            at=timezone.now(),
            counterpart=counterpart,
            note=note,
        )
        fields = []
        if action in (CustodyAction.TRANSFERRED, CustodyAction.RETURNED):
            item.holder = counterpart
            fields.append("holder")
        if location:
            item.location = location
            fields.append("location")
        if fields:
            item.save(update_fields=fields)
        texts: dict[str, str] = {
            CustodyAction.TRANSFERRED: _("Evidence “%(title)s” handed over to %(who)s."),
            CustodyAction.RETURNED: _("Evidence “%(title)s” returned to %(who)s."),
            CustodyAction.SEALED: _("Evidence “%(title)s” sealed."),
        }
        text = texts[action] % {"title": item.evidence.title, "who": counterpart}
        add_entry(incident, text, author=_author(user))
    return event


@dataclass(frozen=True)
class Verification:
    event: CustodyEvent
    matches: bool
    computed: str
    expected: str


def stored_digest(evidence: Evidence) -> str:
    """SHA-256 of what is stored now (the file's bytes, or the canonical JSON snapshot)."""
    if evidence.file:
        digest = hashlib.sha256()
        with evidence.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
        return digest.hexdigest()
    canonical = json.dumps(
        evidence.snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


def verify_evidence(user: User | None, item: IncidentEvidence, note: str = "") -> Verification:
    """Recompute the SHA-256 of the stored evidence and record whether it still matches the one
    computed at collection. A mismatch (or a missing file) also raises an alert: the evidence
    may have been tampered with."""
    incident = item.incident
    _require(user, incident, MANAGE_INCIDENTS)
    note = _clean_text(note, MAX_NOTE, "note")
    evidence = item.evidence
    try:
        computed = stored_digest(evidence)
    except OSError:
        computed = ""
    matches = computed == evidence.sha256
    verdict = _("match") if matches else (_("MISMATCH") if computed else _("file missing"))
    with transaction.atomic():
        event = CustodyEvent.objects.create(
            item=item,
            action=CustodyAction.VERIFIED,
            actor=_author(user),
            at=timezone.now(),
            sha256_verified=computed,
            note=(f"{verdict}. {note}" if note else f"{verdict}.")[:MAX_NOTE],
        )
        if matches:
            add_entry(
                incident,
                _("Evidence “%(title)s” verified: SHA-256 matches.") % {"title": evidence.title},
                author=_author(user),
            )
        else:
            add_entry(
                incident,
                _(
                    "Evidence “%(title)s” FAILED verification: the stored file "
                    "no longer matches the SHA-256 recorded at collection."
                )
                % {"title": evidence.title},
                author=_author(user),
            )
            raise_alert(
                establishment=incident.establishment,
                source="response",
                rule_id="response.evidence_integrity",
                severity=SeverityChoice.HIGH,
                title=_("Evidence integrity check failed (%(reference)s)")
                % {"reference": incident.reference},
                description=_(
                    "A piece of evidence of this incident no longer matches "
                    "the SHA-256 recorded when it was collected."
                ),
                group_key=f"evidence-integrity-{item.pk}",
                details={"incident": incident.reference, "evidence_id": evidence.pk},
            )
    return Verification(event, matches, computed, evidence.sha256)


def can_add_evidence(user: User) -> bool:
    return bool(user.can(MANAGE_INCIDENTS) and user.can(ADD_EVIDENCE))
