"""Evidence: files and snapshots with their SHA-256, linked to whatever they prove."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hygie.core.models.organisation import Establishment
from hygie.core.models.scoping import ScopedManager
from hygie.lib.filenames import masked_file_name, safe_extension


def evidence_path(instance: Evidence, filename: str) -> str:
    # The stored name is the digest, never the uploaded name (which may hold patient names).
    return digest_path(instance.sha256)


def digest_path(sha256: str) -> str:
    """Where the content with this SHA-256 is stored (content-addressed: one file per content)."""
    return f"evidence/{sha256[:2]}/{sha256}"


class Evidence(models.Model):
    """A proof: an uploaded file or a JSON snapshot computed by the platform."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("establishment"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True)
    # Personal data (a name may identify a patient): masked in pages, lists, API answers and
    # the audit trail; shown in full only through services.evidence.reveal_original_name.
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    content_type_label = models.CharField(_("content type"), max_length=100, blank=True)
    snapshot = models.JSONField(_("snapshot"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.BigIntegerField(_("size (bytes)"), default=0)
    collected_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("collected by"),
    )
    collected_at = models.DateTimeField(_("collected at"), auto_now_add=True)
    subject_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject_id = models.CharField(max_length=64, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")

    objects = ScopedManager()
    scope_path = "establishment"
    audit_redacted_fields = ("original_name",)

    class Meta:
        ordering = ["-collected_at"]
        verbose_name = _("evidence")
        # Same word in English, not in French (preuve / preuves): a context tells them apart.
        verbose_name_plural = pgettext_lazy("plural", "evidence")

    def __str__(self) -> str:
        return self.title

    @property
    def file_name(self) -> str:
        """The uploaded name as pages show it: masked, extension only (``••••.pdf``)."""
        return masked_file_name(self.original_name)

    @property
    def download_name(self) -> str:
        """A neutral attachment name that says nothing of the original one."""
        if not self.file:
            return f"evidence-{self.pk}.json"
        return f"evidence-{self.pk}{safe_extension(self.original_name)}"
