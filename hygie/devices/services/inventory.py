"""The clinical inventory: vendor/product aliases, creating a device with its asset, finding the
existing asset or device a record describes (serial, MAC, IP + host name) and merging onto it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hygie.core.choices import AssetKind
from hygie.core.models import Asset, Establishment, User
from hygie.core.models.assets import normalise_ip, normalise_mac
from hygie.core.services import crud
from hygie.devices.choices import AliasKind, MatchStatus, Workflow
from hygie.devices.models import Device, DeviceVulnerability, VendorAlias

# --- installation-wide reference data ---------------------------------------------------------


def require_installation_wide(user: User | None) -> None:
    """Aliases and feeds serve every establishment: only a user who sees them all (or the
    platform itself) changes them."""
    if user is not None and not user.sees_all_establishments:
        raise PermissionDenied(_("Only users with organisation-wide access may do this."))


# --- aliases -------------------------------------------------------------------------------------


def _key(text: str) -> str:
    return " ".join((text or "").split()).casefold()


@dataclass
class AliasBook:
    """Every alias, loaded once: vendor spelling → canonical vendor; (vendor, product spelling)
    → canonical product (a product alias with no vendor applies to any vendor)."""

    vendors: dict[str, str] = field(default_factory=dict)
    products: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> AliasBook:
        book = cls()
        for alias in VendorAlias.objects.all():
            if alias.kind == AliasKind.VENDOR:
                book.vendors[_key(alias.alias)] = alias.canonical
            else:
                book.products[(_key(alias.vendor), _key(alias.alias))] = alias.canonical
        return book

    def vendor(self, name: str) -> str:
        clean = " ".join((name or "").split())
        return self.vendors.get(_key(clean), clean)

    def product(self, vendor: str, name: str) -> str:
        clean = " ".join((name or "").split())
        canonical_vendor = _key(self.vendor(vendor))
        return self.products.get(
            (canonical_vendor, _key(clean)), self.products.get(("", _key(clean)), clean)
        )

    def as_mapping(self) -> dict[str, str]:
        """Vendor aliases for the matching engine (spelling → canonical name)."""
        return dict(self.vendors)


def normalise_names(manufacturer: str, model_name: str) -> tuple[str, str]:
    book = AliasBook.load()
    return book.vendor(manufacturer), book.product(manufacturer, model_name)


def apply_aliases(user: User | None, devices: Iterable[Device] | None = None) -> int:
    """Rewrite manufacturer and model names through the alias table; the number changed."""
    require_installation_wide(user)
    book = AliasBook.load()
    changed = 0
    queryset = devices if devices is not None else Device.objects.visible_to(user)
    for device in queryset:
        vendor = book.vendor(device.manufacturer)
        product = book.product(device.manufacturer, device.model_name)
        if (vendor, product) != (device.manufacturer, device.model_name):
            crud.save_instance(device, user, manufacturer=vendor, model_name=product)
            changed += 1
    return changed


# --- finding what a record describes ---------------------------------------------------------


@dataclass
class InventoryIndex:
    """The establishment's assets and devices by every key a record may be matched on."""

    by_serial: dict[str, Device] = field(default_factory=dict)
    by_mac: dict[str, Asset] = field(default_factory=dict)
    by_ip_host: dict[tuple[str, str], Asset] = field(default_factory=dict)
    by_host: dict[str, Asset] = field(default_factory=dict)

    @classmethod
    def load(cls, establishment: Establishment) -> InventoryIndex:
        index = cls()
        for asset in Asset.objects.filter(establishment=establishment).select_related("device"):
            index.add_asset(asset)
        return index

    def add_asset(self, asset: Asset) -> None:
        self.by_host[asset.hostname.lower()] = asset
        for mac in asset.mac_addresses or []:
            self.by_mac[str(mac).lower()] = asset
        for ip in asset.ip_addresses or []:
            self.by_ip_host[(str(ip), asset.hostname.lower())] = asset
        device = device_of(asset)
        if device is not None and device.serial_number:
            self.by_serial[_key(device.serial_number)] = device

    def find(
        self, *, serial: str = "", mac: str = "", ip: str = "", hostname: str = ""
    ) -> tuple[Asset | None, str]:
        """The asset a record describes and the key that found it ("" when new)."""
        if serial and _key(serial) in self.by_serial:
            return self.by_serial[_key(serial)].asset, "serial"
        if mac and mac.lower() in self.by_mac:
            return self.by_mac[mac.lower()], "mac"
        host = hostname.lower()
        if ip and host and (ip, host) in self.by_ip_host:
            return self.by_ip_host[(ip, host)], "ip_hostname"
        if host and host in self.by_host:
            return self.by_host[host], "hostname"
        return None, ""


def device_of(asset: Asset) -> Device | None:
    """The asset's device record, if any (a missing reverse one-to-one raises an
    AttributeError subclass, which ``getattr`` turns into None)."""
    device = getattr(asset, "device", None)
    return device if isinstance(device, Device) else None


# --- writing ---------------------------------------------------------------------------------

ASSET_FIELDS = ("hostname", "ip_addresses", "mac_addresses", "os_name", "os_version")


def save_device(
    user: User | None,
    establishment: Establishment,
    values: dict[str, Any],
    *,
    asset: Asset | None = None,
    device: Device | None = None,
) -> Device:
    """Create or update a device and its asset from ``values`` (device fields, plus ``hostname``,
    ``ip_addresses``, ``mac_addresses``); an existing asset becomes a medical device. Addresses
    are merged, not replaced; empty values never erase known ones."""
    with transaction.atomic():
        if device is None and asset is not None:
            device = device_of(asset)
        if asset is None and device is not None:
            asset = device.asset
        if asset is None:
            hostname = str(values.get("hostname") or "").strip()
            if not hostname:
                raise ValidationError({"hostname": _("A new device needs a host name.")})
            asset = Asset(establishment=establishment, hostname=hostname)
        asset.kind = AssetKind.MEDICAL_DEVICE
        ips = [normalise_ip(ip) for ip in values.get("ip_addresses") or []]
        macs = [normalise_mac(mac) for mac in values.get("mac_addresses") or []]
        asset.ip_addresses = sorted({*(asset.ip_addresses or []), *ips})
        asset.mac_addresses = sorted({*(asset.mac_addresses or []), *macs})
        for name in ("os_name", "os_version"):
            if values.get(name):
                setattr(asset, name, values[name])
        if values.get("network_zone_label") and not asset.network_zone:
            asset.network_zone = str(values["network_zone_label"])[:100]
        crud.save_instance(asset, user)
        if device is None:
            device = Device(asset=asset, establishment=establishment)
        for name, value in values.items():
            if name in ASSET_FIELDS or name == "network_zone_label":
                continue
            if value in ("", None) and getattr(device, name, None) not in ("", None):
                continue
            setattr(device, name, value)
        if values.get("os_name"):
            device.os_name = values["os_name"]
        if values.get("os_version"):
            device.os_version = values["os_version"]
        crud.save_instance(device, user)
    return device


def merge_devices(user: User | None, keep: Device, other: Device) -> Device:
    """Fold ``other`` (a duplicate) into ``keep``: blank fields filled, addresses and device
    vulnerabilities moved (decisions kept), then the duplicate's asset deleted."""
    if keep.pk == other.pk:
        raise ValidationError(_("A device cannot be merged with itself."))
    if keep.establishment_id != other.establishment_id:
        raise ValidationError(_("Devices of different establishments cannot be merged."))
    crud.check_instance_allowed(user, keep)
    crud.check_instance_allowed(user, other)
    with transaction.atomic():
        for field_ in Device._meta.concrete_fields:
            name = field_.name
            if name in {"id", "asset", "establishment", "created_at", "updated_at"}:
                continue
            if getattr(keep, name) in ("", None, [], {}) and getattr(other, name) not in (
                "",
                None,
                [],
                {},
            ):
                setattr(keep, name, getattr(other, name))
        asset, duplicate = keep.asset, other.asset
        asset.ip_addresses = sorted({*asset.ip_addresses, *duplicate.ip_addresses})
        asset.mac_addresses = sorted({*asset.mac_addresses, *duplicate.mac_addresses})
        asset.tags = sorted({*asset.tags, *duplicate.tags})
        known = set(keep.vulnerabilities.values_list("key", flat=True))
        for link in other.vulnerabilities.all():
            if link.key in known:
                continue
            link.device = keep
            link.save(update_fields=["device"])
        crud.delete_instance(duplicate, user)
        crud.save_instance(asset, user)
        crud.save_instance(keep, user)
    return keep


# --- figures ---------------------------------------------------------------------------------

OPEN_STATUSES = (
    MatchStatus.KNOWN_AFFECTED,
    MatchStatus.UNDER_INVESTIGATION,
    MatchStatus.NEEDS_REVIEW,
)


def open_links(device: Device) -> list[DeviceVulnerability]:
    return list(
        device.vulnerabilities.filter(
            workflow=Workflow.OPEN, status__in=[MatchStatus.KNOWN_AFFECTED]
        ).select_related("vulnerability", "advisory")
    )


def unsupported(device: Device, today: datetime.date | None = None) -> bool:
    return device.os_unsupported(today)
