"""The response block of every alert page: the incidents the alert belongs to, and a button to
open one from it (registered in the core's ``alert_extensions`` from ``ResponseConfig.ready``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Alert, User
from hygie.core.views.alerts import AlertSection, alert_bulk_actions, alert_extensions
from hygie.core.views.generic import BulkAction
from hygie.response.models import Incident
from hygie.response.roles import MANAGE_INCIDENTS, VIEW_INCIDENTS


def incidents_section(alert: Alert, user: User) -> AlertSection | None:
    if not user.can(VIEW_INCIDENTS):
        return None
    incidents = Incident.objects.visible_to(user).filter(alerts=alert).order_by("-discovered_at")
    open_url = None
    if user.can(MANAGE_INCIDENTS):
        open_url = reverse("response:incident_from_alerts") + "?" + urlencode({"alert": alert.pk})
    return AlertSection(
        "response/partials/_alert_incidents.html",
        {"incidents": list(incidents), "open_url": open_url},
    )


def register() -> None:
    if "response" not in alert_extensions:
        alert_extensions.register("response", incidents_section)
    if "response" not in alert_bulk_actions:
        alert_bulk_actions.register(
            "response",
            BulkAction(_("Open an incident"), "response:incident_from_alerts", MANAGE_INCIDENTS),
        )
