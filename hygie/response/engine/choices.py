"""The closed vocabularies of the facts and of the obligations, with their stable spellings.

The string values are what a facts file contains and what the JSON output carries: they are part
of the public interface and must not change once released.
"""

from __future__ import annotations

from enum import StrEnum


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
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC", "PR", "VI", "GU", "AS", "MP",
)
