"""The response module's demo data: the demo incident (called by ``hygie demo``, in module order,
inside the demo transaction; see ``hygie.core.services.demo``)."""

from __future__ import annotations

from hygie.core.models import Establishment, Organisation
from hygie.response.services.demo import load_demo_incident


def load_demo(organisation: Organisation, establishments: list[Establishment]) -> None:
    load_demo_incident(None, organisation, establishments)
