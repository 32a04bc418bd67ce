"""The JSON Schemas (draft 2020-12) of the three library formats, and schema errors as problems
with the line of the offending value.

The schemas ship in ``hygie/compliance/library/schemas/`` (package data, read once like the
detection engine's log source catalogue); validation uses ``jsonschema``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from hygie.lib.documents import Document, dotted_path

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

FRAMEWORK_FORMAT = "hygie-framework/1"
CONTROLS_FORMAT = "hygie-controls/1"
MAPPING_FORMAT = "hygie-mapping/1"
# format → schema file name (library/schemas/<name>.schema.json)
SCHEMAS = {
    FRAMEWORK_FORMAT: "framework",
    CONTROLS_FORMAT: "controls",
    MAPPING_FORMAT: "mapping",
}
_MAX_MESSAGE = 300
_PLAIN = {
    "maxItems": "more than {} items",
    "minItems": "at least {} item(s) expected",
    "maxLength": "longer than {} characters",
    "minLength": "must not be empty",
    "minProperties": "at least {} entry expected",
    "uniqueItems": "an item is given twice",
}
_TYPE_NAMES = {
    "object": "a mapping (key: value)",
    "array": "a list",
    "string": "a text",
    "boolean": "true or false",
    "string or number or boolean": "a text, a number or true/false",
}


def schema_text(name: str) -> str:
    """The text of ``library/schemas/<name>.schema.json``."""
    folder = resources.files("hygie.compliance").joinpath("library", "schemas")
    return folder.joinpath(f"{name}.schema.json").read_text(encoding="utf-8")


@cache
def validator(format_name: str) -> Draft202012Validator:
    # Imported when first needed: with its optional format checkers installed, importing
    # jsonschema compiles an IRI grammar (~2.5 s of CPU) — too much for every process start.
    from jsonschema import Draft202012Validator

    schema: dict[str, Any] = json.loads(schema_text(SCHEMAS[format_name]))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def schema_errors(format_name: str, document: Document) -> Iterator[tuple[int | None, str]]:
    """(line, message) of every schema error of ``document``, in document order."""
    found: list[tuple[int | None, int, str]] = []
    for index, error in enumerate(validator(format_name).iter_errors(document.data)):
        for path, message in _explain(error):
            found.append((document.location(path).line, index, message))
    found.sort(key=lambda item: (item[0] or 0, item[1]))
    for line, _, message in found:
        yield line, message


def _explain(error: ValidationError) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """One message per error, pointing at the most precise path; an unexpected key is reported
    at its own line, a failed ``anyOf`` by its most relevant branch."""
    path: tuple[str | int, ...] = tuple(error.absolute_path)
    where = dotted_path(path) or "the document"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = [key for key in error.instance if key not in allowed]
        if extra and isinstance(error.validator_value, bool):
            for key in extra:
                key_path = (*path, str(key))
                yield key_path, f"{dotted_path(key_path)}: unknown key"
            return
    if error.validator in ("anyOf", "oneOf") and error.context:
        from jsonschema.exceptions import best_match

        yield from _explain(best_match(error.context))
        return
    if error.validator == "pattern":
        yield path, f"{where}: {_clip(error.instance)} does not have the expected form"
        return
    if error.validator == "enum":
        values = error.validator_value
        choices = ", ".join(str(v) for v in values) if isinstance(values, list) else str(values)
        yield path, f"{where}: {_clip(error.instance)} is not one of {choices}"
        return
    if error.validator == "const":
        yield path, f"{where}: must be {error.validator_value}"
        return
    if error.validator in _PLAIN:
        # Said without the offending value, which may be a whole list or a long text.
        yield path, f"{where}: {_PLAIN[str(error.validator)].format(error.validator_value)}"
        return
    if error.validator == "type":
        expected = error.validator_value
        names = " or ".join(expected) if isinstance(expected, list) else str(expected)
        yield path, f"{where}: expected {_TYPE_NAMES.get(names, names)}"
        return
    if error.validator == "propertyNames":
        yield path, f"{where}: {_clip(error.instance)} is not an allowed key"
        return
    message = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[: _MAX_MESSAGE - 1] + "…"
    yield path, f"{where}: {message}"


def _clip(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"
