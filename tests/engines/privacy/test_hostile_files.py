"""One bad file never blinds a scan (issue 9, defect 4): every extractor failure, whatever its
type, becomes a per-file "skipped: reason" and the other files are still scanned."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hygie.privacy.cli import scan
from hygie.privacy.engine import ExtractionError, PHIDetector, scan_bytes
from hygie.privacy.files import scan_file

from . import builders

NOTE = "Patient : Mme Nathalie ROUSSEL\nNIR : 2 90 01 75 056 023 23\n"


def malformed_docx() -> bytes:
    """A real DOCX whose ``[Content_Types].xml`` is not well-formed XML (the review's case)."""
    source = zipfile.ZipFile(io.BytesIO(builders.docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = b'<?xml version="1.0"?><Types xmlns="broken"><Default'
            target.writestr(info.filename, data)
    return out.getvalue()


def test_malformed_docx_is_an_extraction_error(detector: PHIDetector) -> None:
    with pytest.raises(ExtractionError) as error:
        scan_bytes(detector, malformed_docx(), "report.docx")
    assert "docx" in error.value.message


def test_corrupt_deflate_member_is_skipped_not_raised(detector: PHIDetector) -> None:
    data = bytearray(builders.zip_bytes({"a.txt": NOTE.encode() * 50, "b.txt": NOTE.encode()}))
    start = data.index(b"a.txt") + len(b"a.txt")  # first local header's file name ends here
    data[start + 5 : start + 25] = b"\xff" * 20  # corrupt the deflate stream of a.txt
    result = scan_bytes(detector, bytes(data), "bundle.zip")
    assert [s.member for s in result.skipped][:1] == ["a.txt"]


def test_cli_reports_the_bad_docx_as_skipped_and_scans_the_rest(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text(NOTE, encoding="utf-8")
    (tmp_path / "report.docx").write_bytes(malformed_docx())
    for report_format in ("json", "sarif"):
        result = CliRunner().invoke(
            scan,
            ["--no-progress", "--backend", "re", "--format", report_format, str(tmp_path)],
            env={"HYGIE_SECRET_KEY": "unit-test-secret"},
        )
        assert result.exit_code == 1, result.output
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        )
        report = json.loads(result.output)
        if report_format == "json":
            assert {Path(f["file"]).name for f in report["findings"]} == {"note.txt"}
            [skipped] = report["skipped"]
            assert skipped["file"].endswith("report.docx") and "docx" in skipped["reason"]
        else:
            notes = report["runs"][0]["invocations"][0]["toolExecutionNotifications"]
            assert any("report.docx" in n["message"]["text"] for n in notes)
            assert report["runs"][0]["results"]


# --- property test: corrupt files of every supported format ---------------------------------

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "privacy"
SAMPLES: dict[str, bytes] = {}


def _samples() -> dict[str, bytes]:
    """One valid synthetic file per supported format, keyed by a name with its extension."""
    if not SAMPLES:
        SAMPLES.update(
            {
                "scan.pdf": builders.pdf_bytes(),
                "report.docx": builders.docx_bytes(),
                "patients.xlsx": builders.xlsx_bytes(),
                "image.dcm": builders.dicom_bytes(),
                "bundle.zip": builders.nested_zip_bytes(),
            }
        )
        for name, fixture in (
            ("letter.eml", "letter.eml.in"),
            ("adt.hl7", "adt_a01.hl7.in"),
            ("patient.json", "patient.fhir.json.in"),
            ("summary.xml", "summary.cda.xml.in"),
            ("export.csv", "export_patients.csv.in"),
            ("note.txt", "note_fr.txt.in"),
        ):
            SAMPLES[name] = (FIXTURES / fixture).read_bytes()
    return SAMPLES


FORMAT_NAMES = sorted(_samples())


@st.composite
def corrupt_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file of some format, then truncated, bit-flipped, spliced, or replaced by noise."""
    name = draw(st.sampled_from(FORMAT_NAMES))
    data = bytearray(_samples()[name])
    how = draw(st.sampled_from(("truncate", "flip", "splice", "random")))
    if how == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "flip":
        for _ in range(draw(st.integers(1, 16))):
            index = draw(st.integers(0, len(data) - 1))
            data[index] ^= 1 << draw(st.integers(0, 7))
    elif how == "splice":
        start = draw(st.integers(0, len(data)))
        data[start : start + draw(st.integers(0, 64))] = draw(st.binary(max_size=64))
    else:
        data = bytearray(draw(st.binary(max_size=4096)))
    return name, bytes(data)


@settings(
    max_examples=int(os.environ.get("HYGIE_FUZZ_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=corrupt_files())
def test_corrupt_files_give_findings_or_a_skip_never_an_exception(
    detector: PHIDetector, tmp_path: Path, case: tuple[str, bytes]
) -> None:
    name, data = case
    path = tmp_path / name
    path.write_bytes(data)
    outcome = scan_file(detector, path)  # the per-file step of `hygie scan` and the platform
    assert (outcome.result is None) == bool(outcome.reason)
    if outcome.result is None:
        assert outcome.reason and len(outcome.reason) <= 300
        assert "ROUSSEL" not in outcome.reason and "Nathalie" not in outcome.reason
    else:
        for part in outcome.result.skipped:
            assert "ROUSSEL" not in part.reason


def test_every_sample_is_scanned_with_findings(detector: PHIDetector, tmp_path: Path) -> None:
    """The uncorrupted samples are read: the property test starts from real files."""
    for name, data in _samples().items():
        (tmp_path / name).write_bytes(data)
        outcome = scan_file(detector, tmp_path / name)
        assert outcome.result is not None and outcome.result.findings_total, name


def test_memory_error_in_an_extractor_is_a_skip(
    detector: PHIDetector, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A decompression bomb that exhausts memory inside a parser: skipped, the scan goes on."""
    import docx

    def exhausted(*_args: object, **_kwargs: object) -> None:
        raise MemoryError

    (tmp_path / "bomb.docx").write_bytes(builders.docx_bytes())
    monkeypatch.setattr(docx, "Document", exhausted)
    outcome = scan_file(detector, tmp_path / "bomb.docx")
    assert outcome.result is None and "memory" in outcome.reason
