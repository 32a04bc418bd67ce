"""Establishment scoping, applied in one place: ``Model.objects.visible_to(user)``.

Every scoped model names the path from itself to an Establishment id in ``scope_path``. Views, API
handlers, exports and search all go through ``visible_to``; nothing filters by hand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models

if TYPE_CHECKING:
    from hygie.core.models.accounts import User

_M = TypeVar("_M", bound=models.Model)


def scope_path_of(model: type[models.Model]) -> str | None:
    """The model's path to an Establishment id (``scope_path``), None when it is not scoped."""
    path: str | None = getattr(model, "scope_path", None)
    return path


class ScopedQuerySet(models.QuerySet[_M, _M]):
    def visible_to(self, user: User | AnonymousUser | None) -> ScopedQuerySet[_M]:
        if (
            user is None
            or isinstance(user, AnonymousUser)
            or not getattr(user, "is_authenticated", False)
            or not user.is_active
        ):
            return self.none()
        if user.sees_all_establishments:
            return self
        path = scope_path_of(self.model)
        if path is None:
            raise TypeError(f"{self.model.__name__} has a ScopedManager but no scope_path")
        ids = user.visible_establishment_ids()
        if path == "pk":
            return self.filter(pk__in=ids)
        if getattr(self.model, "scope_shared_when_null", False):
            # Installation-wide rows (no establishment) beside establishment rows, e.g. public
            # advisories beside a device's own SBOM: the rows without one are everyone's.
            return self.filter(
                models.Q(**{f"{path}__in": ids}) | models.Q(**{f"{path}__isnull": True})
            )
        queryset = self.filter(**{f"{path}__in": ids})
        # Many-valued paths (organisation → establishments) can repeat rows.
        return queryset.distinct() if "establishments" in path else queryset


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def visible_objects(model: type[_M], user: User | AnonymousUser | None) -> ScopedQuerySet[_M]:
    """``model.objects.visible_to(user)`` for code holding the model class in a variable."""
    queryset = model._default_manager.all()
    if not isinstance(queryset, ScopedQuerySet):
        raise TypeError(f"{model.__name__} is not scoped: its manager is not a ScopedManager")
    return queryset.visible_to(user)


def establishment_ids_of(instance: models.Model) -> set[int]:
    """Ids of the establishment(s) an instance belongs to, following its model's ``scope_path``.

    The one place that answers "where does this object live?" for writes (``crud``) and for the
    audit trail, including models scoped through a parent (a task through its incident, a custody
    event through its evidence and incident) and many-valued paths (a playbook belongs to every
    establishment of its organisation). Cached parents are followed in memory, so an object not
    yet saved resolves too; the hops not in memory cost one query. Empty when the model is not
    scoped or the object has no parent yet.
    """
    path = scope_path_of(type(instance))
    if path is None:
        # Not scoped through the manager: a plain ``establishment`` field is still honoured.
        own = getattr(instance, "establishment_id", None)
        return {own} if own is not None else set()
    if path == "pk":
        return {instance.pk} if instance.pk is not None else set()
    current: models.Model = instance
    hops = path.split("__")
    for position, name in enumerate(hops):
        field = current._meta.get_field(name)
        rest = "__".join(hops[position + 1 :])
        if isinstance(field, models.ForeignKey):  # concrete many-to-one or one-to-one
            parent = field.get_cached_value(current, default=None)
            if parent is not None and rest:
                current = parent  # in memory, possibly not saved yet
                continue
            related_id = getattr(current, field.attname)
            if related_id is None:
                return set()
            if not rest:
                return {related_id}
            target = field.related_model._base_manager.filter(pk=related_id)
            return {pk for pk in target.values_list(rest, flat=True) if pk is not None}
        # Many-valued (reverse foreign key, many-to-many) or reverse one-to-one: from the database.
        if current.pk is None:
            return set()
        related = current._meta.model._base_manager.filter(pk=current.pk)
        return {
            pk
            for pk in related.values_list("__".join(hops[position:]), flat=True)
            if pk is not None
        }
    return set()
