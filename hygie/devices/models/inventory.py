"""The clinical inventory: a Device per medical-device Asset, vendor aliases, inventory imports."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Asset, Department, Establishment
from hygie.core.models.scoping import ScopedManager
from hygie.devices.choices import (
    AliasKind,
    ClinicalFunction,
    CompensatingControl,
    EuClass,
    FdaClass,
    InventoryImportStatus,
    NetworkZone,
)


class Device(models.Model):
    """The clinical side of a medical-device ``Asset``: what it is, what it does to a patient."""

    asset = models.OneToOneField(
        Asset, on_delete=models.CASCADE, related_name="device", verbose_name=_("asset")
    )
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="medical_devices",
        verbose_name=_("establishment"),
    )
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    model_name = models.CharField(_("model"), max_length=200, blank=True)
    version = models.CharField(_("software/firmware version"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    udi_di = models.CharField(_("UDI-DI"), max_length=100, blank=True)
    eu_class = models.CharField(
        _("EU MDR class"), max_length=5, choices=EuClass.choices, default="", blank=True
    )
    fda_class = models.CharField(
        _("FDA class"), max_length=5, choices=FdaClass.choices, default="", blank=True
    )
    clinical_function = models.CharField(
        _("clinical function"),
        max_length=30,
        choices=ClinicalFunction.choices,
        default=ClinicalFunction.NON_CLINICAL,
    )
    patient_connected = models.BooleanField(_("patient-connected"), default=False)
    stores_phi = models.BooleanField(_("stores health data"), default=False)
    location = models.CharField(_("location"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="medical_devices",
        verbose_name=_("department"),
    )
    network_zone = models.CharField(
        _("network zone"), max_length=20, choices=NetworkZone.choices, default=NetworkZone.UNKNOWN
    )
    internet_reachable = models.BooleanField(_("reachable from the internet"), default=False)
    os_name = models.CharField(_("operating system"), max_length=100, blank=True)
    os_version = models.CharField(_("OS version"), max_length=100, blank=True)
    os_end_of_support = models.DateField(_("OS end of support"), null=True, blank=True)
    support_end = models.DateField(_("vendor support end"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty end"), null=True, blank=True)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    vendor_contact = models.CharField(_("vendor contact"), max_length=300, blank=True)
    cpe = models.CharField(_("CPE"), max_length=300, blank=True)
    purl = models.CharField(_("package URL (purl)"), max_length=500, blank=True)
    mds2 = models.JSONField(_("MDS2 security capabilities"), default=dict, blank=True)
    compensating_controls = models.JSONField(_("compensating controls"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["manufacturer", "model_name", "asset__hostname"]
        verbose_name = _("medical device")
        verbose_name_plural = _("medical devices")
        indexes = [models.Index(fields=["establishment", "serial_number"])]

    def __str__(self) -> str:
        label = " ".join(part for part in (self.manufacturer, self.model_name) if part)
        hostname = self.asset.hostname if self.asset_id else ""
        if label and hostname:
            return f"{label} ({hostname})"
        return label or hostname

    def clean(self) -> None:
        if (
            self.asset_id
            and self.establishment_id
            and self.asset.establishment_id != (self.establishment_id)
        ):
            raise ValidationError({"asset": _("This asset belongs to another establishment.")})
        if (
            self.department_id
            and self.establishment_id
            and self.department is not None
            and self.department.establishment_id != self.establishment_id
        ):
            raise ValidationError(
                {"department": _("This department belongs to another establishment.")}
            )
        allowed = set(CompensatingControl.values)
        controls = self.compensating_controls or []
        if not isinstance(controls, list) or any(c not in allowed for c in controls):
            raise ValidationError({"compensating_controls": _("Unknown compensating control.")})
        if not isinstance(self.mds2, dict):
            raise ValidationError({"mds2": _("Expected a mapping of MDS2 questions to answers.")})

    def os_unsupported(self, today: datetime.date | None = None) -> bool:
        day = today or datetime.date.today()
        return self.os_end_of_support is not None and self.os_end_of_support < day

    @property
    def life_sustaining(self) -> bool:
        return self.clinical_function == ClinicalFunction.LIFE_SUSTAINING


class VendorAlias(models.Model):
    """A spelling of a vendor or product seen in imports and feeds, and its canonical name."""

    kind = models.CharField(
        _("kind"), max_length=10, choices=AliasKind.choices, default=AliasKind.VENDOR
    )
    alias = models.CharField(_("alias"), max_length=200)
    canonical = models.CharField(_("canonical name"), max_length=200)
    vendor = models.CharField(
        _("vendor"),
        max_length=200,
        blank=True,
        help_text=_("For a product alias: the canonical vendor it belongs to (empty: any)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "alias"]
        verbose_name = _("vendor alias")
        verbose_name_plural = _("vendor aliases")
        constraints = [
            models.UniqueConstraint(fields=["kind", "vendor", "alias"], name="devices_alias_unique")
        ]

    def __str__(self) -> str:
        return f"{self.alias} → {self.canonical}"

    def clean(self) -> None:
        self.alias = " ".join((self.alias or "").split())
        self.canonical = " ".join((self.canonical or "").split())
        self.vendor = " ".join((self.vendor or "").split())
        if self.alias and self.alias.casefold() == self.canonical.casefold():
            raise ValidationError(
                {"canonical": _("The alias and the canonical name are the same.")}
            )


class InventoryImport(models.Model):
    """An inventory file (CSV or CMMS export) on its way in: columns, mapping, checked rows."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="device_imports",
        verbose_name=_("establishment"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InventoryImportStatus.choices,
        default=InventoryImportStatus.UPLOADED,
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    columns = models.JSONField(_("columns"), default=list)
    rows = models.JSONField(_("rows"), default=list)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    objects = ScopedManager()
    scope_path = "establishment"
    audit_redacted_fields = ("rows",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inventory import")
        verbose_name_plural = _("inventory imports")

    def __str__(self) -> str:
        return str(_("Inventory import #%(id)s") % {"id": self.pk})
