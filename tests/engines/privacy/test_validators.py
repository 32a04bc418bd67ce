"""Check-digit and range validators, with the official-format edge cases."""

from __future__ import annotations

import pytest

from hygie.privacy.engine import Verdict
from hygie.privacy.engine import validators as v


@pytest.mark.parametrize(
    "nir",
    [
        "295109912611193",  # frameworks.md §3.4, python-stdnum example (key 93)
        "253072B07300470",  # Corsica 2B → 18 (key 70)
        "253072A07300443",  # Corsica 2A → 19 (key 43)
        "2 95 10 99 126 111 93",  # spaced as printed on the carte Vitale
        "2.95.10.99.126.111.93",
    ],
)
def test_nir_valid_keys(nir: str) -> None:
    assert v.nir_verdict(nir) is Verdict.VALID


def test_nir_wrong_key_is_a_checksum_failure_not_a_rejection() -> None:
    assert v.nir_verdict("295109912611194") is Verdict.CHECKSUM_FAILED
    # Corsica computed without the 2A→19 mapping gives another key: must fail.
    assert v.nir_verdict("253072A07300470") is Verdict.CHECKSUM_FAILED


@pytest.mark.parametrize(
    "bad", ["595109912611193", "29510991261119", "2951099126111933", "2951O9912611193"]
)
def test_nir_wrong_shape_is_rejected(bad: str) -> None:
    assert v.nir_verdict(bad) is Verdict.REJECTED


def test_nir_key_builder_matches_validator() -> None:
    for body in ("1850575112001", "253072B073004", "2530729730047"):
        assert v.nir_verdict(body + v.nir_key(body)) is Verdict.VALID


def test_rpps_luhn_and_idnat_prefix() -> None:
    assert v.rpps_verdict("10003456786") is Verdict.VALID  # Luhn-valid 11 digits
    assert v.rpps_verdict("810003456786") is Verdict.VALID  # idNat_PS = 8 + RPPS
    assert v.rpps_verdict("10003456789") is Verdict.CHECKSUM_FAILED
    assert v.rpps_verdict("1000345678") is Verdict.REJECTED


def test_adeli_shape_only() -> None:
    assert v.adeli_verdict("751234567") is Verdict.VALID
    assert v.adeli_verdict("0751234567") is Verdict.VALID  # idNat_PS = 0 + ADELI
    assert v.adeli_verdict("75123456") is Verdict.REJECTED


def test_finess_luhn_with_corsica() -> None:
    assert v.finess_verdict("010000024") is Verdict.VALID
    assert v.finess_verdict("010000025") is Verdict.CHECKSUM_FAILED
    assert v.finess_verdict("2A0000010") in (Verdict.VALID, Verdict.CHECKSUM_FAILED)
    assert v.finess_verdict("01000002") is Verdict.REJECTED


@pytest.mark.parametrize(
    "iban",
    ["FR76 3000 6000 0112 3456 7890 189", "GB82WEST12345698765432", "DE89370400440532013000"],
)
def test_iban_valid(iban: str) -> None:
    assert v.iban_verdict(iban) is Verdict.VALID


def test_iban_failures() -> None:
    assert v.iban_verdict("FR76 3000 6000 0112 3456 7890 188") is Verdict.CHECKSUM_FAILED
    assert v.iban_verdict("FR76 3000 6000 0112 3456 7890") is Verdict.REJECTED  # FR is 27 long


@pytest.mark.parametrize(
    "ssn",
    ["000-12-3456", "666-12-3456", "912-12-3456", "123-00-4567", "123-45-0000", "078-05-1120"],
)
def test_ssn_invalid_ranges_rejected(ssn: str) -> None:
    assert v.ssn_verdict(ssn) is Verdict.REJECTED


def test_ssn_valid() -> None:
    assert v.ssn_verdict("425-57-9745") is Verdict.VALID


def test_npi_luhn_with_80840_prefix() -> None:
    assert v.npi_verdict("1234567893") is Verdict.VALID  # CMS worked example
    assert v.npi_verdict("1234567890") is Verdict.CHECKSUM_FAILED
    assert v.npi_verdict("3234567893") is Verdict.REJECTED  # NPIs start with 1 or 2


def test_dea_check_digit() -> None:
    assert v.dea_verdict("AB1234563") is Verdict.VALID  # 1+3+5 + 2*(2+4+6) = 33 → 3
    assert v.dea_verdict("AB1234564") is Verdict.CHECKSUM_FAILED
    assert v.dea_verdict("IB1234563") is Verdict.REJECTED  # I is not a registrant type


def test_mbi_position_rules() -> None:
    assert v.mbi_verdict("1EG4-TE5-MK73") is Verdict.VALID  # CMS specimen
    assert v.mbi_verdict("1EG4TE5MK73") is Verdict.VALID
    assert v.mbi_verdict("0EG4TE5MK73") is Verdict.REJECTED  # first char 1-9
    assert v.mbi_verdict("1SG4TE5MK73") is Verdict.REJECTED  # S is excluded


def test_credit_cards() -> None:
    assert v.credit_card_verdict("4111 1111 1111 1111") is Verdict.VALID
    assert v.credit_card_verdict("4111 1111 1111 1112") is Verdict.CHECKSUM_FAILED
    assert v.credit_card_verdict("9111 1111 1111 1111") is Verdict.REJECTED


@pytest.mark.parametrize(
    "date",
    [
        "12/03/1985",
        "03/12/1985",
        "1985-03-12",
        "12 mars 1985",
        "1er janvier 1990",
        "March 12, 1985",
        "19850312",
        "198808181126+0215",
        "31/12/1999",
    ],
)
def test_dates_that_exist(date: str) -> None:
    assert v.date_verdict(date) is Verdict.VALID


@pytest.mark.parametrize(
    "date", ["31/02/1985", "32/01/1985", "1985-13-01", "30 février 2001", "99999999"]
)
def test_dates_that_do_not_exist(date: str) -> None:
    assert v.date_verdict(date) is Verdict.REJECTED


def test_ipv4_inside_an_oid_is_rejected() -> None:
    assert v.ipv4_verdict("10.0.0.12", " ", " ") is Verdict.VALID
    assert v.ipv4_verdict("1.3.6.1", "", ".4") is Verdict.REJECTED
    assert v.ipv4_verdict("300.1.1.1", "", "") is Verdict.REJECTED


def test_url_needs_an_identifier() -> None:
    assert v.url_verdict("https://ehr.example.org/patient?id=1234567") is Verdict.VALID
    assert v.url_verdict("https://ehr.example.org/fhir/Patient/12345678") is Verdict.VALID
    assert v.url_verdict("https://www.has-sante.fr/guide") is Verdict.REJECTED


@pytest.mark.parametrize(
    "text",
    [
        "01/01/99999999999999999999",  # past a C int: date() raised OverflowError (fuzzing)
        "01/01/" + "9" * 5000,  # int() refuses more than 4,300 digits
        "²³/01/1990",  # digits that are not decimal: int() refused them
        "1990²³01",
    ],
)
def test_hostile_dates_are_rejected_not_raised(text: str) -> None:
    assert v.date_verdict(text) is Verdict.REJECTED


def test_dea_with_a_non_decimal_digit_is_rejected_not_raised() -> None:
    assert v.dea_verdict("AB123456²") is Verdict.REJECTED  # int("²") raised ValueError
