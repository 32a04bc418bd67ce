"""Incidents handed to the modules that share them (``hygie.core.incident_sources``).

Response registers one source: an incident read as plain data for a user who may see it, a
timeline note written back, and the incidents to which a regulatory obligation applies. It knows
nothing of who shares nor how (intel scrubs and sends; decision 0040).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.urls import reverse

from hygie.core.incident_sources import IncidentContent, SharedEntry, SharedObservable
from hygie.core.models import Establishment, User
from hygie.response.choices import TimelineKind
from hygie.response.models import Incident
from hygie.response.services.timeline import add_entry

_TECHNIQUE = re.compile(r"\b(T\d{4}(?:\.\d{3})?)\b")


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or ""


def read(user: User, ref: str) -> IncidentContent | None:
    """The incident ``ref`` (its key) as plain data, if ``user`` may see it."""
    if not ref.isdigit():
        return None
    incident = (
        Incident.objects.visible_to(user)
        .select_related("assignee", "created_by")
        .filter(pk=int(ref))
        .first()
    )
    if incident is None:
        return None
    staff = {_name(incident.assignee), _name(incident.created_by)}
    staff.update(_name(w) for w in incident.watchers.all())
    timeline = []
    for entry in incident.timeline.select_related("author").order_by("at", "pk"):
        staff.add(_name(entry.author))
        timeline.append(SharedEntry(at=entry.at, text=entry.text))
    techniques: dict[str, None] = {}
    for tags in incident.alerts.values_list("tags", flat=True):
        for tag in tags or []:
            for found in _TECHNIQUE.findall(str(tag)):
                techniques[found] = None
    return IncidentContent(
        ref=str(incident.pk),
        reference=incident.reference,
        establishment_id=incident.establishment_id,
        title=incident.title,
        summary=incident.description,
        category=incident.category,
        severity=incident.severity,
        status=incident.status,
        occurred_at=incident.occurred_at,
        discovered_at=incident.discovered_at,
        observables=[
            SharedObservable(o.kind, o.value, o.note, o.is_ioc, o.created_at)
            for o in incident.observables.order_by("pk")
        ],
        techniques=list(techniques),
        timeline=timeline,
        staff_names=sorted(name for name in staff if name),
        obligations=list(
            incident.obligations.filter(applies=True).values_list("obligation_id", flat=True)
        ),
        url=reverse("response:incident_detail", args=[incident.pk]),
    )


def note(ref: str, write: Callable[[], str]) -> None:
    """A timeline entry on incident ``ref`` (in each interface language)."""
    if not ref.isdigit():
        return
    incident = Incident.objects.filter(pk=int(ref)).first()
    if incident is not None:
        add_entry(incident, write, kind=TimelineKind.AUTO)


def requiring(establishment: Establishment, obligation: str) -> list[str]:
    """The establishment's incidents to which ``obligation`` applies."""
    return [
        str(pk)
        for pk in Incident.objects.filter(
            establishment=establishment,
            obligations__obligation_id=obligation,
            obligations__applies=True,
        )
        .values_list("pk", flat=True)
        .distinct()
    ]
