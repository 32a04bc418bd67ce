"""Vendor and product names normalised for matching: case folded, accents and punctuation
removed, legal-form suffixes dropped from vendors ("Inc.", "GmbH", "S.A.S."…), then mapped
through the alias table ("Becton Dickinson" = "BD").

A vendor written "Becton, Dickinson and Company (BD)" is known under both its name and the
abbreviation in parentheses. CPE names use underscores for spaces ("becton_dickinson"); a CPE
product "<name>_firmware" is the firmware of the device <name>.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache

LEGAL_SUFFIXES = frozenset(
    (
        "inc incorporated corp corporation co company companies llc llp lp ltd limited plc gmbh "
        "mbh ag kg kgaa se sa sas sasu sarl srl spa bv nv oy oyj ab as asa aps pty pte kk "
        "holding holdings group"
    ).split()
)
_PUNCT = re.compile(r"[^\w]+", re.UNICODE)
_PRODUCT_PUNCT = re.compile(r"[^\w+#]+", re.UNICODE)  # "XR656+" is not "XR656"
_ABBREVIATION = re.compile(r"\b(?:[^\W\d_]\.){2,}", re.UNICODE)
_PAREN = re.compile(r"\(([^()]{1,40})\)")


def _fold(text: str, punctuation: re.Pattern[str] = _PUNCT) -> str:
    if text.isascii():
        plain = text.casefold()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    plain = plain.replace("&", " and ").replace("_", " ")
    return " ".join(punctuation.sub(" ", plain).split())


@lru_cache(maxsize=262144)
def product_key(name: str) -> str:
    return _fold(name, _PRODUCT_PUNCT)


@lru_cache(maxsize=262144)
def vendor_key(name: str) -> str:
    # "S.A.S." → "SAS", "U.S.A." → "USA": dotted abbreviations are one word.
    plain = _ABBREVIATION.sub(lambda m: m.group().replace(".", ""), _PAREN.sub(" ", name))
    words = _fold(plain).split()
    while len(words) > 1 and (words[-1] in LEGAL_SUFFIXES or words[-1] == "and"):
        words.pop()
    return " ".join(words)


@lru_cache(maxsize=65536)
def vendor_keys(name: str) -> frozenset[str]:
    """The keys a vendor name is known under (its name, the abbreviation in parentheses)."""
    keys = {vendor_key(name)}
    for inner in _PAREN.findall(name):
        keys.add(vendor_key(inner))
    keys.discard("")
    return frozenset(keys)


class Aliases:
    """Alias table: vendor spelling → canonical vendor, normalised on both sides."""

    def __init__(self, aliases: Mapping[str, str] | None = None) -> None:
        self._map: dict[str, str] = {}
        for alias, canonical in (aliases or {}).items():
            target = vendor_key(str(canonical))
            for key in vendor_keys(str(alias)) | {_fold(str(alias))}:
                if key and target:
                    self._map[key] = target

    def canonical(self, key: str) -> str:
        return self._map.get(key, key)

    def vendors(self, name: str) -> set[str]:
        return {self.canonical(key) for key in vendor_keys(name)}


@lru_cache(maxsize=262144)
def cpe_product_key(name: str) -> str:
    key = product_key(name)
    for suffix in (" firmware", " software"):
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key
