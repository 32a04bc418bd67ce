"""Shared helpers of the intel engine tests: synthetic indicators and the OASIS validator."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from hygie.intel.engine.model import TLP, Indicator, KillChainRef, Provenance, make_indicator

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def stix_problems(document: dict[str, Any]) -> list[str]:
    """Errors (not warnings) the OASIS stix2-validator reports on a bundle."""
    from stix2validator import ValidationOptions, validate_string

    result = validate_string(json.dumps(document), ValidationOptions(version="2.1"))
    results = result if isinstance(result, list) else [result]
    return [str(error) for r in results for error in r.errors]


@pytest.fixture
def sample() -> list[Indicator]:
    """One indicator per type, each TLP level used, with context (all synthetic)."""
    cert = Provenance("CERT Santé", "alert-2026-001")
    return [
        make_indicator(
            "ipv4",
            "198.51.100.7",
            tlp=TLP.AMBER_STRICT,
            confidence=80,
            valid_from=NOW,
            valid_until=datetime(2026, 6, 1, tzinfo=UTC),
            description="C2 of a ransomware campaign against hospitals",
            kill_chain=(
                KillChainRef("mitre-attack", technique="T1071.001", name="Web Protocols"),
                KillChainRef("mitre-attack", phase="command-and-control"),
            ),
            provenance=(cert,),
        ),
        make_indicator("ipv6", "2001:db8::7", tlp=TLP.RED),
        make_indicator("cidr", "203.0.113.0/24", tlp=TLP.GREEN),
        make_indicator("domain", "portail-patient.example", tlp=TLP.CLEAR),
        make_indicator("url", "https://portail-patient.example/login?next=/x", tlp=TLP.AMBER),
        make_indicator("email", "phishing@ch-exemple.example"),
        make_indicator("md5", "d41d8cd98f00b204e9800998ecf8427e"),
        make_indicator("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        make_indicator(
            "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        ),
        make_indicator("file-name", "facture_2026.pdf.exe"),
        make_indicator("ja3", "e7d705a3286e19ea42f587b344ee6865"),
        make_indicator("ja4", "t13d1516h2_8daaf6152771_b186095e22b6"),
        make_indicator("user-agent", "Mozilla/5.0 (compatible; EvilBot/1.0)"),
        make_indicator("cve", "CVE-2024-3094", tlp=TLP.CLEAR, confidence=100),
    ]
