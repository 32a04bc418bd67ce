"""CPE 2.3 names (formatted strings, and CPE 2.2 URIs) and their matching.

A CPE has eleven attributes (part, vendor, product, version, update, edition, language,
sw_edition, target_sw, target_hw, other); ``*`` is ANY (matches every value) and ``-`` is NA
(no value). Values are unescaped (``\\:`` → ``:``). A criterion attribute matches a name's
attribute when it is ANY, when both are equal (case-insensitive), when the name's is ANY
(unknown: the device does not say), or, for ``*``/``?`` wildcards inside a value, by pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from hygie.lib.errors import HygieError

ATTRIBUTES = (
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
)
ANY, NA = "*", "-"
MAX_CPE_LENGTH = 1000
_SPLIT = re.compile(r"(?<!\\):")


class CPEError(HygieError, ValueError):
    """Not a CPE name."""


@dataclass(frozen=True)
class CPE:
    part: str
    vendor: str
    product: str
    version: str = ANY
    update: str = ANY
    edition: str = ANY
    language: str = ANY
    sw_edition: str = ANY
    target_sw: str = ANY
    target_hw: str = ANY
    other: str = ANY

    def values(self) -> tuple[str, ...]:
        return tuple(getattr(self, name) for name in ATTRIBUTES)

    def __str__(self) -> str:
        return "cpe:2.3:" + ":".join(self.values())


def _unescape(value: str) -> str:
    if value in (ANY, NA):
        return value
    return re.sub(r"\\(.)", r"\1", value).casefold()


def parse_cpe(text: str) -> CPE:
    """Parse a CPE 2.3 formatted string or a CPE 2.2 URI; raises :class:`CPEError`."""
    raw = str(text).strip()
    if len(raw) > MAX_CPE_LENGTH:
        raise CPEError("the CPE name is too long")
    if raw.casefold().startswith("cpe:2.3:"):
        parts = _SPLIT.split(raw[8:])
        if len(parts) != 11:
            raise CPEError(f"a CPE 2.3 name has 11 attributes, not {len(parts)}")
        values = [_unescape(p) for p in parts]
    elif raw.casefold().startswith("cpe:/"):
        parts = raw[5:].split(":")
        if len(parts) > 7:
            raise CPEError("a CPE 2.2 URI has at most 7 components")
        values = [unquote(p).casefold() or ANY for p in parts]
        values += [ANY] * (11 - len(values))
    else:
        raise CPEError("a CPE name starts with cpe:2.3: or cpe:/")
    if values[0] not in ("a", "o", "h", ANY):
        raise CPEError(f"unknown CPE part {values[0]!r} (a, o or h)")
    if not values[1] or not values[2]:
        raise CPEError("a CPE name needs a vendor and a product")
    return CPE(*values)


def _attribute_matches(criterion: str, value: str) -> bool:
    if criterion == ANY or value == ANY:
        return True
    if criterion == NA or value == NA:
        return criterion == value
    if "*" in criterion or "?" in criterion:
        pattern = "".join(
            ".*" if c == "*" else "." if c == "?" else re.escape(c) for c in criterion
        )
        return re.fullmatch(pattern, value) is not None
    return criterion == value


def cpe_matches(criterion: CPE, name: CPE, skip: tuple[str, ...] = ()) -> bool:
    """Whether ``name`` falls under ``criterion`` (attributes in ``skip`` are not compared)."""
    return all(
        _attribute_matches(c, v)
        for attribute, c, v in zip(ATTRIBUTES, criterion.values(), name.values(), strict=True)
        if attribute not in skip
    )
