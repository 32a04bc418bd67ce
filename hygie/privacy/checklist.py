"""The privacy module's first-run step: folders allowed for scanning and one scan root."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.models import Establishment, User
from hygie.core.registries import ChecklistItem, ChecklistState, checklist
from hygie.privacy.models import ScanRoot


def _scan_roots(user: User, establishments: Sequence[Establishment]) -> ChecklistState:
    # The allow-list lives in the configuration; the demo's own folder does not count.
    if not list(getattr(settings, "HYGIE_PRIVACY_SCAN_ROOTS", []) or []):
        return ChecklistState(
            False,
            "",
            _(
                "Set HYGIE_PRIVACY_SCAN_ROOTS in the configuration to the folders Hygie may "
                "scan for patient data."
            ),
        )
    if ScanRoot.objects.filter(establishment__in=establishments).exists():
        return ChecklistState(True, reverse("privacy:scanroot_list"))
    return ChecklistState(
        False, reverse("privacy:scanroot_add"), _("Register a folder to scan as a scan root.")
    )


checklist.register(
    "privacy.scan_roots",
    ChecklistItem(
        "privacy.scan_roots", gettext_lazy("Folders to scan for patient data"), 30, _scan_roots
    ),
)
