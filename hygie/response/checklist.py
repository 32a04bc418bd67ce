"""The response module's first-run step: a regulatory profile reviewed for every establishment
(it decides which clocks an incident starts: NIS2, GDPR, HIPAA)."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.models import Establishment, User
from hygie.core.registries import ChecklistItem, ChecklistState, checklist
from hygie.response.models import RegulatoryProfile


def _profiles(user: User, establishments: Sequence[Establishment]) -> ChecklistState:
    # A profile is stored once someone saved it (pages, API, CLI) or an incident was assessed.
    stored = set(
        RegulatoryProfile.objects.filter(establishment__in=establishments).values_list(
            "establishment_id", flat=True
        )
    )
    missing = [e for e in establishments if e.pk not in stored]
    if not missing:
        return ChecklistState(bool(establishments), reverse("core:establishment_list"))
    return ChecklistState(
        False,
        reverse("response:establishment_regulatoryprofile", args=[missing[0].pk]),
        _("Missing for: %(names)s.") % {"names": ", ".join(e.name for e in missing[:3])}
        + (" …" if len(missing) > 3 else ""),
    )


checklist.register(
    "response.regulatory_profile",
    ChecklistItem(
        "response.regulatory_profile",
        gettext_lazy("Regulatory profile of each establishment"),
        10,
        _profiles,
    ),
)
