"""Response's panels on the DPO's landing page: the breach register and the running CNIL
clocks (GDPR articles 33 and 34)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from hygie.core.choices import Role
from hygie.core.models import User
from hygie.core.registries import LandingPanel, landing_panels
from hygie.response.choices import IncidentStatus
from hygie.response.engine.choices import ObligationId
from hygie.response.models import Incident
from hygie.response.roles import VIEW_INCIDENTS
from hygie.response.services.obligations import pending_obligations
from hygie.response.services.reports import breach_incidents
from hygie.response.views.obligations import decorate

REGISTER_ROWS = 5
CNIL_OBLIGATIONS = (ObligationId.GDPR_ART33, ObligationId.GDPR_ART34)


def breach_register(user: User) -> Mapping[str, Any]:
    """The register's latest entries and how many breaches are still being handled."""
    breaches = breach_incidents(Incident.objects.visible_to(user))
    return {
        "incidents": list(breaches[:REGISTER_ROWS]),
        "total": breaches.count(),
        "open": breaches.exclude(status=IncidentStatus.CLOSED).count(),
    }


def cnil_clocks(user: User) -> Mapping[str, Any]:
    """GDPR notifications to the CNIL and to the people concerned still waiting, soonest first,
    with their countdown."""
    pending = list(
        pending_obligations(user)
        .filter(obligation_id__in=[str(value) for value in CNIL_OBLIGATIONS])
        .order_by("due_at", "pk")
    )
    return {"clocks": decorate(pending, timezone.now())}


landing_panels.register(
    "response.cnil_clocks",
    LandingPanel(
        id="response.cnil_clocks",
        title=gettext_lazy("CNIL clocks running"),
        order=150,
        roles=frozenset({Role.DPO}),
        template="response/landing/_cnil_clocks.html",
        context=cnil_clocks,
        capability=VIEW_INCIDENTS,
    ),
)
landing_panels.register(
    "response.breach_register",
    LandingPanel(
        id="response.breach_register",
        title=gettext_lazy("Breach register"),
        order=250,
        roles=frozenset({Role.DPO}),
        template="response/landing/_breach_register.html",
        context=breach_register,
        capability=VIEW_INCIDENTS,
    ),
)
