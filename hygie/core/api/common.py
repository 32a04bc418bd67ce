"""Small pieces every core resource uses: scope lookups, capability checks, paging and ordering."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

from hygie.core.api.schemas import ErrorOut
from hygie.core.http import AuthenticatedRequest
from hygie.core.models.scoping import visible_objects

M = TypeVar("M", bound=models.Model)

MAX_PAGE_SIZE = 500
MAX_OFFSET = 10**9  # far beyond any real table, well within what databases accept

# Documented on every operation, so clients know every failure has the same body.
ERROR_RESPONSES: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` with the total ``count``; the page size is bounded to protect the DB."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description="Page size.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Items to skip.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_PAGE_SIZE, **kwargs)


def require(request: AuthenticatedRequest, capability: str) -> None:
    if not request.user.can(capability):
        raise PermissionDenied(
            _("Your role does not allow this action (%(capability)s).") % {"capability": capability}
        )


def require_all_establishments(request: AuthenticatedRequest) -> None:
    """Organisation-level writes touch establishments a scoped user may not see."""
    if not request.user.sees_all_establishments:
        raise PermissionDenied(_("Only users with organisation-wide access may do this."))


def get_visible(model: type[M], request: AuthenticatedRequest, pk: int) -> M:
    """The object if the caller may see it; otherwise 404, whether it exists or not."""
    instance = visible_objects(model, request.user).filter(pk=pk).first()
    if instance is None:
        raise Http404
    return instance


def check_visible_reference(
    model: type[models.Model], request: AuthenticatedRequest, field: str, pk: int | None
) -> None:
    """Refuse references to objects outside the caller's scope with the 'unknown' message, so
    a payload cannot be used to probe which ids exist in another establishment."""
    if pk is not None and not visible_objects(model, request.user).filter(pk=pk).exists():
        raise ValidationError(
            {field: [_("Unknown %(model)s.") % {"model": model._meta.verbose_name}]}
        )


def apply_ordering(
    queryset: models.QuerySet, ordering: str | None, allowed: tuple[str, ...]
) -> models.QuerySet:
    """Order by one of ``allowed`` (``-`` prefix for descending); the primary key breaks ties so
    pages never overlap or skip rows."""
    if not ordering:
        return queryset.order_by(*queryset.model._meta.ordering, "pk")
    field = ordering.removeprefix("-")
    if field not in allowed:
        raise ValidationError(
            {"ordering": [_("Order by one of: %(fields)s.") % {"fields": ", ".join(allowed)}]}
        )
    return queryset.order_by(ordering, "-pk" if ordering.startswith("-") else "pk")


def ordering_description(allowed: tuple[str, ...]) -> str:
    return "Sort field, `-` prefix for descending. One of: " + ", ".join(allowed) + "."
