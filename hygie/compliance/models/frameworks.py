"""The framework library as loaded into the database: frameworks and their requirement trees.

Shipped frameworks are synchronised from ``hygie/compliance/library/`` (``services.library``);
users may import their own. The library is the whole installation's: not establishment-scoped.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from hygie.compliance.choices import FrameworkSource, VerificationStatus


def localized(fr: str, en: str) -> str:
    """The French text in French (when there is one), the English one otherwise."""
    language = (get_language() or "en")[:2]
    if language == "fr" and fr:
        return fr
    return en or fr


class Framework(models.Model):
    """A framework of the library (CaRE, HDS, HIPAA…), shipped with Hygie or imported."""

    framework_id = models.SlugField(_("identifier"), max_length=100, unique=True)
    urn = models.CharField(_("URN"), max_length=300, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    version = models.CharField(_("version"), max_length=100, blank=True)
    publication_date = models.CharField(_("publication date"), max_length=20, blank=True)
    provider = models.CharField(_("provider"), max_length=300, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    licence_note = models.TextField(_("licence note"), blank=True)
    metadata = models.JSONField(_("metadata"), default=dict, blank=True)
    source = models.CharField(
        _("origin"), max_length=20, choices=FrameworkSource.choices, default=FrameworkSource.SHIPPED
    )
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["framework_id"]
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.name_fr, self.name_en) or self.framework_id

    @property
    def description(self) -> str:
        return localized(self.description_fr, self.description_en)


class Requirement(models.Model):
    """One requirement (or chapter heading) of a framework, with its stable URN."""

    framework = models.ForeignKey(
        Framework,
        on_delete=models.CASCADE,
        related_name="requirements",
        verbose_name=_("framework"),
    )
    urn = models.CharField(_("URN"), max_length=300, unique=True)
    ref_id = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    is_assessable = models.BooleanField(_("assessable"), default=True)
    title_fr = models.TextField(_("title (French)"), blank=True)
    title_en = models.TextField(_("title (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    verification_status = models.CharField(
        _("verification"),
        max_length=20,
        choices=VerificationStatus.choices,
        default=VerificationStatus.VERIFIED,
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    # The Hygie control objectives this requirement maps onto (from the mapping files), kept
    # here so a probe result finds its requirements in one query.
    controls = models.JSONField(_("controls"), default=list, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)

    class Meta:
        ordering = ["framework", "order"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}".strip()

    @property
    def title(self) -> str:
        return localized(self.title_fr, self.title_en)

    @property
    def description(self) -> str:
        return localized(self.description_fr, self.description_en)

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED
