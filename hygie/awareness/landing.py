"""The awareness module's panel on the trainer's landing page: the simulations running and the
latest finished ones, with their validated click and report rates and a link to the results."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from hygie.awareness.roles import VIEW
from hygie.awareness.services import results
from hygie.core.choices import Role
from hygie.core.models import User
from hygie.core.registries import LandingPanel, landing_panels

ROWS = 6


def simulations(user: User) -> Mapping[str, Any] | None:
    launched = results.launched_campaigns(user)
    latest = list(launched.values_list("pk", flat=True)[:ROWS])
    if not latest:
        return None
    rows = results.summaries(launched.filter(pk__in=latest))
    return {
        "rows": rows,
        "running": sum(1 for row in rows if row.campaign.status == "running"),
        "repeat_clickers": len(results.repeat_clickers(user)),
    }


landing_panels.register(
    "awareness.simulations",
    LandingPanel(
        id="awareness.simulations",
        title=gettext_lazy("Phishing simulations"),
        order=180,
        roles=frozenset({Role.TRAINER}),
        template="awareness/results/_landing_trainer.html",
        context=simulations,
        capability=VIEW,
    ),
)

# The staff's "My security training" panel (helper A4).
from hygie.awareness import landing_training  # noqa: E402, F401
