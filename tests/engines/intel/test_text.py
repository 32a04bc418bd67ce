"""Free text and CSV: refanging, extraction without the usual false positives, located errors."""

from __future__ import annotations

import pytest

from hygie.intel.engine.errors import FormatError
from hygie.intel.engine.model import TLP, IndicatorType
from hygie.intel.engine.text import defang, extract, parse_csv, parse_text, refang

T = IndicatorType


@pytest.mark.parametrize(
    ("defanged", "plain"),
    [
        ("hxxp://evil[.]example/a", "http://evil.example/a"),
        ("hXXps[:]//evil(.)example", "https://evil.example"),
        ("hxxps[://]evil{.}example", "https://evil.example"),
        ("fxp://files[.]example", "ftp://files.example"),
        ("evil[dot]example", "evil.example"),
        ("evil (.) example", "evil.example"),
        ("bad[at]phish[.]example", "bad@phish.example"),
        ("bad(at)phish[.]example", "bad@phish.example"),
        ("bad[@]phish[.]example", "bad@phish.example"),
        ("198.51.100[.]7", "198.51.100.7"),
        ("198[.]51[.]100[.]7", "198.51.100.7"),
        ("2001:db8[:]:1", "2001:db8::1"),
    ],
)
def test_refang(defanged: str, plain: str) -> None:
    assert refang(defanged) == plain


def test_defang_then_refang_round_trips() -> None:
    for value in ("http://evil.example/a.b", "bad@phish.example", "198.51.100.7"):
        assert refang(defang(value)) == value


REPORT = """\
Campagne contre le CH : C2 hxxps[:]//evil[.]example(.)com/path, expéditeur bad[at]phish[.]fr,
relais 198.51.100[.]7 et plage 203.0.113.0/24, v6 2001:db8::1.
Agent version 1.2.3.4 et build 10.0.19041.1, pièce jointe facture.pdf.exe et invoice.pdf,
hash D41D8CD98F00B204E9800998ECF8427E (CVE-2024-3094) ; heure 12:30:45 ; e.g. cdn.example.net.
"""


def test_extract_finds_indicators_and_avoids_false_positives() -> None:
    found = {(kind, value) for kind, value, _ in extract(REPORT)}
    assert (T.URL, "https://evil.example.com/path") in found
    assert (T.EMAIL, "bad@phish.fr") in found
    assert (T.IPV4, "198.51.100.7") in found
    assert (T.CIDR, "203.0.113.0/24") in found
    assert (T.IPV6, "2001:db8::1") in found
    assert (T.MD5, "D41D8CD98F00B204E9800998ECF8427E") in found
    assert (T.CVE, "CVE-2024-3094") in found
    assert (T.DOMAIN, "cdn.example.net") in found
    # file names are not domains, version numbers are not IPs, times are not IPv6
    assert (T.FILE_NAME, "facture.pdf.exe") in found
    assert (T.FILE_NAME, "invoice.pdf") in found
    values = {value for _, value in found}
    assert "1.2.3.4" not in values
    assert "10.0.19041.1" not in values
    assert not any(kind is T.DOMAIN and v.endswith((".exe", ".pdf")) for kind, v in found)
    assert "12:30:45" not in values
    assert "evil.example.com" not in values  # inside the URL, not again as a domain
    assert "phish.fr" not in values  # inside the e-mail address


def test_parse_text_records_lines_as_provenance() -> None:
    collection = parse_text(REPORT, "rapport.txt", TLP.GREEN)
    by_value = {i.value: i for i in collection.indicators}
    assert by_value["198.51.100.7"].provenance[0].reference == "line 2"
    assert by_value["198.51.100.7"].tlp is TLP.GREEN
    assert by_value["d41d8cd98f00b204e9800998ecf8427e"].type is T.MD5


def test_csv_with_header_and_context() -> None:
    text = (
        "type,value,tlp,confidence,description,attack,valid_until\n"
        "ip,198.51.100[.]7,TLP:RED,90,relais,T1071.001,2026-12-31\n"
        ",hxxps://evil[.]example/x,amber+strict,,,,\n"
        "# commentaire\n"
        "\n"
        "sha256," + "A" * 64 + ",white,,,,\n"
    )
    collection = parse_csv(text, "iocs.csv")
    first, second, third = collection.indicators
    assert (first.type, first.value, first.tlp, first.confidence) == (
        T.IPV4,
        "198.51.100.7",
        TLP.RED,
        90,
    )
    assert first.kill_chain[0].technique == "T1071.001"
    assert first.valid_until is not None and first.valid_until.year == 2026
    assert (second.type, second.value, second.tlp) == (
        T.URL,
        "https://evil.example/x",
        TLP.AMBER_STRICT,
    )
    assert (third.type, third.tlp) == (T.SHA256, TLP.CLEAR)
    assert third.provenance[0].reference == "line 6"


def test_csv_without_header_is_one_value_per_line() -> None:
    collection = parse_csv("evil[.]example\n192.0.2.1\n")
    assert [i.type for i in collection.indicators] == [T.DOMAIN, T.IPV4]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("type,value\nip,192.0.2.1\nip,999.1.1.1\n", 3, "not an ipv4"),
        ("type,value\nbanana,192.0.2.1\n", 2, "unknown indicator type"),
        ("value,tlp\n192.0.2.1,purple\n", 2, "unknown TLP"),
        ("value,confidence\n192.0.2.1,high\n", 2, "confidence"),
        ("value\n???\n", 2, "cannot be recognised"),
        ("value,attack\n192.0.2.1,X1\n", 2, "ATT&CK"),
        ("value,valid_from\n192.0.2.1,yesterday\n", 2, "ISO 8601"),
    ],
)
def test_csv_errors_are_located(text: str, line: int, message: str) -> None:
    with pytest.raises(FormatError) as caught:
        parse_csv(text, "iocs.csv")
    assert caught.value.location is not None
    assert caught.value.location.line == line
    assert str(caught.value).startswith(f"iocs.csv:{line}:")
    assert message in str(caught.value)
