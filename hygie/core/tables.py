"""Table columns for the generic list views: what to show, how to sort, what to link.

A list page declares its columns as data; the generic view turns each object into cells once,
so templates stay free of per-model logic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import ForeignObjectRel
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.text import capfirst

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from hygie.core.models import User


@dataclass(frozen=True)
class Cell:
    text: str
    url: str = ""
    badge: str = ""  # CSS modifier for a coloured badge, e.g. "severity-40"
    kind: str = ""  # lets a page's table template draw a special cell (e.g. "progress")
    css: str = ""  # the column's classes (priority, main), on the cell as on its header


# How narrow a list may get before a column folds away (see "tables" in hygie.css): an
# ESSENTIAL column always shows; a SECONDARY one is hidden when the table's box is narrower than
# about 62rem (a 1280 px window); an OPTIONAL one already below about 75rem (1440 px). What a
# folded column says stays on the object's page.
ESSENTIAL, SECONDARY, OPTIONAL = 1, 2, 3


def column_classes(priority: int = ESSENTIAL, main: bool = False, breaks: bool = False) -> str:
    """The CSS classes of a column, for the generic tables and for hand-written ones alike."""
    classes = [f"col-p{priority}"] if priority != ESSENTIAL else []
    if main:
        classes.append("col-main")
    if breaks:
        classes.append("col-break")
    return " ".join(classes)


def verbose_name_of(field: models.Field[Any, Any] | ForeignObjectRel) -> str:
    """A field's ``verbose_name``; a reverse relation (which has none) says its model's plural."""
    if isinstance(field, ForeignObjectRel):
        return str(field.related_model._meta.verbose_name_plural)
    return str(field.verbose_name)


@dataclass(frozen=True)
class Column:
    """One column: ``name`` is a field path (``department__name``) or an attribute.

    ``sort`` is the ORM ordering used by ``?sort=<name>`` (False to make it unsortable);
    ``link`` links the cell to the object's detail page; ``badge`` prefixes a CSS modifier.
    ``priority`` says which columns fold away first on narrow screens (ESSENTIAL, SECONDARY,
    OPTIONAL); ``main`` marks the column that names the row (a title): it gets room and wraps;
    ``breaks`` lets long tokens without spaces (paths, addresses) break anywhere.
    ``kind="data"`` marks cells that show data as found (a log line, a log source name): not
    words to translate (``translate="no"``).
    """

    name: str
    label: StrOrPromise = ""
    sort: str | bool = True
    link: bool = False
    badge: str = ""
    kind: str = ""
    render: Callable[[Any], str] | None = None
    priority: int = ESSENTIAL
    main: bool = False
    breaks: bool = False

    @property
    def css(self) -> str:
        return column_classes(self.priority, self.main, self.breaks)

    def sort_key(self) -> str | None:
        if self.sort is False:
            return None
        return self.name if self.sort is True else str(self.sort)

    def header(self, model: type[models.Model]) -> str:
        if self.label:
            return str(self.label)
        try:
            return str(capfirst(verbose_name_of(model._meta.get_field(self.name.split("__")[0]))))
        except FieldDoesNotExist:
            return str(capfirst(self.name.replace("_", " ")))

    def cell(self, obj: models.Model, detail_url_name: str) -> Cell:
        raw = _resolve(obj, self.name)
        text = self.render(obj) if self.render else display_value(obj, self.name, raw)
        url = ""
        if self.link:
            try:
                url = reverse(detail_url_name, args=[obj.pk])
            except NoReverseMatch:
                url = ""
        badge = f"{self.badge}-{raw}" if self.badge and raw not in (None, "") else ""
        return Cell(text, url, badge, self.kind, self.css)


def _resolve(obj: Any, path: str) -> Any:
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def display_value(obj: Any, path: str, raw: Any) -> str:
    """Human text of a value: choice labels, lists, local dates, related objects."""
    head, _, last = path.rpartition("__")
    owner = _resolve(obj, head) if head else obj
    if owner is not None and hasattr(owner, f"get_{last}_display"):
        return str(getattr(owner, f"get_{last}_display")())
    if raw is None or raw == "":
        return "—"
    if isinstance(raw, bool):
        return "✓" if raw else "✗"
    if isinstance(raw, (list, tuple)):
        return ", ".join(str(item) for item in raw) or "—"
    if isinstance(raw, datetime):
        return formats.date_format(timezone.localtime(raw), "SHORT_DATETIME_FORMAT")
    if isinstance(raw, date):
        return formats.date_format(raw, "SHORT_DATE_FORMAT")
    if isinstance(raw, (float, Decimal)):
        return formats.number_format(raw)  # 77,28 on French pages, 77.28 on English ones
    return str(raw)


def scoped_label(obj: models.Model, user: User) -> str:
    """``str(obj)``, plus its establishment when the user sees several (three "Urgences")."""
    establishment_id = getattr(obj, "establishment_id", None)
    if establishment_id is None or len(user.visible_establishment_ids()) < 2:
        return str(obj)
    return f"{obj} ({getattr(obj, 'establishment', '')})"
