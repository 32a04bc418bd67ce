"""The form widgets shared by every module (one way to render a date, a moment or a time).

Browsers' ``<input type="date|datetime-local|time">`` accept only ISO values; Django's default
widgets render the active language's format (``06/03/2027`` in French), which the browser shows
as an empty field. These widgets always render ISO, whatever the language; the fields still
accept the localised formats typed by hand (Django adds the ISO input formats to every locale).

``SearchableSelect`` and ``SearchableSelectMultiple`` are the pickers for objects too many to
scroll through (alerts, assets, departments): a select, searched on the server when scripts run.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

ISO_DATE = "%Y-%m-%d"
ISO_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
ISO_TIME = "%H:%M"


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATE)


class IsoDateTimeInput(forms.DateTimeInput):
    """A wall-clock moment without a zone (``datetime-local``), to the minute."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_DATETIME_LOCAL)


class IsoTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=ISO_TIME)


class _Searchable:
    """A select that ``hygie/js/picker.js`` turns into a searchable combobox.

    Without JavaScript it is the plain select it renders; with it, the user types part of a
    name (or an alert's number) and picks among what ``core:picker`` answers for ``source``
    (one of ``hygie.core.views.pickers.SOURCES``). The chosen values stay in the select, so the
    form posts exactly what it would without the script.
    """

    def __init__(self, source: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)  # type: ignore[call-arg]
        self.source = source
        self.establishments: list[int] = []  # narrows the search (an incident's own alerts)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        attrs.update(
            {
                "data-picker": reverse("core:picker", args=[self.source])
                + (
                    f"?{urlencode({'establishment': self.establishments}, doseq=True)}"
                    if self.establishments
                    else ""
                ),
                "data-picker-placeholder": _("Type to search…"),
                "data-picker-empty": _("Nothing matches."),
                "data-picker-remove": _("Remove"),
                "data-picker-count": _("%(count)s results"),
            }
        )
        return super().get_context(name, value, attrs)  # type: ignore[misc]


class SearchableSelect(_Searchable, forms.Select):
    pass


class SearchableSelectMultiple(_Searchable, forms.SelectMultiple):
    pass
