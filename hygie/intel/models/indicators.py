"""The indicator store: one row per (establishment, kind, normalised value), its provenance per
source and its sightings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Alert, Establishment
from hygie.core.models.scoping import ScopedManager
from hygie.intel.engine.errors import IndicatorError
from hygie.intel.engine.model import IndicatorType, normalise
from hygie.intel.engine.text import refang
from hygie.intel.models.choices import IndicatorKind, TlpLevel
from hygie.intel.models.feeds import Feed
from hygie.intel.models.partners import Partner


class Indicator(models.Model):
    """An indicator of compromise, de-duplicated across sources (provenance: ``sources``)."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="intel_indicators",
        verbose_name=_("establishment"),
    )
    kind = models.CharField(_("type"), max_length=20, choices=IndicatorKind.choices)
    value = models.CharField(_("value"), max_length=2048, help_text=_("Normalised value."))
    stix_id = models.CharField(_("STIX id"), max_length=100, blank=True, db_index=True)
    pattern = models.TextField(_("STIX pattern"), blank=True)
    confidence = models.PositiveSmallIntegerField(
        _("confidence"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    tlp = models.CharField(
        _("TLP"), max_length=12, choices=TlpLevel.choices, default=TlpLevel.AMBER
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True, db_index=True)
    revoked = models.BooleanField(_("revoked"), default=False)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        db_index=True,
        help_text=_("Used for matching: inside its validity window, neither revoked nor aged out."),
    )
    to_ids = models.BooleanField(_("usable for detection"), default=True)
    description = models.TextField(_("description"), blank=True)
    kill_chain = models.JSONField(
        _("kill chain / ATT&CK"),
        default=list,
        blank=True,
        help_text=_("Kill-chain phases and ATT&CK techniques (T1059.001…)."),
    )
    labels = models.JSONField(_("labels"), default=list, blank=True)
    first_seen_at = models.DateTimeField(_("first sighting"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last sighting"), null=True, blank=True)
    sighting_count = models.PositiveIntegerField(_("sightings"), default=0)
    last_confirmed_at = models.DateTimeField(
        _("last confirmed"),
        null=True,
        blank=True,
        help_text=_("Last time a source delivered this indicator (ageing starts there)."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-updated_at", "kind", "value"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "kind", "value"], name="intel_indicator_unique_value"
            )
        ]
        indexes = [models.Index(fields=["establishment", "is_active", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def clean(self) -> None:
        """The value in the engine's normal form (defanged input accepted), so a value typed in a
        form and the same value from a feed are one indicator."""
        if self.kind in IndicatorKind.values and self.value:
            try:
                self.value = normalise(IndicatorType(self.kind), refang(self.value))
            except IndicatorError:
                raise ValidationError(
                    {
                        "value": _("This value is not a valid %(kind)s.")
                        % {"kind": self.get_kind_display()}
                    }
                ) from None
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValidationError(
                {"valid_until": _("The end of validity must come after its start.")}
            )


class IndicatorSource(models.Model):
    """Provenance: one source's view of an indicator (kept per source, never merged away)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="sources", verbose_name=_("indicator")
    )
    feed = models.ForeignKey(
        Feed,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicator_sources",
        verbose_name=_("feed"),
    )
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicator_sources",
        verbose_name=_("partner"),
    )
    source_name = models.CharField(_("source"), max_length=200)
    source_ref = models.CharField(
        _("reference in the source"),
        max_length=300,
        blank=True,
        help_text=_("STIX id, MISP attribute uuid, CSV line…"),
    )
    tlp = models.CharField(_("TLP"), max_length=12, choices=TlpLevel.choices, blank=True)
    confidence = models.PositiveSmallIntegerField(
        _("confidence"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    comment = models.TextField(_("comment"), blank=True)
    first_imported_at = models.DateTimeField(_("first imported"), auto_now_add=True)
    imported_at = models.DateTimeField(_("last imported"))

    objects = ScopedManager()
    scope_path = "indicator__establishment"

    class Meta:
        ordering = ["-imported_at"]
        verbose_name = _("indicator source")
        verbose_name_plural = _("indicator sources")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "source_name"], name="intel_indicator_source_unique"
            )
        ]

    def __str__(self) -> str:
        return self.source_name


class Sighting(models.Model):
    """An indicator seen in the establishment's own events (no patient data in ``context``)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="sightings", verbose_name=_("indicator")
    )
    at = models.DateTimeField(_("seen at"), db_index=True)
    source = models.CharField(
        _("seen by"), max_length=50, default="detection", help_text=_("detection, retro-hunt…")
    )
    event_ref = models.CharField(_("event"), max_length=200, blank=True)
    observed_value = models.CharField(_("observed value"), max_length=2048, blank=True)
    context = models.JSONField(_("context"), default=dict, blank=True)
    alert = models.ForeignKey(
        Alert,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intel_sightings",
        verbose_name=_("alert"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager()
    scope_path = "indicator__establishment"

    class Meta:
        ordering = ["-at"]
        verbose_name = _("sighting")
        verbose_name_plural = _("sightings")
        indexes = [models.Index(fields=["indicator", "-at"])]

    def __str__(self) -> str:
        return f"{self.indicator} @ {self.at:%Y-%m-%d %H:%M}"

    @property
    def source_label(self) -> str:
        """``source`` in the reader's language when it is one of the platform's own."""
        labels = {
            "detection": _("Detection"),
            "retro-hunt": _("Retro-hunt"),
            "manual": _("Entered by hand"),
        }
        return str(labels.get(self.source, self.source))
