"""Indicator model: normalisation and validation per type, TLP 2.0 and 1.0, de-duplication."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hygie.intel.engine.errors import IndicatorError
from hygie.intel.engine.model import (
    TLP,
    IndicatorType,
    Provenance,
    deduplicate,
    guess_type,
    make_indicator,
    normalise,
)

T = IndicatorType


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (T.IPV4, " 198.51.100.7 ", "198.51.100.7"),
        (T.IPV6, "2001:DB8:0:0::7", "2001:db8::7"),
        (T.IPV6, "[2001:db8::7]", "2001:db8::7"),
        (T.CIDR, "10.1.2.3/8", "10.0.0.0/8"),
        (T.CIDR, "2001:db8::1/32", "2001:db8::/32"),
        (T.DOMAIN, "Portail.Example.", "portail.example"),
        (T.DOMAIN, "hôpital.example", "xn--hpital-ixa.example"),
        (T.URL, "HTTPS://Portail.Example:443/a?b=1#frag", "https://portail.example/a?b=1"),
        (T.URL, "http://portail.example:8080", "http://portail.example:8080/"),
        (T.URL, "portail.example/login", "http://portail.example/login"),
        (T.EMAIL, "Dr.Martin@CH-Exemple.Example", "Dr.Martin@ch-exemple.example"),
        (T.MD5, "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
        (
            T.SHA1,
            "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        ),
        (T.SHA256, "A" * 64, "a" * 64),
        (T.FILE_NAME, r"C:\Users\Public\facture.exe", "facture.exe"),
        (T.JA3, "E7D705A3286E19EA42F587B344EE6865", "e7d705a3286e19ea42f587b344ee6865"),
        (T.JA4, "T13D1516H2_8DAAF6152771_B186095E22B6", "t13d1516h2_8daaf6152771_b186095e22b6"),
        (T.USER_AGENT, "Mozilla/5.0   (X11)", "Mozilla/5.0 (X11)"),
        (T.CVE, "cve-2024-3094", "CVE-2024-3094"),
    ],
)
def test_normalise(kind: IndicatorType, raw: str, expected: str) -> None:
    assert normalise(kind, raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        (T.IPV4, "256.1.1.1"),
        (T.IPV4, "2001:db8::1"),
        (T.IPV6, "10.0.0.1"),
        (T.CIDR, "10.0.0.0/33"),
        (T.DOMAIN, "localhost"),
        (T.DOMAIN, "-bad.example"),
        (T.DOMAIN, "a..example"),
        (T.URL, "not a url"),
        (T.EMAIL, "no-at.example"),
        (T.MD5, "d41d8cd98f00b204e9800998ecf8427"),
        (T.SHA256, "z" * 64),
        (T.JA4, "nope"),
        (T.CVE, "CVE-24-1"),
        (T.USER_AGENT, "a\nb"),
        (T.FILE_NAME, "dir/"),
        (T.DOMAIN, ""),
    ],
)
def test_invalid_values_are_rejected(kind: IndicatorType, raw: str) -> None:
    with pytest.raises(IndicatorError):
        normalise(kind, raw)


def test_errors_never_echo_the_value() -> None:
    with pytest.raises(IndicatorError) as caught:
        normalise(T.EMAIL, "jean.dupont-secret")
    assert "jean" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("TLP:CLEAR", TLP.CLEAR),
        ("tlp:white", TLP.CLEAR),
        ("TLP:GREEN", TLP.GREEN),
        ("amber", TLP.AMBER),
        ("TLP:AMBER+STRICT", TLP.AMBER_STRICT),
        ("amber strict", TLP.AMBER_STRICT),
        ("RED", TLP.RED),
    ],
)
def test_tlp_parse_reads_both_versions(text: str, level: TLP) -> None:
    assert TLP.parse(text) is level


def test_tlp_1_equivalences_and_order() -> None:
    assert [t.tlp1 for t in TLP] == ["white", "green", "amber", "amber", "red"]
    assert TLP.CLEAR.rank < TLP.GREEN.rank < TLP.AMBER.rank < TLP.AMBER_STRICT.rank < TLP.RED.rank
    assert TLP.AMBER_STRICT.label == "TLP:AMBER+STRICT"
    with pytest.raises(IndicatorError):
        TLP.parse("TLP:PURPLE")


def test_confidence_and_validity_are_checked() -> None:
    with pytest.raises(IndicatorError):
        make_indicator("ipv4", "192.0.2.1", confidence=101)
    with pytest.raises(IndicatorError):
        make_indicator(
            "ipv4",
            "192.0.2.1",
            valid_from=datetime(2026, 2, 1, tzinfo=UTC),
            valid_until=datetime(2026, 1, 1, tzinfo=UTC),
        )


def test_deduplicate_keeps_provenance_per_source() -> None:
    first = make_indicator(
        "domain",
        "evil.example",
        tlp=TLP.GREEN,
        confidence=40,
        provenance=(Provenance("CERT Santé"),),
    )
    second = make_indicator(
        "domain",
        "EVIL.example.",
        tlp=TLP.AMBER,
        confidence=70,
        labels=("phishing",),
        provenance=(Provenance("Health-ISAC", "id-2"),),
    )
    other = make_indicator("domain", "other.example")
    merged = deduplicate([first, other, second])
    assert [i.value for i in merged] == ["evil.example", "other.example"]
    assert merged[0].sources == ("CERT Santé", "Health-ISAC")
    assert merged[0].tlp is TLP.AMBER  # the strictest wins
    assert merged[0].confidence == 70
    assert merged[0].labels == ("phishing",)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("192.0.2.1", T.IPV4),
        ("2001:db8::1", T.IPV6),
        ("10.0.0.0/8", T.CIDR),
        ("https://a.example/", T.URL),
        ("d41d8cd98f00b204e9800998ecf8427e", T.MD5),
        ("a" * 40, T.SHA1),
        ("a" * 64, T.SHA256),
        ("CVE-2021-44228", T.CVE),
        ("x@a.example", T.EMAIL),
        ("a.example", T.DOMAIN),
        ("just words", None),
    ],
)
def test_guess_type(value: str, kind: IndicatorType | None) -> None:
    assert guess_type(value) == kind
