"""Check-digit and range validators for the identifiers the engine detects.

Each function takes the matched value and returns a ``Verdict``. Reuses the FINESS/RPPS/ADELI
checks from ``hygie.lib.identifiers``; the rules marked UNVERIFIED there stay UNVERIFIED here.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from enum import Enum

from hygie.lib.identifiers import check_adeli, check_finess, check_rpps, luhn_is_valid


class Verdict(Enum):
    VALID = "valid"  # passed a check digit or a semantic check
    CHECKSUM_FAILED = "checksum_failed"  # right shape, wrong key: reported with low confidence
    REJECTED = "rejected"  # not this kind of identifier at all (impossible range, bad date)


_NON_ALNUM = re.compile(r"[^0-9A-Za-z]")


def compact(value: str) -> str:
    """Drop separators (spaces, dots, dashes, ...) and upper-case letters."""
    return _NON_ALNUM.sub("", value).upper()


def nir_verdict(value: str) -> Verdict:
    """NIR/NIA: 13 characters + 2-digit key = 97 - (first 13 mod 97); Corsica 2A→19, 2B→18.

    VERIFIED rule (python-stdnum ``fr/nir.py``; frameworks.md §3.4). Month and department are not
    over-validated: temporary and foreign-born numbers use special values (UNVERIFIED details).
    """
    digits = compact(value)
    if len(digits) != 15 or digits[0] not in "123478":
        return Verdict.REJECTED
    department = digits[5:7]
    if department == "2A":
        digits = digits[:5] + "19" + digits[7:]
    elif department == "2B":
        digits = digits[:5] + "18" + digits[7:]
    if not digits.isdigit():
        return Verdict.REJECTED
    key = 97 - int(digits[:13]) % 97
    return Verdict.VALID if key == int(digits[13:]) else Verdict.CHECKSUM_FAILED


def nir_key(first13: str) -> str:
    """The 2-digit key of a 13-character NIR body (used to build synthetic test data)."""
    body = first13.upper()
    if body[5:7] == "2A":
        body = body[:5] + "19" + body[7:]
    elif body[5:7] == "2B":
        body = body[:5] + "18" + body[7:]
    return f"{97 - int(body) % 97:02d}"


def rpps_verdict(value: str) -> Verdict:
    """RPPS (11 digits) or idNat_PS (8 + RPPS): Luhn key, an UNVERIFIED rule (warning only)."""
    check = check_rpps(value)
    if not check.is_well_formed:
        return Verdict.REJECTED
    return Verdict.VALID if check.has_valid_key else Verdict.CHECKSUM_FAILED


def adeli_verdict(value: str) -> Verdict:
    """ADELI (9 digits, idNat_PS prefix 0): no published key, shape only (UNVERIFIED)."""
    return Verdict.VALID if check_adeli(value).is_well_formed else Verdict.REJECTED


def finess_verdict(value: str) -> Verdict:
    """FINESS EJ/EG: Luhn with Corsica 2A→21, 2B→22, an UNVERIFIED rule (warning only)."""
    check = check_finess(value)
    if not check.is_well_formed:
        return Verdict.REJECTED
    return Verdict.VALID if check.has_valid_key else Verdict.CHECKSUM_FAILED


# ISO 13616 lengths for the countries a French or US hospital meets most; others are shape-checked.
_IBAN_LENGTHS = {
    "FR": 27,
    "MC": 27,
    "DE": 22,
    "BE": 16,
    "ES": 24,
    "IT": 27,
    "LU": 20,
    "CH": 21,
    "GB": 22,
    "NL": 18,
    "PT": 25,
    "IE": 22,
    "AT": 20,
    "GP": 27,
    "MQ": 27,
    "RE": 27,
    "GF": 27,
    "PL": 28,
}


def iban_verdict(value: str) -> Verdict:
    """IBAN: country length (when known) and ISO 7064 mod 97-10 = 1."""
    iban = compact(value)
    if not 15 <= len(iban) <= 34 or not iban[:2].isalpha() or not iban[2:4].isdigit():
        return Verdict.REJECTED
    expected = _IBAN_LENGTHS.get(iban[:2])
    if expected is not None and len(iban) != expected:
        return Verdict.REJECTED
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return Verdict.VALID if int(number) % 97 == 1 else Verdict.CHECKSUM_FAILED


_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|6(?:011|5)|35|30[0-5]|36|38)")


def credit_card_verdict(value: str) -> Verdict:
    """Payment card: 13-19 digits, a known issuer prefix, Luhn."""
    digits = compact(value)
    if not digits.isdigit() or not 13 <= len(digits) <= 19 or not _CARD_PREFIX.match(digits):
        return Verdict.REJECTED
    return Verdict.VALID if luhn_is_valid(digits) else Verdict.CHECKSUM_FAILED


# Numbers the SSA never issued or published as examples (woolworth wallet card, ads).
_SSN_KNOWN_FAKE = {"078051120", "219099999", "123456789"}


def ssn_verdict(value: str) -> Verdict:
    """US SSN: no checksum exists; area 000, 666, 900-999, group 00 and serial 0000 are invalid."""
    digits = compact(value)
    if len(digits) != 9 or not digits.isdigit():
        return Verdict.REJECTED
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in {"000", "666"} or area[0] == "9" or group == "00" or serial == "0000":
        return Verdict.REJECTED
    if digits in _SSN_KNOWN_FAKE:
        return Verdict.REJECTED
    return Verdict.VALID


def npi_verdict(value: str) -> Verdict:
    """NPI: 10 digits starting 1 or 2; Luhn over the card-issuer prefix 80840 + the NPI."""
    digits = compact(value)
    if len(digits) != 10 or not digits.isdigit() or digits[0] not in "12":
        return Verdict.REJECTED
    return Verdict.VALID if luhn_is_valid("80840" + digits) else Verdict.CHECKSUM_FAILED


_DEA_FIRST = set("ABCDEFGHJKLMPRSTUX")


def dea_verdict(value: str) -> Verdict:
    """DEA registration: 2 letters + 7 digits; (d1+d3+d5) + 2×(d2+d4+d6) ends with d7."""
    dea = value.strip().upper()
    if len(dea) != 9 or dea[0] not in _DEA_FIRST or not (dea[1].isalpha() or dea[1] == "9"):
        return Verdict.REJECTED
    digits = dea[2:]
    if not digits.isdecimal():
        return Verdict.REJECTED
    d = [int(c) for c in digits]
    total = d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])
    return Verdict.VALID if total % 10 == d[6] else Verdict.CHECKSUM_FAILED


_MBI = re.compile(
    r"^[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d"
    r"[AC-HJKMNP-RT-Y]{2}\d{2}$"
)


def mbi_verdict(value: str) -> Verdict:
    """Medicare Beneficiary Identifier: CMS position rules (no check digit exists)."""
    return Verdict.VALID if _MBI.match(compact(value)) else Verdict.REJECTED


def ipv4_verdict(value: str, before: str, after: str) -> Verdict:
    """IPv4 with octets ≤ 255, not a slice of a longer dotted number (OIDs, versions)."""
    if (before.endswith(".") or after.startswith(".")) and (
        before[:-1][-1:].isdigit() or after[1:2].isdigit()
    ):
        return Verdict.REJECTED
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return Verdict.REJECTED
    return Verdict.VALID


def ipv6_verdict(value: str) -> Verdict:
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return Verdict.REJECTED
    return Verdict.VALID


_URL_ID_PARAM = re.compile(
    r"[?&;/](?:patient(?:_?id)?|pid|mrn|ipp|nir|ssn|ins|dossier|nom|name|dob|email|"
    r"birth(?:date)?|subject)(?:=|/)[^&\s]+|\d{6,}|%40|@",
    re.IGNORECASE,
)


def url_verdict(value: str) -> Verdict:
    """A URL is reported only when its path or query carries an identifier-like part."""
    rest = value.split("://", 1)[-1]
    path = rest[rest.find("/") :] if "/" in rest else ""
    return Verdict.VALID if _URL_ID_PARAM.search(path) else Verdict.REJECTED


_MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "février": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "août": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    "décembre": 12,
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_DATE_PARTS = re.compile(r"\d+|[^\W\d_]+")


def _exists(year: int, month: int, day: int) -> bool:
    # Range first: ``date()`` raises OverflowError, not ValueError, past a C int.
    if not (1880 <= year <= 2100 and 1 <= month <= 12 and 1 <= day <= 31):
        return False
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def date_verdict(value: str) -> Verdict:
    """A calendar date that exists, written day-first, month-first, ISO, HL7 or in words."""
    text = value.strip()
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if len(text) >= 8 and text[:8].isdecimal() and all(c in "0123456789.+-" for c in text[8:]):
        # HL7 DTM / DICOM DA: YYYYMMDD[HHMM[SS[.S]]][+/-ZZZZ]
        ok = _exists(int(text[:4]), int(text[4:6]), int(text[6:8]))
        return Verdict.VALID if ok else Verdict.REJECTED
    parts = _DATE_PARTS.findall(text.lower())
    parts = [p for p in parts if p not in {"er", "st", "nd", "rd", "th"}]
    if any(p.isdecimal() and len(p) > 8 for p in parts):
        return Verdict.REJECTED  # no date part is that long (and int() refuses 4,300 digits)
    numbers = [int(p) for p in parts if p.isdecimal()]
    words = [_MONTHS.get(p.rstrip(".")) for p in parts if not p.isdecimal()]
    month_words = [m for m in words if m is not None]
    if month_words and len(numbers) == 2:
        day, year = (numbers[0], numbers[1]) if numbers[1] > 31 else (numbers[1], numbers[0])
        return Verdict.VALID if _exists(year, month_words[0], day) else Verdict.REJECTED
    if len(numbers) != 3 or month_words:
        return Verdict.REJECTED
    a, b, c = numbers
    if a > 31:  # ISO year first
        return Verdict.VALID if _exists(a, b, c) else Verdict.REJECTED
    # Day-first (France) or month-first (US): either reading that exists is accepted.
    return Verdict.VALID if _exists(c, b, a) or _exists(c, a, b) else Verdict.REJECTED


def has_digit(value: str) -> Verdict:
    """Context-driven record numbers must hold at least one digit (not a plain word)."""
    return Verdict.VALID if any(char.isdigit() for char in value) else Verdict.REJECTED
