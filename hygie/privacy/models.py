"""PHI discovery on the platform: where to scan, each scan, and the findings inventory.

Findings never hold a value: a masked sample and keyed hashes (HMAC-SHA256 under a key derived
from the installation secret). Paths are stored relative to their scan root.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Establishment, Job
from hygie.core.models.scoping import ScopedManager
from hygie.privacy.choices import (
    ENTITY_CHOICES,
    FR_CATEGORY_CHOICES,
    HIPAA_CHOICES,
    Exposure,
    RunStatus,
    TriageStatus,
    fr_category_description,
    hipaa_description,
)

# --- locations -------------------------------------------------------------------------------
_LINE_COLUMN = re.compile(r"^line (\d+), column (\d+)$")
_ROW_COLUMN = re.compile(r"^row (\d+), column (.+)$")
_COLUMN = re.compile(r"^column (\d+)(?: \((.*)\))?$")
_NAMED_COLUMN = re.compile(r"^column (.+)$")


def location_display(location: str) -> str:
    """A finding's stored location (see ``services._location_of``) in the active language."""
    text = location or ""
    if match := _LINE_COLUMN.match(text):
        return gettext("line %(line)s, column %(column)s") % {
            "line": match.group(1),
            "column": match.group(2),
        }
    if match := _ROW_COLUMN.match(text):
        return gettext("row %(row)s, column %(column)s") % {
            "row": match.group(1),
            "column": _quoted(match.group(2)),
        }
    if match := _COLUMN.match(text):
        if match.group(2):
            return gettext("column %(number)s %(name)s") % {
                "number": match.group(1),
                "name": _quoted(match.group(2)),
            }
        return gettext("column %(column)s") % {"column": match.group(1)}
    if match := _NAMED_COLUMN.match(text):
        return gettext("column %(column)s") % {"column": _quoted(match.group(1))}
    return text


def _quoted(name: str) -> str:
    return gettext("“%(name)s”") % {"name": name}


# --- risk ------------------------------------------------------------------------------------
# risk = sensitivity(entity) × volume(distinct values) × exposure(location) × max confidence.
# Documented in docs/privacy-platform.md; change both together.
SENSITIVITY: dict[str, float] = {
    "FR_NIR": 10,
    "US_SSN": 10,
    "FR_INS": 10,
    "US_MBI": 9,
    "MRN": 8,
    "CREDIT_CARD": 8,
    "IBAN": 7,
    "DATE_OF_BIRTH": 6,
    "PERSON": 5,
    "ADDRESS": 4,
    "FR_PHONE": 3,
    "US_PHONE": 3,
    "EMAIL": 3,
    "POSTAL_CODE": 1,
    "DATE": 1,
    "IP_ADDRESS": 2,
    "URL": 2,
    "FR_RPPS": 2,
    "FR_ADELI": 2,
    "US_NPI": 2,
    "US_DEA": 3,
    "FR_FINESS": 1,
}
DEFAULT_SENSITIVITY = 3.0
EXPOSURE_WEIGHT: dict[str | None, float] = {
    Exposure.SHARED_DRIVE: 3.0,
    Exposure.MAILBOX: 2.5,
    Exposure.APPLICATION_EXPORT: 2.0,
    Exposure.PERSONAL: 1.5,
    Exposure.OTHER: 1.0,
    None: 1.0,  # None: an uploaded file
}


def risk_score(
    entity_type: str, distinct_values: int, exposure: str | None, confidence: float
) -> float:
    """Volume grows with the logarithm of distinct values: 1 → ×1, 10 → ×2, 1000 → ×4."""
    volume = 1.0 + math.log10(max(distinct_values, 1))
    sensitivity = SENSITIVITY.get(entity_type, DEFAULT_SENSITIVITY)
    return round(sensitivity * volume * EXPOSURE_WEIGHT.get(exposure, 1.0) * confidence, 2)


# --- allow-list --------------------------------------------------------------------------------


def demo_folder() -> Path:
    """Where ``hygie demo`` writes its fictitious documents (``privacy/demo.py``)."""
    return Path(settings.HYGIE_HOME) / "demo" / "privacy"


def allowed_roots() -> list[Path]:
    """The administrator's allow-list (HYGIE_PRIVACY_SCAN_ROOTS), resolved.

    The demo folder is allowed too once ``hygie demo`` has written it: it holds only the
    fictitious documents Hygie generated, and the demo scan root can then be scanned again.
    """
    roots = []
    entries = list(getattr(settings, "HYGIE_PRIVACY_SCAN_ROOTS", []) or [])
    for entry in entries + ([demo_folder()] if demo_folder().is_dir() else []):
        try:
            roots.append(Path(entry).resolve(strict=True))
        except (OSError, RuntimeError, ValueError):
            continue  # a missing allowed folder allows nothing
    return roots


def resolve_scan_path(raw: str) -> Path:
    """The real location of ``raw`` if it lies under an allowed root, else ValidationError.

    Symbolic links are resolved first, so a link inside an allowed root that leads outside it is
    refused like the outside path itself.
    """
    if not raw or not os.path.isabs(raw):
        raise ValidationError(gettext("Give an absolute path on the server."))
    roots = allowed_roots()
    if not roots:
        raise ValidationError(
            gettext(
                "No folder may be scanned: the administrator has not set HYGIE_PRIVACY_SCAN_ROOTS."
            )
        )
    try:
        real = Path(raw).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):
        raise ValidationError(
            gettext("This path does not exist on the server or cannot be read.")
        ) from None
    if not any(real == root or real.is_relative_to(root) for root in roots):
        raise ValidationError(
            gettext(
                "This path is outside the folders the administrator allows for scanning "
                "(HYGIE_PRIVACY_SCAN_ROOTS)."
            )
        )
    if not real.is_dir():
        raise ValidationError(gettext("A scan root must be a folder."))
    return real


# --- models ------------------------------------------------------------------------------------


class ScanRoot(models.Model):
    """A folder on the server that is scanned for patient data, and how exposed it is."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="scan_roots",
        verbose_name=_("establishment"),
    )
    label = models.CharField(_("label"), max_length=200)
    path = models.CharField(
        _("path on the server"),
        max_length=1024,
        help_text=_(
            "Absolute path of a folder inside the folders the "
            "administrator allows (HYGIE_PRIVACY_SCAN_ROOTS)."
        ),
    )
    exposure = models.CharField(
        _("exposure"), max_length=30, choices=Exposure.choices, default=Exposure.SHARED_DRIVE
    )
    is_enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["label"]
        verbose_name = _("scan root")
        verbose_name_plural = _("scan roots")

    def __str__(self) -> str:
        return self.label

    def clean(self) -> None:
        super().clean()
        try:
            resolve_scan_path(self.path)
        except ValidationError as error:
            raise ValidationError({"path": error.messages}) from None


class ScanRun(models.Model):
    """One scan of a root or of an uploaded file, with its counts and what it skipped."""

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="scan_runs",
        verbose_name=_("establishment"),
    )
    root = models.ForeignKey(
        ScanRoot,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="runs",
        verbose_name=_("scan root"),
    )
    uploaded_name = models.CharField(_("uploaded file"), max_length=255, blank=True)
    job = models.ForeignKey(
        Job,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("job"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RunStatus.choices,
        default=RunStatus.QUEUED,
        db_index=True,
    )
    created_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    files_scanned = models.PositiveIntegerField(_("files scanned"), default=0)
    files_skipped = models.PositiveIntegerField(_("files skipped"), default=0)
    bytes_scanned = models.PositiveBigIntegerField(_("bytes scanned"), default=0)
    findings_count = models.PositiveIntegerField(
        _("findings"),
        default=0,
        help_text=_("Locations × kinds of data found (entity type and categories)."),
    )
    skipped = models.JSONField(
        _("skipped files"),
        default=list,
        blank=True,
        help_text=_("Relative path and reason (first 500)."),
    )
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("scan run")
        verbose_name_plural = _("scan runs")

    def __str__(self) -> str:
        target = self.root.label if self.root_id and self.root else gettext("uploaded file")
        return gettext("Scan #%(id)s: %(target)s") % {"id": self.pk, "target": target}

    @property
    def is_finished(self) -> bool:
        return self.status in {RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.CANCELLED}


class PHIFinding(models.Model):
    """One kind of patient data in one file (or archive member) of a root, over its scans.

    A kind is an entity type with its HIPAA Safe Harbor identifier and French category: the
    same file may hold record numbers (H) and health plan numbers (I), both reported as MRN.
    """

    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        related_name="phi_findings",
        verbose_name=_("establishment"),
    )
    root = models.ForeignKey(
        ScanRoot,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("scan root"),
    )
    scan_run = models.ForeignKey(
        ScanRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="findings",
        verbose_name=_("last scan"),
    )
    relative_path = models.CharField(
        _("file"),
        max_length=1024,
        help_text=_("Relative to the scan root; '!/' enters an archive or attachment."),
    )
    location = models.CharField(
        _("location"),
        max_length=300,
        blank=True,
        help_text=_("First occurrence: line and column, column of a table, or field path."),
    )
    entity_type = models.CharField(
        _("entity type"), max_length=30, choices=ENTITY_CHOICES, db_index=True
    )
    hipaa_identifier = models.CharField(
        _("HIPAA identifier"),
        max_length=4,
        choices=HIPAA_CHOICES,
        db_index=True,
        help_text=_("HIPAA Safe Harbor identifier, 45 CFR 164.514(b)(2): A to R, or none."),
    )
    fr_category = models.CharField(
        _("French category"), max_length=20, choices=FR_CATEGORY_CHOICES, db_index=True
    )
    count = models.PositiveIntegerField(_("occurrences"), default=0)
    distinct_values = models.PositiveIntegerField(_("distinct values"), default=0)
    max_confidence = models.FloatField(_("max confidence"), default=0.0)
    validated_count = models.PositiveIntegerField(_("validated"), default=0)
    masked_sample = models.CharField(_("masked sample"), max_length=200, blank=True)
    value_hashes = models.JSONField(_("value hashes"), default=list, blank=True)
    risk_score = models.FloatField(_("risk"), default=0.0, db_index=True)
    is_present = models.BooleanField(_("still present"), default=True, db_index=True)
    triage_status = models.CharField(
        _("triage"),
        max_length=20,
        choices=TriageStatus.choices,
        default=TriageStatus.UNTRIAGED,
        db_index=True,
    )
    triage_comment = models.TextField(_("triage comment"), blank=True)
    triaged_by = models.ForeignKey(
        "core.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("triaged by"),
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))

    objects = ScopedManager()
    scope_path = "establishment"

    class Meta:
        ordering = ["-risk_score", "pk"]
        verbose_name = _("PHI finding")
        verbose_name_plural = _("PHI findings")
        constraints = [
            models.UniqueConstraint(
                fields=["root", "relative_path", "entity_type", "hipaa_identifier", "fr_category"],
                condition=models.Q(root__isnull=False),
                name="privacy_finding_unique_per_root_path_kind",
            ),
        ]
        indexes = [models.Index(fields=["establishment", "triage_status", "-risk_score"])]

    def __str__(self) -> str:
        return f"{self.get_entity_type_display()} — {self.relative_path}"[:200]

    @property
    def hipaa_description(self) -> str:
        return hipaa_description(self.hipaa_identifier)

    @property
    def fr_category_description(self) -> str:
        return fr_category_description(self.fr_category)

    def get_location_display(self) -> str:
        """The location in the reader's language. It is stored in one canonical English form
        (“line 3, column 26”, “column 4 (nir)”, a field path), read back here, so rows of any
        age read alike; a column's name is data and stays as found, between quotation marks."""
        return location_display(self.location)
