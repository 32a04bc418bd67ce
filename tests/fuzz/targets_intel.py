"""Fuzz targets of the intel engine: STIX 2.1 bundles and patterns, MISP events, CSV and free
text (defanged forms), each parsed as ``hygie intel convert`` reads them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from .target import Loaded, Seed, Target, shared_files, text

if TYPE_CHECKING:
    from hygie.intel.engine.model import Indicator

_INTEL = ("hygie.intel.engine",)
_NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _synthetic() -> list[Indicator]:
    from hygie.intel.engine.model import TLP, KillChainRef, make_indicator

    return [
        make_indicator(
            "ipv4",
            "198.51.100.7",
            tlp=TLP.AMBER_STRICT,
            confidence=70,
            kill_chain=(KillChainRef("mitre-attack", technique="T1071"),),
        ),
        make_indicator("cidr", "203.0.113.0/24", tlp=TLP.RED),
        make_indicator("domain", "evil.example", tlp=TLP.CLEAR),
        make_indicator("url", "https://evil.example/login"),
        make_indicator(
            "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        ),
        make_indicator("ja4", "t13d1516h2_8daaf6152771_b186095e22b6"),
        make_indicator("user-agent", "EvilBot/1.0 'quoted'"),
        make_indicator("cve", "CVE-2024-3094"),
    ]


def _stix() -> Loaded:
    from hygie.intel.engine.errors import IntelError
    from hygie.intel.engine.stix import import_bundle, loads_json

    return (lambda data: import_bundle(loads_json(text(data), "fuzz.json"), "fuzz.json")), (
        IntelError,
    )


def _stix_seeds() -> Iterator[Seed]:
    from hygie.intel.engine.stix import dumps, export_bundle

    yield "synthetic-bundle.json", dumps(export_bundle(_synthetic(), now=_NOW)).encode()
    yield from shared_files("*.json", under="stix/examples")


def _pattern() -> Loaded:
    from hygie.intel.engine.errors import IntelError
    from hygie.intel.engine.stix import parse_pattern

    return (lambda data: parse_pattern(text(data))), (IntelError,)


def _pattern_seeds() -> Iterator[Seed]:
    from hygie.intel.engine.stix import build_pattern

    for n, indicator in enumerate(_synthetic()[:-1]):
        yield f"pattern-{n}", build_pattern(indicator).encode()
    yield (
        "compound",
        b"[ipv4-addr:value = '1.2.3.4' OR file:name = 'a'] FOLLOWEDBY [url:value = 'x']",
    )


def _misp() -> Loaded:
    from hygie.intel.engine.errors import IntelError
    from hygie.intel.engine.misp import import_event
    from hygie.intel.engine.stix import loads_json

    return (lambda data: import_event(loads_json(text(data), "fuzz.json"), "fuzz.json")), (
        IntelError,
    )


def _misp_seeds() -> Iterator[Seed]:
    from hygie.intel.engine.misp import export_event

    yield "synthetic-event.json", json.dumps(export_event(_synthetic(), now=_NOW)).encode()
    yield from shared_files("*.json", under="misp/pymisp/tests")


def _text() -> Loaded:
    from hygie.intel.engine.errors import IntelError
    from hygie.intel.engine.text import parse_text

    return (lambda data: parse_text(text(data), "fuzz.txt")), (IntelError,)


def _text_seeds() -> Iterator[Seed]:
    yield (
        "defanged.txt",
        b"C2 hxxps[:]//evil[.]example(.)com/p, bad[at]phish[.]fr, 198.51.100[.]7, 2001:db8::1,"
        b" 10.0.0.0/8, version 1.2.3.4, facture.pdf.exe, CVE-2024-3094,"
        b" d41d8cd98f00b204e9800998ecf8427e\n",
    )


def _csv() -> Loaded:
    from hygie.intel.engine.errors import IntelError
    from hygie.intel.engine.text import parse_csv

    return (lambda data: parse_csv(text(data), "fuzz.csv")), (IntelError,)


def _csv_seeds() -> Iterator[Seed]:
    yield (
        "iocs.csv",
        b"type,value,tlp,confidence,attack,valid_until\n"
        b"ip,198.51.100[.]7,red,80,T1071.001,2026-12-31\n"
        b"domain,evil[.]example,amber+strict,,,\n"
        b",hxxps://evil[.]example/x,,,,\n",
    )
    yield "values.csv", b"evil[.]example\n192.0.2.1\n"


TARGETS = (
    Target("intel_stix", "import_bundle: STIX 2.1 bundles", _stix, _INTEL, _stix_seeds),
    Target("intel_stix_pattern", "parse_pattern: STIX patterns", _pattern, _INTEL, _pattern_seeds),
    Target("intel_misp", "import_event: MISP event JSON", _misp, _INTEL, _misp_seeds),
    Target("intel_text", "parse_text: free text, defanged forms", _text, _INTEL, _text_seeds),
    Target("intel_csv", "parse_csv: indicator CSV", _csv, _INTEL, _csv_seeds),
)
