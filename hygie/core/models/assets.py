"""The asset inventory: every machine on the network, medical devices included."""

from __future__ import annotations

import ipaddress
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.choices import AssetKind, Criticality
from hygie.core.models.organisation import Department, Establishment
from hygie.core.models.scoping import ScopedManager

_HOSTNAME_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9\-_.]{0,251}[A-Za-z0-9])?$")


def normalise_mac(value: str) -> str:
    compact = re.sub(r"[^0-9A-Fa-f]", "", value).lower()
    if len(compact) != 12:
        raise ValidationError(_("Invalid MAC address."), code="mac")
    mac = ":".join(compact[i : i + 2] for i in range(0, 12, 2))
    return mac


def normalise_ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        raise ValidationError(_("Invalid IP address."), code="ip") from None


def validate_hostname(value: str) -> None:
    if not _HOSTNAME_RE.match(value):
        raise ValidationError(
            _("Invalid host name: letters, digits, dots, hyphens and underscores only."),
            code="hostname",
        )


class Asset(models.Model):
    """A network-connected machine; the natural key is the host name within the establishment."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="assets",
        verbose_name=_("establishment"),
    )
    hostname = models.CharField(_("host name"), max_length=253, validators=[validate_hostname])
    ip_addresses = models.JSONField(_("IP addresses"), default=list, blank=True)
    mac_addresses = models.JSONField(_("MAC addresses"), default=list, blank=True)
    os_name = models.CharField(_("operating system"), max_length=100, blank=True)
    os_version = models.CharField(_("OS version"), max_length=100, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=AssetKind.choices, default=AssetKind.WORKSTATION
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assets",
        verbose_name=_("owner department"),
    )
    criticality = models.CharField(
        _("criticality"), max_length=10, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    network_zone = models.CharField(_("network zone"), max_length=100, blank=True)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["hostname"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "hostname"], name="asset_hostname_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.hostname

    def clean(self) -> None:
        self.hostname = (self.hostname or "").strip().lower()
        self.ip_addresses = [normalise_ip(ip) for ip in _as_list(self.ip_addresses)]
        self.mac_addresses = [normalise_mac(mac) for mac in _as_list(self.mac_addresses)]
        self.tags = sorted({tag.strip() for tag in _as_list(self.tags) if tag.strip()})
        if (
            self.department_id
            and self.establishment_id
            and self.department is not None
            and self.department.establishment_id != self.establishment_id
        ):
            raise ValidationError(
                {"department": _("This department belongs to another establishment.")}
            )


def _as_list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part for part in re.split(r"[\s,;]+", value) if part]
    if isinstance(value, (list, tuple)):
        return [str(part) for part in value if str(part).strip()]
    raise ValidationError(_("Expected a list."), code="list")
