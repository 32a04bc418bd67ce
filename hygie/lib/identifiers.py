"""Check-digit validators for the identifiers the core model stores (FINESS, RPPS, ADELI).

The privacy engine reuses these for detection. Where the reference notes mark a check as
UNVERIFIED against the official specification (FINESS and RPPS Luhn keys), the result says so and
callers treat a failed checksum as a warning, never as a hard rejection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FINESS_RE = re.compile(r"^(?:\d{2}|2[AB])\d{7}$")
_RPPS_RE = re.compile(r"^\d{11}$")
_ADELI_RE = re.compile(r"^\d{9}$")


@dataclass(frozen=True)
class IdentifierCheck:
    """Outcome of validating one identifier.

    ``is_well_formed`` is a hard requirement; ``has_valid_key`` is informative when
    ``key_rule_verified`` is False (the key algorithm is not confirmed by the issuer's spec).
    """

    normalised: str
    is_well_formed: bool
    has_valid_key: bool | None
    key_rule_verified: bool
    problem: str | None = None

    @property
    def is_valid(self) -> bool:
        return self.is_well_formed and self.has_valid_key is not False


def luhn_is_valid(digits: str) -> bool:
    """True when the string of digits passes the Luhn (mod 10) check."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value).upper()


def check_finess(value: str) -> IdentifierCheck:
    """FINESS (EJ or EG): 9 characters, department first (2A/2B for Corsica), Luhn key.

    The Luhn key and the Corsica mapping (2A→21, 2B→22) are UNVERIFIED against the DREES/ANS
    specification: a mismatch is reported, not rejected.
    """
    compact = _compact(value)
    if not _FINESS_RE.match(compact):
        return IdentifierCheck(
            compact,
            False,
            None,
            False,
            "FINESS must be 9 characters: a department (2 digits, 2A or 2B) then 7 digits",
        )
    numeric = compact.replace("2A", "21", 1) if compact.startswith("2A") else compact
    numeric = numeric.replace("2B", "22", 1) if numeric.startswith("2B") else numeric
    key_ok = luhn_is_valid(numeric)
    problem = None if key_ok else "FINESS check key does not match (Luhn, UNVERIFIED rule)"
    return IdentifierCheck(compact, True, key_ok, False, problem)


def check_rpps(value: str) -> IdentifierCheck:
    """RPPS: 11 digits (12 with the idNat_PS prefix 8), last digit a Luhn key (UNVERIFIED rule)."""
    compact = _compact(value)
    if len(compact) == 12 and compact.startswith("8"):
        compact = compact[1:]
    if not _RPPS_RE.match(compact):
        return IdentifierCheck(compact, False, None, False, "RPPS must be 11 digits")
    key_ok = luhn_is_valid(compact)
    problem = None if key_ok else "RPPS check key does not match (Luhn, UNVERIFIED rule)"
    return IdentifierCheck(compact, True, key_ok, False, problem)


def check_adeli(value: str) -> IdentifierCheck:
    """ADELI: 9 digits (10 with the idNat_PS prefix 0); no check key is published (UNVERIFIED)."""
    compact = _compact(value)
    if len(compact) == 10 and compact.startswith("0"):
        compact = compact[1:]
    if not _ADELI_RE.match(compact):
        return IdentifierCheck(compact, False, None, False, "ADELI must be 9 digits")
    return IdentifierCheck(compact, True, None, False)
