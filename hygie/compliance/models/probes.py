"""Probe results: what each registered probe found for one establishment, with its evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hygie.compliance.choices import ProbeStatus
from hygie.core import registries
from hygie.core.models import Establishment, Evidence
from hygie.core.models.scoping import ScopedManager


class ProbeRun(models.Model):
    """One run of one probe for one establishment (kept: the history is evidence too)."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="probe_runs",
        verbose_name=_("establishment"),
    )
    probe_id = models.CharField(_("probe"), max_length=200, db_index=True)
    # The probe's English title as a msgid (translated when shown) and its controls at run time.
    title = models.CharField(_("title"), max_length=300, blank=True)
    controls = models.JSONField(_("controls"), default=list, blank=True)
    status = models.CharField(_("result"), max_length=20, choices=ProbeStatus.choices)
    summary = models.TextField(_("summary"), blank=True)
    summary_params = models.JSONField(_("summary parameters"), default=dict, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    ran_at = models.DateTimeField(_("ran at"), db_index=True)
    evidence = models.ForeignKey(
        Evidence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence"),
    )
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-ran_at", "-pk"]
        verbose_name = _("probe result")
        verbose_name_plural = _("probe results")
        indexes = [models.Index(fields=["establishment", "probe_id", "-ran_at"])]

    def __str__(self) -> str:
        return f"{self.probe_id} {self.status}"

    @property
    def title_display(self) -> str:
        return gettext(self.title) if self.title else self.probe_id

    @property
    def summary_display(self) -> str:
        """The summary in the reader's language (a msgid filled with its parameters)."""
        if not self.summary:
            return ""
        render = getattr(registries, "render_summary", None)
        if render is not None:
            return str(render(self.summary, self.summary_params))
        text = gettext(self.summary)
        try:
            return text % self.summary_params if self.summary_params else text
        except (KeyError, TypeError, ValueError):
            return self.summary
