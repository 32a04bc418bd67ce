"""What the searchable pickers search (``hygie.core.widgets.SearchableSelect``).

``core:picker`` (``GET /pickers/<source>/?q=…``) answers at most ``LIMIT`` choices among the
objects the user may see: alerts by number or title, assets by host name, departments by name or
code. ``ScopedModelForm`` gives every choice of one of these models a picker, so a module's form
that chooses an asset or a department gets one without asking.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet

from hygie.core.models import Alert, Asset, Department
from hygie.core.roles import VIEW_ALERTS, VIEW_DIRECTORY, VIEW_ORGANISATION
from hygie.core.tables import scoped_label

LIMIT = 20
MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class PickerSource:
    model: type[Model]
    capability: str
    search_fields: tuple[str, ...]
    order_by: tuple[str, ...]
    label: Callable[[Any, Any], str]
    number_is_pk: bool = False  # "12" or "#12" finds object 12 too


def alert_label(alert: Alert, user: Any) -> str:
    """``#12 Title (establishment)``: the number a responder quotes, then the title."""
    return f"#{alert.pk} {scoped_label(alert, user)}"


SOURCES: dict[str, PickerSource] = {
    "alerts": PickerSource(
        Alert, VIEW_ALERTS, ("title",), ("-last_seen_at", "-pk"), alert_label, number_is_pk=True
    ),
    "assets": PickerSource(Asset, VIEW_DIRECTORY, ("hostname",), ("hostname", "pk"), scoped_label),
    "departments": PickerSource(
        Department, VIEW_ORGANISATION, ("name", "code"), ("name", "pk"), scoped_label
    ),
}


def search(
    source: PickerSource, user: Any, query: str, establishments: Sequence[int] = ()
) -> list[dict[str, str]]:
    """The first ``LIMIT`` visible objects matching ``query`` (all of them when it is empty),
    of ``establishments`` only when given (an incident links alerts of its own)."""
    queryset: QuerySet[Any] = source.model.objects.visible_to(user)  # type: ignore[attr-defined]
    if any(f.name == "establishment" for f in source.model._meta.fields):
        queryset = queryset.select_related("establishment")
        if establishments:
            queryset = queryset.filter(establishment__in=establishments)
    query = query.strip()[:MAX_QUERY_LENGTH]
    if query:
        condition = Q()
        for name in source.search_fields:
            condition |= Q(**{f"{name}__icontains": query})
        number = query.lstrip("#")
        if source.number_is_pk and number.isdigit() and len(number) < 19:
            condition |= Q(pk=int(number))
        queryset = queryset.filter(condition)
    return [
        {"value": str(obj.pk), "label": source.label(obj, user)}
        for obj in queryset.order_by(*source.order_by)[:LIMIT]
    ]


def source_name_for(model: type[Model]) -> str | None:
    """The picker source of a model's choices, if it has one."""
    return next((name for name, source in SOURCES.items() if source.model is model), None)
