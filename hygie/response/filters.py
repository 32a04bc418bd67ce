"""Incident list filters shared by the page and the API (beyond plain field equality)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from hygie.response.choices import IncidentStatus

if TYPE_CHECKING:
    from hygie.core.models import User

STATES = ("open", "closed")
ASSIGNED = ("me", "nobody")


def by_state(queryset: models.QuerySet, state: str | None) -> models.QuerySet:
    """``open`` (every phase before closure) or ``closed``; anything else: no filter."""
    if state == "open":
        return queryset.exclude(status=IncidentStatus.CLOSED)
    if state == "closed":
        return queryset.filter(status=IncidentStatus.CLOSED)
    return queryset


def by_assignee(
    queryset: models.QuerySet, assigned: str | int | None, user: User | None
) -> models.QuerySet:
    """``me``, ``nobody``, or a user id."""
    if assigned in (None, ""):
        return queryset
    if assigned == "me":
        return queryset.filter(assignee=user)
    if assigned == "nobody":
        return queryset.filter(assignee__isnull=True)
    if isinstance(assigned, int) or (
        isinstance(assigned, str) and assigned.isdigit() and len(assigned) < 19
    ):
        return queryset.filter(assignee_id=int(assigned))
    return queryset


def by_text(queryset: models.QuerySet, text: str | None) -> models.QuerySet:
    """Every word must appear in the reference, the title or the description."""
    for term in (text or "").split()[:10]:
        queryset = queryset.filter(
            models.Q(reference__icontains=term)
            | models.Q(title__icontains=term)
            | models.Q(description__icontains=term)
        )
    return queryset
