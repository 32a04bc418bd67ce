"""Running Hygie's TAXII server: partners' credentials (generated, shown once, only a hash kept),
access rights per collection, what a collection holds, and publishing indicators into it.

Shared by the collection pages, the API and ``hygie intel taxii``. Writes go through
``crud`` (establishment checks, validation, the audit trail)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.models import User
from hygie.core.services import crud
from hygie.intel.engine import stix
from hygie.intel.engine.model import TLP
from hygie.intel.models import (
    Indicator,
    Partner,
    PartnerCredential,
    TaxiiAccess,
    TaxiiCollection,
    TaxiiObject,
)
from hygie.intel.services import indicators, taxii_server

SECRET_BYTES = 32


@dataclass(frozen=True)
class NewCredential:
    """A credential just made: the secret exists only here, to be shown once."""

    credential: PartnerCredential
    secret: str


def generate_credential(partner: Partner, user: User | None) -> NewCredential:
    """A new user name and random secret for ``partner`` (its hash is stored)."""
    base = slugify(partner.name)[:40] or "partner"
    for _attempt in range(5):
        username = f"{base}-{secrets.token_hex(3)}"
        if not PartnerCredential.objects.filter(username=username).exists():
            break
    secret = secrets.token_urlsafe(SECRET_BYTES)
    credential = PartnerCredential(partner=partner, username=username)
    credential.set_secret(secret)
    crud.save_instance(credential, user)
    return NewCredential(credential, secret)


def revoke_credential(credential: PartnerCredential, user: User | None) -> None:
    crud.delete_instance(credential, user)


def set_access(
    collection: TaxiiCollection,
    partner: Partner,
    *,
    can_read: bool,
    can_write: bool,
    user: User | None,
) -> TaxiiAccess | None:
    """Give (or change) a partner's rights on a collection; neither right removes the row."""
    if partner.establishment_id != collection.establishment_id:
        raise ValidationError(
            _("The partner and the collection belong to different establishments.")
        )
    existing = TaxiiAccess.objects.filter(collection=collection, partner=partner).first()
    if not can_read and not can_write:
        if existing is not None:
            crud.delete_instance(existing, user)
        return None
    access = existing or TaxiiAccess(collection=collection, partner=partner)
    return crud.save_instance(access, user, can_read=can_read, can_write=can_write)


def tlp_counts(collection: TaxiiCollection) -> dict[str, int]:
    """Stored object versions by TLP level (all levels, zeros included)."""
    found = dict(
        TaxiiObject.objects.filter(collection=collection)
        .values_list("tlp")
        .annotate(count=Count("pk"))
        .values_list("tlp", "count")
    )
    return {tlp.value: int(found.get(tlp.value, 0)) for tlp in TLP}


def collection_summary(collection: TaxiiCollection) -> dict[str, Any]:
    counts = tlp_counts(collection)
    return {
        "objects": sum(counts.values()),
        "by_tlp": counts,
        "partners_reading": collection.access.filter(can_read=True).count(),
        "partners_writing": collection.access.filter(can_write=True).count(),
    }


@dataclass(frozen=True)
class Publication:
    indicators: int
    added: int
    unchanged: int
    failures: int

    def as_dict(self) -> dict[str, int]:
        return {
            "indicators": self.indicators,
            "added": self.added,
            "unchanged": self.unchanged,
            "failures": self.failures,
        }


def publish_indicators(
    collection: TaxiiCollection,
    user: User | None,
    *,
    queryset: QuerySet[Indicator] | None = None,
    max_tlp: TLP = TLP.AMBER_STRICT,
) -> Publication:
    """Publish the collection's establishment's active indicators (up to ``max_tlp``; RED is
    never published) as STIX 2.1 into the collection. Partners then read them under their own
    clearance. One audit entry."""
    if max_tlp is TLP.RED:
        max_tlp = TLP.AMBER_STRICT
    rows = queryset if queryset is not None else Indicator.objects.all()
    rows = indicators.exportable(
        rows.filter(establishment_id=collection.establishment_id), max_tlp=max_tlp, active_only=True
    )
    export = indicators.export(rows, "stix21", producer=collection.establishment.name)
    bundle = stix.loads_json(export.content, "export")
    with transaction.atomic():
        result = taxii_server.publish(collection, bundle)
        audit.record(
            "export",
            collection,
            message=f"TAXII publication: {export.count} indicator(s), {len(result.added)} new "
            f"object version(s), {result.unchanged} unchanged",
        )
    return Publication(export.count, len(result.added), result.unchanged, len(result.failures))
