"""Stored log events and per-establishment rule settings.

Events keep their normalised fields (ECS-style dotted names) and the original text, cut to
``MAX_RAW_CHARS``; a line that could not be parsed is stored with ``parse_error``, never dropped.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Asset, Establishment
from hygie.core.models.scoping import ScopedManager

MAX_RAW_CHARS = 8192


class EventSource(models.TextChoices):
    FILE = "file", _("File import")
    HTTP = "http", _("HTTP bulk endpoint")
    SYSLOG = "syslog", _("Syslog")


class Event(models.Model):
    """One log event received for an establishment, normalised, with its raw text."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE,
                                      related_name="+", verbose_name=_("establishment"))
    received_at = models.DateTimeField(_("received at"), db_index=True)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=EventSource.choices)
    product = models.CharField(_("product"), max_length=100, blank=True)
    service = models.CharField(_("service"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True)
    host = models.CharField(_("host"), max_length=253, blank=True)
    fields = models.JSONField(_("fields"), default=dict, blank=True)
    raw = models.TextField(_("raw text"), blank=True)
    parse_error = models.CharField(_("parse error"), max_length=300, blank=True)
    asset = models.ForeignKey(Asset, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("asset"))

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["establishment", "received_at"])]

    def __str__(self) -> str:
        return f"{self.product or '?'}/{self.service or self.category or '?'} #{self.pk}"


class RuleSetting(models.Model):
    """Whether one rule runs for one establishment (rules run everywhere unless disabled)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE,
                                      related_name="+", verbose_name=_("establishment"))
    rule_id = models.CharField(_("rule id"), max_length=100)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["rule_id"]
        verbose_name = _("rule setting")
        verbose_name_plural = _("rule settings")
        constraints = [models.UniqueConstraint(fields=["establishment", "rule_id"],
                                               name="detection_rulesetting_unique")]

    def __str__(self) -> str:
        return self.rule_id
