"""The search box's IP forms: exact, prefix on whole octets, network; the rest is not an IP."""

from __future__ import annotations

import pytest

from hygie.lib.ipsearch import ip_query


def test_an_exact_address_is_normalised():
    query = ip_query(" 10.45.20.10 ")
    assert query is not None and query.exact and query.text == "10.45.20.10"
    assert query.matches("10.45.20.10") and not query.matches("10.45.20.100")
    six = ip_query("2001:DB8::0001")
    assert six is not None and six.exact and six.text == "2001:db8::1"


@pytest.mark.parametrize("text", ["10.45", "10.45."])
def test_a_prefix_ends_on_a_whole_octet(text):
    query = ip_query(text)
    assert query is not None and not query.exact and query.sql_prefix == "10.45."
    assert query.matches("10.45.20.10") and not query.matches("10.450.1.1")
    assert not query.matches("110.45.1.1")


def test_a_network_on_an_octet_boundary_is_its_prefix():
    query = ip_query("10.45.0.0/16")
    assert query is not None and not query.exact and query.sql_prefix == "10.45."
    single = ip_query("10.45.20.10/32")
    assert single is not None and single.exact
    assert ip_query("10.45.16.0/20") is None  # not a textual prefix: not offered


@pytest.mark.parametrize(
    "text", ["", "srv-dpi-01", "10", "2026", "10.300", "a b", "x" * 100, "10.45.0.0/99", "::g"]
)
def test_what_is_not_an_ip(text):
    assert ip_query(text) is None
