"""Demo data of the devices module: the demo's medical-device assets become devices, with a
fictitious advisory, KEV and EPSS entries, their matches, risk and one decision.

The core demo stores firmware versions in the assets' ``os_version`` (with "Embarqué" as the
operating system) and clinical roles in their tags; ``load_demo`` moves them onto ``Device``
records (clinical function from the tags, network zone from the asset's zone) through the
inventory service, then imports a CSAF advisory shipped in ``data/demo/`` through the feed
service, so the matches, the risk scores and the alert on a life-sustaining device are the ones a
real import produces. Manufacturers, products and CVE identifiers (year 2099) are invented.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

from hygie.core.choices import AssetKind
from hygie.core.models import Asset, Establishment, Organisation
from hygie.core.services import crud
from hygie.devices import engine
from hygie.devices.choices import (
    AliasKind,
    ClinicalFunction,
    CompensatingControl,
    EuClass,
    NetworkZone,
    Workflow,
)
from hygie.devices.models import DeviceVulnerability, VendorAlias
from hygie.devices.services import feeds, inventory, vulnerabilities

DEMO_ADVISORY = Path(__file__).parent / "data" / "demo" / "hygie-demo-2026-001.json"
EMBEDDED = "Embarqué"

# Tag of the core demo → clinical function.
FUNCTION_OF_TAG = {
    "support-vital": ClinicalFunction.LIFE_SUSTAINING,
    "perfusion": ClinicalFunction.LIFE_SUSTAINING,
    "monitorage": ClinicalFunction.PATIENT_MONITORING,
    "irm": ClinicalFunction.DIAGNOSTIC_IMAGING,
    "scanner": ClinicalFunction.DIAGNOSTIC_IMAGING,
    "automate": ClinicalFunction.LABORATORY,
    "circuit-medicament": ClinicalFunction.CLINICAL_IT,
}
ZONE_OF = {"biomedical": NetworkZone.MEDICAL, "bureautique": NetworkZone.CORPORATE}

# Host-name prefix → (manufacturer, model, version for non-embedded, extra fields). Invented.
PROFILES: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "respirateur": (
        "Ventila Medical",
        "VentiCare 800",
        "",
        {"patient_connected": True, "eu_class": EuClass.IIB},
    ),
    "clin-pompe": ("Perfusia SAS", "InfuStar P5", "", {"patient_connected": True}),
    "ehpad-pompe": ("Perfusia SAS", "InfuStar P5", "", {"patient_connected": True}),
    "moniteur": ("Cardiosoft", "VitaWatch M3", "", {"patient_connected": True}),
    "irm-console": (
        "Imagix",
        "MR Console",
        "VA20A",
        {"stores_phi": True, "os_end_of_support": datetime.date(2020, 1, 14)},
    ),
    "scanner-console": (
        "Imagix",
        "CT Console",
        "R2.1.3 SP2",
        {"stores_phi": True, "os_end_of_support": datetime.date(2029, 1, 9)},
    ),
    "clin-radio-console": (
        "Imagix",
        "CT Console",
        "R2.1.3 SP2",
        {"stores_phi": True, "os_end_of_support": datetime.date(2029, 1, 9)},
    ),
    "echographe": ("Sonora", "EchoLite 4", "", {"stores_phi": True}),
    "automate-lab": (
        "Labomatic",
        "BioAnalyzer 900",
        "9.33.1",
        {"stores_phi": True, "os_end_of_support": datetime.date(2027, 1, 12)},
    ),
    "armoire-pharma": (
        "Pharmabox",
        "MedCab 2",
        "2.4",
        {"os_end_of_support": datetime.date(2027, 1, 12)},
    ),
}

DEMO_KEV = {
    "vulnerabilities": [
        {
            "cveID": "CVE-2099-0102",
            "vendorProject": "Ventila Medical",
            "product": "VentiCare 800",
            "dateAdded": "2026-11-03",
            "dueDate": "2026-11-24",
            "knownRansomwareCampaignUse": "Unknown",
            "shortDescription": "Démo : service de télémaintenance exposé (fictif).",
        }
    ]
}
DEMO_EPSS = (
    "#model_version:v2025.03.14,score_date:2026-11-05T00:00:00+0000\n"
    "cve,epss,percentile\n"
    "CVE-2099-0101,0.04210,0.88000\n"
    "CVE-2099-0102,0.61000,0.99100\n"
)


def _profile(hostname: str) -> tuple[str, str, str, dict[str, Any]]:
    for prefix, profile in PROFILES.items():
        if hostname.startswith(prefix):
            return profile
    return ("", "", "", {})


def _values(asset: Asset) -> dict[str, Any]:
    manufacturer, model, version, extra = _profile(asset.hostname)
    function = next(
        (FUNCTION_OF_TAG[tag] for tag in asset.tags or [] if tag in FUNCTION_OF_TAG),
        ClinicalFunction.NON_CLINICAL,
    )
    embedded = asset.os_name == EMBEDDED
    values: dict[str, Any] = {
        "manufacturer": manufacturer,
        "model_name": model,
        # The core demo keeps an embedded device's firmware in the asset's OS version.
        "version": asset.os_version if embedded else version,
        "clinical_function": function,
        "network_zone": ZONE_OF.get(asset.network_zone, NetworkZone.UNKNOWN),
        "location": asset.department.name if asset.department_id and asset.department else "",
        "department": asset.department,
        "owner": "Ingénierie biomédicale",
        "serial_number": f"DEMO-{asset.establishment_id:02d}-{asset.pk:04d}",
        **extra,
    }
    if not embedded:
        values["os_name"], values["os_version"] = asset.os_name, asset.os_version
    else:
        values["os_name"], values["os_version"] = "", ""
    if function == ClinicalFunction.LIFE_SUSTAINING and values["network_zone"] == (
        NetworkZone.MEDICAL
    ):
        values["compensating_controls"] = [CompensatingControl.SEGMENTED]
    return values


def load_demo(organisation: Organisation, establishments: list[Establishment]) -> None:
    for alias, canonical in (("Perfusia SAS", "Perfusia"), ("Becton Dickinson", "BD")):
        crud.save_instance(
            VendorAlias(kind=AliasKind.VENDOR, alias=alias, canonical=canonical), None
        )
    for establishment in establishments:
        for asset in Asset.objects.filter(
            establishment=establishment, kind=AssetKind.MEDICAL_DEVICE
        ).select_related("department"):
            inventory.save_device(None, establishment, _values(asset), asset=asset)
    inventory.apply_aliases(None, _demo_devices(establishments))
    if not hasattr(engine, "parse_csaf"):
        return  # the matching engine is not installed: inventory only
    feeds.import_feed("csaf", DEMO_ADVISORY.name, DEMO_ADVISORY.read_bytes())
    feeds.import_feed("kev", "known_exploited_vulnerabilities.json", json.dumps(DEMO_KEV).encode())
    feeds.import_feed("epss", "epss_scores.csv", DEMO_EPSS.encode())
    # One decision already taken: a pump on the office network waits for its update, isolated.
    link = (
        DeviceVulnerability.objects.filter(
            device__establishment__in=establishments, workflow=Workflow.OPEN
        )
        .order_by("risk_score", "pk")
        .first()
    )
    if link is not None:
        vulnerabilities.decide(
            link,
            None,
            Workflow.MITIGATED,
            justification="Pompe déplacée dans le VLAN biomédical en attendant la mise à jour "
            "du micrologiciel (ticket GMAO fictif 4521).",
        )


def _demo_devices(establishments: list[Establishment]) -> Any:
    from hygie.devices.models import Device

    return Device.objects.filter(establishment__in=establishments)
