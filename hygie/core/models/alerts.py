"""Alerts: one model for every module's signals (Sigma match, snooping, KEV on a device…)."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.choices import AlertStatus, SeverityChoice
from hygie.core.models.assets import Asset
from hygie.core.models.organisation import Establishment
from hygie.core.models.scoping import ScopedManager


class Alert(models.Model):
    """Something a module saw that a person should look at; repeats are grouped by ``group_key``."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("establishment"),
    )
    source = models.CharField(
        _("source module"),
        max_length=30,
        db_index=True,
        help_text=_("Module that raised the alert, e.g. detection."),
    )
    rule_id = models.CharField(_("rule"), max_length=200, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    severity = models.IntegerField(
        _("severity"), choices=SeverityChoice.choices, default=SeverityChoice.MEDIUM, db_index=True
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AlertStatus.choices,
        default=AlertStatus.NEW,
        db_index=True,
    )
    asset = models.ForeignKey(
        Asset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("asset"),
    )
    group_key = models.CharField(_("grouping key"), max_length=300, blank=True, db_index=True)
    occurrences = models.PositiveIntegerField(_("occurrences"), default=1)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"), db_index=True)
    tags = models.JSONField(
        _("tags"), default=list, blank=True, help_text=_("ATT&CK techniques, regulation tags…")
    )
    details = models.JSONField(_("details"), default=dict, blank=True)
    assignee = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_alerts",
        verbose_name=_("assignee"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["establishment", "status", "-last_seen_at"])]

    def __str__(self) -> str:
        return self.get_title_display()

    def get_title_display(self) -> str:
        """The title in the reader's language when it is a msgid (a healthcare rule's title is
        stored as the rule says it, in English, and translated in detection's catalogue) or
        matches a template a module registered (``display.register_stored_messages``: "Known
        exploited vulnerability %(cve)s on …" written in English by the demo or the CLI)."""
        from hygie.core.display import stored_message

        return stored_message(self.title)

    def get_description_display(self) -> str:
        """The description in the reader's language: a msgid or a registered template."""
        from hygie.core.display import stored_message

        return stored_message(self.description) if self.description else ""

    def get_source_display(self) -> str:
        """What pages show for ``source`` (tables and detail rows read ``get_<field>_display``)."""
        return module_label(self.source)


def module_label(source: str) -> str:
    """A module's name as people read it (its app's verbose name, translated); the key itself
    for a module not installed here."""
    try:
        return str(apps.get_app_config(source).verbose_name)
    except LookupError:
        return source
