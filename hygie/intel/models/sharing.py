"""Sharing an incident with a partner: the scrubbed bundle, what was removed, who approved it.

The incident lives in the response module, above intel in the layering: it is referred to by
``incident_ref`` (never a foreign key), filled through a core registry the response module feeds.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Establishment
from hygie.core.models.scoping import ScopedManager
from hygie.intel.models.choices import ShareFormat, ShareStatus, TlpLevel
from hygie.intel.models.partners import Partner


class IncidentShare(models.Model):
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="intel_shares",
        verbose_name=_("establishment"),
    )
    incident_ref = models.CharField(_("incident"), max_length=100, db_index=True)
    incident_title = models.CharField(_("incident title"), max_length=300, blank=True)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shares",
        verbose_name=_("partner"),
    )
    format = models.CharField(
        _("format"), max_length=10, choices=ShareFormat.choices, default=ShareFormat.STIX21
    )
    tlp = models.CharField(
        _("TLP"), max_length=12, choices=TlpLevel.choices, default=TlpLevel.AMBER
    )
    bundle = models.JSONField(_("content (scrubbed)"), default=dict, blank=True)
    removed = models.JSONField(
        _("removed by the privacy engine"),
        default=list,
        blank=True,
        help_text=_("What was removed and why (masked: the removed text itself is not kept)."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ShareStatus.choices, default=ShareStatus.DRAFT
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    destination = models.CharField(_("destination"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("incident share")
        verbose_name_plural = _("incident shares")

    def __str__(self) -> str:
        return self.incident_title or self.incident_ref
