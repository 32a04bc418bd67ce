"""Fuzz targets of the compliance engine: framework files and CISO Assistant libraries."""

from __future__ import annotations

from collections.abc import Iterator

from .target import Loaded, Seed, Target, package_files, text

_COMPLIANCE = ("hygie.compliance.engine", "hygie.lib", "yaml", "jsonschema")


def _framework() -> Loaded:
    from hygie.compliance.engine import LibraryError, parse_framework

    return (lambda data: parse_framework("fuzz.yaml", text(data))), (LibraryError,)


def _ciso_library() -> Loaded:
    from hygie.compliance.engine import LibraryError, parse_ciso_assistant_library

    return (lambda data: parse_ciso_assistant_library("fuzz.yaml", text(data))), (LibraryError,)


def _ciso_seeds() -> Iterator[Seed]:
    from tests.engines.compliance.samples import CISO_LIBRARY

    yield "tiny-clinic.yaml", CISO_LIBRARY.encode()


def _framework_seeds() -> Iterator[Seed]:
    from tests.engines.compliance.samples import ALPHA, BETA

    yield "alpha.yaml", ALPHA.encode()
    yield "beta.yaml", BETA.encode()
    # The shipped frameworks are large: the smaller ones only, for quick mutations.
    for name, data in package_files("hygie/compliance/library/frameworks", "*.yaml"):
        if len(data) <= 64 * 1024:
            yield name, data


TARGETS = (
    Target(
        "compliance_framework",
        "parse_framework: Hygie framework YAML (hygie-framework/1)",
        _framework,
        _COMPLIANCE,
        _framework_seeds,
    ),
    Target(
        "ciso_assistant_library",
        "parse_ciso_assistant_library: CISO Assistant YAML library",
        _ciso_library,
        _COMPLIANCE,
        _ciso_seeds,
    ),
)
