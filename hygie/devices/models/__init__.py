"""The devices module's models: the clinical inventory (``inventory.py``) and the
vulnerability intelligence with each device's decisions (``intel.py``)."""

from hygie.devices.models.discovery import (
    DiscoveredCandidate,
    DiscoveryRun,
    ObservedFlow,
    SegmentationPolicy,
    SegmentationViolation,
)
from hygie.devices.models.intel import (
    Advisory,
    DeviceVulnerability,
    FeedImport,
    Vulnerability,
)
from hygie.devices.models.inventory import Device, InventoryImport, VendorAlias

__all__ = [
    "AUDITED_MODELS",
    "Advisory",
    "Device",
    "DiscoveredCandidate",
    "DiscoveryRun",
    "DeviceVulnerability",
    "FeedImport",
    "InventoryImport",
    "ObservedFlow",
    "SegmentationPolicy",
    "SegmentationViolation",
    "VendorAlias",
    "Vulnerability",
]

# Changes land in the hash-chained audit trail: who decided what about a device vulnerability,
# who changed a device or an alias (the history of a decision is the audit trail's).
AUDITED_MODELS = (Device, VendorAlias, DeviceVulnerability, SegmentationPolicy)
