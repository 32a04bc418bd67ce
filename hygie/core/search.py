"""Global search providers of the core objects (autodiscovered like every app's search.py).

Each provider searches only ``visible_to(user)`` and only when the user's role may see that kind
of object, so a search never reveals another establishment's records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Asset, Department, Establishment, Person, User
from hygie.core.models.scoping import visible_objects
from hygie.core.registries import SearchHit, SearchProvider, search_providers
from hygie.core.roles import VIEW_DIRECTORY, VIEW_ORGANISATION

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
    ("core.assets", Asset, VIEW_DIRECTORY, ("hostname", "os_name", "network_zone"), _("Assets")),
):
    search_providers.register(
        key, SearchProvider(key, label, _provider(model, capability, fields, label))
    )
