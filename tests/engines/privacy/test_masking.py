"""Masked samples never reveal more than the allowed characters; hashes are keyed."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from hygie.privacy.engine import EntityType, allowed_reveal, keyed_hash, mask_value
from hygie.privacy.engine.masking import MASK, KeyedHasher, normalise_for_hash

from .conftest import KEY

_VALUE = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Nd"), include_characters=" -./@:"),
    min_size=1,
    max_size=60,
)


def _revealed(original: str, masked: str) -> int:
    return sum(1 for a, b in zip(original, masked, strict=True) if a.isalnum() and a == b)


@given(st.sampled_from(list(EntityType)), _VALUE)
def test_mask_never_reveals_more_than_allowed(entity: EntityType, value: str) -> None:
    masked = mask_value(entity, value)
    if entity in (EntityType.EMAIL, EntityType.URL) and len(masked) != len(value):
        return  # reshaped samples are checked below
    assert len(masked) == len(value)
    assert _revealed(value, masked) <= allowed_reveal(entity, value)


@given(
    st.sampled_from([e for e in EntityType if e not in (EntityType.EMAIL, EntityType.URL)]),
    st.text(
        alphabet="0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
        min_size=2,
        max_size=40,
    ),
)
def test_mask_never_shows_the_whole_value(entity: EntityType, value: str) -> None:
    masked = mask_value(entity, value)
    assert masked != value
    assert _revealed(value, masked) <= len(value) // 2


@given(st.from_regex(r"[a-z]{2,12}@[a-z]{2,10}\.(fr|org)", fullmatch=True))
def test_email_mask_keeps_only_first_letter_and_domain(address: str) -> None:
    local, domain = address.split("@")
    masked = mask_value(EntityType.EMAIL, address)
    assert masked == local[0] + MASK * 3 + "@" + domain


def test_nir_sample_matches_the_documented_shape() -> None:
    assert mask_value(EntityType.FR_NIR, "1 85 05 78 006 084 36") == "1 85 05 •• ••• ••• 36"


def test_separators_are_kept() -> None:
    assert mask_value(EntityType.US_SSN, "425-57-9745") == "•••-••-9745"
    assert mask_value(EntityType.PERSON, "Jean-Luc Martin") == "J•••-L•• M•••••"


@given(_VALUE)
def test_hash_depends_on_key_and_ignores_separators(value: str) -> None:
    digits = "".join(c for c in value if c.isalnum())
    assert keyed_hash(KEY, EntityType.FR_NIR, value) == keyed_hash(KEY, EntityType.FR_NIR, digits)
    assert keyed_hash(KEY, EntityType.FR_NIR, value) != keyed_hash(
        b"another-key-0123456789abcdef", EntityType.FR_NIR, value
    )


@given(st.binary(max_size=200), st.sampled_from(list(EntityType)), _VALUE)
def test_keyed_hasher_is_hmac_sha256_for_any_key(
    key: bytes, entity: EntityType, value: str
) -> None:
    # Keys longer than SHA-256's 64-byte block are hashed first (RFC 2104), as hmac.new does.
    data = normalise_for_hash(entity, value).encode("utf-8", "surrogatepass")
    expected = hmac.new(key, data, hashlib.sha256).hexdigest()
    assert KeyedHasher(key)(entity, value) == keyed_hash(key, entity, value) == expected
