"""The devices module's pure engines (no Django, no I/O: they take texts and dicts).

Public API (others import from here): CSAF 2.0 parsing and validation, NVD CVE API 2.0 records,
CPE names, versions and ranges, KEV and EPSS parsers, the inventory CSV of ``hygie devices
match``, :class:`MatchIndex` (built once) and :func:`match`; explanations are :class:`Text`
(msgids and values, rendered in the reader's language by the platform). ``risk`` (clinical
risk) is its own sub-module.
"""

from hygie.devices.engine.cpe import CPE, CPEError, cpe_matches, parse_cpe
from hygie.devices.engine.csaf import (
    Advisory,
    CsafError,
    CsafVulnerability,
    Product,
    build_advisory,
    flatten_product_tree,
    parse_csaf,
)
from hygie.devices.engine.feeds import EpssScore, FeedError, KevEntry, parse_epss, parse_kev
from hygie.devices.engine.inventory import InventoryError, parse_inventory
from hygie.devices.engine.match import (
    InventoryItem,
    MatchIndex,
    Verdict,
    comparison_rules,
    match,
)
from hygie.devices.engine.nvd import CveRecord, NVDError, parse_nvd
from hygie.devices.engine.ranges import Range, contains, parse_product_version, parse_range
from hygie.devices.engine.texts import Text
from hygie.devices.engine.versions import Version, compare, parse_version, same_version

__all__ = [
    "CPE",
    "Advisory",
    "CPEError",
    "CsafError",
    "CsafVulnerability",
    "CveRecord",
    "EpssScore",
    "FeedError",
    "InventoryError",
    "InventoryItem",
    "KevEntry",
    "MatchIndex",
    "NVDError",
    "Product",
    "Range",
    "Text",
    "Verdict",
    "Version",
    "build_advisory",
    "compare",
    "comparison_rules",
    "contains",
    "cpe_matches",
    "flatten_product_tree",
    "match",
    "parse_cpe",
    "parse_csaf",
    "parse_epss",
    "parse_inventory",
    "parse_kev",
    "parse_nvd",
    "parse_product_version",
    "parse_range",
    "parse_version",
    "same_version",
]
