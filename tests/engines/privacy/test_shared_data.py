"""Public sample data (../shared/data: FHIR-Converter HL7 v2 messages, expected FHIR, C-CDA).

Each HL7 message's expected FHIR bundle names the patient: the engine must find that patient's
family name and birth date in the message, and must read every C-CDA without error.
"""

from __future__ import annotations

import json

from hygie.privacy.engine import PHIDetector, extract, scan_bytes
from tests.shared_data import shared_data


def _patients(bundle: dict[str, object]) -> list[dict[str, object]]:
    entries = bundle.get("entry", [])
    assert isinstance(entries, list)
    return [
        e["resource"] for e in entries if e.get("resource", {}).get("resourceType") == "Patient"
    ]


def test_hl7_patient_names_and_birth_dates_are_found(detector: PHIDetector) -> None:
    messages = shared_data("hl7v2", "messages")
    expected_dir = shared_data("hl7v2", "expected-fhir")
    wanted = found = 0
    for message in sorted(messages.glob("*.hl7")):
        expected = expected_dir / f"{message.stem}.json"
        if not expected.exists():
            continue
        data = message.read_bytes()
        doc = extract(data, message.name)
        values = {
            (f.entity.value, doc.text[f.start : f.end].strip().lower())
            for f in detector.detect(doc)
        }
        for patient in _patients(json.loads(expected.read_text())):
            for name in patient.get("name", []):
                if name.get("family"):
                    wanted += 1
                    found += ("PERSON", name["family"].strip().lower()) in values
            if patient.get("birthDate"):
                wanted += 1
                found += any(e == "DATE_OF_BIRTH" for e, _ in values)
    assert wanted > 100
    assert found / wanted >= 0.95, f"recall {found}/{wanted}"


def test_every_ccda_is_read_and_names_its_patient(detector: PHIDetector) -> None:
    documents = sorted(shared_data("ccda").glob("*.ccda"))
    assert documents
    with_person = 0
    for document in documents:
        result = scan_bytes(detector, document.read_bytes(), document.name)
        assert result.format == "ccda"
        with_person += any(f.entity.value == "PERSON" for f in result.findings)
    assert with_person >= len(documents) - 2  # two samples are deliberately near-empty
