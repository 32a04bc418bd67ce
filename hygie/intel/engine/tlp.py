"""TLP markings in STIX 2.1 (TLP 1.0 predefined, TLP 2.0 extension) and MISP tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hygie.intel.engine.errors import IndicatorError
from hygie.intel.engine.model import TLP

TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"

# STIX 2.1 predefined TLP 1.0 marking definitions (specification §7.2.1.4).
TLP1_IDS: dict[str, str] = {
    "white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
    "green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
    "amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
    "red": "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}
# OASIS cti-stix-common-objects, extension-definition-specifications/tlp-2.0.
TLP2_IDS: dict[TLP, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
KNOWN_IDS: dict[str, TLP] = {
    **{marking: TLP.parse(colour) for colour, marking in TLP1_IDS.items()},
    **{marking: tlp for tlp, marking in TLP2_IDS.items()},
}


def stix_marking_id(tlp: TLP, version: str = "2.0") -> str:
    """The marking definition id of ``tlp`` (TLP 1.0 maps CLEAR→WHITE, AMBER+STRICT→AMBER)."""
    return TLP2_IDS[tlp] if version == "2.0" else TLP1_IDS[tlp.tlp1]


def stix_marking_object(tlp: TLP, version: str = "2.0") -> dict[str, Any]:
    """The marking definition object as published (TLP 1.0 ones are predefined too)."""
    if version == "2.0":
        return {
            "type": "marking-definition",
            "spec_version": "2.1",
            "id": TLP2_IDS[tlp],
            "created": TLP2_CREATED,
            "name": tlp.label,
            "extensions": {
                TLP2_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.value}
            },
        }
    colour = tlp.tlp1
    created = "2017-01-20T00:00:00.000Z"
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP1_IDS[colour],
        "created": created,
        "definition_type": "tlp",
        "name": f"TLP:{colour.upper()}",
        "definition": {"tlp": colour},
    }


def tlp_of_marking(marking: Mapping[str, Any]) -> TLP | None:
    """The TLP a marking definition object carries (by known id, TLP 2.0 extension, TLP 1.0
    definition or a ``TLP:`` name), or None for another kind of marking."""
    known = KNOWN_IDS.get(str(marking.get("id", "")))
    if known is not None:
        return known
    extension = (marking.get("extensions") or {}).get(TLP2_EXTENSION)
    candidates: list[object] = []
    if isinstance(extension, Mapping):
        candidates.append(extension.get("tlp_2_0"))
    definition = marking.get("definition")
    if marking.get("definition_type") == "tlp" and isinstance(definition, Mapping):
        candidates.append(definition.get("tlp"))
    name = marking.get("name")
    if isinstance(name, str) and name.upper().startswith("TLP:"):
        candidates.append(name)
    for candidate in candidates:
        if isinstance(candidate, str):
            try:
                return TLP.parse(candidate)
            except IndicatorError:
                continue
    return None


def misp_tag(tlp: TLP) -> str:
    """The MISP taxonomy tag (``tlp:clear``, ``tlp:amber+strict``…), TLP 2.0 spelling."""
    return f"tlp:{tlp.value}"


def tlp_of_tag(tag: str) -> TLP | None:
    if not tag.lower().startswith("tlp:"):
        return None
    try:
        return TLP.parse(tag)
    except IndicatorError:
        return None
