"""Enumerations of the core model (stable stored values, translated labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
