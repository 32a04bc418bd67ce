"""The compliance engine: the framework library (frameworks, Hygie's control catalogue, mappings)
parsed and checked from texts, CISO Assistant library import, and (in their own modules)
scoring, propagation of answers and the GDPR registers' computations.

Pure: no Django, no file access (the CLI and services read the files; see
``hygie.compliance.library_files``).
"""

from .ciso import parse_ciso_assistant_library
from .export import framework_to_yaml
from .library import (
    CONTROLS_TARGET,
    INVERSE_RELATION,
    RELATIONS,
    VERIFICATION_STATUSES,
    Control,
    Framework,
    Library,
    LibraryError,
    Localized,
    MappingEntry,
    MappingSet,
    Problem,
    Requirement,
    framework_of,
    localized,
    requirement_urn,
)
from .loader import check_library, parse_framework, parse_library

__all__ = [
    "CONTROLS_TARGET",
    "INVERSE_RELATION",
    "RELATIONS",
    "VERIFICATION_STATUSES",
    "Control",
    "Framework",
    "Library",
    "LibraryError",
    "Localized",
    "MappingEntry",
    "MappingSet",
    "Problem",
    "Requirement",
    "check_library",
    "framework_of",
    "framework_to_yaml",
    "localized",
    "parse_ciso_assistant_library",
    "parse_framework",
    "parse_library",
    "requirement_urn",
]
