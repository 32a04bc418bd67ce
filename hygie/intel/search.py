"""Global search over threat intelligence (autodiscovered): an indicator by its value (defanged
forms accepted: the value is normalised as the store does), partners and feeds by name, in the
user's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.core.registries import SearchHit, SearchProvider, search_providers
from hygie.intel.engine.errors import IndicatorError
from hygie.intel.engine.model import guess_type, normalise
from hygie.intel.engine.text import refang
from hygie.intel.models import Feed, Indicator, Partner
from hygie.intel.roles import VIEW

if TYPE_CHECKING:
    from hygie.core.models import User

MAX_HITS = 20
KEY = "intel.indicators"
PARTNER_KEY = "intel.partners"


def search_indicators(user: User, text: str) -> list[SearchHit]:
    words = text.split()
    if not words or not user.can(VIEW):
        return []
    queryset = Indicator.objects.visible_to(user)
    if len(words) == 1:
        value = refang(words[0])
        kind = guess_type(value)
        exact = value
        if kind is not None:
            try:
                exact = normalise(kind, value)
            except IndicatorError:
                exact = value
        queryset = queryset.filter(Q(value=exact) | Q(value__icontains=value))
    else:
        queryset = queryset.filter(value__icontains=refang(text.strip()))
    return [
        SearchHit(
            f"{row.get_kind_display()}: {row.value}",
            reverse("intel:indicator_detail", args=[row.pk]),
            str(_("Indicators")),
        )
        for row in queryset.order_by("-is_active", "kind", "value", "pk")[:MAX_HITS]
    ]


def search_partners(user: User, text: str) -> list[SearchHit]:
    if not text.strip() or not user.can(VIEW):
        return []
    hits = [
        SearchHit(
            partner.name,
            reverse("intel:partner_detail", args=[partner.pk]),
            str(_("Partners")),
        )
        for partner in Partner.objects.visible_to(user)
        .filter(name__icontains=text.strip())
        .order_by("name", "pk")[:MAX_HITS]
    ]
    hits += [
        SearchHit(feed.name, reverse("intel:feed_detail", args=[feed.pk]), str(_("Feeds")))
        for feed in Feed.objects.visible_to(user)
        .filter(name__icontains=text.strip())
        .order_by("name", "pk")[:MAX_HITS]
    ]
    return hits


search_providers.register(KEY, SearchProvider(KEY, _("Indicators"), search_indicators))
search_providers.register(
    PARTNER_KEY, SearchProvider(PARTNER_KEY, _("Threat-intelligence partners"), search_partners)
)
