"""The devices module's panel on the biomedical engineer's landing page: the remediation
priorities (open vulnerabilities by clinical risk). The core's "My medical devices" panel stays
below it as the inventory view."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from hygie.core.choices import Role
from hygie.core.models import User
from hygie.core.registries import LandingPanel, landing_panels
from hygie.devices.roles import VIEW
from hygie.devices.services import stats, vulnerabilities

ROWS = 8


def remediation_priorities(user: User) -> Mapping[str, Any] | None:
    queue = vulnerabilities.remediation_queue(user)
    total = queue.count()
    if not total:
        return None
    return {
        "open": total,
        "kev": stats.kev_exposure(user)["links"],
        "rows": list(queue[:ROWS]),
    }


landing_panels.register(
    "devices.remediation_priorities",
    LandingPanel(
        id="devices.remediation_priorities",
        title=gettext_lazy("Device vulnerabilities to deal with"),
        order=250,
        roles=frozenset({Role.BIOMED, Role.RSSI}),
        template="devices/landing/_priorities.html",
        context=remediation_priorities,
        capability=VIEW,
    ),
)
