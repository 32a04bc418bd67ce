"""The demo organisation: a fictional French GHT to explore Hygie (``hygie demo``, ``make run``).

Everything here is invented: the names are built from an obviously fictitious list, e-mail
addresses use the reserved ``.invalid`` domain, MAC addresses are locally administered, and the
FINESS/RPPS numbers are made up (they only pass the format and check-key rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.db import transaction
from django.utils import timezone

from hygie import modules
from hygie.core.choices import (
    AssetKind,
    Criticality,
    DepartmentKind,
    EstablishmentKind,
    OrganisationKind,
    SeverityChoice,
)
from hygie.core.models import Alert, Asset, Department, Establishment, Organisation, Person
from hygie.core.services.alerts import raise_alert
from hygie.core.services.evidence import add_evidence
from hygie.lib.errors import HygieError
from hygie.lib.identifiers import luhn_is_valid

ORGANISATION_NAME = "GHT Exemple Val-de-Loire (démo)"
EMAIL_DOMAIN = "demo-hygie.invalid"


class DemoRefusedError(HygieError):
    """The database already holds an organisation: the demo would mix with real data."""


@dataclass(frozen=True)
class DemoSummary:
    organisation: str
    establishments: int
    departments: int
    people: int
    assets: int
    alerts: int
    evidence: int


# name, kind, FINESS juridique, FINESS géographique, departments (name, kind, code)
_ESTABLISHMENTS = [
    (
        "Centre hospitalier Exemple-sur-Loire",
        EstablishmentKind.CH,
        "450999016",
        "450999024",
        [
            ("Urgences", DepartmentKind.EMERGENCY, "UF1010"),
            ("Radiologie", DepartmentKind.RADIOLOGY, "UF2020"),
            ("Bloc opératoire", DepartmentKind.SURGERY, "UF3030"),
            ("Réanimation", DepartmentKind.ICU, "UF4040"),
            ("Pharmacie", DepartmentKind.PHARMACY, "UF5050"),
            ("Laboratoire", DepartmentKind.LABORATORY, "UF6060"),
            ("Médecine interne", DepartmentKind.CARE_UNIT, "UF7070"),
            ("DSI", DepartmentKind.IT, "UF9010"),
            ("Ingénierie biomédicale", DepartmentKind.BIOMEDICAL, "UF9020"),
            ("Direction", DepartmentKind.ADMINISTRATION, "UF9030"),
        ],
    ),
    (
        "Clinique fictive des Tilleuls",
        EstablishmentKind.CLINIC,
        "410999031",
        "410999049",
        [
            ("Bloc opératoire", DepartmentKind.SURGERY, "BLOC"),
            ("Chirurgie ambulatoire", DepartmentKind.CARE_UNIT, "AMBU"),
            ("Imagerie", DepartmentKind.RADIOLOGY, "IMG"),
            ("Informatique", DepartmentKind.IT, "INFO"),
            ("Accueil et administration", DepartmentKind.ADMINISTRATION, "ADM"),
        ],
    ),
    (
        "EHPAD Les Glycines (démo)",
        EstablishmentKind.EHPAD,
        "370999054",
        "370999062",
        [
            ("Soins", DepartmentKind.CARE_UNIT, "SOINS"),
            ("Administration", DepartmentKind.ADMINISTRATION, "ADM"),
        ],
    ),
]

# Fictitious contacts: numbers from the ranges ARCEP reserves for fiction (02 61 91 …), e-mail
# addresses under the reserved .invalid domain. Sites inherit them; the clinic has its own.
_ORGANISATION_CONTACTS = {
    "postal_address": "1 rue de l'Exemple\n45999 Exemple-sur-Loire (adresse fictive)",
    "dpo_name": "Claire Exemple",
    "dpo_email": f"dpo@{EMAIL_DOMAIN}",
    "dpo_phone": "02 61 91 00 01",
    "rssi_name": "Marc Fictif",
    "rssi_email": f"rssi@{EMAIL_DOMAIN}",
    "rssi_phone": "02 61 91 00 02",
    "on_call_phone": "02 61 91 00 99",
    "legal_representative_name": "Hélène Démo",
    "legal_representative_title": "Directrice générale",
}
_ESTABLISHMENT_CONTACTS = {
    "Clinique fictive des Tilleuls": {
        "postal_address": "12 allée des Tilleuls\n41999 Exempleville (adresse fictive)",
        "legal_representative_name": "Paul Factice",
        "legal_representative_title": "Directeur de la clinique",
    },
}

# Obviously invented surnames, so nobody mistakes demo staff for real people.
_SURNAMES = [
    "Exemple",
    "Fictif",
    "Démo",
    "Factice",
    "Modèle",
    "Essai",
    "Maquette",
    "Témoin",
    "Prototype",
    "Simulé",
]
_GIVEN_NAMES = [
    "Camille",
    "Louis",
    "Inès",
    "Hugo",
    "Léa",
    "Nathan",
    "Chloé",
    "Jules",
    "Manon",
    "Théo",
    "Sarah",
    "Lucas",
    "Emma",
    "Gabriel",
    "Jade",
    "Raphaël",
    "Louise",
    "Arthur",
    "Alice",
    "Paul",
]

# department name, profession, has an RPPS number (physicians, pharmacists)
_STAFF_PLAN = {
    "Centre hospitalier Exemple-sur-Loire": [
        ("Urgences", "Médecin urgentiste", True),
        ("Urgences", "Infirmier·e", False),
        ("Urgences", "Infirmier·e", False),
        ("Urgences", "Aide-soignant·e", False),
        ("Radiologie", "Radiologue", True),
        ("Radiologie", "Manipulateur·rice radio", False),
        ("Radiologie", "Manipulateur·rice radio", False),
        ("Bloc opératoire", "Chirurgien·ne", True),
        ("Bloc opératoire", "IBODE", False),
        ("Bloc opératoire", "Anesthésiste", True),
        ("Réanimation", "Réanimateur·rice", True),
        ("Réanimation", "Infirmier·e", False),
        ("Pharmacie", "Pharmacien·ne", True),
        ("Pharmacie", "Préparateur·rice", False),
        ("Laboratoire", "Biologiste", True),
        ("Laboratoire", "Technicien·ne de laboratoire", False),
        ("Médecine interne", "Interne", True),
        ("Médecine interne", "Cadre de santé", False),
        ("DSI", "RSSI", False),
        ("DSI", "Administrateur·rice systèmes", False),
        ("DSI", "Technicien·ne support", False),
        ("Ingénierie biomédicale", "Ingénieur·e biomédical·e", False),
        ("Ingénierie biomédicale", "Technicien·ne biomédical·e", False),
        ("Direction", "Directeur·rice", False),
        ("Direction", "DPO", False),
    ],
    "Clinique fictive des Tilleuls": [
        ("Bloc opératoire", "Chirurgien·ne", True),
        ("Bloc opératoire", "IBODE", False),
        ("Chirurgie ambulatoire", "Infirmier·e", False),
        ("Chirurgie ambulatoire", "Aide-soignant·e", False),
        ("Imagerie", "Radiologue", True),
        ("Imagerie", "Manipulateur·rice radio", False),
        ("Informatique", "Référent·e informatique", False),
        ("Accueil et administration", "Secrétaire médical·e", False),
        ("Accueil et administration", "Secrétaire médical·e", False),
        ("Accueil et administration", "Directeur·rice", False),
    ],
    "EHPAD Les Glycines (démo)": [
        ("Soins", "Médecin coordonnateur", True),
        ("Soins", "Infirmier·e", False),
        ("Soins", "Aide-soignant·e", False),
        ("Soins", "Aide-soignant·e", False),
        ("Administration", "Directeur·rice", False),
    ],
}

# hostname, kind, department, OS, OS version, criticality, zone, tags
_W, _S, _N, _M = (
    AssetKind.WORKSTATION,
    AssetKind.SERVER,
    AssetKind.NETWORK,
    AssetKind.MEDICAL_DEVICE,
)
_ASSET_PLAN = {
    "Centre hospitalier Exemple-sur-Loire": [
        (
            "srv-dpi-01",
            _S,
            "DSI",
            "Red Hat Enterprise Linux",
            "8.9",
            Criticality.VITAL,
            "serveurs",
            ["dpi", "hds"],
        ),
        (
            "srv-dpi-02",
            _S,
            "DSI",
            "Red Hat Enterprise Linux",
            "8.9",
            Criticality.VITAL,
            "serveurs",
            ["dpi", "hds"],
        ),
        (
            "srv-pacs-01",
            _S,
            "Radiologie",
            "Windows Server",
            "2016",
            Criticality.HIGH,
            "serveurs",
            ["pacs", "dicom"],
        ),
        (
            "srv-lab-01",
            _S,
            "Laboratoire",
            "Windows Server",
            "2019",
            Criticality.HIGH,
            "serveurs",
            ["sil"],
        ),
        (
            "srv-ad-01",
            _S,
            "DSI",
            "Windows Server",
            "2022",
            Criticality.VITAL,
            "serveurs",
            ["annuaire"],
        ),
        (
            "srv-fichiers-01",
            _S,
            "DSI",
            "Windows Server",
            "2019",
            Criticality.MEDIUM,
            "serveurs",
            [],
        ),
        (
            "srv-sauvegarde-01",
            _S,
            "DSI",
            "Debian",
            "12",
            Criticality.HIGH,
            "sauvegarde",
            ["sauvegarde"],
        ),
        (
            "srv-pharma-01",
            _S,
            "Pharmacie",
            "Windows Server",
            "2016",
            Criticality.HIGH,
            "serveurs",
            ["circuit-medicament"],
        ),
        ("fw-coeur-01", _N, "DSI", "FortiOS", "7.2", Criticality.VITAL, "coeur", ["pare-feu"]),
        ("sw-coeur-01", _N, "DSI", "Cisco IOS XE", "17.9", Criticality.VITAL, "coeur", []),
        (
            "sw-bio-01",
            _N,
            "Ingénierie biomédicale",
            "Cisco IOS XE",
            "17.6",
            Criticality.HIGH,
            "biomedical",
            [],
        ),
        ("wifi-ctrl-01", _N, "DSI", "ArubaOS", "8.10", Criticality.MEDIUM, "coeur", ["wifi"]),
        (
            "irm-console-01",
            _M,
            "Radiologie",
            "Windows",
            "7 SP1",
            Criticality.HIGH,
            "biomedical",
            ["irm", "os-obsolete"],
        ),
        (
            "scanner-console-01",
            _M,
            "Radiologie",
            "Windows",
            "10 LTSC 2019",
            Criticality.HIGH,
            "biomedical",
            ["scanner"],
        ),
        (
            "echographe-urg-01",
            _M,
            "Urgences",
            "Embarqué",
            "4.2",
            Criticality.MEDIUM,
            "biomedical",
            [],
        ),
        (
            "moniteur-rea-01",
            _M,
            "Réanimation",
            "Embarqué",
            "3.1",
            Criticality.VITAL,
            "biomedical",
            ["monitorage"],
        ),
        (
            "moniteur-rea-02",
            _M,
            "Réanimation",
            "Embarqué",
            "3.1",
            Criticality.VITAL,
            "biomedical",
            ["monitorage"],
        ),
        (
            "moniteur-rea-03",
            _M,
            "Réanimation",
            "Embarqué",
            "3.1",
            Criticality.VITAL,
            "biomedical",
            ["monitorage"],
        ),
        (
            "respirateur-rea-01",
            _M,
            "Réanimation",
            "Embarqué",
            "2.8",
            Criticality.VITAL,
            "biomedical",
            ["support-vital"],
        ),
        (
            "respirateur-rea-02",
            _M,
            "Réanimation",
            "Embarqué",
            "2.8",
            Criticality.VITAL,
            "biomedical",
            ["support-vital"],
        ),
        (
            "automate-lab-01",
            _M,
            "Laboratoire",
            "Windows",
            "10 IoT",
            Criticality.HIGH,
            "biomedical",
            ["automate"],
        ),
        (
            "armoire-pharma-01",
            _M,
            "Pharmacie",
            "Windows",
            "10 IoT",
            Criticality.MEDIUM,
            "biomedical",
            ["circuit-medicament"],
        ),
        ("ws-urg-01", _W, "Urgences", "Windows", "11 23H2", Criticality.HIGH, "bureautique", []),
        ("ws-urg-02", _W, "Urgences", "Windows", "11 23H2", Criticality.HIGH, "bureautique", []),
        ("ws-urg-03", _W, "Urgences", "Windows", "10 22H2", Criticality.HIGH, "bureautique", []),
        (
            "ws-radio-01",
            _W,
            "Radiologie",
            "Windows",
            "10 22H2",
            Criticality.MEDIUM,
            "bureautique",
            ["pacs"],
        ),
        (
            "ws-radio-02",
            _W,
            "Radiologie",
            "Windows",
            "11 23H2",
            Criticality.MEDIUM,
            "bureautique",
            ["pacs"],
        ),
        (
            "ws-bloc-01",
            _W,
            "Bloc opératoire",
            "Windows",
            "10 22H2",
            Criticality.HIGH,
            "bureautique",
            [],
        ),
        ("ws-rea-01", _W, "Réanimation", "Windows", "11 23H2", Criticality.HIGH, "bureautique", []),
        (
            "ws-pharma-01",
            _W,
            "Pharmacie",
            "Windows",
            "10 22H2",
            Criticality.MEDIUM,
            "bureautique",
            [],
        ),
        (
            "ws-lab-01",
            _W,
            "Laboratoire",
            "Windows",
            "10 22H2",
            Criticality.MEDIUM,
            "bureautique",
            [],
        ),
        (
            "ws-mi-01",
            _W,
            "Médecine interne",
            "Windows",
            "11 23H2",
            Criticality.MEDIUM,
            "bureautique",
            [],
        ),
        (
            "ws-dsi-01",
            _W,
            "DSI",
            "Ubuntu",
            "24.04",
            Criticality.MEDIUM,
            "administration-si",
            ["poste-admin"],
        ),
        ("ws-dir-01", _W, "Direction", "Windows", "11 23H2", Criticality.LOW, "bureautique", []),
        (
            "tab-urg-01",
            AssetKind.MOBILE,
            "Urgences",
            "Android",
            "14",
            Criticality.LOW,
            "wifi-soignants",
            [],
        ),
        (
            "tab-mi-01",
            AssetKind.MOBILE,
            "Médecine interne",
            "iPadOS",
            "17",
            Criticality.LOW,
            "wifi-soignants",
            [],
        ),
        (
            "badge-acces-01",
            AssetKind.IOT,
            "Direction",
            "Embarqué",
            "1.9",
            Criticality.LOW,
            "iot",
            ["controle-acces"],
        ),
        (
            "camera-parking-01",
            AssetKind.IOT,
            "Direction",
            "Embarqué",
            "5.5",
            Criticality.LOW,
            "iot",
            ["video"],
        ),
        (
            "gtc-chaufferie-01",
            AssetKind.IOT,
            "Direction",
            "Embarqué",
            "2.0",
            Criticality.MEDIUM,
            "iot",
            ["gtc"],
        ),
    ],
    "Clinique fictive des Tilleuls": [
        (
            "clin-srv-01",
            _S,
            "Informatique",
            "Windows Server",
            "2019",
            Criticality.VITAL,
            "serveurs",
            ["dpi"],
        ),
        (
            "clin-nas-01",
            _S,
            "Informatique",
            "DSM",
            "7.2",
            Criticality.HIGH,
            "serveurs",
            ["sauvegarde"],
        ),
        (
            "clin-fw-01",
            _N,
            "Informatique",
            "pfSense",
            "2.7",
            Criticality.VITAL,
            "coeur",
            ["pare-feu"],
        ),
        (
            "clin-sw-01",
            _N,
            "Informatique",
            "HPE ArubaOS-Switch",
            "16.11",
            Criticality.HIGH,
            "coeur",
            [],
        ),
        (
            "clin-pompe-01",
            _M,
            "Bloc opératoire",
            "Embarqué",
            "5.3",
            Criticality.VITAL,
            "biomedical",
            ["perfusion"],
        ),
        (
            "clin-pompe-02",
            _M,
            "Bloc opératoire",
            "Embarqué",
            "5.3",
            Criticality.VITAL,
            "biomedical",
            ["perfusion"],
        ),
        (
            "clin-pompe-03",
            _M,
            "Chirurgie ambulatoire",
            "Embarqué",
            "5.1",
            Criticality.VITAL,
            "bureautique",
            ["perfusion"],
        ),
        (
            "clin-pompe-04",
            _M,
            "Chirurgie ambulatoire",
            "Embarqué",
            "5.3",
            Criticality.VITAL,
            "biomedical",
            ["perfusion"],
        ),
        (
            "clin-radio-console-01",
            _M,
            "Imagerie",
            "Windows",
            "10 LTSC 2019",
            Criticality.HIGH,
            "biomedical",
            [],
        ),
        (
            "clin-ws-bloc-01",
            _W,
            "Bloc opératoire",
            "Windows",
            "11 23H2",
            Criticality.HIGH,
            "bureautique",
            [],
        ),
        (
            "clin-ws-ambu-01",
            _W,
            "Chirurgie ambulatoire",
            "Windows",
            "10 22H2",
            Criticality.MEDIUM,
            "bureautique",
            [],
        ),
        (
            "clin-ws-accueil-01",
            _W,
            "Accueil et administration",
            "Windows",
            "10 22H2",
            Criticality.MEDIUM,
            "bureautique",
            [],
        ),
        (
            "clin-ws-accueil-02",
            _W,
            "Accueil et administration",
            "Windows",
            "10 22H2",
            Criticality.MEDIUM,
            "bureautique",
            [],
        ),
        (
            "clin-ws-img-01",
            _W,
            "Imagerie",
            "Windows",
            "11 23H2",
            Criticality.MEDIUM,
            "bureautique",
            [],
        ),
    ],
    "EHPAD Les Glycines (démo)": [
        (
            "ehpad-box-01",
            _N,
            "Administration",
            "Embarqué",
            "4.0",
            Criticality.HIGH,
            "coeur",
            ["acces-internet"],
        ),
        (
            "ehpad-ws-soins-01",
            _W,
            "Soins",
            "Windows",
            "10 22H2",
            Criticality.MEDIUM,
            "bureautique",
            ["dossier-soins"],
        ),
        (
            "ehpad-ws-soins-02",
            _W,
            "Soins",
            "Windows",
            "10 22H2",
            Criticality.MEDIUM,
            "bureautique",
            ["dossier-soins"],
        ),
        (
            "ehpad-ws-adm-01",
            _W,
            "Administration",
            "Windows",
            "11 23H2",
            Criticality.LOW,
            "bureautique",
            [],
        ),
        (
            "ehpad-appel-malade-01",
            AssetKind.IOT,
            "Soins",
            "Embarqué",
            "3.2",
            Criticality.HIGH,
            "iot",
            ["appel-malade"],
        ),
        (
            "ehpad-pompe-01",
            _M,
            "Soins",
            "Embarqué",
            "4.8",
            Criticality.HIGH,
            "biomedical",
            ["perfusion"],
        ),
        (
            "ehpad-tab-01",
            AssetKind.MOBILE,
            "Soins",
            "Android",
            "13",
            Criticality.LOW,
            "wifi-soignants",
            [],
        ),
    ],
}


# Each module may ship ``demo.py`` with ``load_demo(organisation, establishments) -> None``: it is
# called in module order inside the demo's transaction, once the core objects exist, so modules
# add their own demo records (a scan, replayed logs, an incident…) without the core importing them.
DEMO_MODULE = "demo"


def demo_hooks() -> list[tuple[str, Callable[[Organisation, list[Establishment]], None]]]:
    """(module label, its ``load_demo``) for every module shipping a ``demo.py``, in order."""
    hooks = []
    for module in modules.discover():
        dotted = f"{module.package}.{DEMO_MODULE}"
        if module.label != "core" and find_spec(dotted) is not None:
            hooks.append((module.label, import_module(dotted).load_demo))
    return hooks


def database_is_empty() -> bool:
    """True when no organisation data exists yet (accounts alone do not count)."""
    return not any(model.objects.exists() for model in (Organisation, Establishment, Person, Asset))


def load_demo() -> DemoSummary:
    """Create the demo GHT, all in one transaction; refuse if any organisation data exists."""
    if not database_is_empty():
        raise DemoRefusedError(
            "the database already holds organisation data; the demo is only loaded into an "
            "empty database (use a fresh HYGIE_HOME to try it)"
        )
    with transaction.atomic():
        organisation = Organisation(
            name=ORGANISATION_NAME, kind=OrganisationKind.GHT, **_ORGANISATION_CONTACTS
        )
        organisation.full_clean()
        organisation.save()
        sites = [
            _create_establishment(organisation, index, spec)
            for index, spec in enumerate(_ESTABLISHMENTS)
        ]
        people = _create_people(sites)
        assets = _create_assets(sites)
        _raise_alerts(sites)
        add_evidence(
            sites[0][0],
            None,
            "Inventaire des dispositifs médicaux (instantané)",
            snapshot=_device_inventory_snapshot(sites[0][0]),
            description="Répartition des dispositifs médicaux connectés par "
            "criticité, calculée à partir de l'inventaire.",
        )
        establishments = [establishment for establishment, _ in sites]
        for _label, load_module_demo in demo_hooks():
            load_module_demo(organisation, establishments)
        # Every module's alerts count (detection's come from its replayed logs).
        alerts = Alert.objects.filter(establishment__organisation=organisation).count()
    return DemoSummary(
        organisation=organisation.name,
        establishments=len(sites),
        departments=sum(len(departments) for _, departments in sites),
        people=people,
        assets=assets,
        alerts=alerts,
        evidence=1,
    )


def _create_establishment(
    organisation: Organisation, index: int, spec: tuple
) -> tuple[Establishment, dict[str, Department]]:
    name, kind, finess_ej, finess_eg, department_specs = spec
    establishment = Establishment(
        organisation=organisation,
        name=name,
        kind=kind,
        country="FR",
        finess_ej=finess_ej,
        finess_eg=finess_eg,
        timezone="Europe/Paris",
        **_ESTABLISHMENT_CONTACTS.get(name, {}),
    )
    establishment.full_clean()
    establishment.save()
    departments = {}
    for department_name, department_kind, code in department_specs:
        departments[department_name] = Department.objects.create(
            establishment=establishment, name=department_name, kind=department_kind, code=code
        )
    return establishment, departments


def _fictional_rpps(serial: int) -> str:
    """An 11-digit number in a made-up range whose last digit satisfies the Luhn key."""
    stem = f"1099{serial:06d}"
    return next(stem + str(key) for key in range(10) if luhn_is_valid(stem + str(key)))


def _create_people(sites: list[tuple[Establishment, dict[str, Department]]]) -> int:
    count = 0
    today = date.today()
    for establishment, departments in sites:
        for department_name, profession, has_rpps in _STAFF_PLAN[establishment.name]:
            given = _GIVEN_NAMES[count % len(_GIVEN_NAMES)]
            surname = _SURNAMES[(count * 3) % len(_SURNAMES)]
            person = Person(
                establishment=establishment,
                department=departments[department_name],
                first_name=given,
                last_name=surname,
                email=f"{_ascii(given)}.{_ascii(surname)}.{count + 1:02d}@{EMAIL_DOMAIN}",
                profession=profession,
                rpps=_fictional_rpps(count + 1) if has_rpps else "",
                employment_start=today - timedelta(days=200 + 97 * count),
                # One departure, so the directory shows what a leaver looks like.
                employment_end=today - timedelta(days=30) if count == 7 else None,
            )
            person.full_clean()
            person.save()
            count += 1
    return count


def _ascii(text: str) -> str:
    table = str.maketrans("éèêëàâîïôöûüçÉÈ", "eeeeaaiioouucEE")
    return text.translate(table).lower()


def _create_assets(sites: list[tuple[Establishment, dict[str, Department]]]) -> int:
    count = 0
    for site_index, (establishment, departments) in enumerate(sites):
        for host_index, (
            hostname,
            kind,
            department,
            os_name,
            os_version,
            criticality,
            zone,
            tags,
        ) in enumerate(_ASSET_PLAN[establishment.name]):
            asset = Asset(
                establishment=establishment,
                hostname=hostname,
                kind=kind,
                department=departments[department],
                os_name=os_name,
                os_version=os_version,
                criticality=criticality,
                network_zone=zone,
                tags=tags,
                ip_addresses=[f"10.{45 + site_index}.{_zone_octet(zone)}.{host_index + 10}"],
                # 02:… is a locally administered prefix: no vendor owns these addresses.
                mac_addresses=[
                    f"02:00:5e:{site_index:02x}:{host_index // 256:02x}:{host_index % 256:02x}"
                ],
            )
            asset.full_clean()
            asset.save()
            count += 1
    return count


def _zone_octet(zone: str) -> int:
    zones = [
        "coeur",
        "serveurs",
        "sauvegarde",
        "bureautique",
        "administration-si",
        "biomedical",
        "wifi-soignants",
        "iot",
    ]
    return 10 * (zones.index(zone) + 1) if zone in zones else 200


def _raise_alerts(sites: list[tuple[Establishment, dict[str, Department]]]) -> int:
    hospital, clinic, nursing_home = (establishment for establishment, _ in sites)
    now = timezone.now()

    def asset(establishment: Establishment, hostname: str) -> Asset:
        return Asset.objects.get(establishment=establishment, hostname=hostname)

    # Built modules raise their demo alerts the real way, from their demo.py (detection replays
    # logs, privacy scans documents); these stand for what is still to come (devices, awareness,
    # EHR access watching), and are raised only for the modules installed.
    alerts: list[dict[str, Any]] = [
        dict(
            establishment=hospital,
            source="devices",
            severity=SeverityChoice.HIGH,
            rule_id="demo.unsupported_os",
            title="Console IRM sous un système d'exploitation sans correctifs (Windows 7)",
            description="Le système n'est plus maintenu ; isoler la console dans le VLAN "
            "biomédical et demander au fabricant une mise à jour.",
            asset=asset(hospital, "irm-console-01"),
            tags=["care.dispositifs-medicaux"],
            seen_at=now - timedelta(hours=5),
        ),
        dict(
            establishment=hospital,
            source="privacy",
            severity=SeverityChoice.HIGH,
            rule_id="demo.access_volume",
            title="Volume inhabituel de consultations de dossiers patients par un compte",
            description="Un compte a ouvert 4 fois plus de dossiers que sa moyenne sur 30 "
            "jours, hors de son service.",
            asset=asset(hospital, "srv-dpi-01"),
            seen_at=now - timedelta(hours=20),
        ),
        dict(
            establishment=clinic,
            source="devices",
            severity=SeverityChoice.MEDIUM,
            rule_id="demo.segmentation",
            title="Pompe à perfusion joignable depuis le réseau bureautique",
            description="La pompe clin-pompe-03 est dans la zone bureautique au lieu de la "
            "zone biomédicale.",
            asset=asset(clinic, "clin-pompe-03"),
            seen_at=now - timedelta(days=2),
        ),
        dict(
            establishment=clinic,
            source="awareness",
            severity=SeverityChoice.LOW,
            rule_id="demo.phishing_reported",
            title="Courriel d'hameçonnage signalé par 6 personnes",
            description="Faux message de la « paie » demandant de confirmer un mot de passe.",
            seen_at=now - timedelta(days=3),
        ),
        dict(
            establishment=nursing_home,
            source="devices",
            severity=SeverityChoice.INFORMATIONAL,
            rule_id="demo.new_device",
            title="Nouvel équipement vu sur le réseau de l'EHPAD",
            description="Une tablette inconnue s'est connectée au Wi-Fi des soignants.",
            asset=asset(nursing_home, "ehpad-tab-01"),
            seen_at=now - timedelta(days=1),
        ),
    ]
    # A demo alert never names a module this installation lacks: its source would read as a
    # bare key, and no forwarding filter could select it (the devices and awareness modules
    # bring their own demo alerts once they exist).
    installed = {module.label for module in modules.discover()}
    alerts = [alert for alert in alerts if alert["source"] in installed]
    for alert in alerts:
        raise_alert(**alert)
    return len(alerts)


def _device_inventory_snapshot(establishment: Establishment) -> dict:
    devices = list(Asset.objects.filter(establishment=establishment, kind=AssetKind.MEDICAL_DEVICE))
    by_criticality: dict[str, int] = {}
    for device in devices:
        by_criticality[device.criticality] = by_criticality.get(device.criticality, 0) + 1
    return {
        "establishment": establishment.name,
        "medical_devices": len(devices),
        "by_criticality": dict(sorted(by_criticality.items())),
        "legacy_os": sorted(d.hostname for d in devices if "os-obsolete" in d.tags),
    }
