"""Display filters shared by every module: ``{% load hygie_format %}`` (see hygie/core/display.py
and docs/decisions/0025-display-formats.md)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from hygie.core import display

register = template.Library()


@register.filter
def duration_words(value: object) -> str:
    """``PT15M`` or a timedelta → “15 minutes”."""
    return display.duration_words(value)


@register.filter
def within(value: object) -> str:
    """``PT15M`` → “within 15 minutes” / “sous 15 minutes”."""
    return display.within(value)


@register.filter
def durations_in_text(value: object) -> str:
    """Every ISO 8601 duration inside a sentence written in words."""
    return display.durations_in_text("" if value is None else str(value))


@register.filter
def to_check(value: object) -> SafeString:
    """The text without developer notes, with the “to be checked” marker when it had one."""
    return display.to_check_html(value)


@register.filter
def key_label(value: object, labels: dict[str, object] | None = None) -> str:
    """An identifier as words, or its label from ``labels``."""
    return display.key_label(value, labels)


@register.filter
def object_type_label(value: object) -> str:
    """An audited object's type (``core.user``) as the model's name."""
    return display.object_type_label(value)


@register.filter
def field_label(field: object, object_type: object) -> str:
    """``{{ field|field_label:entry.object_type }}``: a changed field as its label."""
    return display.field_label(object_type, field)


@register.filter
def audit_actor(value: object) -> str:
    """An audit entry's actor (a background job by its kind's title)."""
    return display.audit_actor(value)


@register.filter
def audit_object(value: object) -> str:
    """An audit entry's object name, translated when the platform named the object."""
    return display.audit_object_name(value)


@register.filter
def audit_message(value: object) -> str:
    """An audit entry's message in the reader's language."""
    return display.audit_message(value)


@register.filter
def translated(value: object) -> str:
    """A stored text that is a msgid (a rule's title, a registered message) in the reader's
    language; any other text unchanged."""
    from django.utils.translation import gettext

    return gettext(str(value)) if value else ""


@register.filter(expects_localtime=True)
def datetime_tz(value: object) -> str:
    """A date and time in the page's format followed by its time zone's abbreviation
    (“6 déc. 2026 14:05 CET”): deadlines say which clock they are read on."""
    from datetime import datetime

    from django.utils import dateformat, formats

    if not isinstance(value, datetime):
        return ""
    return f"{formats.date_format(value, 'DATETIME_FORMAT')} {dateformat.format(value, 'T')}"


@register.filter
def stored_message(value: object) -> str:
    """An English text stored once (a msgid or a registered template), in the reader's
    language."""
    return display.stored_message(value)


@register.filter
def iso_datetime(value: object) -> str:
    """An ISO 8601 date-time kept in JSON (``2026-12-06T13:05:00+00:00``) in the page's format,
    in the current time zone; anything else unchanged."""
    from django.utils import formats, timezone
    from django.utils.dateparse import parse_datetime

    parsed = parse_datetime(str(value)) if value else None
    if parsed is None:
        return "" if value is None else str(value)
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return formats.date_format(parsed, "DATETIME_FORMAT")


@register.simple_tag
def to_check_marker() -> SafeString:
    """The discreet “to check against the official text” marker alone (a rule, a reference)."""
    return display.to_check_html("(UNVERIFIED)")
