"""Properties of the version order and of range containment (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hygie.devices.engine import compare, contains, parse_range, parse_version

_PART = st.one_of(
    st.integers(min_value=0, max_value=999).map(str),
    st.sampled_from(["a", "b", "rc", "sp", "va", "vb", "build", "r"]),
)
VERSIONS = st.lists(_PART, min_size=1, max_size=5).map(".".join)


@settings(max_examples=300, deadline=None)
@given(VERSIONS, VERSIONS)
def test_order_is_antisymmetric(a: str, b: str) -> None:
    left, right = parse_version(a), parse_version(b)
    assert left is not None and right is not None
    forward, backward = compare(left, right), compare(right, left)
    assert (forward is None) == (backward is None)
    if forward is not None and backward is not None:
        assert forward == -backward


@settings(max_examples=300, deadline=None)
@given(VERSIONS, VERSIONS, VERSIONS)
def test_order_is_transitive(a: str, b: str, c: str) -> None:
    x, y, z = (parse_version(v) for v in (a, b, c))
    assert x is not None and y is not None and z is not None
    if compare(x, y) == -1 and compare(y, z) == -1:
        assert compare(x, z) == -1


@settings(max_examples=300, deadline=None)
@given(VERSIONS, VERSIONS)
def test_a_bound_and_its_complement_never_both_hold(bound: str, version: str) -> None:
    below, _why = contains(parse_range(f"vers:generic/<{bound}"), version)
    above, _why = contains(parse_range(f"vers:generic/>={bound}"), version)
    if below is not None and above is not None:
        assert below != above
    else:
        assert below is None and above is None
