"""The library shipped in hygie/compliance/library validates, and keeps its promises."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from hygie.compliance.engine import check_library, parse_library
from hygie.compliance.engine.schema import SCHEMAS, schema_text
from hygie.compliance.library_files import LIBRARY_ROOT, read_library_files, shipped_library


def test_shipped_library_has_no_problem() -> None:
    problems = check_library(read_library_files())
    assert [str(problem) for problem in problems] == []


def test_shipped_library_content() -> None:
    library = shipped_library()
    assert library is shipped_library()  # parsed once
    assert "care" in library.frameworks
    assert len(library.controls) >= 40
    for framework in library.frameworks.values():
        assert set(framework.locales) >= {"fr", "en"}, framework.id
        assert framework.assessable(), framework.id
        for requirement in framework.requirements:
            assert requirement.title.get("fr") and requirement.title.get("en"), requirement.urn
    for control in library.controls.values():
        assert control.id.startswith("hygie.")
        assert control.title["fr"] and control.title["en"] and control.description["en"]
    # Every control mapping names a known requirement and control (checked by the loader; the
    # helpers agree).
    for mapping in library.mappings:
        if mapping.onto_controls:
            for entry in mapping.entries:
                assert entry.target in library.controls
                assert entry.target in library.controls_of(entry.source)


def test_library_files_are_only_the_library() -> None:
    names = list(read_library_files())
    assert names[0] == "controls.yaml"
    assert all(
        name == "controls.yaml" or name.startswith(("frameworks/", "mappings/")) for name in names
    )
    assert parse_library(read_library_files(LIBRARY_ROOT)).frameworks.keys() == (
        shipped_library().frameworks.keys()
    )


def test_schemas_are_valid_draft_2020_12() -> None:
    for name in SCHEMAS.values():
        schema = json.loads(schema_text(name))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)


def test_schemas_and_library_files_are_package_data() -> None:
    """pyproject's package-data patterns ship every library file (setuptools globs them,
    recursively, from each package's folder; ``library`` has no ``__init__.py``)."""
    import tomllib

    root = Path(__file__).resolve().parents[3]
    patterns = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]["*"]
    package = root / "hygie" / "compliance"
    shipped = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    library = {path for path in (package / "library").rglob("*") if path.is_file()}
    assert library
    assert library <= shipped
