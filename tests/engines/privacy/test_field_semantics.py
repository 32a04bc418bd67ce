"""Field maps (engine/fields/*.yml): every mapped field is found with its path, whatever the form
of its value; fields the maps do not name (results, codes, message timestamps) are not."""

from __future__ import annotations

import io
import json
from importlib import resources

import pytest
import yaml

from hygie.privacy.engine import Finding, PHIDetector, ScanConfig, scan_bytes
from hygie.privacy.engine.extract.hints import field_for_label, normalise_label
from hygie.privacy.engine.fields import (
    categories,
    categories_from,
    ccda_map,
    dicom_map,
    entity_categories,
    fhir_map,
    header_map,
    hl7_map,
)
from hygie.privacy.engine.model import EntityType as E

from .conftest import KEY

# -- the maps themselves ---------------------------------------------------------------------


def test_every_map_loads_with_known_categories() -> None:
    known = categories()
    assert set(known["hipaa"]) == set("ABCDEFGHIJKLMNOPQR") | {"none"}
    hl7 = hl7_map()
    assert {"PID-14", "PID-20", "PID-21", "PID-29", "IN1-36", "MRG-7"} <= set(hl7.fields)
    for entry in hl7.fields.values():
        assert entry.datatype in hl7.datatypes
    phis = [
        *fhir_map().person_elements.values(),
        *(phi for _within, phi in ccda_map().attributes.values()),
        *(a.phi for a in dicom_map().values() if a.phi is not None),
        *header_map().values(),
    ]
    assert all(p.hipaa in known["hipaa"] and p.fr in known["fr"] for p in phis)


def test_dicom_map_is_the_annex_e_list() -> None:
    annex = dicom_map()
    assert len(annex) > 600
    assert annex[0x00100010].keyword == "PatientName" and annex[0x00100010].phi is not None
    assert annex[0x00100030].phi is not None
    assert annex[0x00100030].phi.entity is E.DATE_OF_BIRTH
    assert annex[0x00081030].phi is None  # Study Description: free text, read by patterns


# -- HL7 v2 ------------------------------------------------------------------------------------

# One value per data type, in the forms the standard allows, and the components that are PHI.
HL7_VALUES = {
    "XPN": ("Durand&van&Berg^Marie^Claire^^^^L", (".1.1", ".1.3", ".2", ".3")),
    "XCN": ("X4711^Fontaine^Paul^Henri^^Dr", (".1", ".2", ".3", ".4")),
    "XAD": ("12 rue des Lilas^Bat B^Lyon^ARA^69003^FRA", (".1", ".2", ".3", ".5")),
    # An XTN without a formatted number: area code and local number alone, an extension.
    "XTN": ("^PRN^PH^^^555^0100000^12", (".6", ".7", ".8")),
    "CX": ("A12345^^^HOSP&1.2.3&ISO^MR", (".1",)),
    "DLN": ("DLN-123^US^20300101", (".1",)),
    "TS": ("19800214", ("",)),
    "ST": ("PSSN123Q", ("",)),
}


def _hl7_message() -> tuple[bytes, list[str]]:
    """A message filling every mapped field, and the paths expected to hold a finding."""
    fields_by_segment: dict[str, dict[int, str]] = {}
    expected: list[str] = []
    for key, entry in hl7_map().fields.items():
        segment, number = key.split("-")
        value, parts = HL7_VALUES[entry.datatype]
        fields_by_segment.setdefault(segment, {})[int(number)] = value
        expected += [f"{key}{part}" for part in parts]
    lines = ["MSH|^~\\&|APP|FAC|APP|FAC|20240214101500||ADT^A01|MSG1|P|2.5.1"]
    for segment, values in fields_by_segment.items():  # OBX-16 (a person) in the first OBX
        cells = [values.get(n, "") for n in range(1, max(values) + 1)]
        lines.append("|".join([segment, *cells]))
    # OBX-5 typed by OBX-2: a person, an address, a phone, an id; and a numeric result.
    obx_types = {"XPN": "XPN", "XAD": "XAD", "XTN": "XTN", "CX": "CX"}
    for index, (kind, datatype) in enumerate(obx_types.items(), start=1):
        value, parts = HL7_VALUES[datatype]
        lines.append(f"OBX|{index}|{kind}|56789-0^Contact^LN||{value}||||||F")
        label = f"OBX[{index + 1}]"
        expected += [f"{label}-5{part}" for part in parts]
    lines.append("OBX|5|NM|2345-7^Glucose^LN||5.4|mmol/L|3.9-6.1|N|||F|||20240214101500")
    return ("\r".join(lines) + "\r").encode(), expected


@pytest.fixture(scope="module")
def hl7_findings(detector: PHIDetector) -> dict[str, Finding]:
    data, _expected = _hl7_message()
    return {f.location.path: f for f in scan_bytes(detector, data, "m.hl7").findings}


def test_every_mapped_hl7_component_is_found_with_its_path(
    hl7_findings: dict[str, Finding],
) -> None:
    _data, expected = _hl7_message()
    missing = [path for path in expected if path not in hl7_findings]
    assert not missing
    assert hl7_findings["PID-14.6"].entity is E.US_PHONE  # an area code alone
    assert hl7_findings["PID-20.1"].entity is E.MRN  # a driver's licence
    assert hl7_findings["PID-29"].entity is E.DATE  # the death date
    assert hl7_findings["PID-7"].entity is E.DATE_OF_BIRTH
    assert hl7_findings["IN1-36"].entity is E.MRN  # a policy number in any form
    assert hl7_findings["PID-19"].entity in (E.US_SSN, E.MRN)


def test_hl7_findings_cover_their_component(hl7_findings: dict[str, Finding]) -> None:
    """The SARIF region (line, column, end column) is the component's value."""
    data, _expected = _hl7_message()
    lines = data.decode().split("\r")
    finding = hl7_findings["PID-14.7"]
    line = lines[finding.location.line - 1]  # type: ignore[operator]
    assert finding.location.column is not None and finding.location.end_column is not None
    assert line[finding.location.column - 1 : finding.location.end_column - 1] == "0100000"


def test_hl7_non_phi_fields_stay_silent(hl7_findings: dict[str, Finding]) -> None:
    quiet = ("MSH-", "OBX[6]-", "EVN-1", "PID-8")
    assert not [path for path in hl7_findings if path.startswith(quiet)]
    # Components that are not PHI (name type code, XTN use and equipment codes, CX-4/5).
    assert not {"PID-5.7", "PID-13.2", "PID-13.3", "PID-3.4", "PID-3.5"} & set(hl7_findings)


def test_value_only_mode_misses_what_the_field_map_finds() -> None:
    data, _expected = _hl7_message()
    blind = PHIDetector(ScanConfig(hmac_key=KEY, field_semantics=False))
    paths = {f.location.path for f in scan_bytes(blind, data, "m.hl7").findings}
    assert "PID-14.6" not in paths and "PID-20.1" not in paths


def test_cx_type_code_and_ins_oid_name_the_identifier(detector: PHIDetector) -> None:
    ins = "180026912345644^^^ASIP-SANTE-INS-NIR&1.2.250.1.213.1.4.8&ISO^INS"
    message = (
        b"MSH|^~\\&|A|B|C|D|20240214||ADT^A01|1|P|2.5.1\r"
        + f"PID|1||536-22-1234^^^SSA^SS~{ins}\r".encode()
    )
    found = {f.location.path: f.entity for f in scan_bytes(detector, message, "m.hl7").findings}
    assert found["PID-3(1).1"] is E.US_SSN
    assert found["PID-3(2).1"] is E.FR_INS


# -- FHIR R4 -----------------------------------------------------------------------------------

_ARRAYS = {"name", "given", "telecom", "address", "line", "identifier", "contact", "photo"}
_ARRAYS |= {"qualification"}
_FHIR_VALUES = {
    E.PERSON: "Durand",
    E.US_PHONE: "555",  # a phone in a form no pattern takes
    E.ADDRESS: "12 rue des Lilas",
    E.POSTAL_CODE: "69003",
    E.DATE_OF_BIRTH: "1980-02-14",
    E.DATE: "2023-11-02T10:00:00Z",
    E.MRN: "A12345",
    E.URL: "https://photos.example.org/p1.jpg",
}


def _put(node: dict[str, object], path: list[str], value: str) -> None:
    key, rest = path[0], path[1:]
    if not rest:
        node[key] = [value] if key in _ARRAYS else value
        return
    if key not in node:
        node[key] = [{}] if key in _ARRAYS else {}
    existing = node[key]
    child = existing[0] if isinstance(existing, list) else existing
    assert isinstance(child, dict)
    _put(child, rest, value)


def _fhir_bundle() -> tuple[bytes, list[str]]:
    fields = fhir_map()
    entries: list[dict[str, object]] = []
    expected: list[str] = []
    resources: dict[str, dict[str, object]] = {}
    for kind in sorted(fields.people):
        resources[kind] = {"resourceType": kind, "gender": "female"}
    for name, elements in fields.resources.items():
        resources[name] = {"resourceType": name, "status": "active"}
    for kind, resource in resources.items():
        elements = (
            fields.person_elements if kind in fields.people else fields.resources[kind]
        ).items()
        for element, phi in elements:
            _put(resource, element.split("."), _FHIR_VALUES[phi.entity])
        index = len(entries)
        entries.append({"fullUrl": f"urn:uuid:{index}", "resource": resource})
        for element, _phi in elements:
            path = "".join(
                f".{part}[0]" if part in _ARRAYS else f".{part}" for part in element.split(".")
            )
            expected.append(f"Bundle.entry[{index}].resource.ofType({kind}){path}")
    observation = {
        "resourceType": "Observation",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2345-7"}]},
        "valueQuantity": {"value": 5.4, "unit": "mmol/L"},
        "effectiveDateTime": "2024-02-14T10:15:00Z",
    }
    entries.append({"resource": observation})
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return json.dumps(bundle, indent=1).encode(), expected


def test_every_mapped_fhir_element_is_found_with_its_fhirpath(detector: PHIDetector) -> None:
    data, expected = _fhir_bundle()
    found = {f.location.path: f for f in scan_bytes(detector, data, "b.json").findings}
    assert not [path for path in expected if path not in found]
    telecom = "Bundle.entry[0].resource.ofType(Patient).telecom[0].value"
    assert found[telecom].entity is E.US_PHONE
    assert not [p for p in found if "Observation" in p or "gender" in p or "status" in p]
    assert not [p for p in found if p.startswith("Bundle.entry[5]")]  # the Observation


def test_fhir_identifier_system_names_the_number(detector: PHIDetector) -> None:
    patient = {
        "resourceType": "Patient",
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-ssn", "value": "536-22-1234"}],
    }
    found = scan_bytes(detector, json.dumps(patient).encode(), "p.json").findings
    assert [(f.location.path, f.entity) for f in found] == [
        ("Patient.identifier[0].value", E.US_SSN)
    ]


# -- C-CDA ---------------------------------------------------------------------------------------

CCDA = b"""<?xml version="1.0" encoding="UTF-8"?>
<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:sdtc="urn:hl7-org:sdtc">
 <code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/>
 <recordTarget><patientRole>
  <id root="1.2.3.4" extension="ZX-99"/>
  <addr><streetAddressLine>12 rue des Lilas</streetAddressLine><city>Lyon</city>
   <state>ARA</state><postalCode>69003</postalCode><country>FR</country></addr>
  <telecom use="HP" value="tel:555"/>
  <patient><name><given>Marie</given><family>Durand</family></name>
   <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
   <birthTime value="19800214"/><sdtc:deceasedTime value="20231102"/>
   <guardian><addr><city>Paris</city></addr><telecom value="mailto:tuteur@example.org"/>
    <guardianPerson><name><given>Jean</given><family>Durand</family></name></guardianPerson>
   </guardian>
  </patient>
 </patientRole></recordTarget>
 <participant typeCode="IND"><associatedEntity classCode="ECON">
  <telecom value="tel:0100000"/>
  <associatedPerson><name><given>Paul</given><family>Martin</family></name></associatedPerson>
 </associatedEntity></participant>
</ClinicalDocument>
"""


def test_every_mapped_ccda_value_is_found_with_its_path(detector: PHIDetector) -> None:
    found = {f.location.path: f.entity for f in scan_bytes(detector, CCDA, "d.cda.xml").findings}
    role = "/ClinicalDocument/recordTarget/patientRole"
    expected = {
        f"{role}/id/@extension": E.MRN,
        f"{role}/addr/streetAddressLine": E.ADDRESS,
        f"{role}/addr/city": E.ADDRESS,
        f"{role}/addr/postalCode": E.POSTAL_CODE,
        f"{role}/telecom/@value": E.US_PHONE,
        f"{role}/patient/name/given": E.PERSON,
        f"{role}/patient/name/family": E.PERSON,
        f"{role}/patient/birthTime/@value": E.DATE_OF_BIRTH,
        f"{role}/patient/deceasedTime/@value": E.DATE,
        f"{role}/patient/guardian/addr/city": E.ADDRESS,
        f"{role}/patient/guardian/telecom/@value": E.EMAIL,
        f"{role}/patient/guardian/guardianPerson/name/given": E.PERSON,
        "/ClinicalDocument/participant/associatedEntity/telecom/@value": E.US_PHONE,
        "/ClinicalDocument/participant/associatedEntity/associatedPerson/name/family": E.PERSON,
    }
    assert {path: found.get(path) for path in expected} == expected
    assert not [p for p in found if p.endswith(("/state", "/country", "/@code"))]


# -- DICOM --------------------------------------------------------------------------------------

_DICOM_VALUES = {
    "PN": "DOE^JANE",
    "DA": "19800214",
    "DT": "19800214101010",
    "TM": "101010",
    "UI": "1.2.826.0.1.3680043.8.498.12345",
    "CS": "DEV01",
    "IS": "12345",
}
_DICOM_TEXT_VRS = {"LO", "SH", "ST", "LT", "UT", "UC"}


def _dicom_with_every_attribute() -> tuple[bytes, list[str]]:
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.filewriter import dcmwrite
    from pydicom.uid import ExplicitVRLittleEndian

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    meta.MediaStorageSOPInstanceUID = "1.2.3.4.5.6.7.8.9"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = Dataset()
    ds.file_meta = meta
    expected = []
    for tag, attribute in sorted(dicom_map().items()):
        if attribute.phi is None or tag >> 16 in (0x0000, 0x0002):
            continue  # command and file meta groups are not dataset elements
        vr = attribute.vr
        value = _DICOM_VALUES.get(vr) or ("ID-12345" if vr in _DICOM_TEXT_VRS else None)
        if value is None:
            continue
        ds.add_new(tag, vr, value)
        expected.append(f"({tag >> 16:04X},{tag & 0xFFFF:04X})")
    buffer = io.BytesIO()
    dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue(), expected


def test_every_annex_e_attribute_with_a_value_is_found(detector: PHIDetector) -> None:
    data, expected = _dicom_with_every_attribute()
    assert len(expected) > 250
    found = {f.location.path.split(" ")[0] for f in scan_bytes(detector, data, "i.dcm").findings}
    assert not [tag for tag in expected if tag not in found]


# -- tables --------------------------------------------------------------------------------------


def test_header_normalisation() -> None:
    assert normalise_label(" Date de Naissance ") == "date_de_naissance"
    assert normalise_label("Prénom") == "prenom"
    assert normalise_label("Code-Postal") == "code_postal"
    for header, entity in {
        "NOM": E.PERSON,
        "Prénom": E.PERSON,
        "nom-naissance": E.PERSON,
        "Date.Naissance": E.DATE_OF_BIRTH,
        "DDN": E.DATE_OF_BIRTH,
        "N.I.R.": E.FR_NIR,
        "INS": E.FR_INS,
        "IPP": E.MRN,
        "Adresse": E.ADDRESS,
        "Code postal": E.POSTAL_CODE,
        "Téléphone": E.FR_PHONE,
        "DOB": E.DATE_OF_BIRTH,
        "MRN": E.MRN,
        "SSN": E.US_SSN,
        "First Name": E.PERSON,
        "last_name": E.PERSON,
        "Phone": E.FR_PHONE,
    }.items():
        phi = field_for_label(header)
        assert phi is not None and phi.entity is entity, header
    assert field_for_label("Glycémie") is None


def test_every_phi_column_is_found_whatever_the_value(detector: PHIDetector) -> None:
    headers = [
        "Nom", "Prénom", "Nom de naissance", "Date-Naissance", "DDN", "NIR", "INS", "IPP",
        "Adresse", "Code postal", "Téléphone", "DOB", "MRN", "SSN", "First Name", "last_name",
        "Phone", "Glycémie",
    ]  # fmt: skip
    row = [
        "Durand", "Marie", "Berg", "14/02/1980", "1980-02-14", "X80", "Y80", "P-77",
        "12 rue des Lilas", "69003", "555", "02/14/1980", "MR-9", "PSSN", "Jane", "Doe",
        "0100000", "5.4",
    ]  # fmt: skip
    data = (";".join(headers) + "\n" + ";".join(row) + "\n").encode()
    found = scan_bytes(detector, data, "export.csv").findings
    columns = {f.location.path.split("(", 1)[1].rstrip(")") for f in found}
    assert columns == set(headers) - {"Glycémie"}


# -- categories: every finding carries its HIPAA Safe Harbor identifier and French category ------


def _categories(finding: Finding) -> tuple[str, str]:
    return finding.hipaa_identifier, finding.fr_category


def test_every_entity_type_has_default_categories() -> None:
    """Free-text and pattern findings take their entity type's default: none may lack one."""
    known = categories()
    defaults = entity_categories()
    assert set(defaults) == set(E)
    for entity, phi in defaults.items():
        assert phi.entity is entity
        assert phi.hipaa in known["hipaa"] and phi.fr in known["fr"], entity
    # No Safe Harbor letter for an establishment's number: said so, not forced into "R".
    assert (defaults[E.FR_FINESS].hipaa, defaults[E.FR_FINESS].fr) == ("none", "etablissement")


def test_categories_document_refuses_a_missing_default_or_label() -> None:
    text = resources.files("hygie.privacy.engine.fields").joinpath("categories.yml").read_text()
    data = yaml.safe_load(text)
    del data["entities"]["IBAN"]
    with pytest.raises(ValueError, match="IBAN"):
        categories_from(data)
    data = yaml.safe_load(text)
    data["entities"]["IBAN"] = {"hipaa": "Z", "fr": "financier"}
    with pytest.raises(ValueError, match="unknown category"):
        categories_from(data)
    data = yaml.safe_load(text)
    data["hipaa"]["A"] = {"en": "Names"}
    with pytest.raises(ValueError, match="long and short"):
        categories_from(data)


def test_every_category_has_an_english_and_a_french_label() -> None:
    from hygie.privacy.engine.fields import category_table

    table = category_table()
    for label in (*table.hipaa.values(), *table.fr.values()):
        assert label.get("fr") == label.fr and label.get(None) == label.en
        assert label.short.en and label.short.fr and len(label.short.en) <= len(label.en)


def test_hl7_findings_carry_their_field_map_categories(hl7_findings: dict[str, Finding]) -> None:
    """Each mapped component's finding has the categories the map gives it (its field's own
    hipaa/fr over its data type's), whenever the finding is of the entity the map names."""
    fields = hl7_map()
    checked = 0
    for path, finding in hl7_findings.items():
        key = path.split(".", 1)[0].split("(", 1)[0]
        entry = fields.fields.get(key)
        if entry is None:
            continue
        component, sub = (path.split(".") + ["1", "1"])[1:3] if "." in path else ("1", "1")
        phi = fields.component(entry, entry.datatype, int(component), int(sub))
        if phi is not None and phi.entity is finding.entity:
            assert _categories(finding) == (phi.hipaa, phi.fr), path
            checked += 1
    assert checked > 100


def test_a_field_override_wins_over_its_data_type(hl7_findings: dict[str, Finding]) -> None:
    assert _categories(hl7_findings["PID-3.1"]) == ("H", "identifiant")  # CX: a record number
    assert _categories(hl7_findings["PID-18.1"]) == ("J", "identifiant")  # CX, own hipaa: account
    assert _categories(hl7_findings["IN1-49.1"]) == ("I", "identifiant")  # health plan number
    assert _categories(hl7_findings["PID-20.1"]) == ("K", "identifiant")  # DLN: a licence
    assert _categories(hl7_findings["IN1-36"]) == ("I", "identifiant")  # ST, the field's own
    assert _categories(hl7_findings["PID-7"]) == ("C", "date")
    assert _categories(hl7_findings["PID-5.1.1"]) == ("A", "identite")
    assert _categories(hl7_findings["PID-11.5"]) == ("B", "lieu")
    assert _categories(hl7_findings["PID-14.6"]) == ("D", "coordonnees")


def test_cx_type_code_gives_its_categories(detector: PHIDetector) -> None:
    message = b"MSH|^~\\&|A|B|C|D|20240214||ADT^A01|1|P|2.5.1\rPID|1||536-22-1234^^^SSA^SS\r"
    (finding,) = scan_bytes(detector, message, "m.hl7").findings
    assert finding.entity is E.US_SSN and _categories(finding) == ("G", "nir")


def test_fhir_ccda_dicom_and_table_findings_carry_their_map_categories(
    detector: PHIDetector,
) -> None:
    data, _expected = _fhir_bundle()
    fields = fhir_map()
    for finding in scan_bytes(detector, data, "b.json").findings:
        kind, rest = finding.location.path.split("ofType(", 1)[1].split(").", 1)
        element = ".".join(part.split("[")[0] for part in rest.split("."))
        phi = fields.element(kind, element)
        assert phi is not None, finding.location.path
        if phi.entity is finding.entity:
            assert _categories(finding) == (phi.hipaa, phi.fr), finding.location.path
    photo = "Bundle.entry[0].resource.ofType(Patient).photo[0].url"
    found = {f.location.path: f for f in scan_bytes(detector, data, "b.json").findings}
    assert _categories(found[photo]) == ("Q", "identite")  # a URL, but the field says a photo
    cda = {f.location.path: f for f in scan_bytes(detector, CCDA, "d.cda.xml").findings}
    role = "/ClinicalDocument/recordTarget/patientRole"
    assert _categories(cda[f"{role}/id/@extension"]) == ("H", "identifiant")
    assert _categories(cda[f"{role}/patient/birthTime/@value"]) == ("C", "date")
    # The map calls a telecom a phone; a mailto: there is an e-mail, with the e-mail's letter.
    assert _categories(cda[f"{role}/patient/guardian/telecom/@value"]) == ("F", "coordonnees")
    dicom, _tags = _dicom_with_every_attribute()
    annex = dicom_map()
    for finding in scan_bytes(detector, dicom, "i.dcm").findings:
        tag = finding.location.path.split(" ")[0]
        attribute = annex[int(tag[1:5] + tag[6:10], 16)]
        if attribute.phi is not None and attribute.phi.entity is finding.entity:
            assert _categories(finding) == (attribute.phi.hipaa, attribute.phi.fr), tag
    uid = {f.location.path.split(" ")[0]: f for f in scan_bytes(detector, dicom, "i.dcm").findings}
    assert _categories(uid["(0008,0018)"]) == ("R", "appareil")  # SOP Instance UID
    table = b"IPP;Courriel;Glyc\xc3\xa9mie\nP-77;marie@example.org;5.4\n"
    columns = {f.table_column: f for f in scan_bytes(detector, table, "t.csv").findings}
    assert _categories(columns["1 (IPP)"]) == ("H", "identifiant")
    assert _categories(columns["2 (Courriel)"]) == ("F", "coordonnees")


def test_free_text_findings_take_their_entity_default(detector: PHIDetector) -> None:
    note = (
        "Patiente Marie Durand, née le 14/02/1980, NIR 2 80 02 75 123 456 19, "
        "tél. 01 45 67 89 12, courriel marie.durand@example.org, FINESS 750712184.\n"
    ).encode()
    findings = scan_bytes(detector, note, "note.txt").findings
    defaults = entity_categories()
    assert {f.entity for f in findings} >= {E.PERSON, E.DATE_OF_BIRTH, E.FR_PHONE, E.EMAIL}
    for finding in findings:
        phi = defaults[finding.entity]
        assert _categories(finding) == (phi.hipaa, phi.fr), finding.entity


def test_value_only_mode_gives_entity_defaults() -> None:
    data, _expected = _hl7_message()
    blind = PHIDetector(ScanConfig(hmac_key=KEY, field_semantics=False))
    defaults = entity_categories()
    for finding in scan_bytes(blind, data, "m.hl7").findings:
        phi = defaults[finding.entity]
        assert _categories(finding) == (phi.hipaa, phi.fr)
