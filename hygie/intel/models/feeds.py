"""Feeds: where indicators come from on a schedule (TAXII collection, MISP feed, STIX URL…)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Establishment
from hygie.core.models.scoping import ScopedManager
from hygie.intel.models.choices import FeedKind, TlpLevel
from hygie.intel.models.partners import Partner


class Feed(models.Model):
    """A source polled by the task runner; its state makes sure nothing is fetched twice."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="intel_feeds",
        verbose_name=_("establishment"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=FeedKind.choices)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feeds",
        verbose_name=_("partner"),
    )
    url = models.CharField(
        _("address"),
        max_length=1000,
        help_text=_("URL of the feed, or for a file feed a path under the data folder's feeds/."),
    )
    collection_id = models.CharField(_("TAXII collection id"), max_length=100, blank=True)
    poll_interval_minutes = models.PositiveIntegerField(_("poll every (minutes)"), default=60)
    default_tlp = models.CharField(
        _("default TLP"),
        max_length=12,
        choices=TlpLevel.choices,
        default=TlpLevel.AMBER,
        help_text=_("Applied to indicators that come without a marking."),
    )
    default_confidence = models.PositiveSmallIntegerField(
        _("default confidence"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last updated"), null=True, blank=True)
    last_added_after = models.CharField(
        _("TAXII added_after"),
        max_length=40,
        blank=True,
        help_text=_("The X-TAXII-Date-Added-Last of the last poll: the next poll starts there."),
    )
    state = models.JSONField(
        _("state"),
        default=dict,
        blank=True,
        help_text=_("What was already fetched (MISP event timestamps, ETag…)."),
    )
    last_error = models.TextField(_("last error"), blank=True)
    last_counts = models.JSONField(_("last poll counts"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["name"]
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        constraints = [
            models.UniqueConstraint(fields=["establishment", "name"], name="intel_feed_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        url = (self.url or "").strip()
        if self.kind == FeedKind.FILE:
            if url.startswith("/") or ".." in url.replace("\\", "/").split("/"):
                raise ValidationError(
                    {"url": _("A path relative to the data folder's feeds/ folder.")}
                )
        elif not url.startswith(("https://", "http://")):
            raise ValidationError({"url": _("A URL starting with https:// or http://.")})
        if (
            self.partner_id
            and self.establishment_id
            and self.partner is not None
            and self.partner.establishment_id != self.establishment_id
        ):
            raise ValidationError({"partner": _("This partner belongs to another establishment.")})
        if self.default_confidence is not None and self.default_confidence > 100:
            raise ValidationError({"default_confidence": _("Confidence goes from 0 to 100.")})
