"""Normalising and validating observables (pure)."""

from __future__ import annotations

import pytest

from hygie.response.engine.observables import (
    ObservableError,
    hash_algorithm,
    normalise,
    refang,
)


@pytest.mark.parametrize(
    ("kind", "raw", "canonical"),
    [
        ("ip", " 203.0.113.5 ", "203.0.113.5"),
        ("ip", "203.0.113[.]5", "203.0.113.5"),
        ("ip", "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("ip", "[2001:db8::1]", "2001:db8::1"),
        ("domain", "Example.ORG.", "example.org"),
        ("domain", "exämple.org", "xn--exmple-cua.org"),
        ("domain", "update-check[.]example[.]net", "update-check.example.net"),
        (
            "url",
            "hxxps://Update-Check[.]Example.net/Agent.bin?x=1",
            "https://update-check.example.net/Agent.bin?x=1",
        ),
        ("url", "HTTP://example.org:80", "http://example.org/"),
        ("url", "ftp://198.51.100.7:2121/pub", "ftp://198.51.100.7:2121/pub"),
        ("url", "http://[2001:db8::1]/x", "http://[2001:db8::1]/x"),
        ("hash", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
        ("hash", "sha256:" + "A" * 64, "a" * 64),
        ("hash", "b" * 40, "b" * 40),
        ("hash", "c" * 128, "c" * 128),
        ("email", "Jean.Exemple@Example.ORG", "jean.exemple@example.org"),
        ("email", "<phish[@]example[.]net>", "phish@example.net"),
        ("account", "  EXEMPLE\\svc   sauvegarde ", "EXEMPLE\\svc sauvegarde"),
        ("host", "SRV-Fichiers-01", "srv-fichiers-01"),
        ("host", "pc_radio_02.exemple.local", "pc_radio_02.exemple.local"),
        ("host", "10.45.20.15", "10.45.20.15"),
    ],
)
def test_normalises(kind, raw, canonical):
    assert normalise(kind, raw) == canonical


@pytest.mark.parametrize(
    ("kind", "raw", "code"),
    [
        ("ip", "203.0.113.256", "invalid_ip"),
        ("ip", "example.org", "invalid_ip"),
        ("domain", "localhost", "invalid_domain"),
        ("domain", "-bad.example.org", "invalid_domain"),
        ("domain", "a" * 64 + ".org", "invalid_domain"),
        ("domain", "under_score.example.org", "invalid_domain"),
        ("domain", "203.0.113.5", "invalid_domain"),
        ("url", "javascript:alert(1)", "invalid_url_scheme"),
        ("url", "file:///etc/passwd", "invalid_url_scheme"),
        ("url", "http://", "invalid_url"),
        ("url", "http://example.org:99999/", "invalid_url"),
        ("hash", "xyz", "invalid_hash"),
        ("hash", "ab" * 10, "invalid_hash_length"),
        ("email", "no-at-sign", "invalid_email"),
        ("email", "a b@example.org", "invalid_email"),
        ("email", "someone@localhost", "invalid_email"),
        ("host", "bad host", "invalid_host"),
        ("ip", "", "empty"),
        ("ip", "   ", "empty"),
        ("account", "a\x00b", "control_characters"),
        ("domain", "a." * 1100, "too_long"),
        ("account", "x" * 300, "too_long"),
        ("mutex", "Global\\x", "unknown_kind"),
    ],
)
def test_refuses(kind, raw, code):
    with pytest.raises(ObservableError) as problem:
        normalise(kind, raw)
    assert problem.value.code == code
    # The message never repeats the value (it may be a person's account or address).
    if len(raw.strip()) > 3:
        assert raw.strip() not in str(problem.value)


def test_refang_and_hash_names():
    assert refang("hxxp://a[.]b(.)c[@]d") == "http://a.b.c@d"
    assert hash_algorithm("a" * 64) == "SHA-256"
    assert hash_algorithm("a" * 10) == ""


def test_normalising_twice_changes_nothing():
    for kind, raw in [
        ("url", "hxxps://Example.ORG/a"),
        ("domain", "Exämple.org."),
        ("email", "A@B.example.org"),
        ("ip", "2001:DB8::0:1"),
    ]:
        once = normalise(kind, raw)
        assert normalise(kind, once) == once
