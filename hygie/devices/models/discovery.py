"""Passive discovery and segmentation: capture analyses with their candidate devices, observed
flows (from captures, NetFlow/IPFIX and Zeek exports), the zone policy and its violations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Alert, Establishment
from hygie.core.models.scoping import ScopedManager
from hygie.devices.models.inventory import Device


class DiscoveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SUCCEEDED = "succeeded", _("Analysed")
    FAILED = "failed", _("Failed")


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("To review")
    ACCEPTED = "accepted", _("Added to the inventory")
    MERGED = "merged", _("Merged into a device")
    DISMISSED = "dismissed", _("Dismissed")


class FlowSource(models.TextChoices):
    CAPTURE = "capture", _("Packet capture")
    NETFLOW = "netflow", _("NetFlow/IPFIX export")
    ZEEK = "zeek", _("Zeek conn.log")


class DiscoveryRun(models.Model):
    """One capture (pcap/pcapng) or flow export analysed for an establishment. The capture's
    file is kept only until the background job has analysed it."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="device_discoveries",
        verbose_name=_("establishment"),
    )
    name = models.CharField(_("file"), max_length=255, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=FlowSource.choices, default=FlowSource.CAPTURE
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(
        _("status"), max_length=10, choices=DiscoveryStatus.choices, default=DiscoveryStatus.QUEUED
    )
    # The capture waiting for its analysis: a private file under HYGIE_HOME/devices-uploads
    # (random name), deleted once analysed (decision 0017: captures can carry patient data).
    upload = models.CharField(
        _("file waiting for analysis"), max_length=80, blank=True, editable=False
    )
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    job_id = models.IntegerField(_("job"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedManager()
    scope_path = "establishment"
    audit_redacted_fields = ("upload",)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("discovery")
        verbose_name_plural = _("discoveries")

    def __str__(self) -> str:
        return str(_("Discovery #%(id)s") % {"id": self.pk})


class DiscoveredCandidate(models.Model):
    """A device seen on the network, with the evidence that identifies it, to review."""

    run = models.ForeignKey(
        DiscoveryRun,
        on_delete=models.CASCADE,
        related_name="candidates",
        verbose_name=_("discovery"),
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="+", verbose_name=_("establishment")
    )
    key = models.CharField(_("key"), max_length=80)
    ip_addresses = models.JSONField(_("IP addresses"), default=list, blank=True)
    mac_addresses = models.JSONField(_("MAC addresses"), default=list, blank=True)
    manufacturer = models.CharField(_("manufacturer"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    confidence = models.FloatField(_("confidence"), default=0.0)
    evidence = models.JSONField(_("evidence"), default=list, blank=True)
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CandidateStatus.choices,
        default=CandidateStatus.PENDING,
    )
    device = models.ForeignKey(
        Device,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discovered_candidates",
        verbose_name=_("device"),
    )

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-confidence", "key"]
        verbose_name = _("discovered device")
        verbose_name_plural = _("discovered devices")

    def __str__(self) -> str:
        return self.name or ", ".join(self.ip_addresses + self.mac_addresses) or self.key


class ObservedFlow(models.Model):
    """Traffic seen between two addresses (client -> server port), aggregated per tuple."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="device_flows",
        verbose_name=_("establishment"),
    )
    run = models.ForeignKey(
        DiscoveryRun,
        on_delete=models.CASCADE,
        related_name="flows",
        verbose_name=_("discovery"),
    )
    src = models.GenericIPAddressField(_("source"))
    dst = models.GenericIPAddressField(_("destination"))
    port = models.PositiveIntegerField(_("port"))
    protocol = models.CharField(_("protocol"), max_length=10)
    application = models.CharField(_("application"), max_length=20, blank=True)
    bytes = models.BigIntegerField(_("bytes"), default=0)
    packets = models.BigIntegerField(_("packets"), default=0)
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["src", "dst", "port"]
        verbose_name = _("observed flow")
        verbose_name_plural = _("observed flows")
        indexes = [models.Index(fields=["establishment", "src"])]

    def __str__(self) -> str:
        return f"{self.src} → {self.dst}:{self.port}/{self.protocol}"


class SegmentationPolicy(models.Model):
    """An establishment's zones and allowed flows (YAML, validated by the engine)."""

    establishment = models.OneToOneField(
        Establishment,
        on_delete=models.CASCADE,
        related_name="device_segmentation",
        verbose_name=_("establishment"),
    )
    document = models.TextField(_("policy (YAML)"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        verbose_name = _("segmentation policy")
        verbose_name_plural = _("segmentation policies")

    def __str__(self) -> str:
        return str(
            _("Segmentation policy of %(establishment)s") % {"establishment": self.establishment}
        )


class SegmentationViolation(models.Model):
    """A flow tuple no rule of the policy allows: one per (source, destination, port,
    protocol), its counters updated when it is seen again, one alert when first seen."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="device_violations",
        verbose_name=_("establishment"),
    )
    src = models.GenericIPAddressField(_("source"))
    dst = models.GenericIPAddressField(_("destination"))
    port = models.PositiveIntegerField(_("port"))
    protocol = models.CharField(_("protocol"), max_length=10)
    src_zone = models.CharField(_("source zone"), max_length=64)
    dst_zone = models.CharField(_("destination zone"), max_length=64)
    bytes = models.BigIntegerField(_("bytes"), default=0)
    packets = models.BigIntegerField(_("packets"), default=0)
    occurrences = models.PositiveIntegerField(_("observations"), default=0)
    first_seen = models.DateTimeField(_("first seen"), null=True, blank=True)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    alert = models.ForeignKey(
        Alert,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("alert"),
    )

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-last_seen"]
        verbose_name = _("segmentation violation")
        verbose_name_plural = _("segmentation violations")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "src", "dst", "port", "protocol"],
                name="devices_violation_tuple_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.src} → {self.dst}:{self.port}/{self.protocol}"
