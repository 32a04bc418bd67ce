"""Event shape: the flat ``{field: value}`` dicts rules are matched against.

Windows events arrive as the JSON rendering of their XML (``{"Event": {"System": ...,
"EventData": ...}}``, as evtx_dump and the ``evtx`` package produce). They are flattened the way
Sigma's Windows field names expect: ``System`` fields by name (``EventID``, ``Channel``,
``Computer``), ``Provider_Name``, ``Security_UserID``, the ``TimeCreated`` system time, and every
``EventData``/``UserData`` item by its own name. Other JSON is flattened to dotted names
(``process.command_line``), with lists kept as lists.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Nesting deeper than this is not a log event; it is cut rather than recursed into.
MAX_DEPTH = 32


def normalise_event(document: Mapping[str, Any]) -> dict[str, Any]:
    """The flat event for one parsed JSON document (Windows XML-as-JSON or any other JSON)."""
    windows = document.get("Event")
    if isinstance(windows, Mapping) and isinstance(windows.get("System"), Mapping):
        return flatten_windows(windows)
    flat: dict[str, Any] = {}
    _flatten_dotted(document, "", flat, 0)
    return flat


def flatten_windows(event: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    system = event.get("System")
    if isinstance(system, Mapping):
        for name, value in system.items():
            if isinstance(value, Mapping):
                _system_item(name, value, flat)
            else:
                flat[name] = value
    for section in ("EventData", "UserData"):
        data = event.get(section)
        if isinstance(data, Mapping):
            _leaves(data, flat, 0)
    return flat


def _system_item(name: str, value: Mapping[str, Any], flat: dict[str, Any]) -> None:
    text = value.get("#text")
    if text is not None:
        flat[name] = text  # e.g. <EventID Qualifiers="16384">7036</EventID>
    attributes = value.get("#attributes")
    if isinstance(attributes, Mapping):
        if name == "TimeCreated" and "SystemTime" in attributes:
            flat["TimeCreated"] = attributes["SystemTime"]
            return
        for attribute, attribute_value in attributes.items():
            flat[f"{name}_{attribute}"] = attribute_value
        if name == "Provider" and "EventSourceName" in attributes:
            flat.setdefault("Provider_Name", attributes["EventSourceName"])


def _leaves(data: Mapping[str, Any], flat: dict[str, Any], depth: int) -> None:
    """EventData/UserData items by their own names, as Sigma rules name them."""
    if depth > MAX_DEPTH:
        return
    for name, value in data.items():
        if name == "#attributes":
            continue
        if isinstance(value, Mapping):
            if "#text" not in value:
                _leaves(value, flat, depth + 1)
                continue
            value = value["#text"]
        flat[name] = value
        if " " in name:
            # Defender writes "Threat Name"; Sigma rules (and every peer) say ThreatName.
            flat.setdefault(name.replace(" ", ""), value)


def _flatten_dotted(
    value: Mapping[str, Any], prefix: str, flat: dict[str, Any], depth: int
) -> None:
    if depth > MAX_DEPTH:
        return
    for name, item in value.items():
        # Exact type check: JSON gives plain dicts, and the ABC check costs per field.
        if type(item) is dict:
            _flatten_dotted(item, f"{prefix}{name}.", flat, depth + 1)
        else:
            flat[f"{prefix}{name}" if prefix else name] = item
