"""Partners: the directory of who Hygie shares with, and the secret used to reach them."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from hygie.core.models import User
from hygie.core.services import crud
from hygie.intel.engine.model import TLP
from hygie.intel.models import Partner


def save_partner(partner: Partner, user: User | None, secret: str | None = None) -> Partner:
    """Validate and save; ``secret`` ("" clears it, None keeps it) is sealed, never logged."""
    with transaction.atomic():
        if secret is not None:
            partner.set_secret(secret)
        return crud.save_instance(partner, user)


def may_receive(partners: QuerySet[Partner], tlp: TLP | str) -> QuerySet[Partner]:
    """The active partners allowed to receive something marked ``tlp`` (never RED)."""
    level = TLP(tlp)
    if level is TLP.RED:
        return partners.none()
    allowed = [t.value for t in TLP if t.rank >= level.rank and t is not TLP.RED]
    return partners.filter(is_active=True, max_tlp__in=allowed)
