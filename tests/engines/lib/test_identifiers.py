"""Identifier validators against the reference values in shared/reference/frameworks.md §3.4."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hygie.lib.identifiers import check_adeli, check_finess, check_rpps, luhn_is_valid


@pytest.mark.parametrize(
    "digits, valid",
    [
        ("79927398713", True),
        ("79927398710", False),
        ("0", True),
        ("", False),
        ("12a", False),
    ],
)
def test_luhn(digits, valid):
    assert luhn_is_valid(digits) is valid


def _with_luhn_key(prefix: str) -> str:
    for key in "0123456789":
        if luhn_is_valid(prefix + key):
            return prefix + key
    raise AssertionError("unreachable")


@given(st.text(alphabet="0123456789", min_size=1, max_size=20))
def test_luhn_key_always_exists_and_any_single_digit_change_breaks_it(prefix):
    number = _with_luhn_key(prefix)
    assert luhn_is_valid(number)
    changed = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert not luhn_is_valid(changed)


def test_finess_well_formed_with_valid_key():
    result = check_finess("01 000 002 4")
    assert result.normalised == "010000024"
    assert result.is_well_formed and result.has_valid_key is True
    assert result.key_rule_verified is False  # UNVERIFIED rule: reported, never hard-rejected


def test_finess_key_mismatch_is_a_warning_not_a_format_error():
    result = check_finess("010000025")
    assert result.is_well_formed and result.has_valid_key is False
    assert "UNVERIFIED" in (result.problem or "")


@pytest.mark.parametrize("value", ["2A0000001", "2b0000001"])
def test_finess_accepts_corsica(value):
    assert check_finess(value).is_well_formed


@pytest.mark.parametrize("value", ["", "12345678", "1234567890", "2C0000001", "ABCDEFGHI"])
def test_finess_rejects_malformed(value):
    assert not check_finess(value).is_well_formed


def test_corsica_finess_key_uses_mapped_department():
    # 2A maps to 21 before the Luhn check (UNVERIFIED mapping, code evidence only).
    body = "2A" + "123456"
    key = _with_luhn_key("21" + "123456")[-1]
    assert check_finess(body + key).has_valid_key is True


def test_rpps_accepts_idnat_prefix_and_checks_key():
    number = _with_luhn_key("1000000000")
    assert check_rpps(number).has_valid_key is True
    assert check_rpps("8" + number).normalised == number
    assert check_rpps("1234").is_well_formed is False


def test_adeli_has_no_key():
    result = check_adeli("0" + "751234567")
    assert result.is_well_formed and result.normalised == "751234567"
    assert result.has_valid_key is None
    assert not check_adeli("75123").is_well_formed
