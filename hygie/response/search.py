"""Global search over incidents (autodiscovered): by reference or title, in the user's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.core.registries import SearchHit, SearchProvider, search_providers
from hygie.response.models import Incident
from hygie.response.roles import VIEW_INCIDENTS

if TYPE_CHECKING:
    from hygie.core.models import User

MAX_HITS = 20
KEY = "response.incidents"


def search_incidents(user: User, text: str) -> list[SearchHit]:
    """Every word must match the reference or the title (descriptions may hold patient data
    and are not searched from the global box)."""
    if not text or not user.can(VIEW_INCIDENTS):
        return []
    queryset = Incident.objects.visible_to(user)
    for term in text.split()[:5]:
        queryset = queryset.filter(Q(reference__icontains=term) | Q(title__icontains=term))
    return [
        SearchHit(
            f"{incident.reference} — {incident.title}",
            reverse("response:incident_detail", args=[incident.pk]),
            str(_("Incidents")),
        )
        for incident in queryset.order_by("-discovered_at", "-pk")[:MAX_HITS]
    ]


search_providers.register(KEY, SearchProvider(KEY, _("Incidents"), search_incidents))
