"""Establishment scoping, applied in one place: ``Model.objects.visible_to(user)``.

Every scoped model names the path from itself to an Establishment id in ``scope_path``. Views, API
handlers, exports and search all go through ``visible_to``; nothing filters by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from hygie.core.models.accounts import User


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: User | Any) -> ScopedQuerySet:
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.sees_all_establishments:
            return self
        path: str = self.model.scope_path
        ids = user.visible_establishment_ids()
        if path == "pk":
            return self.filter(pk__in=ids)
        queryset = self.filter(**{f"{path}__in": ids})
        # Many-valued paths (organisation → establishments) can repeat rows.
        return queryset.distinct() if "establishments" in path else queryset


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)
