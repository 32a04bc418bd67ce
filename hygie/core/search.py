"""Global search providers of the core objects (autodiscovered like every app's search.py).

Each provider searches only ``visible_to(user)`` and only when the user's role may see that kind
of object, so a search never reveals another establishment's records. An address-shaped text
(``hygie.lib.ipsearch``: exact or prefix) finds assets and alerts by IP address.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Alert, Asset, Department, Establishment, Person, User
from hygie.core.models.scoping import visible_objects
from hygie.core.registries import SearchHit, SearchProvider, search_providers
from hygie.core.roles import VIEW_ALERTS, VIEW_DIRECTORY, VIEW_ORGANISATION
from hygie.lib.ipsearch import IpQuery, ip_query

MAX_HITS_PER_PROVIDER = 20


def _provider(
    model: type[models.Model], capability: str, fields: Sequence[str], kind: Any
) -> Callable[[User, str], list[SearchHit]]:
    def search(user: User, text: str) -> list[SearchHit]:
        if not text or not user.can(capability):
            return []
        queryset = visible_objects(model, user)
        for term in text.split()[:5]:
            condition = Q()
            for field in fields:
                condition |= Q(**{f"{field}__icontains": term})
            queryset = queryset.filter(condition)
        url_name = f"core:{model._meta.model_name}_detail"
        return [
            SearchHit(str(obj), reverse(url_name, args=[obj.pk]), str(kind))
            for obj in queryset[:MAX_HITS_PER_PROVIDER]
        ]

    return search


for key, model, capability, fields, label in (
    (
        "core.establishments",
        Establishment,
        VIEW_ORGANISATION,
        ("name", "finess_ej", "finess_eg"),
        _("Establishments"),
    ),
    ("core.departments", Department, VIEW_ORGANISATION, ("name", "code"), _("Departments")),
    (
        "core.people",
        Person,
        VIEW_DIRECTORY,
        ("first_name", "last_name", "email", "profession"),
        _("People"),
    ),
):
    search_providers.register(
        key, SearchProvider(key, label, _provider(model, capability, fields, label))
    )


_search_asset_text = _provider(
    Asset, VIEW_DIRECTORY, ("hostname", "os_name", "network_zone"), _("Assets")
)


def assets_with_ip(user: User, query: IpQuery) -> list[Asset]:
    """Assets holding an address that matches (exact or prefix), in the user's scope."""
    assets = visible_objects(Asset, user).select_related("establishment")
    # The JSON list's text holds each address in quotes: "10.45.20.10" or "10.45.…
    needle = f'"{query.text}"' if query.exact else f'"{query.sql_prefix}'
    assets = assets.filter(ip_addresses__icontains=needle)
    found = []
    for asset in assets.iterator(chunk_size=500):
        if any(query.matches(ip) for ip in asset.ip_addresses or []):
            found.append(asset)
            if len(found) >= MAX_HITS_PER_PROVIDER:
                break
    return found


def search_assets(user: User, text: str) -> list[SearchHit]:
    """By host name, system or zone; by IP address (exact or prefix) when the text is
    address-shaped."""
    if not text or not user.can(VIEW_DIRECTORY):
        return []
    query = ip_query(text)
    if query is None:
        return _search_asset_text(user, text)
    return [
        SearchHit(
            f"{asset.hostname} — {', '.join(ip for ip in asset.ip_addresses if query.matches(ip))}"
            f" ({asset.establishment.name})",
            reverse("core:asset_detail", args=[asset.pk]),
            str(_("Assets")),
        )
        for asset in assets_with_ip(user, query)
    ]


def search_alerts(user: User, text: str) -> list[SearchHit]:
    """Alerts by title, rule, host (the asset's name or address, or the entity the rule saw:
    a host, an account or a source address), in the user's scope."""
    if not text or not user.can(VIEW_ALERTS):
        return []
    alerts = Alert.objects.visible_to(user).select_related("establishment", "asset")
    query = ip_query(text)
    matched_assets: set[int] = set()
    if query is not None:
        assets = [asset.pk for asset in assets_with_ip(user, query)]
        matched_assets.update(assets)
        entity = (
            Q(details__entity=query.text)
            if query.exact
            else Q(details__entity__startswith=query.sql_prefix)
        )
        alerts = alerts.filter(entity | Q(asset__in=assets))
    else:
        for term in text.split()[:5]:
            alerts = alerts.filter(
                Q(title__icontains=term)
                | Q(rule_id__icontains=term)
                | Q(asset__hostname__icontains=term)
                | Q(details__entity__icontains=term)
            )
    hits = []
    for alert in alerts.order_by("-last_seen_at", "-pk")[: MAX_HITS_PER_PROVIDER * 2]:
        if (
            query is not None
            and alert.asset_id not in matched_assets
            and not query.matches((alert.details or {}).get("entity", ""))
        ):
            continue
        where = alert.asset.hostname if alert.asset else (alert.details or {}).get("entity", "")
        # The title as the alert list shows it (a healthcare rule's title is a msgid).
        label = f"{alert.get_title_display()} — {alert.establishment.name}"
        hits.append(
            SearchHit(
                f"{label} ({where})" if where else label,
                reverse("core:alert_detail", args=[alert.pk]),
                str(_("Alerts")),
            )
        )
    return hits[:MAX_HITS_PER_PROVIDER]


search_providers.register("core.assets", SearchProvider("core.assets", _("Assets"), search_assets))
search_providers.register("core.alerts", SearchProvider("core.alerts", _("Alerts"), search_alerts))
