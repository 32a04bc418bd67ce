"""How values read in the user's language: durations in words, the “to be checked” marker,
identifiers as labels. One place, used by templates (``{% load hygie_format %}``), PDFs and
exports alike (docs/decisions/0025-display-formats.md).

- :func:`duration_words` turns an ISO 8601 duration (``PT15M``) or a timedelta into words
  (“15 minutes”, “2 jours”); :func:`within` into a deadline (“sous 15 minutes”).
- :func:`split_to_check` removes developer notes (``(UNVERIFIED)``, ``[UNVERIFIED]``,
  ``reference/frameworks.md §2``) from a text and says whether it must be checked against the
  official text; :func:`to_check_html` renders the discreet marker with its tooltip, and
  :func:`to_check_text` the footnote-style marker used in PDFs and plain text.
- :func:`key_label` shows an identifier (``it_oncall``, ``files_scanned``) as words when no
  label is known, never as a raw key.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext

# --- durations ---------------------------------------------------------------------------------

_ISO_DURATION = re.compile(
    r"^P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
ISO_DURATION_IN_TEXT = re.compile(r"(?<![\w])P(?=\d|T\d)(?:\d+[YMWD])*(?:T(?:\d+[HMS])+)?(?![\w])")


def _unit(name: str, amount: int) -> str:
    count = number_format(amount)
    if name == "years":
        return ngettext("%(count)s year", "%(count)s years", amount) % {"count": count}
    if name == "months":
        return ngettext("%(count)s month", "%(count)s months", amount) % {"count": count}
    if name == "weeks":
        return ngettext("%(count)s week", "%(count)s weeks", amount) % {"count": count}
    if name == "days":
        return ngettext("%(count)s day", "%(count)s days", amount) % {"count": count}
    if name == "hours":
        return ngettext("%(count)s hour", "%(count)s hours", amount) % {"count": count}
    if name == "minutes":
        return ngettext("%(count)s minute", "%(count)s minutes", amount) % {"count": count}
    return ngettext("%(count)s second", "%(count)s seconds", amount) % {"count": count}


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return gettext("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def duration_words(value: object) -> str:
    """``PT15M`` → “15 minutes”, ``P1DT2H`` → “1 jour et 2 heures”, a timedelta likewise.

    Anything that is not a duration is returned unchanged (as text), so the filter is safe on
    free text; ``None`` and ``""`` give ``""``.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        days, seconds = divmod(seconds, 86_400)
        hours, seconds = divmod(seconds, 3_600)
        minutes, seconds = divmod(seconds, 60)
        amounts = {"days": days, "hours": hours, "minutes": minutes, "seconds": seconds}
    else:
        match = _ISO_DURATION.match(str(value).strip())
        if match is None or str(value).strip() in ("P", "PT"):
            return str(value)
        amounts = {name: int(text) for name, text in match.groupdict().items() if text}
    parts = [_unit(name, amount) for name, amount in amounts.items() if amount]
    return _join(parts) if parts else _unit("minutes", 0)


def duration_short(value: timedelta | None, precise: bool = False) -> str:
    """A compact duration for counters and tables: “3 j 4 h”, “4 h 05 min”, “12 min” (“3 d 4 h”
    in English); ``precise`` keeps the minutes of a duration in days (“2 j 1 h 00 min”)."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    padded = f"{minutes:02d}"
    if days and precise:
        return gettext("%(days)s d %(hours)s h %(minutes)s min") % {
            "days": days,
            "hours": hours,
            "minutes": padded,
        }
    if days:
        return gettext("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return gettext("%(h)s h %(m)s min") % {"h": hours, "m": padded if precise else minutes}
    return gettext("%(m)s min") % {"m": minutes}


def within(value: object) -> str:
    """A deadline: “within 15 minutes” / “sous 15 minutes”."""
    words = duration_words(value)
    return gettext("within %(duration)s") % {"duration": words} if words else ""


def durations_in_text(text: str) -> str:
    """Every ISO 8601 duration inside a sentence written in words."""
    return ISO_DURATION_IN_TEXT.sub(lambda match: duration_words(match.group(0)), text)


# --- “to be checked against the official text” -------------------------------------------------

# Developer notes: a repository path (with its section), the UNVERIFIED flags in their forms.
_REPOSITORY_PATH = re.compile(
    r"\s*\(?\b(?:reference|docs)/[\w./-]+\.md(?:\s*§\s*[\d.]+)?\)?(?:\s+says\b)?"
)
_FLAG = re.compile(
    r"\s*[(\[]\s*UNVERIFIED(?:\s+in\s+Hygie)?\s*[)\]]"  # (UNVERIFIED), [UNVERIFIED]
    # the words services store for a reader (a task's description): shown as the marker too
    r"|\s*\((?:à vérifier sur le texte officiel|to be checked against the official text)\)"
    r"|,\s*UNVERIFIED\b"  # (art. 3(2)(c), UNVERIFIED)
    r"|\bUNVERIFIED\s*:\s*"  # UNVERIFIED: leading a note
    r"|\s*\bUNVERIFIED\b"  # a bare word
)


def split_to_check(text: object) -> tuple[str, bool]:
    """The text without developer notes, and whether it was flagged as not checked.

    A note that only pointed at the repository (“Practice names verified only through secondary
    sources (reference/frameworks.md §6).”) is English written for developers: it is dropped
    whole, the marker stands for it.
    """
    value = "" if text is None else str(text)
    flagged = bool(_FLAG.search(value)) or bool(_REPOSITORY_PATH.search(value))
    if not flagged:
        return value, False
    if _REPOSITORY_PATH.search(value):
        return "", True
    cleaned = _FLAG.sub("", value)
    cleaned = re.sub(r"[ \t]+([.,)])", r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
    return cleaned, True


def to_check_label() -> str:
    return gettext("to be checked against the official text")


def to_check_html(text: object) -> SafeString:
    """The text with a discreet “to check” marker (its tooltip says against what)."""
    cleaned, flagged = split_to_check(text)
    if not flagged:
        return conditional_escape(cleaned)
    marker = format_html(
        '<span class="to-check" title="{}">{}</span>',
        to_check_label(),
        gettext("to check"),
    )
    if not cleaned:
        return marker
    return mark_safe(f"{conditional_escape(cleaned)} {marker}")  # noqa: S308 - both escaped


def to_check_text(text: object, mark: str = "*") -> str:
    """Plain text (PDFs, exports): the text followed by a footnote mark when flagged."""
    cleaned, flagged = split_to_check(text)
    if not flagged:
        return cleaned
    return f"{cleaned}{mark}" if cleaned else mark


# --- identifiers -------------------------------------------------------------------------------


def key_label(key: object, labels: dict[str, object] | None = None) -> str:
    """A label for an identifier: the known one, else its words (``it_oncall`` → “It oncall”)."""
    text = "" if key is None else str(key)
    if labels and text in labels:
        return str(labels[text])
    words = re.sub(r"[_.]+", " ", text).strip()
    return words[:1].upper() + words[1:] if words else text


# --- audit trail -------------------------------------------------------------------------------


def object_type_label(object_type: object) -> str:
    """``core.user`` → the model's name in the reader's language (“utilisateur”)."""
    from django.apps import apps

    text = "" if object_type is None else str(object_type)
    try:
        model = apps.get_model(text)
    except (LookupError, ValueError):
        return key_label(text.rpartition(".")[2])
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]


def audit_actor(label: object) -> str:
    """An audit entry's actor as people read it: a background job is stored as ``job <kind>``
    (the chain keeps it), shown as the job kind's title; any other actor as stored."""
    text = "" if label is None else str(label)
    prefix, _, kind = text.partition(" ")
    if prefix == "job" and kind:
        from hygie.core.models.jobs import Job

        shown = Job(kind=kind).get_kind_display()
        if shown != kind:
            return shown
    return text


def field_label(object_type: object, field: object) -> str:
    """A changed field of an audited object as its label (``is_active`` → “actif”)."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    name = "" if field is None else str(field)
    try:
        model = apps.get_model(str(object_type))
        label = str(getattr(model._meta.get_field(name), "verbose_name", name))
    except (LookupError, ValueError, FieldDoesNotExist, AttributeError):
        return key_label(name)
    return label[:1].upper() + label[1:]


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)[sd]", template)
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
        for index, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


# Audit entries are part of a hash chain: their message is stored once, in English, and never
# rewritten. Messages are msgids (gettext_noop at the call) or one of these templates, translated
# when shown; a message matching none is shown as stored.
AUDIT_MESSAGE_TEMPLATES: list[str] = []
_AUDIT_PATTERNS: dict[str, re.Pattern[str]] = {}


def register_audit_messages(*templates: str) -> None:
    """Declare message templates (``"notification draft exported (%(format)s)"``) so entries
    written with them read in the reader's language."""
    for template in templates:
        if template not in _AUDIT_PATTERNS:
            AUDIT_MESSAGE_TEMPLATES.append(template)
            _AUDIT_PATTERNS[template] = _pattern(template)


def audit_message(message: object) -> str:
    """An audit entry's stored message in the reader's language."""
    text = "" if message is None else str(message)
    if not text:
        return ""
    translated = gettext(text)
    if translated != text:
        return translated
    for template, pattern in _AUDIT_PATTERNS.items():
        match = pattern.match(text)
        if match:
            return gettext(template) % match.groupdict()
    return text


# Names the platform gives its own audited objects (an entry's object name is otherwise the
# user's own data, never translated): matched whole, translated when shown.
_OBJECT_NAME_PATTERNS: dict[str, re.Pattern[str]] = {
    template: _pattern(template)
    for template in (
        gettext_noop("audit checkpoint #%(number)s"),
        gettext_noop("audit trail (CSV)"),
    )
}


def audit_object_name(name: object) -> str:
    """An audit entry's object name, in the reader's language when the platform named it."""
    text = "" if name is None else str(name)
    for template, pattern in _OBJECT_NAME_PATTERNS.items():
        match = pattern.match(text)
        if match:
            return gettext(template) % match.groupdict()
    return text


# Other English texts stored once and read in several languages (a scan's skip reasons…) use the
# same mechanism.
register_stored_messages = register_audit_messages
stored_message = audit_message


register_audit_messages(
    gettext_noop("backup written by %(operator)s"),
    gettext_noop("restore test failed, run by %(operator)s"),
    gettext_noop("restore test passed, run by %(operator)s"),
    gettext_noop("token issued (%(scope)s, expires %(date)s)"),
    gettext_noop(
        "CSV import: %(rows)s rows, %(created)s created, %(updated)s updated, "
        "%(unchanged)s unchanged"
    ),
    gettext_noop("CSV export: %(count)s rows"),
    gettext_noop("CSV export: %(count)s row(s); filters: %(filters)s"),
    gettext_noop("recovery code used (%(count)s left)"),
    gettext_noop("cancel requested for job %(kind)s"),
    gettext_noop("Audit checkpoint #%(number)s signed at entry #%(sequence)s"),
    gettext_noop("Audit chain key rotated: %(previous)s -> %(key)s"),
)


# --- alert data --------------------------------------------------------------------------------

# Keys modules put in an alert's details, as labels; a key not listed is shown as data (code).
ALERT_DETAIL_LABELS: dict[str, object] = {
    "attachment_extensions": gettext_lazy("Attachment extensions"),
    "event_ids": gettext_lazy("Events"),
    "evidence_ids": gettext_lazy("Evidence"),
    "link_count": gettext_lazy("Number of links"),
    "link_domains": gettext_lazy("Link domains"),
    "matched_fields": gettext_lazy("Matched fields"),
    "message_id": gettext_lazy("Message identifier"),
    "reply_to": gettext_lazy("Reply-to address"),
    "reporter_ids": gettext_lazy("Reported by"),
    "return_path": gettext_lazy("Return path"),
    "rule_file": gettext_lazy("Rule file"),
    "scan_root_id": gettext_lazy("Scan root"),
    "scan_run_id": gettext_lazy("Scan"),
    "sender_domain": gettext_lazy("Sender domain"),
    "validated_identifiers": gettext_lazy("Validated identifiers"),
}


def detail_label(key: object) -> tuple[str, bool]:
    """An alert detail key as its label, and whether one is known (else the key is data)."""
    text = "" if key is None else str(key)
    if text in ALERT_DETAIL_LABELS:
        return str(ALERT_DETAIL_LABELS[text]), True
    return text, False
