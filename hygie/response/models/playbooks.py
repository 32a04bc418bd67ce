"""Playbooks: the organisation's own (edited copies and additions) and those applied to incidents.

The shipped playbooks live as YAML files in ``hygie/response/playbooks/``; a ``Playbook`` row is an
organisation's copy or addition, validated by the playbook engine before it is saved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Organisation
from hygie.core.models.scoping import ScopedManager

_USER = settings.AUTH_USER_MODEL


class Playbook(models.Model):
    """An organisation's playbook, stored as the YAML the user edits."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="playbooks",
        verbose_name=_("organisation"),
    )
    key = models.SlugField(_("key"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    version = models.CharField(_("version"), max_length=40)
    based_on = models.CharField(
        _("copied from"),
        max_length=100,
        blank=True,
        help_text=_("Key of the shipped playbook this copy started from."),
    )
    source = models.TextField(_("YAML"))
    is_active = models.BooleanField(_("active"), default=True)
    reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    updated_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "organisation__establishments"

    class Meta:
        ordering = ["title"]
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="playbook_key_unique")
        ]

    def __str__(self) -> str:
        return self.title


class AppliedPlaybook(models.Model):
    """A playbook applied to an incident, frozen as it was when applied."""

    incident = models.ForeignKey(
        "response.Incident", on_delete=models.CASCADE, related_name="playbooks"
    )
    key = models.CharField(_("playbook"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    version = models.CharField(_("version"), max_length=40)
    source = models.TextField(_("YAML as applied"))
    applied_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "incident__establishment"

    class Meta:
        ordering = ["applied_at", "pk"]
        verbose_name = _("applied playbook")
        verbose_name_plural = _("applied playbooks")

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"
