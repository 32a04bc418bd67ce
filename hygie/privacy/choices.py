"""Enumerations of the privacy app (stable stored values, translated labels)."""

from django.db import models
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from hygie.privacy.engine import CategoryLabel, EntityType, category_table


class Exposure(models.TextChoices):
    """How widely a scanned location is reachable: it weighs a finding's risk."""

    SHARED_DRIVE = "shared_drive", _("Shared drive")
    MAILBOX = "mailbox", _("Mailbox")
    APPLICATION_EXPORT = "application_export", _("Application export")
    PERSONAL = "personal", _("Personal folder")
    OTHER = "other", _("Other")


class TriageStatus(models.TextChoices):
    UNTRIAGED = "untriaged", _("Not triaged")
    EXPECTED = "expected", _("Expected")
    TO_REMEDIATE = "to_remediate", _("To remediate")
    REMEDIATED = "remediated", _("Remediated")
    FALSE_POSITIVE = "false_positive", _("False positive")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


_ENTITY_LABELS = {
    EntityType.FR_NIR: _("French social security number (NIR)"),
    EntityType.FR_INS: _("National health identifier (INS)"),
    EntityType.FR_RPPS: _("RPPS number"),
    EntityType.FR_ADELI: _("ADELI number"),
    EntityType.FR_FINESS: _("FINESS number"),
    EntityType.FR_PHONE: _("French phone number"),
    EntityType.US_SSN: _("US social security number (SSN)"),
    EntityType.US_NPI: _("NPI number"),
    EntityType.US_DEA: _("DEA number"),
    EntityType.US_MBI: _("Medicare beneficiary identifier (MBI)"),
    EntityType.US_PHONE: _("US phone number"),
    EntityType.MRN: _("Medical record number"),
    EntityType.IBAN: _("IBAN"),
    EntityType.CREDIT_CARD: _("Credit card number"),
    EntityType.PERSON: _("Person name"),
    EntityType.DATE_OF_BIRTH: _("Date of birth"),
    EntityType.DATE: _("Date"),
    EntityType.ADDRESS: _("Postal address"),
    EntityType.POSTAL_CODE: _("Postal code"),
    EntityType.EMAIL: _("Email address"),
    EntityType.IP_ADDRESS: _("IP address"),
    EntityType.URL: _("URL with identifier"),
}

# Every engine entity type, in the engine's order (a new type without a label shows its code).
ENTITY_CHOICES = [(entity.value, _ENTITY_LABELS.get(entity, entity.value)) for entity in EntityType]

# National identifiers whose validated presence on a shared drive raises an alert.
NATIONAL_IDENTIFIERS = frozenset({EntityType.FR_NIR.value, EntityType.US_SSN.value})


# HIPAA Safe Harbor identifiers and French categories: data with both languages in the engine
# (engine/fields/categories.yml), shown in the reader's language; English when none is active
# (makemigrations), as gettext's source strings would be.
def _in_active_language(label: CategoryLabel) -> str:
    return label.get(translation.get_language())


_lazy_label = lazy(_in_active_language, str)


def _hipaa_choice(code: str, label: CategoryLabel) -> CategoryLabel:
    # "A: Names" (the letter is how HIPAA texts cite an identifier); "none" is said in words.
    short = label.short
    if code == "none":
        return short
    return CategoryLabel(f"{code}: {short.en}", f"{code}\u00a0: {short.fr}")


HIPAA_CHOICES = [
    (code, _lazy_label(_hipaa_choice(code, label)))
    for code, label in category_table().hipaa.items()
]
FR_CATEGORY_CHOICES = [
    (code, _lazy_label(label.short)) for code, label in category_table().fr.items()
]


def hipaa_description(code: str) -> str:
    """The full wording of a HIPAA Safe Harbor identifier, in the reader's language."""
    label = category_table().hipaa.get(code)
    return _in_active_language(label) if label is not None else code


def fr_category_description(code: str) -> str:
    """The full wording of a French category, in the reader's language."""
    label = category_table().fr.get(code)
    return _in_active_language(label) if label is not None else code
