"""The intel module's closed vocabularies (stored values are stable; labels translated).

Indicator kinds and TLP levels store the pure engine's own values (``engine.model``), so rows and
engine objects convert without a mapping table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hygie.intel.engine.model import TLP, IndicatorType


class IndicatorKind(models.TextChoices):
    IPV4 = IndicatorType.IPV4.value, _("IPv4 address")
    IPV6 = IndicatorType.IPV6.value, _("IPv6 address")
    CIDR = IndicatorType.CIDR.value, _("Network (CIDR)")
    DOMAIN = IndicatorType.DOMAIN.value, _("Domain name")
    URL = IndicatorType.URL.value, _("URL")
    EMAIL = IndicatorType.EMAIL.value, _("E-mail address")
    MD5 = IndicatorType.MD5.value, _("MD5 hash")
    SHA1 = IndicatorType.SHA1.value, _("SHA-1 hash")
    SHA256 = IndicatorType.SHA256.value, _("SHA-256 hash")
    FILE_NAME = IndicatorType.FILE_NAME.value, _("File name")
    JA3 = IndicatorType.JA3.value, _("JA3 fingerprint")
    JA4 = IndicatorType.JA4.value, _("JA4 fingerprint")
    USER_AGENT = IndicatorType.USER_AGENT.value, _("User agent")
    CVE = IndicatorType.CVE.value, _("CVE")


class TlpLevel(models.TextChoices):
    """TLP 2.0, from the least to the most restricted (``TLP.rank`` gives the order)."""

    CLEAR = TLP.CLEAR.value, "TLP:CLEAR"
    GREEN = TLP.GREEN.value, "TLP:GREEN"
    AMBER = TLP.AMBER.value, "TLP:AMBER"
    AMBER_STRICT = TLP.AMBER_STRICT.value, "TLP:AMBER+STRICT"
    RED = TLP.RED.value, "TLP:RED"


class PartnerKind(models.TextChoices):
    CERT_SANTE = "cert_sante", _("CERT Santé")
    REGIONAL_CENTRE = "regional_centre", _("Regional support centre")
    ISAC = "isac", _("ISAC")
    VENDOR = "vendor", _("Vendor")
    NATIONAL_CERT = "national_cert", _("National CERT")
    HOSPITAL = "hospital", _("Hospital")
    OTHER = "other", _("Other")


class FeedKind(models.TextChoices):
    TAXII = "taxii", _("TAXII 2.1 collection")
    MISP_FEED = "misp_feed", _("MISP feed")
    STIX_URL = "stix_url", _("STIX 2.1 bundle (URL)")
    CSV_URL = "csv_url", _("CSV (URL)")
    FILE = "file", _("File on the server")


class ShareFormat(models.TextChoices):
    STIX21 = "stix21", _("STIX 2.1 bundle")
    MISP = "misp", _("MISP event")


class ShareStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    DOWNLOADED = "downloaded", _("Downloaded")


class TaxiiStatusValue(models.TextChoices):
    PENDING = "pending", _("Pending")
    COMPLETE = "complete", _("Complete")
