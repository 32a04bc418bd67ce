"""Vulnerability intelligence: advisories and vulnerabilities (installation-wide public data),
the feed imports that brought them, and each device–vulnerability relation with its decision."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from hygie.core.models import Establishment
from hygie.core.models.scoping import ScopedManager
from hygie.devices.choices import (
    AdvisorySource,
    FeedKind,
    ImportStatus,
    MatchStatus,
    VexJustification,
    Workflow,
)
from hygie.devices.engine.texts import Text
from hygie.devices.models.inventory import Device


class FeedImport(models.Model):
    """One feed file imported (CSAF, NVD, KEV, EPSS, SBOM): digest, counts, errors."""

    kind = models.CharField(_("kind"), max_length=10, choices=FeedKind.choices)
    name = models.CharField(_("file"), max_length=255, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Empty for public feeds; a device's SBOM file belongs to the device's establishment.
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("establishment"),
    )

    objects = ScopedManager()
    scope_path = "establishment"
    scope_shared_when_null = True

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("feed import")
        verbose_name_plural = _("feed imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}".strip()


class Advisory(models.Model):
    """A source document: a CSAF advisory, an NVD record or an SBOM/VEX statement."""

    source = models.CharField(
        _("source"), max_length=10, choices=AdvisorySource.choices, default=AdvisorySource.CSAF
    )
    tracking_id = models.CharField(_("tracking id"), max_length=200)
    title = models.CharField(_("title"), max_length=500, blank=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    initial_release = models.DateTimeField(_("initial release"), null=True, blank=True)
    current_release = models.DateTimeField(_("current release"), null=True, blank=True)
    revision = models.CharField(_("revision"), max_length=50, blank=True)
    url = models.URLField(_("reference"), max_length=500, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    document = models.JSONField(_("document"), null=True, blank=True)
    feed_import = models.ForeignKey(
        FeedImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advisories",
        verbose_name=_("feed import"),
    )
    # Empty for public documents (CSAF, NVD: the installation's); a device's SBOM belongs to the
    # device's establishment and is seen only there (its product names are that hospital's).
    establishment = models.ForeignKey(
        Establishment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("establishment"),
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedManager()
    scope_path = "establishment"
    scope_shared_when_null = True

    class Meta:
        ordering = ["-current_release", "tracking_id"]
        verbose_name = _("advisory")
        verbose_name_plural = _("advisories")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "tracking_id"], name="devices_advisory_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tracking_id} {self.title}".strip()


class Vulnerability(models.Model):
    """A CVE with what the feeds say about it: CVSS, KEV, EPSS."""

    cve = models.CharField(_("CVE"), max_length=30, unique=True)
    description = models.TextField(_("description"), blank=True)
    cvss_vector = models.CharField(_("CVSS vector"), max_length=200, blank=True)
    cvss_score = models.FloatField(_("CVSS base score"), null=True, blank=True)
    kev = models.BooleanField(_("known exploited (KEV)"), default=False)
    kev_date_added = models.DateField(_("added to KEV"), null=True, blank=True)
    kev_due_date = models.DateField(_("KEV due date"), null=True, blank=True)
    kev_ransomware = models.BooleanField(_("used by ransomware"), default=False)
    epss_score = models.FloatField(_("EPSS score"), null=True, blank=True)
    epss_percentile = models.FloatField(_("EPSS percentile"), null=True, blank=True)
    epss_date = models.DateField(_("EPSS date"), null=True, blank=True)
    published = models.DateTimeField(_("published"), null=True, blank=True)
    advisories = models.ManyToManyField(
        Advisory, related_name="vulnerabilities", blank=True, verbose_name=_("advisories")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-cve"]
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")

    def __str__(self) -> str:
        return self.cve


# The CSAF remediation categories the engine writes at the start of each remediation line
# ("Vendor fix: Update to 5.3"), shown in the reader's language.
REMEDIATION_CATEGORIES = {
    "Vendor fix": _("Vendor fix"),
    "Mitigation": _("Mitigation"),
    "Workaround": _("Workaround"),
    "None available": _("None available"),
    "No fix planned": _("No fix planned"),
    "Fix planned": _("Fix planned"),
    "Optional patch": _("Optional patch"),
}


def remediation_display(text: str) -> str:
    """A stored remediation with each line's CSAF category translated (the vendor's own
    words stay as written)."""
    lines = []
    for line in (text or "").splitlines():
        category, sep, rest = line.partition(": ")
        label = REMEDIATION_CATEGORIES.get(category) if sep else None
        lines.append(
            str(pgettext("remediation line", "%(category)s: %(details)s"))
            % {"category": label, "details": rest}
            if label is not None
            else line
        )
    return "\n".join(lines)


class DeviceVulnerability(models.Model):
    """What a matched advisory or record says about one device, and what was decided about it."""

    device = models.ForeignKey(
        Device,
        on_delete=models.CASCADE,
        related_name="vulnerabilities",
        verbose_name=_("device"),
    )
    vulnerability = models.ForeignKey(
        Vulnerability,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="device_links",
        verbose_name=_("vulnerability"),
    )
    advisory = models.ForeignKey(
        Advisory,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="device_links",
        verbose_name=_("advisory"),
    )
    # The identity of the relation: source document, CVE and product id (one row each).
    key = models.CharField(max_length=300)
    product_id = models.CharField(_("product id"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=25, choices=MatchStatus.choices)
    why = models.TextField(_("why"), blank=True)
    # The same explanation as the engine's msgids and values (``Text.as_json``), shown in the
    # reader's language by ``get_why_display``; ``why`` keeps the English (API, older rows).
    why_text = models.JSONField(default=dict, blank=True)
    remediation = models.TextField(_("remediation"), blank=True)
    workflow = models.CharField(
        _("decision"), max_length=15, choices=Workflow.choices, default=Workflow.OPEN
    )
    justification = models.TextField(_("justification"), blank=True)
    vex_justification = models.CharField(
        _("VEX justification"),
        max_length=60,
        choices=VexJustification.choices,
        default="",
        blank=True,
    )
    accepted_until = models.DateField(_("accepted until"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    risk_score = models.FloatField(_("clinical risk"), default=0)
    risk_breakdown = models.JSONField(_("risk breakdown"), default=dict, blank=True)
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"), auto_now=True)

    objects = ScopedManager()
    scope_path = "device__establishment"

    class Meta:
        ordering = ["-risk_score", "-first_seen"]
        verbose_name = _("device vulnerability")
        verbose_name_plural = _("device vulnerabilities")
        constraints = [
            models.UniqueConstraint(fields=["device", "key"], name="devices_devvuln_unique")
        ]
        indexes = [models.Index(fields=["workflow", "status"])]

    def __str__(self) -> str:
        what = self.vulnerability.cve if self.vulnerability_id and self.vulnerability else ""
        if not what and self.advisory_id and self.advisory:
            what = self.advisory.tracking_id
        return f"{self.device} — {what}"

    def get_why_display(self) -> str:
        """Why the engine related the device to the vulnerability, in the reader's language."""
        explanation = Text.from_json(self.why_text) if self.why_text else None
        return explanation.render(gettext) if explanation is not None else self.why

    def get_remediation_display(self) -> str:
        return remediation_display(self.remediation) or "—"

    def clean(self) -> None:
        if self.workflow == Workflow.RISK_ACCEPTED and (
            not self.justification.strip() or self.accepted_until is None
        ):
            raise ValidationError(_("Accepting a risk needs a justification and an expiry date."))
        if self.workflow == Workflow.NOT_AFFECTED and not self.vex_justification:
            raise ValidationError(
                {"vex_justification": _("Say why the device is not affected (VEX justification).")}
            )
        if self.workflow == Workflow.MITIGATED and not self.justification.strip():
            raise ValidationError({"justification": _("Describe the compensating control.")})
