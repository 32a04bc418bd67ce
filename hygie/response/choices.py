"""Enumerations of the response module (stable stored values, translated labels).

Values shared with the regulatory-clock engine use the engine's spellings, so an incident's
facts go to ``hygie.response.engine`` without translation tables.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IncidentCategory(models.TextChoices):
    RANSOMWARE = "ransomware", _("Ransomware")
    DATA_BREACH = "data_breach", _("Data breach / PHI exposure")
    ACCOUNT_COMPROMISE = "account_compromise", _("Account compromise")
    PHISHING = "phishing", _("Phishing")
    MALWARE = "malware", _("Malware")
    MEDICAL_DEVICE_COMPROMISE = "medical_device_compromise", _("Medical device compromise")
    DENIAL_OF_SERVICE = "denial_of_service", _("Denial of service")
    LOSS_THEFT = "loss_theft", _("Loss or theft")
    UNAUTHORISED_ACCESS = "unauthorised_access", _("Unauthorised access")
    OTHER = "other", _("Other")


class CareImpact(models.TextChoices):
    """Impact on care, in increasing order of gravity."""

    NONE = "none", _("None")
    DEGRADED_MODE = "degraded_mode", _("Degraded mode")
    DEPROGRAMMED_ACTIVITY = "deprogrammed_activity", _("Deprogrammed activity")
    PATIENT_TRANSFER = "patient_transfer", _("Patient transfer")
    PATIENT_SAFETY_EVENT = "patient_safety_event", _("Patient safety event")


class PersonalData(models.TextChoices):
    YES = "true", _("Yes")
    NO = "false", _("No")
    UNKNOWN = "unknown", _("Unknown")


class Risk(models.TextChoices):
    NONE = "none", _("None")
    UNLIKELY = "unlikely", _("Unlikely")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class IncidentStatus(models.TextChoices):
    """NIST SP 800-61 lifecycle, in order."""

    NEW = "new", pgettext_lazy("incident status", "New")
    TRIAGE = "triage", pgettext_lazy("incident status", "Triage")
    CONTAINMENT = "containment", _("Containment")
    ERADICATION = "eradication", _("Eradication")
    RECOVERY = "recovery", _("Recovery")
    POST_INCIDENT = "post_incident", _("Post-incident")
    CLOSED = "closed", pgettext_lazy("incident status", "Closed")


class IncidentSource(models.TextChoices):
    ALERT = "alert", _("Alert(s)")
    PHISHING_REPORT = "phishing_report", _("Reported phishing mail")
    MANUAL = "manual", _("Declared by hand")
    EXTERNAL = "external", _("External notice (CERT, partner, press, vendor)")


class DataCategory(models.TextChoices):
    """Categories of personal data, as breach notification forms ask for them."""

    IDENTITY = "identity", _("Identity (name, date of birth, address)")
    NATIONAL_ID = "national_id", _("National identifier (NIR, INS, SSN)")
    HEALTH = "health", _("Health data")
    GENETIC = "genetic", _("Genetic data")
    FINANCIAL = "financial", _("Financial or insurance data")
    CONTACT = "contact", _("Contact details")
    CREDENTIALS = "credentials", _("Credentials")
    IMAGING = "imaging", _("Medical imaging")
    STAFF = "staff", _("Staff data")
    OTHER = "other", _("Other")


class TaskStatus(models.TextChoices):
    TODO = "todo", _("To do")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", pgettext_lazy("task status", "Done")
    CANCELLED = "cancelled", pgettext_lazy("task status", "Cancelled")


class TimelineKind(models.TextChoices):
    AUTO = "auto", _("Automatic")
    LOG = "log", _("Log entry (main courante)")
    DECISION = "decision", _("Decision")


class ObservableKind(models.TextChoices):
    IP = "ip", _("IP address")
    DOMAIN = "domain", _("Domain")
    URL = "url", _("URL")
    HASH = "hash", _("File hash")
    EMAIL = "email", _("E-mail address")
    ACCOUNT = "account", _("Account")
    HOST = "host", _("Host")


class CustodyAction(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    DOWNLOADED = "downloaded", _("Downloaded")
    TRANSFERRED = "transferred", _("Handed over")
    SEALED = "sealed", _("Sealed")
    VERIFIED = "verified", _("Integrity verified")
    RETURNED = "returned", _("Returned")


class NIS2Class(models.TextChoices):
    ESSENTIAL = "essential", _("Essential entity")
    IMPORTANT = "important", _("Important entity")
    NONE = "none", _("Not subject to NIS2")


class HIPAARole(models.TextChoices):
    COVERED_ENTITY = "covered_entity", _("Covered entity")
    BUSINESS_ASSOCIATE = "business_associate", _("Business associate")
    NONE = "none", _("Not subject to HIPAA")


class RegulatoryType(models.TextChoices):
    """The engine's establishment types (decide who declares to CERT Santé)."""

    HOSPITAL = "hospital", _("Health establishment (hospital, clinic)")
    MILITARY_HOSPITAL = "military_hospital", _("Military hospital")
    LABORATORY = "laboratory", _("Medical laboratory")
    CARE_CENTRE = "care_centre", _("Other care centre (imaging, dialysis…)")
    MEDICO_SOCIAL = "medico_social", _("Medico-social establishment or service")
    PRIVATE_PRACTICE = "private_practice", _("Private practice")
    OTHER = "other", _("Not a care provider")


class ObligationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", pgettext_lazy("obligation status", "Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class DraftKind(models.TextChoices):
    CERT_SANTE = "cert_sante", _("CERT Santé / ARS declaration")
    CNIL = "cnil", _("CNIL personal data breach notification")
    NIS2_EARLY_WARNING = "nis2_early_warning", _("NIS2 early warning")
    NIS2_NOTIFICATION = "nis2_notification", _("NIS2 incident notification")
    HHS = "hhs", _("HHS breach report")
    INDIVIDUALS_LETTER = "individuals_letter", _("Letter to affected individuals")


class DraftStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Final")
    SENT = "sent", _("Sent")


class ExerciseStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", pgettext_lazy("exercise status", "Cancelled")


class ExerciseEntryKind(models.TextChoices):
    INJECT = "inject", _("Inject")
    DECISION = "decision", _("Decision")
    OBSERVATION = "observation", _("Observation")
