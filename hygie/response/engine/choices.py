"""The closed vocabularies of the facts and of the obligations, with their stable spellings.

The string values are what a facts file contains and what the JSON output carries: they are part
of the public interface and must not change once released.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from hygie.response.engine.text import LocalizedText


class EstablishmentType(StrEnum):
    """What kind of structure the establishment is; decides who declares to CERT Santé."""

    HOSPITAL = "hospital"  # établissement de santé, public or private (CHU, CH, clinique)
    MILITARY_HOSPITAL = "military_hospital"  # hôpital des armées
    LABORATORY = "laboratory"  # laboratoire de biologie médicale
    CARE_CENTRE = "care_centre"  # other prevention, diagnosis or care service (imaging, dialysis…)
    MEDICO_SOCIAL = "medico_social"  # ESMS: établissement ou service médico-social
    PRIVATE_PRACTICE = "private_practice"  # cabinet of an individual practitioner
    OTHER = "other"  # not a care provider: vendor, insurer, hosting provider…


class NIS2Class(StrEnum):
    ESSENTIAL = "essential"
    IMPORTANT = "important"
    NONE = "none"


class HIPAARole(StrEnum):
    COVERED_ENTITY = "covered_entity"
    BUSINESS_ASSOCIATE = "business_associate"
    NONE = "none"


class IncidentCategory(StrEnum):
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


class PersonalData(StrEnum):
    """Whether personal data (in a hospital: health data, PHI) are involved in the incident."""

    YES = "true"
    NO = "false"
    UNKNOWN = "unknown"


class Risk(StrEnum):
    """The controller's assessment of the risk to the people whose data are involved."""

    NONE = "none"
    UNLIKELY = "unlikely"
    MEDIUM = "medium"
    HIGH = "high"


class CareImpact(StrEnum):
    """Impact on care, in increasing order of gravity."""

    NONE = "none"
    DEGRADED_MODE = "degraded_mode"
    DEPROGRAMMED_ACTIVITY = "deprogrammed_activity"
    PATIENT_TRANSFER = "patient_transfer"
    PATIENT_SAFETY_EVENT = "patient_safety_event"


class ObligationId(StrEnum):
    """Stable ids of the obligations, in the order the engine reports them."""

    CERT_SANTE = "cert_sante"
    GDPR_ART33 = "gdpr_art33"
    GDPR_ART34 = "gdpr_art34"
    GDPR_BREACH_REGISTER = "gdpr_breach_register"
    NIS2_EARLY_WARNING = "nis2_early_warning"
    NIS2_NOTIFICATION = "nis2_notification"
    NIS2_FINAL_REPORT = "nis2_final_report"
    HIPAA_INDIVIDUALS = "hipaa_individuals"
    HIPAA_HHS = "hipaa_hhs"
    HIPAA_MEDIA = "hipaa_media"
    HIPAA_BA_NOTICE = "hipaa_ba_notice"


class Verification(StrEnum):
    """Whether the rule was checked against a cited source (reference/frameworks.md convention)."""

    VERIFIED = "VERIFIED"
    UNVERIFIED = "UNVERIFIED"


class Trigger(StrEnum):
    """The event that starts the clock. Hygie takes both from the incident's discovered_at."""

    AWARENESS = "awareness"  # GDPR art. 33(1), NIS2 art. 23(4): "becoming aware"
    DISCOVERY = "discovery"  # HIPAA 164.404(a)(2); CERT Santé "date de constat"


class DeadlineKind(StrEnum):
    INSTANT = "instant"  # hour-counted: elapsed time, an instant in UTC
    DATE = "date"  # day- or month-counted: a calendar date in the establishment's timezone
    IMMEDIATE = "immediate"  # "sans délai"
    WITHOUT_UNDUE_DELAY = "without_undue_delay"  # no fixed period
    RELATIVE = "relative"  # counted from when another obligation is actually met


def choices_of(vocabulary: type[StrEnum]) -> list[str]:
    """The valid spellings of a vocabulary, in declaration order, for error messages."""
    return [member.value for member in vocabulary]


# HIPAA media notice counts residents of a "State or jurisdiction" (45 CFR 164.406). "State" in
# 45 CFR 160.103 also covers DC and the territories below: from memory, UNVERIFIED.
US_JURISDICTIONS: tuple[str, ...] = (
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
    "PR",
    "VI",
    "GU",
    "AS",
    "MP",
)


# --- the platform's own vocabularies ------------------------------------------------------------
# Stored by the response app and shown in its pages; the engines (lifecycle, drafts) use the
# same spellings, so this module is their single definition.


class IncidentStatus(StrEnum):
    """NIST SP 800-61 lifecycle, in order (``lifecycle.LIFECYCLE`` follows this order)."""

    NEW = "new"
    TRIAGE = "triage"
    CONTAINMENT = "containment"
    ERADICATION = "eradication"
    RECOVERY = "recovery"
    POST_INCIDENT = "post_incident"
    CLOSED = "closed"


class IncidentSource(StrEnum):
    ALERT = "alert"
    PHISHING_REPORT = "phishing_report"
    MANUAL = "manual"
    EXTERNAL = "external"


class DataCategory(StrEnum):
    """Categories of personal data, as breach notification forms ask for them."""

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


class TaskStatus(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class TimelineKind(StrEnum):
    AUTO = "auto"
    LOG = "log"
    DECISION = "decision"


class ObservableKind(StrEnum):
    IP = "ip"
    DOMAIN = "domain"
    URL = "url"
    HASH = "hash"
    EMAIL = "email"
    ACCOUNT = "account"
    HOST = "host"


class CustodyAction(StrEnum):
    COLLECTED = "collected"
    DOWNLOADED = "downloaded"
    TRANSFERRED = "transferred"
    SEALED = "sealed"
    VERIFIED = "verified"
    RETURNED = "returned"


class ObligationStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"


class DraftKind(StrEnum):
    CERT_SANTE = "cert_sante"
    CNIL = "cnil"
    NIS2_EARLY_WARNING = "nis2_early_warning"
    NIS2_NOTIFICATION = "nis2_notification"
    HHS = "hhs"
    INDIVIDUALS_LETTER = "individuals_letter"


class DraftStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"
    SENT = "sent"


class ExerciseStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class ExerciseEntryKind(StrEnum):
    INJECT = "inject"
    DECISION = "decision"
    OBSERVATION = "observation"


# --- labels, in French and English ---------------------------------------------------------------
# The name of each value as pages, forms, filters and exports show it. ``hygie.response.choices``
# builds the Django choices from these tables (no gettext catalogue entry: the two languages live
# here, side by side), and the drafts use the same names, so a value reads the same everywhere.

L = LocalizedText

INCIDENT_CATEGORY_LABELS: Mapping[IncidentCategory, LocalizedText] = {
    IncidentCategory.RANSOMWARE: L("Rançongiciel", "Ransomware"),
    IncidentCategory.DATA_BREACH: L(
        "Violation de données / exposition de données de santé", "Data breach / PHI exposure"
    ),
    IncidentCategory.ACCOUNT_COMPROMISE: L("Compromission de compte", "Account compromise"),
    IncidentCategory.PHISHING: L("Hameçonnage", "Phishing"),
    IncidentCategory.MALWARE: L("Logiciel malveillant", "Malware"),
    IncidentCategory.MEDICAL_DEVICE_COMPROMISE: L(
        "Compromission d’un dispositif médical", "Medical device compromise"
    ),
    IncidentCategory.DENIAL_OF_SERVICE: L("Déni de service", "Denial of service"),
    IncidentCategory.LOSS_THEFT: L("Perte ou vol", "Loss or theft"),
    IncidentCategory.UNAUTHORISED_ACCESS: L("Accès non autorisé", "Unauthorised access"),
    IncidentCategory.OTHER: L("Autre", "Other"),
}
CARE_IMPACT_LABELS: Mapping[CareImpact, LocalizedText] = {
    CareImpact.NONE: L("Aucun", "None"),
    CareImpact.DEGRADED_MODE: L("Mode dégradé", "Degraded mode"),
    CareImpact.DEPROGRAMMED_ACTIVITY: L("Déprogrammation d’activité", "Deprogrammed activity"),
    CareImpact.PATIENT_TRANSFER: L("Transfert de patients", "Patient transfer"),
    CareImpact.PATIENT_SAFETY_EVENT: L("Événement indésirable grave", "Patient safety event"),
}
PERSONAL_DATA_LABELS: Mapping[PersonalData, LocalizedText] = {
    PersonalData.YES: L("Oui", "Yes"),
    PersonalData.NO: L("Non", "No"),
    PersonalData.UNKNOWN: L("Inconnu", "Unknown"),
}
RISK_LABELS: Mapping[Risk, LocalizedText] = {
    Risk.NONE: L("Aucun", "None"),
    Risk.UNLIKELY: L("Improbable", "Unlikely"),
    Risk.MEDIUM: L("Moyenne", "Medium"),
    Risk.HIGH: L("Élevée", "High"),
}
INCIDENT_STATUS_LABELS: Mapping[IncidentStatus, LocalizedText] = {
    IncidentStatus.NEW: L("Nouveau", "New"),
    IncidentStatus.TRIAGE: L("Qualification", "Triage"),
    IncidentStatus.CONTAINMENT: L("Confinement", "Containment"),
    IncidentStatus.ERADICATION: L("Éradication", "Eradication"),
    IncidentStatus.RECOVERY: L("Rétablissement", "Recovery"),
    IncidentStatus.POST_INCIDENT: L("Post-incident", "Post-incident"),
    IncidentStatus.CLOSED: L("Clôturé", "Closed"),
}
INCIDENT_SOURCE_LABELS: Mapping[IncidentSource, LocalizedText] = {
    IncidentSource.ALERT: L("Alerte(s)", "Alert(s)"),
    IncidentSource.PHISHING_REPORT: L("Courriel d’hameçonnage signalé", "Reported phishing mail"),
    IncidentSource.MANUAL: L("Déclaration manuelle", "Declared by hand"),
    IncidentSource.EXTERNAL: L(
        "Signalement externe (CERT, partenaire, presse, éditeur)",
        "External notice (CERT, partner, press, vendor)",
    ),
}
DATA_CATEGORY_LABELS: Mapping[DataCategory, LocalizedText] = {
    DataCategory.IDENTITY: L(
        "Identité (nom, date de naissance, adresse)", "Identity (name, date of birth, address)"
    ),
    DataCategory.NATIONAL_ID: L(
        "Identifiant national (NIR, INS, SSN)", "National identifier (NIR, INS, SSN)"
    ),
    DataCategory.HEALTH: L("Données de santé", "Health data"),
    DataCategory.GENETIC: L("Données génétiques", "Genetic data"),
    DataCategory.FINANCIAL: L("Données financières ou d’assurance", "Financial or insurance data"),
    DataCategory.CONTACT: L("Coordonnées", "Contact details"),
    DataCategory.CREDENTIALS: L("Identifiants de connexion", "Credentials"),
    DataCategory.IMAGING: L("Imagerie médicale", "Medical imaging"),
    DataCategory.STAFF: L("Données du personnel", "Staff data"),
    DataCategory.OTHER: L("Autres données", "Other data"),
}
TASK_STATUS_LABELS: Mapping[TaskStatus, LocalizedText] = {
    TaskStatus.TODO: L("À faire", "To do"),
    TaskStatus.IN_PROGRESS: L("En cours", "In progress"),
    TaskStatus.DONE: L("Terminée", "Done"),
    TaskStatus.CANCELLED: L("Annulée", "Cancelled"),
}
TIMELINE_KIND_LABELS: Mapping[TimelineKind, LocalizedText] = {
    TimelineKind.AUTO: L("Automatique", "Automatic"),
    TimelineKind.LOG: L("Inscription en main courante", "Log entry (main courante)"),
    TimelineKind.DECISION: L("Décision", "Decision"),
}
OBSERVABLE_KIND_LABELS: Mapping[ObservableKind, LocalizedText] = {
    ObservableKind.IP: L("Adresse IP", "IP address"),
    ObservableKind.DOMAIN: L("Domaine", "Domain"),
    ObservableKind.URL: L("URL", "URL"),
    ObservableKind.HASH: L("Empreinte de fichier", "File hash"),
    ObservableKind.EMAIL: L("Adresse e-mail", "E-mail address"),
    ObservableKind.ACCOUNT: L("Compte", "Account"),
    ObservableKind.HOST: L("Hôte", "Host"),
}
CUSTODY_ACTION_LABELS: Mapping[CustodyAction, LocalizedText] = {
    CustodyAction.COLLECTED: L("Collectée", "Collected"),
    CustodyAction.DOWNLOADED: L("Téléchargée", "Downloaded"),
    CustodyAction.TRANSFERRED: L("Remise", "Handed over"),
    CustodyAction.SEALED: L("Placée sous scellé", "Sealed"),
    CustodyAction.VERIFIED: L("Intégrité vérifiée", "Integrity verified"),
    CustodyAction.RETURNED: L("Restituée", "Returned"),
}
NIS2_CLASS_LABELS: Mapping[NIS2Class, LocalizedText] = {
    NIS2Class.ESSENTIAL: L("Entité essentielle", "Essential entity"),
    NIS2Class.IMPORTANT: L("Entité importante", "Important entity"),
    NIS2Class.NONE: L("Non assujetti à NIS2", "Not subject to NIS2"),
}
HIPAA_ROLE_LABELS: Mapping[HIPAARole, LocalizedText] = {
    HIPAARole.COVERED_ENTITY: L("Entité couverte (covered entity)", "Covered entity"),
    HIPAARole.BUSINESS_ASSOCIATE: L("Sous-traitant (business associate)", "Business associate"),
    HIPAARole.NONE: L("Non assujetti à HIPAA", "Not subject to HIPAA"),
}
ESTABLISHMENT_TYPE_LABELS: Mapping[EstablishmentType, LocalizedText] = {
    EstablishmentType.HOSPITAL: L(
        "Établissement de santé (hôpital, clinique)", "Health establishment (hospital, clinic)"
    ),
    EstablishmentType.MILITARY_HOSPITAL: L("Hôpital des armées", "Military hospital"),
    EstablishmentType.LABORATORY: L("Laboratoire de biologie médicale", "Medical laboratory"),
    EstablishmentType.CARE_CENTRE: L(
        "Autre centre de soins (imagerie, dialyse…)", "Other care centre (imaging, dialysis…)"
    ),
    EstablishmentType.MEDICO_SOCIAL: L(
        "Établissement ou service médico-social", "Medico-social establishment or service"
    ),
    EstablishmentType.PRIVATE_PRACTICE: L("Cabinet libéral", "Private practice"),
    EstablishmentType.OTHER: L("Pas un offreur de soins", "Not a care provider"),
}
OBLIGATION_STATUS_LABELS: Mapping[ObligationStatus, LocalizedText] = {
    ObligationStatus.PENDING: L("En attente", "Pending"),
    ObligationStatus.DONE: L("Remplie", "Done"),
    ObligationStatus.NOT_APPLICABLE: L("Sans objet", "Not applicable"),
}
DRAFT_KIND_LABELS: Mapping[DraftKind, LocalizedText] = {
    DraftKind.CERT_SANTE: L("Déclaration CERT Santé / ARS", "CERT Santé / ARS declaration"),
    DraftKind.CNIL: L(
        "Notification de violation de données personnelles à la CNIL",
        "CNIL personal data breach notification",
    ),
    DraftKind.NIS2_EARLY_WARNING: L("Alerte précoce NIS2", "NIS2 early warning"),
    DraftKind.NIS2_NOTIFICATION: L("Notification d’incident NIS2", "NIS2 incident notification"),
    DraftKind.HHS: L("Déclaration de violation au HHS", "HHS breach report"),
    DraftKind.INDIVIDUALS_LETTER: L(
        "Courrier aux personnes concernées", "Letter to affected individuals"
    ),
}
DRAFT_STATUS_LABELS: Mapping[DraftStatus, LocalizedText] = {
    DraftStatus.DRAFT: L("Brouillon", "Draft"),
    DraftStatus.FINAL: L("Finalisé", "Final"),
    DraftStatus.SENT: L("Envoyé", "Sent"),
}
EXERCISE_STATUS_LABELS: Mapping[ExerciseStatus, LocalizedText] = {
    ExerciseStatus.PLANNED: L("Planifié", "Planned"),
    ExerciseStatus.RUNNING: L("En cours", "Running"),
    ExerciseStatus.COMPLETED: L("Terminé", "Completed"),
    ExerciseStatus.CANCELLED: L("Annulé", "Cancelled"),
}
EXERCISE_ENTRY_KIND_LABELS: Mapping[ExerciseEntryKind, LocalizedText] = {
    ExerciseEntryKind.INJECT: L("Stimulus", "Inject"),
    ExerciseEntryKind.DECISION: L("Décision", "Decision"),
    ExerciseEntryKind.OBSERVATION: L("Observation", "Observation"),
}

# Every vocabulary with its labels: a contract test checks each table covers its enum exactly.
LABELS: Mapping[type[StrEnum], Mapping[Any, LocalizedText]] = {
    IncidentCategory: INCIDENT_CATEGORY_LABELS,
    CareImpact: CARE_IMPACT_LABELS,
    PersonalData: PERSONAL_DATA_LABELS,
    Risk: RISK_LABELS,
    IncidentStatus: INCIDENT_STATUS_LABELS,
    IncidentSource: INCIDENT_SOURCE_LABELS,
    DataCategory: DATA_CATEGORY_LABELS,
    TaskStatus: TASK_STATUS_LABELS,
    TimelineKind: TIMELINE_KIND_LABELS,
    ObservableKind: OBSERVABLE_KIND_LABELS,
    CustodyAction: CUSTODY_ACTION_LABELS,
    NIS2Class: NIS2_CLASS_LABELS,
    HIPAARole: HIPAA_ROLE_LABELS,
    EstablishmentType: ESTABLISHMENT_TYPE_LABELS,
    ObligationStatus: OBLIGATION_STATUS_LABELS,
    DraftKind: DRAFT_KIND_LABELS,
    DraftStatus: DRAFT_STATUS_LABELS,
    ExerciseStatus: EXERCISE_STATUS_LABELS,
    ExerciseEntryKind: EXERCISE_ENTRY_KIND_LABELS,
}


def label_of(vocabulary: type[StrEnum], value: str) -> LocalizedText:
    """The label of ``value`` in ``vocabulary``; an unknown value stands for itself."""
    found = LABELS[vocabulary].get(value)
    return found if found is not None else LocalizedText.same(value)


# --- other registers of the same values ----------------------------------------------------------
# Where a document needs a value said differently from its label, the wording lives here too,
# next to the label, so a renamed value cannot be missed in one of its uses.

# How a declaration states the fact (drafts): a regulator reads a sentence, not a filter label.
CARE_IMPACT_STATEMENTS: Mapping[CareImpact, LocalizedText] = {
    CareImpact.NONE: L("Aucun impact sur la prise en charge", "No impact on care"),
    CareImpact.DEGRADED_MODE: L("Fonctionnement en mode dégradé", "Degraded mode"),
    CareImpact.DEPROGRAMMED_ACTIVITY: L("Déprogrammation d'activité", "Deprogrammed activity"),
    CareImpact.PATIENT_TRANSFER: L("Transfert de patients", "Patient transfer"),
    CareImpact.PATIENT_SAFETY_EVENT: L(
        "Événement indésirable pour la sécurité des patients", "Patient safety event"
    ),
}
INCIDENT_STATUS_STATEMENTS: Mapping[IncidentStatus, LocalizedText] = {
    IncidentStatus.NEW: L("Nouveau, en cours de qualification", "New, being qualified"),
    IncidentStatus.TRIAGE: L("En cours de qualification", "Being triaged"),
    IncidentStatus.CONTAINMENT: L("Endiguement en cours", "Containment in progress"),
    IncidentStatus.ERADICATION: L("Éradication en cours", "Eradication in progress"),
    IncidentStatus.RECOVERY: L("Remédiation / reprise d'activité en cours", "Recovery in progress"),
    IncidentStatus.POST_INCIDENT: L(
        "Incident maîtrisé, retour d'expérience en cours",
        "Handled, post-incident review in progress",
    ),
    IncidentStatus.CLOSED: L("Incident clos", "Closed"),
}
RISK_STATEMENTS: Mapping[Risk, LocalizedText] = {
    Risk.NONE: L("Aucun risque", "No risk"),
    Risk.UNLIKELY: L("Risque peu probable", "Risk unlikely"),
    Risk.MEDIUM: L("Risque", "Risk"),
    Risk.HIGH: L("Risque élevé", "High risk"),
}
PERSONAL_DATA_STATEMENTS: Mapping[PersonalData, LocalizedText] = {
    PersonalData.YES: L("Oui", "Yes"),
    PersonalData.NO: L("Non", "No"),
    PersonalData.UNKNOWN: L(
        "Inconnu à ce stade (investigation en cours)", "Unknown at this stage (under investigation)"
    ),
}
# Plain words for the letter to individuals: a patient does not know what "NIR" means.
DATA_CATEGORY_PLAIN: Mapping[DataCategory, LocalizedText] = {
    DataCategory.IDENTITY: L(
        "vos nom, prénom, date de naissance et adresse", "your name, date of birth and address"
    ),
    DataCategory.NATIONAL_ID: L("votre numéro de sécurité sociale", "your social security number"),
    DataCategory.HEALTH: L(
        "des informations sur votre santé et vos soins", "information about your health and care"
    ),
    DataCategory.GENETIC: L("des données génétiques", "genetic information"),
    DataCategory.FINANCIAL: L(
        "des informations bancaires ou de mutuelle", "bank or insurance information"
    ),
    DataCategory.CONTACT: L(
        "vos coordonnées (téléphone, courriel)", "your contact details (phone, e-mail)"
    ),
    DataCategory.CREDENTIALS: L("vos identifiants de connexion", "your login details"),
    DataCategory.IMAGING: L(
        "des images médicales (radiographies, scanners…)", "medical images (X-rays, scans…)"
    ),
    DataCategory.STAFF: L("des informations professionnelles", "employment information"),
    DataCategory.OTHER: L("d'autres informations", "other information"),
}
# Asset kinds (core's ``AssetKind`` values) counted in a declaration: "2 serveur(s)".
ASSET_KIND_COUNTED: Mapping[str, LocalizedText] = {
    "workstation": L("poste(s) de travail", "workstation(s)"),
    "server": L("serveur(s)", "server(s)"),
    "network": L("équipement(s) réseau", "network device(s)"),
    "medical_device": L("dispositif(s) médical(aux)", "medical device(s)"),
    "iot": L("objet(s) connecté(s) / bâtiment", "IoT / building device(s)"),
    "mobile": L("terminal(aux) mobile(s)", "mobile device(s)"),
    "other": L("autre(s) équipement(s)", "other device(s)"),
}
# French words of a value inside the reasons of the regulatory clocks (lower case, in a
# sentence); the English reasons quote the stable value itself, as the facts file spells it.
CATEGORY_IN_REASONS: Mapping[IncidentCategory, str] = {
    IncidentCategory.RANSOMWARE: "rançongiciel",
    IncidentCategory.DATA_BREACH: "fuite de données",
    IncidentCategory.ACCOUNT_COMPROMISE: "compromission de compte",
    IncidentCategory.PHISHING: "hameçonnage",
    IncidentCategory.MALWARE: "logiciel malveillant",
    IncidentCategory.MEDICAL_DEVICE_COMPROMISE: "compromission d'un dispositif médical",
    IncidentCategory.DENIAL_OF_SERVICE: "déni de service",
    IncidentCategory.LOSS_THEFT: "perte ou vol",
    IncidentCategory.UNAUTHORISED_ACCESS: "accès non autorisé",
    IncidentCategory.OTHER: "autre",
}
CARE_IMPACT_IN_REASONS: Mapping[CareImpact, str] = {
    CareImpact.NONE: "aucun",
    CareImpact.DEGRADED_MODE: "fonctionnement en mode dégradé",
    CareImpact.DEPROGRAMMED_ACTIVITY: "activité déprogrammée",
    CareImpact.PATIENT_TRANSFER: "transfert de patients",
    CareImpact.PATIENT_SAFETY_EVENT: "événement touchant la sécurité des patients",
}
RISK_IN_REASONS: Mapping[Risk, str] = {
    Risk.NONE: "nul",
    Risk.UNLIKELY: "improbable",
    Risk.MEDIUM: "moyen",
    Risk.HIGH: "élevé",
}
ESTABLISHMENT_TYPE_IN_REASONS: Mapping[EstablishmentType, str] = {
    EstablishmentType.HOSPITAL: "établissement de santé",
    EstablishmentType.MILITARY_HOSPITAL: "hôpital des armées",
    EstablishmentType.LABORATORY: "laboratoire de biologie médicale",
    EstablishmentType.CARE_CENTRE: "structure de prévention, de diagnostic ou de soins",
    EstablishmentType.MEDICO_SOCIAL: "établissement ou service médico-social",
    EstablishmentType.PRIVATE_PRACTICE: "cabinet libéral",
    EstablishmentType.OTHER: "autre structure",
}
NIS2_CLASS_IN_REASONS: Mapping[NIS2Class, str] = {
    NIS2Class.ESSENTIAL: "essentielle",
    NIS2Class.IMPORTANT: "importante",
    NIS2Class.NONE: "aucune",
}
