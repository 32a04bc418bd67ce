"""Template filters of the incident pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from hygie.core import display

if TYPE_CHECKING:
    from hygie.core.models import User

register = template.Library()


@register.filter
def person(user: User | None, empty: str = "—") -> str:
    """A user's full name, else their username; ``empty`` when there is nobody (a deleted
    account, or the platform itself)."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()


_OBLIGATIONS_LINE = ("Obligations : ", "Obligations: ")
_ROLE_LINE = ("Rôle : ", "Role: ")


@register.filter
def task_description(text: str | None) -> SafeString:
    """A task's description as the reader should see it, whenever it was written: the obligation
    ids and the owner role its playbook step named shown as labels, ISO durations in words, and
    developer notes ([UNVERIFIED]) as the discreet “to be checked” marker; lines kept."""
    from hygie.response.playbook_roles import role_label
    from hygie.response.services.obligations.assessment import obligation_label

    lines = []
    for line in (text or "").splitlines():
        if line.startswith(_OBLIGATIONS_LINE):
            ids = line.split(":", 1)[1].split(",")
            labels = ", ".join(obligation_label(item.strip()) for item in ids if item.strip())
            lines.append(
                conditional_escape(gettext("Obligations: %(labels)s") % {"labels": labels})
            )
        elif line.startswith(_ROLE_LINE):
            role = line.split(":", 1)[1].strip()
            lines.append(conditional_escape(gettext("Role: %(role)s") % {"role": role_label(role)}))
        else:
            lines.append(display.to_check_html(display.durations_in_text(line)))
    return mark_safe("<br>".join(str(line) for line in lines))  # noqa: S308 - each line escaped


@register.filter
def role_label(role: str | None) -> str:
    """A playbook role (``it_oncall``) as words in the reader's language."""
    from hygie.response.playbook_roles import role_label as label

    return label(role)


@register.filter
def obligation_label(obligation_id: str | None) -> str:
    """An obligation id (``gdpr_art33``) as its label in the reader's language."""
    from hygie.response.services.obligations.assessment import obligation_label as label

    return label(obligation_id or "")


@register.filter
def reference_note(note: str | None, verified: bool = True) -> SafeString:
    """A playbook reference's note without developer notes, marked “to be checked” when the
    reference or its note is not verified."""
    cleaned, flagged = display.split_to_check(note)
    if not verified and not flagged:
        flagged = True
    if not flagged:
        return conditional_escape(cleaned)
    return display.to_check_html(f"{cleaned} (UNVERIFIED)" if cleaned else "(UNVERIFIED)")
