"""Hygie's TAXII 2.1 server: collections, their objects, who may read/write them, statuses."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Establishment
from hygie.core.models.scoping import ScopedManager
from hygie.intel.models.choices import TaxiiStatusValue, TlpLevel
from hygie.intel.models.partners import Partner

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"


def _default_media_types() -> list[str]:
    return [STIX_MEDIA_TYPE]


class TaxiiCollection(models.Model):
    """A TAXII 2.1 collection served under an API root."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="taxii_collections",
        verbose_name=_("establishment"),
    )
    collection_id = models.UUIDField(_("collection id"), default=uuid.uuid4, unique=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    alias = models.SlugField(_("alias"), max_length=100, blank=True)
    api_root = models.SlugField(_("API root"), max_length=100, default="api1")
    can_read_default = models.BooleanField(
        _("readable by every partner with a credential"), default=False
    )
    can_write_default = models.BooleanField(
        _("writable by every partner with a credential"), default=False
    )
    media_types = models.JSONField(_("media types"), default=_default_media_types)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["api_root", "title"]
        verbose_name = _("TAXII collection")
        verbose_name_plural = _("TAXII collections")

    def __str__(self) -> str:
        return self.title


class TaxiiObject(models.Model):
    """One version of a STIX object in a collection (``version`` is its ``modified``)."""

    collection = models.ForeignKey(
        TaxiiCollection,
        on_delete=models.CASCADE,
        related_name="stix_objects",
        verbose_name=_("collection"),
    )
    stix_id = models.CharField(_("STIX id"), max_length=100)
    stix_type = models.CharField(_("STIX type"), max_length=50, db_index=True)
    version = models.CharField(_("version"), max_length=40)
    spec_version = models.CharField(_("specification version"), max_length=10, default="2.1")
    date_added = models.DateTimeField(_("date added"), db_index=True)
    tlp = models.CharField(_("TLP"), max_length=12, choices=TlpLevel.choices, blank=True)
    object = models.JSONField(_("object"))

    objects = ScopedManager()
    scope_path = "collection__establishment"

    class Meta:
        ordering = ["date_added", "id"]
        verbose_name = _("TAXII object")
        verbose_name_plural = _("TAXII objects")
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "stix_id", "version"], name="intel_taxii_object_version"
            )
        ]
        indexes = [models.Index(fields=["collection", "stix_id"])]

    def __str__(self) -> str:
        return f"{self.stix_id} ({self.version})"


class TaxiiAccess(models.Model):
    """What a partner may do with a collection."""

    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="taxii_access", verbose_name=_("partner")
    )
    collection = models.ForeignKey(
        TaxiiCollection,
        on_delete=models.CASCADE,
        related_name="access",
        verbose_name=_("collection"),
    )
    can_read = models.BooleanField(_("can read"), default=True)
    can_write = models.BooleanField(_("can write"), default=False)

    objects = ScopedManager()
    scope_path = "collection__establishment"

    class Meta:
        ordering = ["collection", "partner"]
        verbose_name = _("TAXII access")
        verbose_name_plural = _("TAXII access rights")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "collection"], name="intel_taxii_access_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} → {self.collection}"


class TaxiiStatus(models.Model):
    """The status resource of an ``Add Objects`` request."""

    status_id = models.UUIDField(_("status id"), default=uuid.uuid4, unique=True)
    collection = models.ForeignKey(
        TaxiiCollection,
        on_delete=models.CASCADE,
        related_name="statuses",
        verbose_name=_("collection"),
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="taxii_statuses",
        verbose_name=_("partner"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TaxiiStatusValue.choices,
        default=TaxiiStatusValue.PENDING,
    )
    request_timestamp = models.DateTimeField(_("request time"), null=True, blank=True)
    total_count = models.PositiveIntegerField(_("total"), default=0)
    success_count = models.PositiveIntegerField(_("successes"), default=0)
    failure_count = models.PositiveIntegerField(_("failures"), default=0)
    pending_count = models.PositiveIntegerField(_("pending"), default=0)
    successes = models.JSONField(_("successes detail"), default=list, blank=True)
    failures = models.JSONField(_("failures detail"), default=list, blank=True)
    pendings = models.JSONField(_("pending detail"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "collection__establishment"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("TAXII status")
        verbose_name_plural = _("TAXII statuses")

    def __str__(self) -> str:
        return str(self.status_id)
