"""Field-level PHI recall and precision on structured messages, value-only against field map.

Run: ``.venv/bin/python bench/bench_phi_fields.py`` (``make bench-phi-fields``). Options:
``--limit N`` reads the first N files of each corpus (development), ``--json`` prints the figures
as JSON too.

Two runs of the same detector on the same files, one process:

- **value-only**: ``ScanConfig(field_semantics=False)``: the structure still gives each value its
  path and its borders, but no field says what it holds: only patterns, validators and context
  words find PHI (what a structure-blind scanner sees).
- **field map**: the default: the declarative maps of hygie/privacy/engine/fields/ say which fields
  are PHI, and a non-empty value there is a finding whatever its form.

HL7 v2 truth (../shared/data/hl7v2/messages, 25 files, never read while writing the map): a
*PHI-bearing field* is a non-empty field occurrence (one segment instance, one field number; the
repetitions of a field count once; ``""`` is HL7's null) in PID, PD1, NK1, GT1, IN1, IN2, PV1 or
MRG whose HL7 v2.5.1 definition is person-identifying, read from bench/data/hl7v251_fields.json
(the standard's segment tables as hl7apy tabulates them, not Hygie's map):

- data type XPN, XCN, XAD, XTN, CX or DLN, unless the field's name says it belongs to an
  organisation (``INSURANCE_CO...``, ``INSURANCE_COMPANY...``, ``PAYOR_ID``, ``EMPLOYER_ID``);
- data type TS/DT/DTM whose name says birth, death, admission or discharge (the dates HIPAA
  Safe Harbor names);
- data type ST whose name is an SSN, a birth place, a policy, card, case or military id number;
- plus OBX-5 when OBX-2 says the value is a person, address, phone or identifier (XPN, XCN, XAD,
  XTN, CX, DLN, PN, AD, TN).

A field counts as found when at least one finding's path (``PID-13(2).6``) lies in it. Precision
is counted on fields whose truth is known: findings in PHI-bearing fields against findings in
coded, numeric or timestamp fields of any segment (v2.5.1 types CE, CWE, CNE, ID, IS, NM, SI, TS,
DTM, DT, HD, EI, PL, CQ, SN, MSG, PT, VID, EIP, TQ, ...) that are not person-identifying (MSH-7,
OBX-5 numeric results, OBX-3 codes...). Findings in free-text fields (ST, TX, FT: NTE comments)
are left out of precision: a name in a comment is PHI, and no field definition says so.

FHIR truth (../shared/data/hl7v2/expected-fhir, FHIR-Converter's R4 bundles for the same
messages): every non-empty HumanName family/given/text, ContactPoint value, Address line, text,
city, district and postalCode, Identifier value, birthDate and deceasedDateTime of a Patient,
RelatedPerson, Practitioner or Person (state and country are not Safe Harbor identifiers).
C-CDA truth (../shared/data/ccda): given, family, streetAddressLine, city, postalCode texts,
telecom and birthTime values, patientRole id extensions under recordTarget/patientRole, guardian
and participant/associatedEntity (organisations such as providerOrganization left out); a file's
found count is its distinct findings under those scopes, capped at its truth count. These two
truths are read with the same resource and element names the map uses: they check the map's
reach rather than judge it independently (the HL7 figure is the independent one).

CPU seconds are the detector's (extraction and detection, time.process_time), the scoring left out.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hygie.privacy.engine import PHIDetector, ScanConfig, extract  # noqa: E402
from hygie.privacy.engine.extract.jsonfmt import scalars  # noqa: E402

SHARED = Path(os.environ.get("HYGIE_SHARED_DATA", REPO.parent / "shared" / "data"))
KEY = b"benchmark-key-not-secret-0123456789"
TABLE = json.loads((REPO / "bench" / "data" / "hl7v251_fields.json").read_text())["segments"]

PERSON_SEGMENTS = ("PID", "PD1", "NK1", "GT1", "IN1", "IN2", "PV1", "MRG")
PERSON_TYPES = frozenset({"XPN", "XCN", "XAD", "XTN", "CX", "DLN"})
OBX_PERSON_TYPES = PERSON_TYPES | {"PN", "AD", "TN"}
ORGANISATION = re.compile(r"^INSURANCE_CO|^INSURANCE_COMPANY|^PAYOR_ID|EMPLOYER_ID")
ST_PERSON = re.compile(
    r"SSN|SOCIAL_SECURITY|BIRTH_PLACE|POLICY_NUMBER|CARD_NUMBER|CASE_NUMBER|MILITARY_ID"
)
CODED_TYPES = frozenset(
    "CE CWE CNE ID IS NM SI TS DTM DT TM HD EI PL CQ SN MSG PT VID EIP TQ CP MO FC JCC CNN "
    "NDL PRL DR DLD OSD RI SPS PPN XON".split()
)
FHIR_PEOPLE = frozenset({"Patient", "RelatedPerson", "Practitioner", "Person"})
FHIR_ELEMENTS = frozenset(
    "name.family name.given name.text telecom.value address.line address.text address.city "
    "address.district address.postalCode identifier.value birthDate deceasedDateTime".split()
)
_PATH = re.compile(r"^([A-Z][A-Z0-9]{2}(?:\[\d+\])?)-(\d+)")


def person_field(segment: str, number: int) -> bool:
    """Whether the v2.5.1 definition of SEG-N is person-identifying (see the docstring)."""
    if segment not in PERSON_SEGMENTS:
        return False
    row = TABLE.get(segment, {}).get(str(number))
    if row is None:
        return False
    kind, name = row
    if kind in PERSON_TYPES:
        return not ORGANISATION.search(name)
    if kind in ("TS", "DT", "DTM"):
        return any(word in name for word in ("BIRTH", "DEATH", "ADMIT", "DISCHARGE"))
    return kind == "ST" and bool(ST_PERSON.search(name))


def coded_field(segment: str, number: int) -> bool:
    row = TABLE.get(segment, {}).get(str(number))
    return row is not None and row[0] in CODED_TYPES


@dataclass
class Score:
    truth: int = 0
    found: int = 0
    true_findings: int = 0
    false_findings: int = 0
    missed: dict[str, int] = field(default_factory=dict)
    cpu: float = 0.0

    @property
    def recall(self) -> float:
        return self.found / self.truth if self.truth else 0.0

    @property
    def precision(self) -> float:
        kept = self.true_findings + self.false_findings
        return self.true_findings / kept if kept else 1.0


def hl7_fields(text: str) -> Iterator[tuple[str, str, int, str, str]]:
    """(label, segment name, field number, value, OBX-2) of every field of a message."""
    text = text.lstrip("\ufeff")
    field_sep = text[3]
    seen: dict[str, int] = {}
    for line in re.split(r"[\r\n]+", text):
        if len(line) < 3:
            continue
        name = line[:3]
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name}[{seen[name]}]"
        parts = line.split(field_sep)
        header = name in ("MSH", "FHS", "BHS")
        obx2 = parts[2] if name == "OBX" and len(parts) > 2 else ""
        for index, value in enumerate(parts[1:], start=1):
            number = index + 1 if header else index
            yield label, name, number, value, obx2


def hl7_truth(text: str) -> tuple[set[tuple[str, int]], set[tuple[str, int]]]:
    truth: set[tuple[str, int]] = set()
    coded: set[tuple[str, int]] = set()
    for label, name, number, value, obx2 in hl7_fields(text):
        filled = value.strip() != '""' and any(c.isalnum() for c in value)
        if not filled:
            continue
        if person_field(name, number) or (
            name == "OBX" and number == 5 and obx2.split("^")[0] in OBX_PERSON_TYPES
        ):
            truth.add((label, number))
        elif coded_field(name, number) and not (name == "OBX" and number == 5 and obx2 != "NM"):
            coded.add((label, number))
    return truth, coded


def score_hl7(files: list[Path], detector: PHIDetector, score: Score) -> None:
    for path in files:
        data = path.read_bytes()
        truth, coded = hl7_truth(data.decode("utf-8", "replace"))
        started = time.process_time()
        findings = detector.detect(extract(data, path.name))
        score.cpu += time.process_time() - started
        hit: set[tuple[str, int]] = set()
        for finding in findings:
            match = _PATH.match(finding.location.path)
            if match is None:
                continue
            key = (match.group(1), int(match.group(2)))
            hit.add(key)
            if key in truth:
                score.true_findings += 1
            elif key in coded:
                score.false_findings += 1
        score.truth += len(truth)
        score.found += len(truth & hit)
        for label, number in truth - hit:
            name = f"{label.split('[')[0]}-{number}"
            score.missed[name] = score.missed.get(name, 0) + 1


def fhir_truth(text: str) -> set[tuple[int, int]]:
    """Spans of the string values the FHIR truth names (see the docstring)."""
    found = scalars(text)
    strings = {s.parts: text[s.start : s.end] for s in found if s.is_string}
    truth = set()
    for scalar in found:
        parts = scalar.parts
        if not scalar.is_string or scalar.start == scalar.end:
            continue
        for depth in range(len(parts) - 1, -1, -1):
            resource = strings.get(parts[:depth] + ("resourceType",))
            if resource is not None:
                break
        else:
            continue
        element = ".".join(p for p in parts[depth:] if not p.isdigit())
        if resource in FHIR_PEOPLE and element in FHIR_ELEMENTS:
            truth.add((scalar.start, scalar.end))
    return truth


def score_fhir(files: list[Path], detector: PHIDetector, score: Score) -> None:
    for path in files:
        data = path.read_bytes()
        text = data.decode("utf-8")
        truth = fhir_truth(text)
        started = time.process_time()
        findings = detector.detect(extract(data, path.name))
        score.cpu += time.process_time() - started
        starts = sorted(f.start for f in findings)
        hit = set()
        for span in truth:
            index = bisect.bisect_left(starts, span[0])
            if index < len(starts) and starts[index] < span[1]:
                hit.add(span)
        score.truth += len(truth)
        score.found += len(hit)
        score.true_findings += len(hit)
        for start, _end in truth - hit:
            key = re.sub(r"[^A-Za-z]+$", "", text[max(0, start - 30) : start - 3]).rsplit('"', 1)
            score.missed[key[-1]] = score.missed.get(key[-1], 0) + 1


CDA = "{urn:hl7-org:v3}"


def _people_elements(scope: ET.Element) -> Iterator[ET.Element]:
    """Elements under ``scope``, organisations (providerOrganization...) left out."""
    for child in scope:
        if not child.tag.endswith("Organization"):
            yield child
            yield from _people_elements(child)


def _ccda_truth(root: ET.Element) -> int:
    """How many PHI values the people scopes hold (a guardian inside patientRole counted once)."""
    seen: set[int] = set()
    count = 0
    scopes = list(root.iter(f"{CDA}patientRole")) + list(root.iter(f"{CDA}guardian"))
    scopes += [e for p in root.iter(f"{CDA}participant") for e in p.iter(f"{CDA}associatedEntity")]
    for scope in scopes:
        for element in _people_elements(scope):
            if id(element) in seen:
                continue
            seen.add(id(element))
            tag = element.tag.rsplit("}", 1)[-1]
            if tag in ("given", "family", "streetAddressLine", "city", "postalCode"):
                count += bool((element.text or "").strip())
            elif tag in ("telecom", "birthTime"):
                count += bool(element.get("value", "").strip())
            elif tag == "id" and scope.tag.endswith("patientRole") and element in list(scope):
                count += bool(element.get("extension", "").strip())
    return count


def score_ccda(files: list[Path], detector: PHIDetector, score: Score) -> None:
    people = re.compile(r"/(patientRole|guardian|associatedEntity)/")
    for path in files:
        data = path.read_bytes()
        try:
            truth = _ccda_truth(ET.fromstring(data))
        except ET.ParseError:
            continue
        started = time.process_time()
        findings = detector.detect(extract(data, path.name))
        score.cpu += time.process_time() - started
        spans = {
            (f.location.path, f.start)
            for f in findings
            if people.search(f.location.path + "/")
            and "Organization/" not in f.location.path
            and not f.location.path.endswith(("/@root", "/@code"))
        }
        score.truth += truth
        score.found += min(truth, len(spans))


def run(corpus: str, files: list[Path], field_semantics: bool) -> Score:
    detector = PHIDetector(ScanConfig(hmac_key=KEY, field_semantics=field_semantics))
    score = Score()
    {"hl7v2": score_hl7, "fhir": score_fhir, "ccda": score_ccda}[corpus](files, detector, score)
    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--limit", type=int, default=0, help="files per corpus (0: all)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    corpora = {
        "hl7v2": sorted((SHARED / "hl7v2" / "messages").glob("*.hl7")),
        "fhir": sorted((SHARED / "hl7v2" / "expected-fhir").glob("*.json")),
        "ccda": sorted((SHARED / "ccda").glob("*.ccda")),
    }
    if not corpora["hl7v2"]:
        print(f"no HL7 messages under {SHARED / 'hl7v2' / 'messages'}: nothing to measure")
        return 1
    figures: dict[str, dict[str, object]] = {}
    print(
        f"{'corpus':8} {'mode':11} {'fields':>7} {'found':>6} {'recall':>7} {'precision':>9} "
        f"{'cpu s':>6}"
    )
    for corpus, files in corpora.items():
        if args.limit:
            files = files[: args.limit]
        if not files:
            print(f"{corpus:8} (no files under {SHARED})")
            continue
        for mode, semantics in (("value-only", False), ("field map", True)):
            score = run(corpus, files, semantics)
            precision = f"{score.precision:9.3f}" if corpus == "hl7v2" else f"{'-':>9}"
            print(
                f"{corpus:8} {mode:11} {score.truth:7d} {score.found:6d} {score.recall:7.3f} "
                f"{precision} {score.cpu:6.2f}"
            )
            figures[f"{corpus}/{mode}"] = {
                "files": len(files),
                "fields": score.truth,
                "found": score.found,
                "recall": round(score.recall, 4),
                "precision": round(score.precision, 4) if corpus == "hl7v2" else None,
                "false_findings_in_coded_fields": score.false_findings,
                "cpu_seconds": round(score.cpu, 3),
                "missed": dict(sorted(score.missed.items(), key=lambda kv: -kv[1])[:12]),
            }
        missed = figures[f"{corpus}/field map"]["missed"]
        if missed:
            print(f"         missed with the field map: {missed}")
    if args.json:
        print(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
