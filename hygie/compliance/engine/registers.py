"""The GDPR record of processing activities (art. 30): its closed vocabularies and the health
presets that prefill a new entry. Pure: the presets file's text comes in, frozen presets go out.

Presets file (``hygie/compliance/library/registers/presets.yaml``)::

    format: hygie-register-presets/1
    presets:
      - key: patient-record                  # [a-z0-9-]+, unique
        name: {fr: "…", en: "…"}
        verification_status: verified         # or unverified (see note)
        legal_basis: public_task              # an art. 6 code (LEGAL_BASES)
        special_category_exception: h         # an art. 9(2) code, or "" (SPECIAL_EXCEPTIONS)
        dpia_criteria: [sensitive_data, large_scale]   # engine.dpia.Criterion values
        note: {fr: "…", en: "…"}              # optional: what is to check, sources
        fields:                               # any of PRESET_TEXT_FIELDS, each {fr, en}
          purposes: {fr: "…", en: "…"}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hygie.compliance.engine.dpia import Criterion
from hygie.lib import documents
from hygie.lib.errors import HygieError, Location

FORMAT = "hygie-register-presets/1"
LIMITS = documents.Limits(max_bytes=512 * 1024, max_depth=8, max_nodes=20_000)
LANGUAGES = ("fr", "en")

# GDPR art. 6(1) lawful bases, (a) to (f).
LEGAL_BASES = (
    "consent",
    "contract",
    "legal_obligation",
    "vital_interests",
    "public_task",
    "legitimate_interests",
)
# GDPR art. 9(2) exceptions to the ban on special categories (health data), by their letter.
SPECIAL_EXCEPTIONS = ("a", "b", "c", "d", "e", "f", "g", "h", "i", "j")
# The free-text fields of a record entry a preset may fill (one item per line).
PRESET_TEXT_FIELDS = (
    "purposes",
    "data_subjects",
    "data_categories",
    "special_categories",
    "recipients_internal",
    "recipients_external",
    "processors",
    "transfers",
    "retention",
    "security_measures",
    "data_source",
)
_KEYS = {
    "key",
    "name",
    "verification_status",
    "legal_basis",
    "special_category_exception",
    "dpia_criteria",
    "note",
    "fields",
}


@dataclass(frozen=True)
class Text:
    """A text in French and English; an empty language falls back to the other one."""

    fr: str
    en: str

    def get(self, language: str | None) -> str:
        if language and language.lower().startswith("en"):
            return self.en or self.fr
        return self.fr or self.en


@dataclass(frozen=True)
class Preset:
    key: str
    name: Text
    verification_status: str
    legal_basis: str
    special_category_exception: str
    dpia_criteria: tuple[str, ...]
    note: Text
    fields: Mapping[str, Text] = field(default_factory=dict)

    def values(self, language: str | None) -> dict[str, Any]:
        """The form's initial values in ``language``."""
        values: dict[str, Any] = {name: text.get(language) for name, text in self.fields.items()}
        values.update(
            name=self.name.get(language),
            legal_basis=self.legal_basis,
            special_category_exception=self.special_category_exception,
            has_special_categories=bool(self.special_category_exception),
            dpia_criteria=list(self.dpia_criteria),
            preset=self.key,
        )
        return values


@dataclass(frozen=True)
class PresetProblem:
    message: str
    location: Location


class PresetError(HygieError):
    """A presets file that cannot be used; ``problems`` lists all of them."""

    def __init__(self, problems: list[PresetProblem]) -> None:
        super().__init__(problems[0].message, problems[0].location)
        self.problems = problems


def parse_presets(text: str, source: str = "presets.yaml") -> tuple[Preset, ...]:
    """Read and check a presets file; every problem is reported at once, with its line."""
    try:
        document = documents.load_yaml(text, source, LIMITS)
    except documents.DocumentError as error:
        raise PresetError(
            [PresetProblem(problem.message, problem.location) for problem in error.problems]
        ) from None
    problems: list[PresetProblem] = []

    def problem(path: tuple[str | int, ...], message: str) -> None:
        problems.append(PresetProblem(message, document.location(path)))

    data = document.data
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        problem(("format",), f"expected 'format: {FORMAT}'")
        raise PresetError(problems)
    items = data.get("presets")
    if not isinstance(items, list):
        problem(("presets",), "'presets' must be a list")
        raise PresetError(problems)
    presets: list[Preset] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where: tuple[str | int, ...] = ("presets", index)
        if not isinstance(item, dict):
            problem(where, "a preset must be a mapping")
            continue
        before = len(problems)
        for unknown in sorted(set(map(str, item)) - _KEYS):
            problem((*where, unknown), f"unknown key '{unknown}'")
        key = item.get("key")
        if not isinstance(key, str) or not key or not all(c.isalnum() or c == "-" for c in key):
            problem((*where, "key"), "'key' must be lower-case letters, digits and dashes")
            key = ""
        elif key != key.lower():
            problem((*where, "key"), "'key' must be lower-case")
        elif key in seen:
            problem((*where, "key"), f"duplicate preset key '{key}'")
        seen.add(str(key))
        name = _text(item.get("name"), (*where, "name"), problem, required=True)
        note = _text(item.get("note"), (*where, "note"), problem, required=False)
        status = item.get("verification_status")
        if status not in ("verified", "unverified"):
            problem((*where, "verification_status"), "must be 'verified' or 'unverified'")
        basis = item.get("legal_basis")
        if basis not in LEGAL_BASES:
            problem((*where, "legal_basis"), f"unknown legal basis {basis!r}")
        exception = item.get("special_category_exception", "")
        if exception not in ("", *SPECIAL_EXCEPTIONS):
            problem(
                (*where, "special_category_exception"), f"unknown art. 9(2) exception {exception!r}"
            )
        criteria = item.get("dpia_criteria", [])
        known = {criterion.value for criterion in Criterion}
        if not isinstance(criteria, list) or not all(c in known for c in criteria):
            problem((*where, "dpia_criteria"), "unknown DPIA criterion")
            criteria = []
        raw_fields = item.get("fields", {})
        fields: dict[str, Text] = {}
        if not isinstance(raw_fields, dict):
            problem((*where, "fields"), "'fields' must be a mapping")
        else:
            for field_name, value in raw_fields.items():
                if field_name not in PRESET_TEXT_FIELDS:
                    problem((*where, "fields", str(field_name)), f"unknown field '{field_name}'")
                    continue
                fields[field_name] = _text(
                    value, (*where, "fields", field_name), problem, required=True
                )
        if len(problems) == before:
            presets.append(
                Preset(
                    key=str(key),
                    name=name,
                    verification_status=str(status),
                    legal_basis=str(basis),
                    special_category_exception=str(exception),
                    dpia_criteria=tuple(str(c) for c in criteria),
                    note=note,
                    fields=fields,
                )
            )
    if problems:
        raise PresetError(problems)
    return tuple(presets)


def _text(
    value: Any,
    path: tuple[str | int, ...],
    problem: Callable[[tuple[str | int, ...], str], None],
    *,
    required: bool,
) -> Text:
    if value is None and not required:
        return Text("", "")
    if (
        not isinstance(value, dict)
        or set(value) != set(LANGUAGES)
        or not all(isinstance(value[lang], str) and value[lang].strip() for lang in LANGUAGES)
    ):
        problem(path, "expected a text in both languages: {fr: …, en: …}")
        return Text("", "")
    return Text(value["fr"].strip(), value["en"].strip())
