"""Global search over incidents (autodiscovered): by reference or title, in the user's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.core.registries import SearchHit, SearchProvider, search_providers
from hygie.lib.ipsearch import ip_query
from hygie.response.choices import ObservableKind
from hygie.response.models import Incident, Observable
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


OBSERVABLES_KEY = "response.observables"


def search_observables(user: User, text: str) -> list[SearchHit]:
    """Incident observables (IP, domain, hash, account…) by value: an address-shaped text finds
    the IP observables equal to it or under its prefix; any other text, values holding every
    word. Linked to the incident's observables."""
    if not text or not user.can(VIEW_INCIDENTS):
        return []
    queryset = Observable.objects.visible_to(user).select_related("incident")
    query = ip_query(text)
    if query is not None:
        lookup = "value__iexact" if query.exact else "value__istartswith"
        queryset = queryset.filter(**{lookup: query.text})
    else:
        for term in text.split()[:5]:
            queryset = queryset.filter(value__icontains=term)
    kinds = dict(ObservableKind.choices)
    return [
        SearchHit(
            f"{observable.value[:120]} ({kinds.get(observable.kind, observable.kind)}) — "
            f"{observable.incident.reference}",
            reverse("response:incident_detail", args=[observable.incident_id]) + "#observables",
            str(_("Observables")),
        )
        for observable in queryset.order_by("-created_at", "-pk")[:MAX_HITS]
    ]


search_providers.register(
    OBSERVABLES_KEY, SearchProvider(OBSERVABLES_KEY, _("Observables"), search_observables)
)
