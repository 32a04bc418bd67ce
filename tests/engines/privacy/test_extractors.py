"""Extractors treat input as hostile: corrupt files, bombs, tricks give clear errors, no crash."""

from __future__ import annotations

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygie.privacy.engine import (
    ArchiveLimitError,
    ArchiveLimits,
    Backend,
    ExtractionError,
    PHIDetector,
    ScanConfig,
    extract,
    scan_bytes,
    sniff_format,
)

from . import builders
from .conftest import KEY


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("a.hl7", b"MSH|^~\\&|x", "hl7v2"),
        ("noext", b"MSH|^~\\&|A|B", "hl7v2"),
        ("a.json", b"{}", "json"),
        ("a.ndjson", b"{}\n{}", "ndjson"),
        ("a.xml", b"<a/>", "xml"),
        ("a.ccda", b"<ClinicalDocument/>", "xml"),
        ("a.csv", b"a,b", "csv"),
        ("a.txt", b"hello", "text"),
        ("a.eml", b"From: a@b.fr\n\nbody", "eml"),
        ("noext", b"Received: x\nFrom: a@b.fr\n\nbody", "eml"),
        ("a.pdf", b"%PDF-1.4", "pdf"),
    ],
)
def test_sniffing(name: str, data: bytes, expected: str) -> None:
    assert sniff_format(data, name) == expected


def test_sniffs_office_files_by_content() -> None:
    assert sniff_format(builders.docx_bytes(), "renamed.bin") == "docx"
    assert sniff_format(builders.xlsx_bytes(), "renamed.bin") == "xlsx"
    assert sniff_format(builders.dicom_bytes(), "IM0001") == "dicom"


def test_zip_bomb_by_ratio_is_rejected(detector: PHIDetector) -> None:
    bomb = builders.zip_bytes({"zeros.txt": b"\0" * (20 * 1024 * 1024)})
    with pytest.raises(ArchiveLimitError, match="zip bomb"):
        scan_bytes(detector, bomb, "bomb.zip")


def test_archive_member_count_limit() -> None:
    config = ScanConfig(hmac_key=KEY, archive_limits=ArchiveLimits(max_members=3))
    many = builders.zip_bytes({f"f{i}.txt": b"x" for i in range(5)})
    with pytest.raises(ArchiveLimitError, match="5 members"):
        extract(many, "many.zip", config.archive_limits)


def test_archive_depth_limit_skips_deeper_members(detector: PHIDetector) -> None:
    data = builders.zip_bytes({"note.txt": b"Mme Nathalie ROUSSEL"})
    for level in range(5):
        data = builders.zip_bytes({f"level{level}.zip": data})
    result = scan_bytes(detector, data, "deep.zip")
    assert not result.findings
    assert any("nested deeper" in s.reason for s in result.skipped)


def test_broken_member_is_skipped_and_the_rest_scanned(detector: PHIDetector) -> None:
    good = builders.zip_bytes({"a.txt": b"NIR 295109912611193", "b.json": b"{not json"})
    result = scan_bytes(detector, good, "mixed.zip")
    assert [f.entity.value for f in result.findings] == ["FR_NIR"]
    assert [(s.member, "invalid JSON" in s.reason) for s in result.skipped] == [("b.json", True)]


def test_truncated_zip_is_an_extraction_error(detector: PHIDetector) -> None:
    data = builders.nested_zip_bytes()
    with pytest.raises(ExtractionError):
        scan_bytes(detector, data[: len(data) // 2], "cut.zip")


def test_xml_entity_expansion_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><l>&b;</l>'
    )
    with pytest.raises(ExtractionError, match="entity"):
        extract(laughs, "laughs.xml")


def test_external_entities_are_refused() -> None:
    xxe = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'
    with pytest.raises(ExtractionError):
        extract(xxe, "xxe.xml")


def test_deep_json_is_refused() -> None:
    with pytest.raises(ExtractionError, match="too deep"):
        extract(b"[" * 10_000 + b"]" * 10_000, "deep.json")


def test_json_error_gives_a_position_without_content() -> None:
    with pytest.raises(ExtractionError) as caught:
        extract(b'{"name": "Roussel",\n "nir": 29001750560232 3}', "bad.json")
    assert "line 2" in str(caught.value) and "Roussel" not in str(caught.value)


def test_binary_file_read_as_text_is_refused() -> None:
    with pytest.raises(ExtractionError, match="binary"):
        extract(bytes(range(256)) * 10, "blob.txt")


def test_windows_1252_text_is_decoded(detector: PHIDetector) -> None:
    data = "Patient : Mme Hélène DUPRÉ née le 01/01/1990".encode("cp1252")
    result = scan_bytes(detector, data, "legacy.txt")
    assert {f.entity.value for f in result.findings} == {"PERSON", "DATE_OF_BIRTH"}


def test_utf16_with_bom_is_decoded(detector: PHIDetector) -> None:
    data = "NIR 295109912611193".encode("utf-16")
    assert [f.entity.value for f in scan_bytes(detector, data, "u16.txt").findings] == ["FR_NIR"]


def test_non_ascii_offsets_are_character_offsets(hs_detector: PHIDetector) -> None:
    text = "éééé Tél : 06 12 34 56 78"
    [finding] = hs_detector.detect(extract(text.encode(), "a.txt"))
    assert text[finding.start : finding.end] == "06 12 34 56 78"
    assert finding.location.column == text.index("06") + 1


def test_csv_quoted_cells_and_column_verdicts(detector: PHIDetector) -> None:
    data = b'nom,"commentaire"\n"DURAND","ligne 1\nligne 2 NIR 295109912611193"\nMARTIN,RAS\n'
    result = scan_bytes(detector, data, "q.csv")
    by_entity = {f.entity.value: f for f in result.findings}
    assert by_entity["FR_NIR"].table_column == "2 (commentaire)"
    verdicts = {
        (c.column, c.entity.value): (c.rows_with_entity, c.total_rows) for c in result.columns
    }
    assert verdicts[("1 (nom)", "PERSON")] == (2, 2)


def test_pdf_corrupt_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError):
        extract(b"%PDF-1.4\n1 0 obj garbage", "x.pdf")


def test_dicom_pixel_data_is_not_read() -> None:
    doc = extract(builders.dicom_bytes(), "x.dcm")
    assert "PixelData" not in doc.text and all("7FE0" not in s.path for s in doc.segments)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.binary(max_size=400),
    st.sampled_from(
        [
            "a.txt",
            "a.csv",
            "a.json",
            "a.xml",
            "a.hl7",
            "a.eml",
            "a.zip",
            "a.pdf",
            "a.dcm",
            "a.ndjson",
            "a.docx",
            "a.xlsx",
        ]
    ),
)
def test_random_bytes_never_crash(detector: PHIDetector, data: bytes, name: str) -> None:
    try:
        scan_bytes(detector, data, name)
    except ExtractionError:
        pass


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(min_value=0, max_value=2000))
def test_truncated_valid_files_never_crash(detector: PHIDetector, cut: int) -> None:
    for name, build in builders.BINARY_CASES.items():
        data = build()
        try:
            scan_bytes(detector, data[: min(cut, len(data))], name)
        except ExtractionError:
            pass


def test_zip_with_encrypted_member_is_reported() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("plain.txt", b"ok")
    raw = bytearray(buffer.getvalue())
    # Set the "encrypted" flag bit in the local header and the central directory entry.
    raw[6] |= 1
    central = raw.find(b"PK\x01\x02")
    raw[central + 8] |= 1
    detector = PHIDetector(ScanConfig(hmac_key=KEY, backend=Backend.RE))
    result = scan_bytes(detector, bytes(raw), "enc.zip")
    assert [s.reason for s in result.skipped] == ["encrypted archive member"]


def test_xml_code_attributes_and_oids_are_not_data(detector: PHIDetector) -> None:
    xml = (
        b'<ClinicalDocument xmlns="urn:hl7-org:v3"><code code="4111111111111111" '
        b'codeSystem="2.16.840.1.113883.6.96"/><id root="1.2.840.113619.2.62.994044785528.2006"'
        b' extension="X1"/><text>Carte 4111 1111 1111 1111</text></ClinicalDocument>'
    )
    result = scan_bytes(detector, xml, "doc.xml")
    assert [(f.entity.value, f.location.path) for f in result.findings] == [
        ("CREDIT_CARD", "/ClinicalDocument/text")
    ]


def test_invalid_ssn_in_an_identifier_field_is_a_record_number(detector: PHIDetector) -> None:
    message = (
        b"MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5\r"
        b"PID|1||X1||DOE^JOHN||||||||||||||000-12-3456\r"
    )
    findings = {f.location.path: f for f in scan_bytes(detector, message, "m.hl7").findings}
    assert findings["PID-19"].entity.value == "MRN" and findings["PID-19"].confidence == 0.5
