"""Fixtures of the devices app tests: a biomedical engineer, devices on assets, and the demo
advisory (fictitious vendors, CVE identifiers of year 2099). Synthetic data only.

Until the matching engine (``hygie.devices.engine``, written in parallel) exports its API, a
minimal stand-in with the same names answers for the demo advisory's shapes (exact versions and
``vers:generic/<`` ranges), so the database side is tested either way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.apps.core.view_mixins import english  # noqa: F401  (shared fixture)

DEMO_ADVISORY = (
    Path(__file__).resolve().parents[3]
    / "hygie"
    / "devices"
    / "data"
    / "demo"
    / "hygie-demo-2026-001.json"
)


@dataclass(frozen=True)
class _Item:
    id: str
    manufacturer: str
    model: str
    version: str
    cpe: str = ""
    purl: str = ""


@dataclass(frozen=True)
class _Verdict:
    device: str
    advisory: str
    cve: str
    product_id: str
    status: str
    why: str
    remediation: str = ""
    source: str = "csaf"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text))


def _products(branches: list[dict[str, Any]], path: tuple[str, ...] = ()) -> list[Any]:
    found = []
    for branch in branches:
        here = (*path, branch["name"])
        if "product" in branch:
            found.append((here, branch["category"], branch["product"]["product_id"]))
        found += _products(branch.get("branches", []), here)
    return found


def _fake_match(items, advisories=(), cves=(), aliases=None):  # noqa: ARG001
    verdicts = []
    for document in advisories:
        tracking = document["document"]["tracking"]["id"]
        products = _products(document["product_tree"]["branches"])
        for item in items:
            for (vendor, product, version), category, product_id in products:
                vendor_ok = (aliases or {}).get(vendor.casefold(), vendor).casefold() == (
                    item.manufacturer.casefold()
                ) or vendor.casefold() == item.manufacturer.casefold()
                if not vendor_ok or product.casefold() != item.model.casefold():
                    continue
                if category == "product_version":
                    hit = version == item.version
                else:
                    bound = version.split("<", 1)[1]
                    hit = _version(item.version) < _version(bound)
                if not hit:
                    continue
                for vulnerability in document.get("vulnerabilities", []):
                    for status, ids in vulnerability.get("product_status", {}).items():
                        if product_id in ids:
                            remediation = " ".join(
                                r["details"]
                                for r in vulnerability.get("remediations", [])
                                if product_id in r.get("product_ids", [])
                            )
                            verdicts.append(
                                _Verdict(
                                    item.id,
                                    tracking,
                                    vulnerability.get("cve", ""),
                                    product_id,
                                    status,
                                    f"{vendor} {product} {version} matches {item.version}",
                                    remediation,
                                )
                            )
    return verdicts


def _fake_parse_csaf(document, name=""):  # noqa: ARG001
    if isinstance(document, str):
        document = json.loads(document)
    if document.get("document", {}).get("csaf_version") != "2.0":
        raise ValueError("6.1 schema: /document/csaf_version must be 2.0")
    return document


@pytest.fixture(autouse=True)
def matching_engine(monkeypatch):
    """The real engine when it exports its API, else the stand-in."""
    from hygie.devices import engine

    if not hasattr(engine, "match"):
        monkeypatch.setattr(engine, "InventoryItem", _Item, raising=False)
        monkeypatch.setattr(engine, "parse_csaf", _fake_parse_csaf, raising=False)
        monkeypatch.setattr(engine, "parse_nvd", lambda text, name="": [], raising=False)
        monkeypatch.setattr(engine, "match", _fake_match, raising=False)
    return engine


@pytest.fixture
def biomed(make_user, establishment_a):
    return make_user("biomed", "biomed", [establishment_a])


@pytest.fixture
def curator(make_user, establishment_a):
    """A biomedical engineer who sees every establishment: aliases and feeds serve them all."""
    return make_user("curator", "biomed", [establishment_a], all_establishments=True)


@pytest.fixture
def make_device(establishment_a):
    from hygie.core.models import Asset
    from hygie.devices.models import Device

    def make(hostname: str, establishment=None, **fields: Any) -> Device:
        where = establishment or establishment_a
        asset = Asset.objects.create(
            establishment=where,
            hostname=hostname,
            kind="medical_device",
            ip_addresses=fields.pop("ips", []),
            mac_addresses=fields.pop("macs", []),
        )
        return Device.objects.create(asset=asset, establishment=where, **fields)

    return make


@pytest.fixture
def pumps(make_device):
    """Two pumps (one affected, one fixed), a ventilator (affected), a monitor (no match)."""
    return {
        "old_pump": make_device(
            "pompe-01",
            manufacturer="Perfusia",
            model_name="InfuStar P5",
            version="5.1",
            clinical_function="life_sustaining",
            patient_connected=True,
            network_zone="clinical",
        ),
        "new_pump": make_device(
            "pompe-02",
            manufacturer="Perfusia",
            model_name="InfuStar P5",
            version="5.3",
            clinical_function="life_sustaining",
        ),
        "ventilator": make_device(
            "respi-01",
            manufacturer="Ventila Medical",
            model_name="VentiCare 800",
            version="2.8",
            clinical_function="life_sustaining",
            patient_connected=True,
            network_zone="medical",
        ),
        "monitor": make_device(
            "moniteur-01",
            manufacturer="Cardiosoft",
            model_name="VitaWatch M3",
            version="3.1",
            clinical_function="patient_monitoring",
        ),
    }


@pytest.fixture
def demo_advisory_bytes() -> bytes:
    return DEMO_ADVISORY.read_bytes()


KEV = {
    "vulnerabilities": [
        {
            "cveID": "CVE-2099-0102",
            "dateAdded": "2026-11-03",
            "dueDate": "2026-11-24",
            "knownRansomwareCampaignUse": "Known",
            "shortDescription": "Synthetic entry.",
        }
    ]
}
EPSS = (
    "#model_version:v2025.03.14,score_date:2026-11-05T00:00:00+0000\n"
    "cve,epss,percentile\n"
    "CVE-2099-0101,0.04210,0.88000\n"
    "CVE-2099-0102,0.61000,0.99100\n"
    "CVE-2099-9999,0.1,0.5\n"
)
