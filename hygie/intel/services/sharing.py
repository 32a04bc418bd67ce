"""Sharing an incident with a partner: prepare (scrub and build), approve, send or download.

The incident comes from whichever module keeps incidents, through ``hygie.core.incident_sources``
(intel never imports response). Every text goes through the privacy engine
(``engine.sharing.scrub``); the share keeps the scrubbed document and a masked record of what was
removed and why. Nothing leaves before a person holding ``intel.share`` approved it; approval,
sending and downloading are written to the audit trail, and sending and downloading to the
incident's timeline (what, when, with whom). TLP: the share's level must be one the partner may
receive, and TLP:RED never leaves (decision 0040).

Four-eyes (decision 0047): with ``HYGIE_INTEL_TWO_PERSON_APPROVAL`` on (setting or environment),
the person who prepared a share may not approve it; a second person holding ``intel.share`` must.
The pages, the API and ``hygie intel share…`` all call this module: the rule holds everywhere.
"""

from __future__ import annotations

import http.client
import json
import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core import audit
from hygie.core.incident_sources import IncidentContent, note_on_incident, read_incident
from hygie.core.models import User
from hygie.intel.engine import sharing as engine
from hygie.intel.engine.model import TLP
from hygie.intel.models import IncidentShare, Partner
from hygie.intel.models.choices import ShareFormat, ShareStatus
from hygie.intel.roles import SHARE
from hygie.intel.services import feeds, taxii_client
from hygie.intel.services.feeds import FeedError

MAX_MISP_ANSWER = 1024 * 1024
REASONS = {  # why the privacy scrub removed something (``removed[].reason``)
    "phi": gettext_lazy("Personal or health data (privacy engine)"),
    "staff_name": gettext_lazy("Name of a member of staff"),
    "not_ioc": gettext_lazy("Observable not marked as an indicator of compromise"),
    "internal": gettext_lazy("Internal identifier (account or host name)"),
    "invalid": gettext_lazy("Not a valid indicator"),
}
TWO_PERSON_SETTING = "HYGIE_INTEL_TWO_PERSON_APPROVAL"
_TRUE = frozenset({"1", "true", "yes", "on"})


def two_person_approval() -> bool:
    """Whether a share needs a second person to approve it (the setting, else the environment
    variable of the same name; off by default)."""
    configured = getattr(settings, TWO_PERSON_SETTING, None)
    if configured is not None:
        return bool(configured)
    return os.environ.get(TWO_PERSON_SETTING, "").strip().lower() in _TRUE


def may_approve(user: User, share: IncidentShare) -> bool:
    """``user`` holds ``intel.share`` and, under four-eyes, did not prepare ``share``."""
    if not user.can(SHARE):
        return False
    return not (two_person_approval() and share.prepared_by_id == user.pk)


class ShareError(FeedError):
    """Sending a share failed; the message is safe to store and show."""


def incident_data(content: IncidentContent) -> engine.IncidentData:
    return engine.IncidentData(
        reference=content.reference,
        title=content.title,
        summary=content.summary,
        category=content.category,
        occurred_at=content.occurred_at,
        discovered_at=content.discovered_at,
        observables=[
            engine.ObservableData(o.kind, o.value, o.note, o.is_ioc, o.first_seen)
            for o in content.observables
        ],
        techniques=list(content.techniques),
        timeline=[(entry.at, entry.text) for entry in content.timeline],
        staff_names=list(content.staff_names),
    )


def incident_for(user: User, ref: str) -> IncidentContent:
    """The incident ``ref`` as ``user`` may see it, or PermissionDenied (unknown or hidden)."""
    content = read_incident(user, ref)
    if content is None:
        raise PermissionDenied
    return content


def _check_partner(partner: Partner | None, tlp: TLP, establishment_id: int) -> None:
    if tlp is TLP.RED:
        raise ValidationError({"tlp": _("TLP:RED is never shared.")})
    if partner is None:
        return
    if partner.establishment_id != establishment_id:
        raise ValidationError({"partner": _("This partner belongs to another establishment.")})
    if not partner.is_active:
        raise ValidationError({"partner": _("This partner is not active.")})
    if not partner.may_receive(tlp):
        raise ValidationError(
            {
                "tlp": _("%(partner)s may receive up to %(max)s only.")
                % {"partner": partner.name, "max": partner.max_tlp_level.label}
            }
        )


def build(
    content: IncidentContent,
    fmt: str,
    tlp: TLP,
    keep_staff_names: bool = False,
    producer: str = "Hygie",
) -> tuple[dict[str, Any], list[dict[str, str]], str]:
    """The scrubbed document (STIX bundle or MISP event), what was removed (masked) and the
    scrubbed title (the share's own pages show only that: intel readers may not see PHI)."""
    scrubbed = engine.scrub(incident_data(content), engine.default_detector(), keep_staff_names)
    if fmt == ShareFormat.MISP:
        document = engine.misp_event(
            scrubbed, reference=content.reference, tlp=tlp, producer=producer
        )
    else:
        document = engine.stix_bundle(
            scrubbed, reference=content.reference, tlp=tlp, producer=producer
        )
    return document, [removal.as_dict() for removal in scrubbed.removed], scrubbed.title


def _checked_build(
    user: User,
    ref: str,
    partner: Partner | None,
    fmt: str,
    tlp: TLP | str,
    keep_staff_names: bool,
) -> tuple[IncidentContent, TLP, tuple[dict[str, Any], list[dict[str, str]], str]]:
    if not user.can(SHARE):
        raise PermissionDenied
    content = incident_for(user, ref)
    try:
        level = TLP(tlp)
    except ValueError:
        raise ValidationError({"tlp": _("Unknown TLP level.")}) from None
    _check_partner(partner, level, content.establishment_id)
    if fmt not in ShareFormat.values:
        raise ValidationError({"format": _("Unknown format.")})
    return content, level, build(content, fmt, level, keep_staff_names)


@dataclass(frozen=True)
class Preview:
    """What a share would hold, not stored: the scrubbed document, what was removed (masked)
    and the scrubbed title."""

    reference: str
    title: str
    document: dict[str, Any]
    removed: list[dict[str, str]]


def preview(
    user: User,
    ref: str,
    *,
    partner: Partner | None,
    fmt: str = ShareFormat.STIX21,
    tlp: TLP | str = TLP.AMBER,
    keep_staff_names: bool = False,
) -> Preview:
    """The share ``prepare`` would make, under the same checks, without storing anything."""
    content, _level, (document, removed, title) = _checked_build(
        user, ref, partner, fmt, tlp, keep_staff_names
    )
    return Preview(content.reference, title, document, removed)


def prepare(
    user: User,
    ref: str,
    *,
    partner: Partner | None,
    fmt: str = ShareFormat.STIX21,
    tlp: TLP | str = TLP.AMBER,
    keep_staff_names: bool = False,
) -> IncidentShare:
    """A draft share of incident ``ref``: scrubbed, built, waiting for approval."""
    content, level, (document, removed, title) = _checked_build(
        user, ref, partner, fmt, tlp, keep_staff_names
    )
    share = IncidentShare(
        establishment_id=content.establishment_id,
        incident_ref=content.ref,
        incident_title=f"{content.reference} {title}"[:300],
        partner=partner,
        format=fmt,
        tlp=level.value,
        bundle=document,
        removed=removed,
        status=ShareStatus.DRAFT,
        prepared_by=user,
    )
    share.save()  # audited (IncidentShare is in AUDITED_MODELS)
    return share


def approve(user: User, share: IncidentShare) -> IncidentShare:
    """A person approves the scrubbed content as it stands (audited with the approver). Under
    four-eyes (``two_person_approval``), not the person who prepared it."""
    if not user.can(SHARE):
        raise PermissionDenied
    if share.status != ShareStatus.DRAFT:
        raise ValidationError(_("Only a draft can be approved."))
    if not may_approve(user, share):
        raise ValidationError(
            _(
                "Two-person approval: the share must be approved by someone other than the "
                "person who prepared it."
            )
        )
    incident_for(user, share.incident_ref)  # the approver must see the incident too
    share.status = ShareStatus.APPROVED
    share.approved_by = user
    share.approved_at = timezone.now()
    share.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return share


def _note(share: IncidentShare, action: str) -> None:
    partner = share.partner.name if share.partner else ""
    fmt, level = share.get_format_display, TLP(share.tlp).label

    def write() -> str:
        values = {"format": str(fmt()), "tlp": level, "partner": partner}
        if action == "sent":
            return (
                _("Shared with %(partner)s: %(format)s, %(tlp)s, scrubbed of personal data.")
                % values
            )
        if partner:
            return (
                _("Downloaded for %(partner)s: %(format)s, %(tlp)s, scrubbed of personal data.")
                % values
            )
        return _("Downloaded: %(format)s, %(tlp)s, scrubbed of personal data.") % values

    note_on_incident(share.incident_ref, write)


def note_downloaded(share: IncidentShare) -> None:
    """The incident's timeline entry for a downloaded share (the demo's share too)."""
    _note(share, "downloaded")


def _require_approved(share: IncidentShare) -> None:
    if share.approved_at is None or share.status == ShareStatus.DRAFT:
        raise ValidationError(_("The share must be approved first."))


def send(user: User, share: IncidentShare) -> IncidentShare:
    """Push an approved share to its partner (TAXII collection or MISP instance)."""
    if not user.can(SHARE):
        raise PermissionDenied
    _require_approved(share)
    partner = share.partner
    if partner is None:
        raise ValidationError(_("This share has no partner: download it instead."))
    _check_partner(partner, TLP(share.tlp), share.establishment_id)
    try:
        if share.format == ShareFormat.MISP:
            destination = post_misp_event(partner, share.bundle)
        else:
            result = taxii_client.push(partner, share.bundle, default_tlp=TLP(share.tlp))
            if result.withheld or not result.sent:
                raise ShareError(_("The partner's TLP clearance withheld part of the share."))
            status = result.status.get("status", "")
            if result.status.get("failure_count"):
                raise ShareError(_("The partner's TAXII server refused some objects."))
            destination = f"TAXII {partner.taxii_url} {partner.taxii_collection_id} {status}"
    except FeedError as error:
        share.status = ShareStatus.FAILED
        share.error = str(error)
        share.save(update_fields=["status", "error", "updated_at"])
        raise ShareError(str(error)) from None
    with transaction.atomic():
        share.status = ShareStatus.SENT
        share.sent_at = timezone.now()
        share.destination = destination[:500]
        share.error = ""
        share.save(update_fields=["status", "sent_at", "destination", "error", "updated_at"])
        audit.record(
            "export",
            share,
            message=f"incident {share.incident_ref} shared with partner {partner.pk} "
            f"({share.format}, TLP {share.tlp}, {len(share.removed)} item(s) removed)",
        )
        _note(share, "sent")
    return share


@dataclass(frozen=True)
class Download:
    filename: str
    content: bytes
    content_type: str


def download(user: User, share: IncidentShare) -> Download:
    """The approved share as a file (audited, noted on the incident's timeline)."""
    if not user.can(SHARE):
        raise PermissionDenied
    _require_approved(share)
    reference = share.incident_title.split(" ", 1)[0] or share.incident_ref
    suffix = "misp.json" if share.format == ShareFormat.MISP else "stix.json"
    with transaction.atomic():
        if share.status != ShareStatus.SENT:
            share.status = ShareStatus.DOWNLOADED
            share.save(update_fields=["status", "updated_at"])
        audit.record(
            "export",
            share,
            message=f"incident {share.incident_ref} share downloaded "
            f"({share.format}, TLP {share.tlp})",
        )
        _note(share, "downloaded")
    body = json.dumps(share.bundle, ensure_ascii=False, indent=2).encode("utf-8")
    return Download(f"{reference}-{suffix}", body, "application/json")


def post_misp_event(partner: Partner, document: dict[str, Any]) -> str:
    """POST the event to ``<misp_url>/events`` with the partner's key, under the outbound
    policy (checked addresses, no redirects, bounded answer); the new event's id."""
    if not partner.misp_url:
        raise ShareError(_("This partner has no MISP address."))
    key = partner.get_secret()
    if not key:
        raise ShareError(_("This partner has no MISP key."))
    parts = urlsplit(partner.misp_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ShareError(_("MISP is reached over http or https only."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = feeds.checked_addresses(parts.hostname, port)
    kind = feeds._PinnedTLS if parts.scheme == "https" else feeds._Pinned
    connection = kind(parts.hostname, port, addresses, feeds.TIMEOUT)
    path = parts.path.rstrip("/") + "/events"
    body = json.dumps(document, ensure_ascii=False).encode("utf-8")
    headers = {
        "Authorization": key,
        "Accept": "application/json",
        "Content-Type": "application/json",
        "User-Agent": "Hygie",
    }
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        status = response.status
        data = response.read(MAX_MISP_ANSWER + 1)
    except (OSError, http.client.HTTPException):
        raise ShareError(_("The MISP instance could not be reached.")) from None
    finally:
        connection.close()
    if status >= 300:
        raise ShareError(_("The MISP instance answered HTTP %(status)s.") % {"status": status})
    try:
        answer = json.loads(data[:MAX_MISP_ANSWER])
        event_id = str(answer["Event"]["id"])
    except (ValueError, KeyError, TypeError):
        raise ShareError(_("The MISP instance's answer is not a MISP event.")) from None
    return f"MISP {partner.misp_url} event {event_id}"[:500]
