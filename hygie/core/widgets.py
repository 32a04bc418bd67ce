"""The form widgets shared by every module (one way to render a date, a moment or a time).

Browsers' ``<input type="date|datetime-local|time">`` accept only ISO values; Django's default
widgets render the active language's format (``06/03/2027`` in French), which the browser shows
as an empty field. These widgets always render ISO, whatever the language; the fields still
accept the localised formats typed by hand (Django adds the ISO input formats to every locale).
"""

from __future__ import annotations

from typing import Any

from django import forms

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
