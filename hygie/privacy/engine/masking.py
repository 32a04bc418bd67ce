"""Masked samples and keyed hashes: how a finding points at a value without holding it.

The masked sample keeps separators and reveals at most a few characters per entity type (never
more than half of the letters and digits); the HMAC-SHA256 of the normalised value lets the same
value be counted across files without storing it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from hygie.privacy.engine.model import EntityType as E

MASK = "•"
_NOT_ALNUM = re.compile(r"[\W_]+")

# (leading, trailing) letters/digits left visible. NIR: sex, birth year and month, then the key,
# as in "1 85 05 •• ••• ••• 36" — the key alone does not let anyone rebuild the number.
_REVEAL: dict[E, tuple[int, int]] = {
    E.FR_NIR: (5, 2),
    E.FR_INS: (5, 2),
    E.US_SSN: (0, 4),
    E.CREDIT_CARD: (0, 4),
    E.IBAN: (4, 2),
    E.US_NPI: (0, 3),
    E.FR_RPPS: (0, 3),
    E.FR_ADELI: (0, 2),
    E.FR_FINESS: (2, 0),
    E.US_DEA: (1, 2),
    E.US_MBI: (0, 2),
    E.FR_PHONE: (2, 2),
    E.US_PHONE: (0, 4),
    E.MRN: (0, 2),
    E.POSTAL_CODE: (2, 0),
    E.DATE: (0, 0),
    E.DATE_OF_BIRTH: (0, 0),
    E.IP_ADDRESS: (0, 0),
}
_WORD_INITIALS = frozenset({E.PERSON, E.ADDRESS})


def allowed_reveal(entity: E, value: str) -> int:
    """The most letters/digits a masked sample of ``value`` may show (used by property tests)."""
    alnum = sum(1 for char in value if char.isalnum())
    if entity is E.EMAIL and "@" in value:
        local, _, domain = value.partition("@")
        return min(1, sum(1 for c in local if c.isalnum())) + sum(1 for c in domain if c.isalnum())
    if entity is E.URL and "://" in value:
        scheme, rest = value.split("://", 1)
        return sum(1 for c in scheme + rest.split("/", 1)[0] if c.isalnum())
    if entity in _WORD_INITIALS:
        return alnum // 2
    lead, trail = _REVEAL.get(entity, (0, 2))
    return min(lead + trail, alnum // 2)


def _mask_span(value: str, lead: int, trail: int) -> str:
    chars = list(value)
    positions = [i for i, char in enumerate(chars) if char.isalnum()]
    budget = len(positions) // 2
    if lead + trail > budget:  # short values: shrink both ends, keeping the trailing part first
        trail = min(trail, budget)
        lead = min(lead, budget - trail)
    for index in positions[lead : len(positions) - trail]:
        chars[index] = MASK
    return "".join(chars)


# A run of letters and digits: ``[^\\W_]`` is exactly ``str.isalnum`` (``\\w`` is isalnum or "_").
_ALNUM_RUN = re.compile(r"[^\W_]+")


def _initial(match: re.Match[str]) -> str:
    word = match.group()
    return MASK * len(word) if len(word) < 2 else word[0] + MASK * (len(word) - 1)


def _mask_initials(value: str) -> str:
    """First letter of each word of two or more letters; one-letter words stay hidden, since
    revealing them would reveal the whole word. (One letter per word of two or more never
    exceeds half the letters, so no budget needs counting.)"""
    return _ALNUM_RUN.sub(_initial, value)


def mask_value(entity: E, value: str) -> str:
    """A sample safe to show and store: separators kept, most letters and digits replaced."""
    if entity is E.EMAIL and "@" in value:
        local, _, domain = value.partition("@")
        return (local[:1] if len(local) > 1 else MASK) + MASK * 3 + "@" + domain
    if entity is E.URL and "://" in value:
        scheme, rest = value.split("://", 1)
        host, slash, path = rest.partition("/")
        return f"{scheme}://{host}{slash}" + "".join(MASK if c.isalnum() else c for c in path)
    if entity in _WORD_INITIALS:
        return _mask_initials(value)
    lead, trail = _REVEAL.get(entity, (0, 2))
    return _mask_span(value, lead, trail)


def normalise_for_hash(entity: E, value: str) -> str:
    """One spelling per value so "1 85 05..." and "18505..." hash the same."""
    if entity in _WORD_INITIALS or entity is E.EMAIL:
        if value.isascii():  # no accent to strip: NFKD leaves ASCII unchanged
            return " ".join(value.casefold().split())
        folded = unicodedata.normalize("NFKD", value.casefold())
        return " ".join("".join(c for c in folded if not unicodedata.combining(c)).split())
    return _NOT_ALNUM.sub("", value).upper()


def keyed_hash(key: bytes, entity: E, value: str) -> str:
    """HMAC-SHA256 (hex) of the normalised value under the installation key.

    The entity type is not mixed in, so a NIR found bare in one file and as an INS matricule in
    another counts as the same value.
    """
    return KeyedHasher(key)(entity, value)


class KeyedHasher:
    """``keyed_hash`` with the key schedule computed once: HMAC (RFC 2104) from two SHA-256
    states primed with the padded key, copied per value — the same digest as ``hmac.new``, at a
    third of its cost (the ``hmac`` module's objects are built in Python for every value)."""

    def __init__(self, key: bytes) -> None:
        if len(key) > _SHA256_BLOCK:
            key = hashlib.sha256(key).digest()
        block = key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def __call__(self, entity: E, value: str) -> str:
        inner = self._inner.copy()
        # surrogatepass: a lone surrogate (undecodable input byte) still hashes, never raises.
        inner.update(normalise_for_hash(entity, value).encode("utf-8", "surrogatepass"))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


_SHA256_BLOCK = 64
