"""Notification drafts: pre-filled from the incident, edited by the team, exported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models.scoping import ScopedManager
from hygie.response.choices import DraftKind, DraftStatus

_USER = settings.AUTH_USER_MODEL


class NotificationDraft(models.Model):
    """A notification to a regulator or to individuals, as field groups of label → value."""

    incident = models.ForeignKey(
        "response.Incident", on_delete=models.CASCADE, related_name="drafts"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=DraftKind.choices)
    language = models.CharField(_("language"), max_length=5, default="fr")
    status = models.CharField(
        _("status"), max_length=10, choices=DraftStatus.choices, default=DraftStatus.DRAFT
    )
    # {"groups": [{"key", "title", "fields": [{"key", "label", "value", "to_complete"}]}]}
    content = models.JSONField(_("content"), default=dict)
    created_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "incident__establishment"

    class Meta:
        ordering = ["kind", "language"]
        verbose_name = _("notification draft")
        verbose_name_plural = _("notification drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "kind", "language"], name="draft_unique_per_incident"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"
