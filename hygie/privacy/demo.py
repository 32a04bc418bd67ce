"""Demo data of the privacy module: a completed PHI scan of a fictitious shared folder.

``hygie demo`` (``make run``) calls ``load_demo`` inside the demo transaction. It writes a few
generated documents under ``HYGIE_HOME/demo/privacy`` (a CSV export, a consultation note, an HL7
admission message, a discharge letter in Word, a FHIR patient), declares the folder as a scan root
of the demo hospital and scans it at once through the scan job's own body, so the inventory, the
findings and the alert on national identifiers on a shared drive are there on first sign-in.

Everything is invented: surnames from the demo's obviously fictitious list, NIR numbers built
with valid keys on made-up bodies, phone numbers in the 01 99 range, e-mail addresses under the
reserved ``.invalid`` domain.
"""

from __future__ import annotations

import io
import json
import random

from hygie.core.models import Establishment, Organisation
from hygie.privacy.choices import Exposure
from hygie.privacy.engine.validators import nir_key
from hygie.privacy.models import ScanRoot, demo_folder
from hygie.privacy.services import scan_root_now

ROOT_LABEL = "Partage administratif (démo)"
_SURNAMES = ("EXEMPLE", "FICTIF", "FACTICE", "MAQUETTE", "TEMOIN", "ESSAI")
_GIVEN = ("Camille", "Louis", "Inès", "Hugo", "Léa", "Nathan", "Chloé", "Jules")
_EMAIL_DOMAIN = "demo-hygie.invalid"


def _nir(rng: random.Random, sex: str, year: int, month: int) -> str:
    body = f"{sex}{year % 100:02d}{month:02d}45{rng.randint(100, 999)}{rng.randint(100, 999)}"
    return body + nir_key(body)


def _patients(count: int) -> list[dict[str, str]]:
    rng = random.Random(2026)  # the same fictitious patients on every demo
    patients = []
    for _ in range(count):
        year, month, day = rng.randint(1935, 2015), rng.randint(1, 12), rng.randint(1, 28)
        sex = rng.choice("12")
        surname, given = rng.choice(_SURNAMES), rng.choice(_GIVEN)
        patients.append(
            {
                "nom": surname,
                "prenom": given,
                "nir": _nir(rng, sex, year, month),
                "naissance": f"{year}-{month:02d}-{day:02d}",
                "telephone": "01 99 " + " ".join(str(rng.randint(10, 99)) for _ in range(3)),
                "courriel": f"{given.lower().replace('è', 'e').replace('é', 'e')}."
                f"{surname.lower()}@{_EMAIL_DOMAIN}",
                "ipp": f"45{rng.randint(100000, 999999)}",
            }
        )
    return patients


def _csv(patients: list[dict[str, str]]) -> str:
    lines = ["nom;prenom;nir;date_naissance;telephone;courriel"]
    lines += [
        f"{p['nom']};{p['prenom']};{p['nir']};{p['naissance']};{p['telephone']};{p['courriel']}"
        for p in patients
    ]
    return "\n".join(lines) + "\n"


def _note(patient: dict[str, str]) -> str:
    nir = patient["nir"]
    spaced = f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]} {nir[13:]}"
    year, month, day = patient["naissance"].split("-")
    return (
        "Centre hospitalier Exemple-sur-Loire — Urgences\n"
        "Compte rendu de passage\n\n"
        f"Patient : {patient['prenom']} {patient['nom']}, né(e) le {day}/{month}/{year}\n"
        f"NIR : {spaced}\n"
        f"Téléphone : {patient['telephone']}\n\n"
        "Motif : douleur thoracique atypique. ECG sans particularité, troponine négative.\n"
        "Retour à domicile, consultation de cardiologie programmée.\n"
    )


def _hl7(patient: dict[str, str]) -> str:
    birth = patient["naissance"].replace("-", "")
    segments = [
        "MSH|^~\\&|DPI|CHEXEMPLE|PASTEL|CHEXEMPLE|20260301101500||ADT^A01^ADT_A01|MSG0001|P|2.5",
        "EVN|A01|20260301101500",
        f"PID|1||{patient['ipp']}^^^CHEXEMPLE^PI||{patient['nom']}^{patient['prenom']}||{birth}|"
        f"{'M' if patient['nir'][0] == '1' else 'F'}|||1 rue de l'Exemple^^Exemple-sur-Loire^^"
        f"45999^FRA||{patient['telephone'].replace(' ', '')}",
        "PV1|1|I|URG^BOX3^1||||12345^DEMO^Camille",
    ]
    return "\r".join(segments) + "\r"


def _fhir(patient: dict[str, str]) -> str:
    return (
        json.dumps(
            {
                "resourceType": "Patient",
                "identifier": [{"system": "urn:oid:1.2.250.1.213.1.4.8", "value": patient["nir"]}],
                "name": [{"family": patient["nom"], "given": [patient["prenom"]]}],
                "birthDate": patient["naissance"],
                "telecom": [{"system": "phone", "value": patient["telephone"]}],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


def _letter(patient: dict[str, str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Lettre de liaison — sortie d'hospitalisation")
    document.add_paragraph(
        f"Madame, Monsieur {patient['prenom']} {patient['nom']}, "
        f"né(e) le {patient['naissance']}, a été hospitalisé(e) du 1er au "
        "4 mars 2026 en médecine interne."
    )
    document.add_paragraph(f"NIR {patient['nir']} — joignable au {patient['telephone']}.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_demo_documents() -> None:
    """(Re)write the fictitious documents of the demo folder."""
    patients = _patients(40)
    share = demo_folder() / "partage-administratif"
    files: dict[str, str | bytes] = {
        "exports/patients_urgences_mars.csv": _csv(patients),
        "courriers/compte_rendu_urgences.txt": _note(patients[0]),
        "courriers/lettre_liaison_sortie.docx": _letter(patients[1]),
        "interfaces/adt_a01_admission.hl7": _hl7(patients[2]),
        "interfaces/patient_dmp.fhir.json": _fhir(patients[3]),
        "reunions/comite_qualite.txt": "Comité qualité : rien de nominatif dans ce compte rendu.\n",
    }
    for relative, content in files.items():
        path = share / relative
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        path.chmod(0o600)


def load_demo(organisation: Organisation, establishments: list[Establishment]) -> None:
    """A scan root on the demo hospital's fictitious shared folder, scanned to completion."""
    if not establishments:
        return
    write_demo_documents()
    root = ScanRoot.objects.create(
        establishment=establishments[0],
        label=ROOT_LABEL,
        path=str(demo_folder() / "partage-administratif"),
        exposure=Exposure.SHARED_DRIVE,
    )
    scan_root_now(root)
