"""Global search over medical devices (autodiscovered): by host name, manufacturer, model or
serial number, in the user's scope; CVE identifiers find the device vulnerabilities."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hygie.core.registries import SearchHit, SearchProvider, search_providers
from hygie.devices.models import Device, DeviceVulnerability
from hygie.devices.roles import VIEW

if TYPE_CHECKING:
    from hygie.core.models import User

MAX_HITS = 20
KEY = "devices.devices"
CVE_KEY = "devices.vulnerabilities"


def search_devices(user: User, text: str) -> list[SearchHit]:
    if not text or not user.can(VIEW):
        return []
    queryset = Device.objects.visible_to(user).select_related("asset")
    for term in text.split()[:5]:
        queryset = queryset.filter(
            Q(asset__hostname__icontains=term)
            | Q(manufacturer__icontains=term)
            | Q(model_name__icontains=term)
            | Q(serial_number__iexact=term)
        )
    return [
        SearchHit(
            str(device),
            reverse("devices:device_detail", args=[device.pk]),
            str(_("Medical devices")),
        )
        for device in queryset.order_by("manufacturer", "model_name", "pk")[:MAX_HITS]
    ]


def search_device_vulnerabilities(user: User, text: str) -> list[SearchHit]:
    words = text.split()
    if len(words) != 1 or not words[0].upper().startswith("CVE-") or not user.can(VIEW):
        return []
    queryset = (
        DeviceVulnerability.objects.visible_to(user)
        .filter(vulnerability__cve__iexact=words[0])
        .select_related("device", "device__asset", "vulnerability")
    )
    return [
        SearchHit(
            f"{link.vulnerability.cve if link.vulnerability else ''} — {link.device}",
            reverse("devices:devicevulnerability_detail", args=[link.pk]),
            str(_("Device vulnerabilities")),
        )
        for link in queryset.order_by("-risk_score", "pk")[:MAX_HITS]
    ]


search_providers.register(KEY, SearchProvider(KEY, _("Medical devices"), search_devices))
search_providers.register(
    CVE_KEY,
    SearchProvider(CVE_KEY, _("Device vulnerabilities"), search_device_vulnerabilities),
)
