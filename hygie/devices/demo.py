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

from django.utils import timezone

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
    _load_discovery(establishments)
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


# --- passive discovery and segmentation --------------------------------------------------------
# The clinic (the site of the pump left on the office network, clin-pompe-03): a zone policy, and
# one capture's analysis as the engine would return it — candidate devices with their evidence
# and the flows seen, among them the pump talking to the internet. The result goes through the
# same service as an uploaded capture, so the violations and their alerts are the real ones.

DEMO_POLICY = """description: Politique de segmentation de démonstration (fictive)
zones:
  - name: coeur
    networks: [{prefix}.10.0/24]
    description: Cœur de réseau, DNS et proxy
  - name: serveurs
    networks: [{prefix}.20.0/24]
    category: clinical
    description: Serveurs (PACS, dossier patient, interfaces HL7)
  - name: bureautique
    networks: [{prefix}.40.0/24]
    category: corporate
    description: Postes bureautiques
  - name: biomedical
    networks: [{prefix}.60.0/24]
    category: medical
    description: VLAN biomédical (pompes, moniteurs, consoles d'imagerie, automates)
allow:
  - from: biomedical
    to: serveurs
    ports: [104, 2575, 443]
    protocol: tcp
    description: DICOM, HL7 et serveur des pompes
  - {{from: bureautique, to: serveurs, ports: [443], protocol: tcp, description: Applications}}
  - {{from: bureautique, to: coeur, ports: [3128], protocol: tcp, description: Proxy web}}
  - {{from: "*", to: coeur, ports: [53], protocol: udp, description: DNS}}
"""
DEMO_INTERNET = "93.184.216.34"  # IANA's example.com: a public address no device should reach


def _load_discovery(establishments: list[Establishment]) -> None:
    from hygie.devices.engine.discovery import Candidate, DiscoveryResult, Evidence, Flow
    from hygie.devices.models import Device, DiscoveryRun
    from hygie.devices.models.discovery import FlowSource
    from hygie.devices.services import discovery

    pump = (
        Device.objects.filter(establishment__in=establishments, asset__hostname="clin-pompe-03")
        .select_related("asset", "establishment")
        .first()
    )
    if pump is None or not pump.asset.ip_addresses:
        return
    establishment, pump_ip = pump.establishment, pump.asset.ip_addresses[0]
    prefix = ".".join(pump_ip.split(".")[:2])
    discovery.save_policy(None, establishment, DEMO_POLICY.format(prefix=prefix))
    end = timezone.now().timestamp() - 3600
    start = end - 6 * 3600
    pacs, hl7, proxy = f"{prefix}.20.15", f"{prefix}.20.16", f"{prefix}.10.5"
    biomedical_net = f"{prefix}.60."
    monitor = next(
        (
            device
            for device in Device.objects.filter(establishment=establishment)
            .exclude(pk=pump.pk)
            .select_related("asset")
            .order_by("asset__hostname")
            if any(str(ip).startswith(biomedical_net) for ip in device.asset.ip_addresses or [])
        ),
        None,
    )

    def evidence(kind: str, value: str, weight: float) -> Evidence:
        return Evidence(kind, value, weight, 12, start, end)

    candidates = (
        Candidate(
            key=f"ip:{prefix}.60.200",
            ips=(f"{prefix}.60.200",),
            macs=("02:00:5e:aa:00:c8",),
            manufacturer="Sonora",
            name="ECHO-BLOC2",
            confidence=0.87,
            evidence=(
                evidence("dicom.calling_ae", "ECHO-BLOC2", 0.3),
                evidence("dicom.implementation_uid", "1.2.826.0.1.3680043.9.9999.4", 0.3),
                evidence("dicom.implementation_version", "ECHOLITE_4.2", 0.4),
                evidence("dhcp.vendor_class", "Sonora EchoLite 4", 0.3),
            ),
            first_seen=start,
            last_seen=end,
        ),
        Candidate(
            key=f"ip:{prefix}.60.201",
            ips=(f"{prefix}.60.201",),
            macs=("02:00:5e:aa:00:c9",),
            manufacturer="Labomatic",
            name="BIOANALYZER",
            confidence=0.72,
            evidence=(
                evidence("hl7.sending_application", "BIOANALYZER^2.16.840.1.113883.9.99^ISO", 0.4),
                evidence("hl7.sending_facility", "LABO-CLIN", 0.2),
                evidence("hl7.version", "2.5.1", 0.1),
            ),
            first_seen=start,
            last_seen=end,
        ),
        Candidate(
            key=f"ip:{pump_ip}",
            ips=(pump_ip,),
            macs=tuple(pump.asset.mac_addresses or ()),
            manufacturer="Perfusia",
            name="INFUSTAR-P5",
            confidence=0.65,
            evidence=(
                evidence("http.server", "InfuStar P5/5.1 (embedded)", 0.3),
                evidence("dhcp.hostname", "INFUSTAR-P5", 0.3),
                evidence("dhcp.vendor_class", "Perfusia InfuStar", 0.3),
            ),
            first_seen=start,
            last_seen=end,
        ),
    )

    def flow(src: str, dst: str, port: int, application: str, size: int) -> Flow:
        return Flow(src, dst, port, "tcp", application, size, max(1, size // 900), start, end)

    flows = [
        flow(f"{prefix}.60.200", pacs, 104, "dicom", 48_000_000),
        flow(f"{prefix}.60.201", hl7, 2575, "hl7", 310_000),
        flow(pump_ip, DEMO_INTERNET, 443, "", 1_200_000),  # the pump on the office network
        flow(pump_ip, proxy, 3128, "http", 45_000),
    ]
    if monitor is not None and monitor.asset.ip_addresses:
        # Another biomedical device reaching an office workstation's file share: outside the policy.
        flows.append(flow(monitor.asset.ip_addresses[0], f"{prefix}.40.23", 445, "", 92_000))
    run = DiscoveryRun.objects.create(
        establishment=establishment,
        name="capture-vlan-biomedical-demo.pcapng",
        source=FlowSource.CAPTURE,
        sha256="0" * 64,
    )
    discovery.record_result(
        run, DiscoveryResult("pcapng", 18_240, 17_905, candidates, tuple(flows))
    )
