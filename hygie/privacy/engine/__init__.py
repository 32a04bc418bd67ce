"""PHI discovery engine: pure (no Django, no file walking, no network, no global state).

Typical use::

    detector = PHIDetector(ScanConfig(hmac_key=secret))
    result = scan_bytes(detector, data, name="export.csv")
    for finding in result.findings: ...

Findings never hold the value: a masked sample and an HMAC-SHA256 under ``hmac_key``.
"""

from hygie.privacy.engine.categories import CategoryCounts, CategoryRow, count_categories
from hygie.privacy.engine.detector import PHIDetector
from hygie.privacy.engine.document import Child, ExtractedDocument, Segment
from hygie.privacy.engine.errors import (
    ArchiveLimitError,
    ConfigError,
    ExtractionError,
    NERUnavailableError,
    PrivacyEngineError,
)
from hygie.privacy.engine.extract import FORMATS, extract, sniff_format
from hygie.privacy.engine.fields import CategoryLabel, category_table, entity_categories
from hygie.privacy.engine.masking import allowed_reveal, keyed_hash, mask_value
from hygie.privacy.engine.matcher import hyperscan_available
from hygie.privacy.engine.model import (
    ArchiveLimits,
    Backend,
    ColumnVerdict,
    DocumentResult,
    EntityType,
    Finding,
    FindingLocation,
    ScanConfig,
    SkippedPart,
)
from hygie.privacy.engine.scan import scan_bytes
from hygie.privacy.engine.validators import Verdict

__all__ = [
    "FORMATS",
    "ArchiveLimitError",
    "ArchiveLimits",
    "Backend",
    "CategoryCounts",
    "CategoryLabel",
    "CategoryRow",
    "Child",
    "ColumnVerdict",
    "ConfigError",
    "DocumentResult",
    "EntityType",
    "ExtractedDocument",
    "ExtractionError",
    "Finding",
    "FindingLocation",
    "NERUnavailableError",
    "PHIDetector",
    "PrivacyEngineError",
    "ScanConfig",
    "Segment",
    "SkippedPart",
    "Verdict",
    "allowed_reveal",
    "category_table",
    "count_categories",
    "entity_categories",
    "extract",
    "hyperscan_available",
    "keyed_hash",
    "mask_value",
    "scan_bytes",
    "sniff_format",
]
