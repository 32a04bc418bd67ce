"""The devices module's closed vocabularies (stored values are stable; labels translated).

The pure risk engine (``engine/risk.py``) and the matching engine use the same string values.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ClinicalFunction(models.TextChoices):
    LIFE_SUSTAINING = "life_sustaining", _("Life-sustaining")
    THERAPEUTIC = "therapeutic", _("Therapeutic")
    PATIENT_MONITORING = "patient_monitoring", _("Patient monitoring")
    DIAGNOSTIC_IMAGING = "diagnostic_imaging", _("Diagnostic imaging")
    LABORATORY = "laboratory", _("Laboratory")
    CLINICAL_IT = "clinical_it", _("Clinical IT")
    NON_CLINICAL = "non_clinical", _("Non-clinical")


class EuClass(models.TextChoices):
    NONE = "", _("Not known")
    I = "I", _("Class I")  # noqa: E741  (the regulation's own name)
    IIA = "IIa", _("Class IIa")
    IIB = "IIb", _("Class IIb")
    III = "III", _("Class III")


class FdaClass(models.TextChoices):
    NONE = "", _("Not known")
    I = "I", _("FDA class I")  # noqa: E741
    II = "II", _("FDA class II")
    III = "III", _("FDA class III")


class NetworkZone(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    ISOLATED = "isolated", _("Isolated (no network)")
    MEDICAL = "medical", _("Segmented medical network")
    CLINICAL = "clinical", _("Clinical network")
    CORPORATE = "corporate", _("Corporate network")
    DMZ = "dmz", _("DMZ")
    INTERNET = "internet", _("Exposed to the internet")


class CompensatingControl(models.TextChoices):
    SEGMENTED = "segmented", _("Network segmentation (dedicated VLAN)")
    FIREWALL_ALLOWLIST = "firewall_allowlist", _("Firewall allow-list of flows")
    NO_INTERNET = "no_internet", _("No internet access")
    MONITORED = "monitored", _("Network traffic monitored")
    REMOTE_ACCESS_CONTROLLED = "remote_access_controlled", _("Vendor remote access controlled")
    HARDENED = "hardened", _("Hardened configuration (unused services off)")
    USB_LOCKED = "usb_locked", _("Removable media locked")


class MatchStatus(models.TextChoices):
    KNOWN_AFFECTED = "known_affected", _("Known affected")
    FIXED = "fixed", _("Fixed")
    KNOWN_NOT_AFFECTED = "known_not_affected", _("Known not affected")
    UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
    NEEDS_REVIEW = "needs_review", _("Needs review")


class Workflow(models.TextChoices):
    OPEN = "open", pgettext_lazy("device vulnerability", "Open")
    MITIGATED = "mitigated", _("Mitigated by a compensating control")
    PATCHED = "patched", _("Patched")
    RISK_ACCEPTED = "risk_accepted", _("Risk accepted")
    NOT_AFFECTED = "not_affected", _("Not affected")


class VexJustification(models.TextChoices):
    NONE = "", _("None")
    COMPONENT_NOT_PRESENT = "component_not_present", _("Component not present")
    VULNERABLE_CODE_NOT_PRESENT = "vulnerable_code_not_present", _("Vulnerable code not present")
    VULNERABLE_CODE_NOT_IN_EXECUTE_PATH = (
        "vulnerable_code_not_in_execute_path",
        _("Vulnerable code not in execute path"),
    )
    VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY = (
        "vulnerable_code_cannot_be_controlled_by_adversary",
        _("Vulnerable code cannot be controlled by an adversary"),
    )
    INLINE_MITIGATIONS_ALREADY_EXIST = (
        "inline_mitigations_already_exist",
        _("Inline mitigations already exist"),
    )


class AdvisorySource(models.TextChoices):
    CSAF = "csaf", _("CSAF advisory")
    NVD = "nvd", _("NVD record")
    SBOM = "sbom", _("SBOM / VEX")


class FeedKind(models.TextChoices):
    CSAF = "csaf", _("CSAF 2.0 advisories")
    NVD = "nvd", _("NVD CVE records (API 2.0)")
    KEV = "kev", _("CISA KEV catalogue")
    EPSS = "epss", _("FIRST EPSS scores")
    SBOM = "sbom", _("SBOM / VEX")


class ImportStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class InventoryImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded, columns to map")
    VALIDATED = "validated", _("Checked, ready to import")
    INVALID = "invalid", _("Checked, errors to fix")
    COMMITTED = "committed", _("Imported")


class AliasKind(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    PRODUCT = "product", _("Product")
