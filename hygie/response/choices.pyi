# Generated from hygie.response.engine.choices: do not edit (see hygie.core.choices.choices_stub).
from django.db import models

class IncidentCategory(models.TextChoices):
    RANSOMWARE = "ransomware"
    DATA_BREACH = "data_breach"
    ACCOUNT_COMPROMISE = "account_compromise"
    PHISHING = "phishing"
    MALWARE = "malware"
    MEDICAL_DEVICE_COMPROMISE = "medical_device_compromise"
    DENIAL_OF_SERVICE = "denial_of_service"
    LOSS_THEFT = "loss_theft"
    UNAUTHORISED_ACCESS = "unauthorised_access"
    OTHER = "other"

class CareImpact(models.TextChoices):
    NONE = "none"
    DEGRADED_MODE = "degraded_mode"
    DEPROGRAMMED_ACTIVITY = "deprogrammed_activity"
    PATIENT_TRANSFER = "patient_transfer"
    PATIENT_SAFETY_EVENT = "patient_safety_event"

class PersonalData(models.TextChoices):
    YES = "true"
    NO = "false"
    UNKNOWN = "unknown"

class Risk(models.TextChoices):
    NONE = "none"
    UNLIKELY = "unlikely"
    MEDIUM = "medium"
    HIGH = "high"

class IncidentStatus(models.TextChoices):
    NEW = "new"
    TRIAGE = "triage"
    CONTAINMENT = "containment"
    ERADICATION = "eradication"
    RECOVERY = "recovery"
    POST_INCIDENT = "post_incident"
    CLOSED = "closed"

class IncidentSource(models.TextChoices):
    ALERT = "alert"
    PHISHING_REPORT = "phishing_report"
    MANUAL = "manual"
    EXTERNAL = "external"

class DataCategory(models.TextChoices):
    IDENTITY = "identity"
    NATIONAL_ID = "national_id"
    HEALTH = "health"
    GENETIC = "genetic"
    FINANCIAL = "financial"
    CONTACT = "contact"
    CREDENTIALS = "credentials"
    IMAGING = "imaging"
    STAFF = "staff"
    OTHER = "other"

class TaskStatus(models.TextChoices):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

class TimelineKind(models.TextChoices):
    AUTO = "auto"
    LOG = "log"
    DECISION = "decision"

class ObservableKind(models.TextChoices):
    IP = "ip"
    DOMAIN = "domain"
    URL = "url"
    HASH = "hash"
    EMAIL = "email"
    ACCOUNT = "account"
    HOST = "host"

class CustodyAction(models.TextChoices):
    COLLECTED = "collected"
    DOWNLOADED = "downloaded"
    TRANSFERRED = "transferred"
    SEALED = "sealed"
    VERIFIED = "verified"
    RETURNED = "returned"

class NIS2Class(models.TextChoices):
    ESSENTIAL = "essential"
    IMPORTANT = "important"
    NONE = "none"

class HIPAARole(models.TextChoices):
    COVERED_ENTITY = "covered_entity"
    BUSINESS_ASSOCIATE = "business_associate"
    NONE = "none"

class RegulatoryType(models.TextChoices):
    HOSPITAL = "hospital"
    MILITARY_HOSPITAL = "military_hospital"
    LABORATORY = "laboratory"
    CARE_CENTRE = "care_centre"
    MEDICO_SOCIAL = "medico_social"
    PRIVATE_PRACTICE = "private_practice"
    OTHER = "other"

class ObligationStatus(models.TextChoices):
    PENDING = "pending"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"

class DraftKind(models.TextChoices):
    CERT_SANTE = "cert_sante"
    CNIL = "cnil"
    NIS2_EARLY_WARNING = "nis2_early_warning"
    NIS2_NOTIFICATION = "nis2_notification"
    HHS = "hhs"
    INDIVIDUALS_LETTER = "individuals_letter"

class DraftStatus(models.TextChoices):
    DRAFT = "draft"
    FINAL = "final"
    SENT = "sent"

class ExerciseStatus(models.TextChoices):
    PLANNED = "planned"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

class ExerciseEntryKind(models.TextChoices):
    INJECT = "inject"
    DECISION = "decision"
    OBSERVATION = "observation"
