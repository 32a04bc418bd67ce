"""The user's edits of a draft: written in, and kept when the draft is regenerated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hygie.response.engine.drafts.model import DraftError


def merge_edits(fresh: Mapping[str, Any], previous: Mapping[str, Any]) -> dict[str, Any]:
    """Regenerated content that keeps every value the user edited in ``previous``.

    Both are ``DraftContent.to_dict()`` shapes; an edited field carries ``"edited": True``.
    Fields that no longer exist are dropped; new fields come pre-filled.
    """
    edited: dict[tuple[str, str], str] = {}
    for group in previous.get("groups", []):
        for item in group.get("fields", []):
            if item.get("edited"):
                edited[(group["key"], item["key"])] = str(item.get("value", ""))
    merged = {**fresh, "groups": []}
    for group in fresh.get("groups", []):
        fields = []
        for item in group["fields"]:
            key = (group["key"], item["key"])
            if key in edited:
                item = {
                    **item,
                    "value": edited[key],
                    "edited": True,
                    "to_complete": bool(item.get("required")) and not edited[key].strip(),
                }
            fields.append(item)
        merged["groups"].append({**group, "fields": fields})
    return merged


def apply_values(
    content: Mapping[str, Any], values: Mapping[str, str], max_length: int = 20000
) -> dict[str, Any]:
    """Content with ``values`` (``"group.field"`` → text) written in and marked as edited.

    Unknown keys and over-long values raise ``DraftError`` naming every problem at once.
    """
    known = {f"{g['key']}.{f['key']}" for g in content.get("groups", []) for f in g["fields"]}
    problems = [f"{key}: unknown field" for key in values if key not in known]
    problems += [
        f"{key}: longer than {max_length} characters"
        for key, value in values.items()
        if len(value) > max_length
    ]
    if problems:
        raise DraftError("; ".join(sorted(problems)))
    updated = {**content, "groups": []}
    for group in content.get("groups", []):
        fields = []
        for item in group["fields"]:
            key = f"{group['key']}.{item['key']}"
            if key in values and values[key] != item.get("value", ""):
                value = values[key]
                item = {
                    **item,
                    "value": value,
                    "edited": True,
                    "to_complete": bool(item.get("required")) and not value.strip(),
                }
            fields.append(item)
        updated["groups"].append({**group, "fields": fields})
    return updated
