"""CSAF 2.0 JSON schema validation, offline.

The OASIS schema and the FIRST CVSS schemas it references ship in ``hygie/devices/data/csaf/``
(package data, read once, like the compliance engine's schemas); the references to
``https://www.first.org/cvss/…`` resolve to those files through a ``referencing`` registry, so
nothing is fetched. The first error (the most relevant one by ``jsonschema``'s ``best_match``)
is raised as a :class:`CsafError` with the test id ``schema``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from referencing import Registry
from referencing.jsonschema import DRAFT4, DRAFT7, DRAFT202012

from hygie.devices.engine.csaf import CsafError

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

CSAF_SCHEMA_ID = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json"
_REFERENCED = {
    "https://www.first.org/cvss/cvss-v2.0.json": ("cvss-v2.0.json", DRAFT4),
    "https://www.first.org/cvss/cvss-v3.0.json": ("cvss-v3.0.json", DRAFT7),
    "https://www.first.org/cvss/cvss-v3.1.json": ("cvss-v3.1.json", DRAFT7),
}


def _schema_text(name: str) -> str:
    folder = resources.files("hygie.devices").joinpath("data", "csaf")
    return folder.joinpath(name).read_text(encoding="utf-8")


@cache
def validator() -> Draft202012Validator:
    # Imported when first needed (see hygie.compliance.engine.schema.validator); the drafts the
    # referenced schemas declare are registered in jsonschema's own table by this import.
    from jsonschema import Draft202012Validator

    schema: dict[str, Any] = json.loads(_schema_text("csaf_json_schema.json"))
    registry: Registry[Any] = Registry()
    for uri, (name, spec) in _REFERENCED.items():
        contents = json.loads(_schema_text(name))
        registry = registry.with_resource(uri, spec.create_resource(contents))
    registry = registry.with_resource(CSAF_SCHEMA_ID, DRAFT202012.create_resource(schema))
    return Draft202012Validator(schema, registry=registry)


def json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def validate_schema(document: Any) -> None:
    """Raise :class:`CsafError` ("schema") when the document breaks the CSAF 2.0 schema."""
    from jsonschema.exceptions import best_match

    error = best_match(validator().iter_errors(document))
    if error is not None:
        message = error.message
        if len(message) > 300:
            message = message[:300] + "…"
        path = json_path(error.absolute_path)
        # A CVSS object breaking FIRST's schema is the mandatory test 6.1.8 (invalid CVSS).
        test_id = "6.1.8" if ".cvss_v2" in path or ".cvss_v3" in path else "schema"
        raise CsafError(test_id, path, message)
