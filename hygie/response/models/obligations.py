"""Regulatory profiles of establishments and the obligations each incident triggers."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Establishment, Evidence
from hygie.core.models.scoping import ScopedManager
from hygie.response.choices import HIPAARole, NIS2Class, ObligationStatus, RegulatoryType

_USER = settings.AUTH_USER_MODEL


# The engine's texts quote the fact they read in its file spelling, “(personal_data : unknown)”:
# a key for the JSON output, redundant with the sentence around it on a page.
_FACT_KEY = re.compile(r"\s*\(personal_data\s?: (?:unknown|false|true)\)")


def _without_fact_keys(text: str) -> str:
    return _FACT_KEY.sub("", text)


class RegulatoryProfile(models.Model):
    """Which regimes an establishment falls under (NIS2 class, HIPAA role, GDPR controller)."""

    establishment = models.OneToOneField(
        Establishment, on_delete=models.CASCADE, related_name="regulatory_profile"
    )
    type = models.CharField(
        _("regulatory type"),
        max_length=30,
        choices=RegulatoryType.choices,
        default=RegulatoryType.HOSPITAL,
    )
    nis2 = models.CharField(
        _("NIS2"), max_length=20, choices=NIS2Class.choices, default=NIS2Class.NONE
    )
    hipaa = models.CharField(
        _("HIPAA"), max_length=30, choices=HIPAARole.choices, default=HIPAARole.NONE
    )
    gdpr_controller = models.BooleanField(_("GDPR controller"), default=True)
    notification_emails = models.TextField(
        _("reminder recipients"),
        blank=True,
        help_text=_(
            "E-mail addresses (one per line) that receive obligation reminders, besides "
            "the incident's assignee and watchers."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        verbose_name = _("regulatory profile")
        verbose_name_plural = _("regulatory profiles")

    def __str__(self) -> str:
        return str(self.establishment)


class IncidentObligation(models.Model):
    """One regulatory obligation of one incident, as assessed by the engine, and its status."""

    incident = models.ForeignKey(
        "response.Incident", on_delete=models.CASCADE, related_name="obligations"
    )
    obligation_id = models.CharField(_("obligation"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    applies = models.BooleanField(_("applies"))
    provisional = models.BooleanField(_("provisional"), default=False)
    reason = models.TextField(_("reason"))
    recipient = models.CharField(_("recipient"), max_length=300)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    verification = models.CharField(_("source verification"), max_length=20)
    trigger_at = models.DateTimeField(_("clock started"))
    deadline_kind = models.CharField(_("deadline kind"), max_length=30, blank=True)
    deadline_at = models.DateTimeField(_("due (instant)"), null=True, blank=True, db_index=True)
    deadline_date = models.DateField(_("due (date)"), null=True, blank=True)
    deadline_rule = models.TextField(_("deadline rule"), blank=True)
    due_at = models.DateTimeField(
        _("due"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "The instant used for sorting and reminders: the deadline instant, or the end "
            "of the due date in the establishment's time zone."
        ),
    )
    notes = models.JSONField(_("notes"), default=list, blank=True)
    # The engine's human texts in every language: {"fr": {"title", "reason", "recipient",
    # "notes", "deadline_rule"}, "en": {...}}. The plain fields above keep the English wording;
    # rows assessed before this field existed have {} and show them.
    texts = models.JSONField(_("texts by language"), default=dict, blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ObligationStatus.choices,
        default=ObligationStatus.PENDING,
        db_index=True,
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    proof_reference = models.CharField(
        _("proof reference"),
        max_length=300,
        blank=True,
        help_text=_("Receipt or case number from the recipient."),
    )
    proof_evidence = models.ForeignKey(
        Evidence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proof file"),
    )
    justification = models.TextField(_("justification"), blank=True)
    decided_by = models.ForeignKey(
        _USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_reminder_at = models.DateTimeField(_("last reminder"), null=True, blank=True)
    assessed_at = models.DateTimeField(_("assessed at"))

    objects = ScopedManager()
    scope_path = "incident__establishment"

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("regulatory obligation")
        verbose_name_plural = _("regulatory obligations")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "obligation_id"], name="obligation_unique_per_incident"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def text(self, key: str, language: str | None = None) -> Any:
        """``key`` (title, reason, recipient, notes, deadline_rule) in ``language`` (default: the
        active one), falling back to the English field when that language is not stored."""
        code = (language or translation.get_language() or "en").lower()
        code = "en" if code.startswith("en") else "fr" if code.startswith("fr") else code
        localized = (self.texts or {}).get(code) or {}
        value = localized.get(key)
        return value if value not in (None, "") else getattr(self, key)

    @property
    def shown_title(self) -> str:
        return str(self.text("title"))

    @property
    def shown_reason(self) -> str:
        return _without_fact_keys(str(self.text("reason")))

    @property
    def shown_recipient(self) -> str:
        return str(self.text("recipient"))

    @property
    def shown_notes(self) -> list[str]:
        return [_without_fact_keys(str(note)) for note in self.text("notes")]

    @property
    def shown_deadline_rule(self) -> str:
        return _without_fact_keys(str(self.text("deadline_rule")))
