"""The detection module's first-run step: a first log source (any event received)."""

from __future__ import annotations

from collections.abc import Sequence

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hygie.core.models import Establishment, User
from hygie.core.registries import ChecklistItem, ChecklistState, checklist
from hygie.detection.models import Event


def _log_source(user: User, establishments: Sequence[Establishment]) -> ChecklistState:
    if Event.objects.filter(establishment__in=establishments).exists():
        return ChecklistState(True, reverse("detection:event_list"))
    return ChecklistState(
        False,
        reverse("detection:event_import"),
        _("No event received yet: send syslog or import a log file."),
    )


checklist.register(
    "detection.log_source",
    ChecklistItem("detection.log_source", gettext_lazy("A first log source"), 40, _log_source),
)
