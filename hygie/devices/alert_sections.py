"""The devices block of the core alert page: for an alert the module raised (a known exploited
vulnerability or a new advisory on a life-sustaining device, a flow outside the segmentation
policy), the device with its clinical function and its clinical risk broken down, the relation
that raised it, or the flow.

Autodiscovered by the core at start-up (``hygie.modules.CONVENTIONAL_MODULES``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from hygie.core.models import Alert, User
from hygie.core.views.alerts import AlertSection, alert_sections
from hygie.devices.models import Device, DeviceVulnerability
from hygie.devices.roles import VIEW
from hygie.devices.services import vulnerabilities
from hygie.devices.services.feeds import ALERT_SOURCE

FLOW_KEYS = ("src", "dst", "port", "protocol", "src_zone", "dst_zone")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def device_section(alert: Alert, user: User) -> AlertSection | None:
    if not user.can(VIEW):
        return None
    details = alert.details or {}
    device_id, link_id = (
        _int(details.get("device_id")),
        _int(details.get("device_vulnerability_id")),
    )
    device = (
        Device.objects.visible_to(user).select_related("asset").filter(pk=device_id).first()
        if device_id is not None
        else None
    )
    link = (
        DeviceVulnerability.objects.visible_to(user)
        .select_related("vulnerability", "advisory")
        .filter(pk=link_id, device=device)
        .first()
        if link_id is not None and device is not None
        else None
    )
    flow = {key: details[key] for key in FLOW_KEYS if key in details}
    if device is None and not flow:
        return None
    language = get_language()
    context: dict[str, Any] = {"device": device, "link": link, "flow": flow}
    if device is not None:
        risk = vulnerabilities.device_risk(device)
        context.update(
            risk=risk, risk_rows=vulnerabilities.breakdown_rows(risk.to_dict(), language)
        )
    if link is not None:
        context["link_rows"] = vulnerabilities.breakdown_rows(link.risk_breakdown, language)
    if flow:
        context["establishment_id"] = alert.establishment_id
    return AlertSection("devices/partials/_alert_device.html", context)


alert_sections.register(ALERT_SOURCE, device_section)
