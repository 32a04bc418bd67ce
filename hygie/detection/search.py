"""Global search over log events by IP address (autodiscovered): an address-shaped text
(``hygie.lib.ipsearch``: exact or prefix) finds the addresses events carry in their address
fields (host, source, client), one hit per address and establishment, linked to the events list
filtered on it. Other texts find nothing here (the events list has its own text search)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count
from django.db.models.fields.json import KeyTextTransform
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from hygie.core.registries import SearchHit, SearchProvider, search_providers
from hygie.core.services.dashboard import query_string
from hygie.detection.models import Event
from hygie.detection.prepare import IP_FIELDS
from hygie.detection.queries import ip_condition
from hygie.detection.roles import VIEW_EVENTS
from hygie.lib.ipsearch import ip_query

if TYPE_CHECKING:
    from hygie.core.models import User

MAX_HITS = 20
KEY = "detection.event_addresses"


def search_event_addresses(user: User, text: str) -> list[SearchHit]:
    if not text or not user.can(VIEW_EVENTS):
        return []
    query = ip_query(text)
    if query is None:
        return []
    counts: dict[tuple[int, str, str], int] = {}
    for name in IP_FIELDS:
        rows = (
            Event.objects.visible_to(user)
            .filter(ip_condition(query, name))
            .annotate(address=KeyTextTransform(name, "fields"))
            .order_by()
            .values("establishment", "establishment__name", "address")
            .annotate(total=Count("pk"))[: MAX_HITS * 2]
        )
        for row in rows:
            key = (row["establishment"], row["establishment__name"], str(row["address"]))
            counts[key] = counts.get(key, 0) + row["total"]
    url = reverse("detection:event_list")
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0][2], item[0][1]))
    return [
        SearchHit(
            ngettext(
                "%(address)s — %(count)s event (%(establishment)s)",
                "%(address)s — %(count)s events (%(establishment)s)",
                total,
            )
            % {"address": address, "count": total, "establishment": establishment_name},
            f"{url}?{query_string({'ip': address, 'establishment': establishment_id})}",
            str(gettext_lazy("Events by IP address")),
        )
        for (establishment_id, establishment_name, address), total in ranked[:MAX_HITS]
    ]


search_providers.register(
    KEY, SearchProvider(KEY, gettext_lazy("Events by IP address"), search_event_addresses)
)
