"""The compliance module's closed vocabularies (stored values are stable; labels translated).

The pure engines (``engine/scoring.py``, ``engine/propagation.py``) use the same string values.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FrameworkSource(models.TextChoices):
    # The framework (le référentiel): a context keeps the French agreement apart from other
    # modules' "shipped with Hygie" items.
    SHIPPED = "shipped", pgettext_lazy("framework", "Shipped with Hygie")
    IMPORTED = "imported", pgettext_lazy("framework", "Imported")


class VerificationStatus(models.TextChoices):
    VERIFIED = "verified", _("Verified against the official text")
    UNVERIFIED = "unverified", _("Not verified against the official text")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("assessment", "Draft")
    IN_PROGRESS = "in_progress", pgettext_lazy("assessment", "In progress")
    CLOSED = "closed", pgettext_lazy("assessment", "Closed")


class AnswerStatus(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    PARTIAL = "partial", _("Partially compliant")
    NON_COMPLIANT = "non_compliant", _("Non-compliant")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")
    NOT_ASSESSED = "not_assessed", _("Not assessed")


class ProposalSource(models.TextChoices):
    NONE = "", _("None")
    PROBE = "probe", _("Probe result")
    MAPPING = "mapping", _("Mapped answer")


class ProbeStatus(models.TextChoices):
    PASS = "pass", pgettext_lazy("probe", "Pass")
    PARTIAL = "partial", pgettext_lazy("probe", "Partial")
    FAIL = "fail", pgettext_lazy("probe", "Fail")
    NOT_APPLICABLE = "not_applicable", pgettext_lazy("probe", "Not applicable")
    ERROR = "error", pgettext_lazy("probe", "Error")


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("action", "In progress")
    DONE = "done", pgettext_lazy("action", "Done")
    CANCELLED = "cancelled", pgettext_lazy("action", "Cancelled")


class LinkKind(models.TextChoices):
    NONE = "", _("None")
    INCIDENT = "incident", _("Incident")
    DEVICE = "device", _("Device")
    OTHER = "other", _("Other")
