"""Enumerations of the core model (stable stored values, translated labels), and the builder of
a module's Django choices from the vocabulary its engine defines as data."""

from collections.abc import Mapping
from enum import StrEnum
from typing import Protocol, TypeVar

from django.db import models
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

E = TypeVar("E", bound=StrEnum)


class Label(Protocol):
    """A label in both languages, as engines hold them (``LocalizedText``)."""

    en: str

    def get(self, language: str | None) -> str: ...


def _in_active_language(label: Label) -> str:
    language = translation.get_language()
    return label.en if language is None else label.get(language)


_lazy_label = lazy(_in_active_language, str)


def choices_from(
    enum: type[E], labels: Mapping[E, Label], name: str = "", module: str = ""
) -> type[models.TextChoices]:
    """``TextChoices`` with the members of an engine's ``enum`` (same names, values and order) and
    its labels, lazy in the active language; English when none is active (``makemigrations``), as
    gettext's source strings would be. ``module`` is where the class is published (pickling).

    The class is built at run time, so type checkers learn its members from a stub generated
    next to the module (``choices_stub``), which a test keeps in step with the vocabulary."""
    members = [(member.name, (member.value, _lazy_label(labels[member]))) for member in enum]
    choices = models.TextChoices(name or enum.__name__, members)  # type: ignore[call-overload]
    choices.__module__ = module or enum.__module__
    return choices


class OrganisationKind(models.TextChoices):
    GHT = "ght", _("Groupement hospitalier de territoire (GHT)")
    GROUP = "group", _("Hospital group")
    SINGLE = "single", _("Single establishment")
    REGIONAL_SOC = "regional_soc", _("Regional SOC customer")
    OTHER = "other", _("Other")


class EstablishmentKind(models.TextChoices):
    CHU = "chu", _("University hospital (CHU)")
    CH = "ch", _("General hospital (CH)")
    CLINIC = "clinic", _("Private clinic")
    ESPIC = "espic", _("Private non-profit hospital (ESPIC)")
    CLCC = "clcc", _("Cancer centre (CLCC)")
    PSYCHIATRY = "psychiatry", _("Psychiatric hospital")
    EHPAD = "ehpad", _("Nursing home (EHPAD)")
    LAB = "lab", _("Medical laboratory")
    IMAGING = "imaging", _("Imaging centre")
    PRACTICE = "practice", _("Medical practice")
    HAD = "had", _("Hospital at home (HAD)")
    OTHER = "other", _("Other")


class DepartmentKind(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency (urgences)")
    RADIOLOGY = "radiology", _("Radiology")
    SURGERY = "surgery", _("Operating theatre (bloc)")
    ICU = "icu", _("Intensive care")
    PHARMACY = "pharmacy", _("Pharmacy")
    LABORATORY = "laboratory", _("Laboratory")
    IT = "it", _("IT department (DSI)")
    BIOMEDICAL = "biomedical", _("Biomedical engineering")
    ADMINISTRATION = "administration", _("Administration")
    CARE_UNIT = "care_unit", _("Care unit")
    OTHER = "other", _("Other")


class AssetKind(models.TextChoices):
    WORKSTATION = "workstation", _("Workstation")
    SERVER = "server", _("Server")
    NETWORK = "network", _("Network equipment")
    MEDICAL_DEVICE = "medical_device", _("Medical device")
    IOT = "iot", _("IoT / building")
    MOBILE = "mobile", _("Mobile device")
    OTHER = "other", _("Other")


class Criticality(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    VITAL = "vital", _("Vital (patient safety)")


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    RSSI = "rssi", _("Security officer (RSSI)")
    DPO = "dpo", _("Data protection officer (DPO)")
    SOC_ANALYST = "soc_analyst", _("SOC analyst")
    BIOMED = "biomed", _("Biomedical engineer")
    TRAINER = "trainer", _("Trainer")
    AUDITOR = "auditor", _("Auditor (read-only)")
    STAFF = "staff", _("Staff")


class SeverityChoice(models.IntegerChoices):
    INFORMATIONAL = 10, _("Informational")
    LOW = 20, _("Low")
    MEDIUM = 30, _("Medium")
    HIGH = 40, _("High")
    CRITICAL = 50, _("Critical")


class AlertStatus(models.TextChoices):
    NEW = "new", _("New")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    FALSE_POSITIVE = "false_positive", _("False positive")
    ESCALATED = "escalated", _("Escalated")
    CLOSED = "closed", _("Closed")


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


def choices_stub(classes: Mapping[str, type[models.TextChoices]], source: str) -> str:
    """The text of the ``.pyi`` stub declaring ``classes`` (name → choices) for type checkers."""
    lines = [
        f"# Generated from {source}: do not edit (see hygie.core.choices.choices_stub).",
        "from django.db import models",
    ]
    for name, choices in classes.items():
        lines += ["", f"class {name}(models.TextChoices):"]
        lines += [f'    {member.name} = "{member.value}"' for member in choices]
    return "\n".join(lines) + "\n"
