"""Field semantics: which fields of structured formats hold PHI, from the maps beside this file.

The maps are data (hl7v2.yml, fhir.yml, ccda.yml, dicom.yml, tabular.yml), each naming its
source; categories.yml lists the HIPAA Safe Harbor identifiers and the French categories an entry
may name. They are read once per process (package data, never a user file) and checked as they
load: an unknown entity, category or data type is a programming error, raised at import time by
the tests. Extractors ask here what a field holds; the detector turns a non-empty value in a
declared field into a finding whatever its form (``ScanConfig.field_semantics``).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from hygie.privacy.engine.model import EntityType as E


@dataclass(frozen=True)
class PHIField:
    """What a field holds: the entity to report, its HIPAA Safe Harbor letter, French category."""

    entity: E
    hipaa: str
    fr: str


def _read(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: a mapping was expected")
    return data


@dataclass(frozen=True)
class CategoryLabel:
    """A category's label in English and in French (``hygie.core.choices.Label``), and its
    short form for table cells and filters."""

    en: str
    fr: str
    short_en: str = ""
    short_fr: str = ""

    def get(self, language: str | None) -> str:
        return self.fr if (language or "").startswith("fr") else self.en

    @property
    def short(self) -> CategoryLabel:
        return CategoryLabel(self.short_en or self.en, self.short_fr or self.fr)


@dataclass(frozen=True)
class Categories:
    """categories.yml: the HIPAA Safe Harbor identifiers, the French categories, and the
    categories of a finding no field map entry produced, per entity type."""

    hipaa: dict[str, CategoryLabel]
    fr: dict[str, CategoryLabel]
    entity_defaults: dict[E, PHIField]


def _labels(raw: dict[str, Any], where: str) -> dict[str, CategoryLabel]:
    out = {}
    for code, label in raw.items():
        short = label.get("short") if isinstance(label, dict) else None
        if not all(isinstance(x, dict) and x.get("en") and x.get("fr") for x in (label, short)):
            raise ValueError(
                f"categories.yml {where} {code}: an English and a French label, long and short"
            )
        assert isinstance(label, dict) and isinstance(short, dict)
        out[str(code)] = CategoryLabel(
            str(label["en"]), str(label["fr"]), str(short["en"]), str(short["fr"])
        )
    return out


@cache
def category_table() -> Categories:
    """categories.yml, read once and checked (see ``categories_from``)."""
    return categories_from(_read("categories.yml"))


def categories_from(data: dict[str, Any]) -> Categories:
    """The categories document, checked: every label in both languages, and every entity type
    the engine reports with its default categories (free-text and pattern findings take them),
    each naming known categories."""
    hipaa, fr = _labels(data["hipaa"], "hipaa"), _labels(data["fr"], "fr")
    defaults: dict[E, PHIField] = {}
    for name, raw in data["entities"].items():
        entity = E(name)
        letter, french = str(raw["hipaa"]), str(raw["fr"])
        if letter not in hipaa or french not in fr:
            raise ValueError(f"categories.yml {name}: unknown category {letter!r}/{french!r}")
        defaults[entity] = PHIField(entity, letter, french)
    missing = [entity.value for entity in E if entity not in defaults]
    if missing:
        raise ValueError(f"categories.yml: no default categories for {', '.join(missing)}")
    return Categories(hipaa, fr, defaults)


def categories() -> dict[str, dict[str, str]]:
    """``{"hipaa": {letter: English label}, "fr": {code: French label}}`` from categories.yml."""
    table = category_table()
    return {
        "hipaa": {code: label.en for code, label in table.hipaa.items()},
        "fr": {code: label.fr for code, label in table.fr.items()},
    }


def entity_categories() -> dict[E, PHIField]:
    """The categories of a finding no field map entry produced, by entity type."""
    return category_table().entity_defaults


def _phi(
    raw: dict[str, Any], where: str, hipaa: str | None = None, fr: str | None = None
) -> PHIField:
    known = categories()
    entity = E(raw["entity"])
    letter, french = hipaa or raw.get("hipaa"), fr or raw.get("fr")
    if letter not in known["hipaa"] or french not in known["fr"]:
        raise ValueError(f"{where}: unknown category {letter!r}/{french!r}")
    return PHIField(entity, str(letter), str(french))


# -- HL7 v2 -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HL7Field:
    """One mapped field (``PID-13``): its data type and, for TS/ST, what the whole value is."""

    key: str
    datatype: str
    name: str
    own: PHIField | None  # entity and categories of a "field" data type (TS, ST)
    hipaa: str | None  # overrides of the data type's categories for this field
    fr: str | None


@dataclass(frozen=True)
class HL7Map:
    fields: dict[str, HL7Field]
    # data type -> component key ("1", "1.3", "*") -> PHIField, or None for "the field's own"
    datatypes: dict[str, dict[str, PHIField | None]]
    cx_type_codes: dict[str, PHIField]
    obx_type_field: int
    obx_value_field: int
    obx_value_types: dict[str, str]
    segments: frozenset[str]

    def component(
        self, field: HL7Field | None, datatype: str, component: int, sub: int, type_code: str = ""
    ) -> PHIField | None:
        """What component ``component``.``sub`` of a ``datatype`` value in ``field`` holds."""
        rules = self.datatypes.get(datatype)
        if rules is None:
            return None
        key = f"{component}.{sub}"
        if key in rules:
            rule = rules[key]
        elif str(component) in rules:
            rule = rules[str(component)]
        elif "*" in rules:
            rule = rules["*"]
        else:
            return None
        if rule is None:  # "field": the field says what the value is
            return field.own if field is not None else None
        if datatype == "CX" and type_code in self.cx_type_codes:
            return self.cx_type_codes[type_code]
        if field is not None and (field.hipaa or field.fr):
            return PHIField(rule.entity, field.hipaa or rule.hipaa, field.fr or rule.fr)
        return rule


def _check_overrides(raw: dict[str, Any], where: str) -> None:
    """A field's own hipaa/fr (replacing its data type's) must name known categories too."""
    table = category_table()
    for kind, known in (("hipaa", table.hipaa), ("fr", table.fr)):
        if kind in raw and raw[kind] not in known:
            raise ValueError(f"{where}: unknown {kind} category {raw[kind]!r}")


@cache
def hl7_map() -> HL7Map:
    data = _read("hl7v2.yml")
    datatypes: dict[str, dict[str, PHIField | None]] = {}
    for name, components in data["datatypes"].items():
        datatypes[name] = {
            str(key): None if raw["entity"] == "field" else _phi(raw, f"hl7v2 {name}.{key}")
            for key, raw in components.items()
        }
    fields: dict[str, HL7Field] = {}
    for key, raw in data["fields"].items():
        datatype = raw["type"]
        if datatype not in datatypes:
            raise ValueError(f"hl7v2 {key}: unknown data type {datatype!r}")
        own = _phi(raw, f"hl7v2 {key}") if "entity" in raw else None
        _check_overrides(raw, f"hl7v2 {key}")
        if None in datatypes[datatype].values() and own is None:
            raise ValueError(f"hl7v2 {key}: a {datatype} field needs its entity")
        fields[key] = HL7Field(key, datatype, raw["name"], own, raw.get("hipaa"), raw.get("fr"))
    obx = data["obx"]
    return HL7Map(
        fields=fields,
        datatypes=datatypes,
        cx_type_codes={
            code: _phi(raw, f"hl7v2 CX-5 {code}") for code, raw in data["cx_type_codes"].items()
        },
        obx_type_field=int(obx["type_field"]),
        obx_value_field=int(obx["value_field"]),
        obx_value_types=dict(obx["value_types"]),
        segments=frozenset(key.split("-")[0] for key in fields) | {"OBX"},
    )


# -- FHIR R4 ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FHIRMap:
    people: frozenset[str]
    person_elements: dict[str, PHIField]
    resources: dict[str, dict[str, PHIField]]
    identifier_systems: tuple[tuple[str, PHIField], ...]

    def element(self, resource: str | None, element: str) -> PHIField | None:
        """What ``element`` (``telecom.value``) of a ``resource`` holds, when the map says."""
        if resource in self.people:
            return self.person_elements.get(element)
        return self.resources.get(resource or "", {}).get(element)

    def system(self, system: str) -> PHIField | None:
        lowered = system.lower()
        for marker, phi in self.identifier_systems:
            if marker in lowered:
                return phi
        return None


@cache
def fhir_map() -> FHIRMap:
    data = _read("fhir.yml")
    return FHIRMap(
        people=frozenset(data["people"]),
        person_elements={
            key: _phi(raw, f"fhir {key}") for key, raw in data["person_elements"].items()
        },
        resources={
            name: {key: _phi(raw, f"fhir {name}.{key}") for key, raw in elements.items()}
            for name, elements in data["resources"].items()
        },
        identifier_systems=tuple(
            (str(raw["marker"]).lower(), _phi(raw, f"fhir system {raw['marker']}"))
            for raw in data["identifier_systems"]
        ),
    )


# -- C-CDA ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CCDAMap:
    declared_scopes: frozenset[str]
    person_parents: frozenset[str]
    text: dict[str, tuple[str | None, PHIField]]  # element -> (parent rule, field)
    attributes: dict[str, tuple[str | None, PHIField]]  # "element@attr" -> (within, field)
    id_roots: tuple[tuple[str, PHIField], ...]

    def text_field(self, element: str, parent: str) -> PHIField | None:
        rule = self.text.get(element)
        if rule is None:
            return None
        wanted, phi = rule
        if wanted == "person":
            return phi if parent in self.person_parents else None
        return phi if wanted is None or wanted == parent else None

    def root(self, root: str) -> PHIField | None:
        for marker, phi in self.id_roots:
            if root.startswith(marker):
                return phi
        return None


@cache
def ccda_map() -> CCDAMap:
    data = _read("ccda.yml")
    return CCDAMap(
        declared_scopes=frozenset(data["declared_scopes"]),
        person_parents=frozenset(data["person_parents"]),
        text={
            key: (raw.get("parent"), _phi(raw, f"ccda {key}")) for key, raw in data["text"].items()
        },
        attributes={
            key: (raw.get("within"), _phi(raw, f"ccda {key}"))
            for key, raw in data["attributes"].items()
        },
        id_roots=tuple(
            (str(raw["marker"]), _phi(raw, f"ccda root {raw['marker']}"))
            for raw in data["id_roots"]
        ),
    )


# -- DICOM ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DicomAttribute:
    tag: int
    keyword: str
    vr: str
    action: str
    phi: PHIField | None  # None: free text or codes, scanned by patterns only


@cache
def dicom_map() -> dict[int, DicomAttribute]:
    """The PS3.15 Annex E attributes by tag number."""
    out: dict[int, DicomAttribute] = {}
    for row in _read("dicom.yml")["attributes"]:
        tag_text, keyword, vr, action, entity, hipaa, fr = row
        tag = int(tag_text[1:5] + tag_text[6:10], 16)
        phi = None
        if entity is not None:
            phi = _phi({"entity": entity, "hipaa": hipaa, "fr": fr}, f"dicom {tag_text}")
        out[tag] = DicomAttribute(tag, keyword or "", vr or "", str(action), phi)
    return out


# -- tables (CSV, XLSX) and keys of plain JSON/XML -----------------------------------------------


@cache
def header_map() -> dict[str, PHIField]:
    """Normalised header -> what the column holds (tabular.yml)."""
    out: dict[str, PHIField] = {}
    for entity, raw in _read("tabular.yml")["entities"].items():
        phi = _phi({"entity": entity, "hipaa": raw["hipaa"], "fr": raw["fr"]}, f"tabular {entity}")
        for name in str(raw["names"]).split():
            if name in out:
                raise ValueError(f"tabular: header {name!r} listed twice")
            out[name] = phi
    return out


def fold(text: str) -> str:
    """Lower case without accents (é -> e), the first step of header normalisation."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


__all__ = [
    "CCDAMap",
    "Categories",
    "CategoryLabel",
    "DicomAttribute",
    "FHIRMap",
    "HL7Field",
    "HL7Map",
    "PHIField",
    "categories",
    "categories_from",
    "category_table",
    "ccda_map",
    "dicom_map",
    "entity_categories",
    "fhir_map",
    "fold",
    "header_map",
    "hl7_map",
]
