"""What the compliance pages share: badges for statuses, error handling for service calls."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Answer and probe statuses shown with the platform's existing badge colours (a word always
# goes with the colour).
STATUS_BADGES = {
    "compliant": "status-closed",
    "pass": "status-closed",
    "done": "status-closed",
    "partial": "status-acknowledged",
    "in_progress": "status-acknowledged",
    "non_compliant": "status-escalated",
    "fail": "status-escalated",
    "error": "status-failed",
    "not_applicable": "status-false_positive",
    "cancelled": "status-false_positive",
    "closed": "status-false_positive",
    "not_assessed": "status-new",
    "open": "status-new",
    "draft": "status-new",
}


def badge(status: str) -> str:
    return STATUS_BADGES.get(status, "")


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError shown on the form's fields (or above it)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# A requirement's relation to a Hygie control, as a reader says it.
RELATION_LABELS = {
    "equal": _("equivalent"),
    "subset": _("the requirement is a part of the control"),
    "superset": _("the control covers part of the requirement"),
    "intersect": _("partial overlap"),
}


def relation_label(relation: str) -> str:
    return str(RELATION_LABELS.get(relation, ""))
