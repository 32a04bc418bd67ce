"""The core's steps of the administrator's first-run checklist (see ``registries.checklist``):
the contacts the notification drafts need, more than one account, outgoing e-mail."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.models import Establishment, User
from hygie.core.registries import ChecklistItem, ChecklistState, checklist

# What an authority asks first: who the DPO is, who handles security, a number that answers.
REQUIRED_CONTACTS = ("dpo_name", "dpo_email", "rssi_name", "rssi_email", "on_call_phone")


def missing_contacts(establishments: Sequence[Establishment]) -> list[Establishment]:
    """The establishments whose contacts (their own or their organisation's) are incomplete."""
    return [
        establishment
        for establishment in establishments
        if not all(establishment.contacts()[name] for name in REQUIRED_CONTACTS)
    ]


def _contacts(user: User, establishments: Sequence[Establishment]) -> ChecklistState:
    missing = missing_contacts(establishments)
    if not establishments:
        return ChecklistState(False, reverse("core:establishment_list"))
    if not missing:
        return ChecklistState(
            True, reverse("core:organisation_detail", args=[establishments[0].organisation_id])
        )
    first = missing[0]
    # Shared contacts go on the organisation; an organisation-wide admin fills them once there.
    link = (
        reverse("core:organisation_edit", args=[first.organisation_id])
        if user.sees_all_establishments
        else reverse("core:establishment_edit", args=[first.pk])
    )
    return ChecklistState(
        False,
        link,
        _("Missing for: %(names)s.") % {"names": ", ".join(e.name for e in missing[:3])}
        + (" …" if len(missing) > 3 else ""),
    )


def _accounts(user: User, establishments: Sequence[Establishment]) -> ChecklistState:
    others = (
        User.objects.filter(is_active=True)
        .exclude(pk=user.pk)
        .filter(Q(has_all_establishments=True) | Q(establishments__in=establishments))
        .distinct()
    )
    return ChecklistState(
        others.exists(),
        reverse("core:user_list"),
        "" if others.exists() else _("Only your account exists: give each person their own."),
    )


def smtp_configured() -> bool:
    return str(settings.EMAIL_BACKEND).endswith("smtp.EmailBackend")


def _smtp(user: User, establishments: Sequence[Establishment]) -> ChecklistState:
    if smtp_configured():
        return ChecklistState(True)
    return ChecklistState(
        False,
        "",
        _(
            "Set HYGIE_SMTP_URL in the configuration so that reminders and alerts are "
            "e-mailed (administrator guide, “First start”)."
        ),
    )


checklist.register(
    "core.contacts",
    ChecklistItem("core.contacts", gettext_lazy("DPO and security contacts"), 20, _contacts),
)
checklist.register(
    "core.accounts", ChecklistItem("core.accounts", gettext_lazy("Users and roles"), 50, _accounts)
)
checklist.register(
    "core.smtp", ChecklistItem("core.smtp", gettext_lazy("Outgoing e-mail (SMTP)"), 60, _smtp)
)
