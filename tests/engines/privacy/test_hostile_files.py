"""One bad file never blinds a scan (issue 9, defect 4): every extractor failure, whatever its
type, becomes a per-file "skipped: reason" and the other files are still scanned."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from hygie.cli.scan import scan
from hygie.privacy.engine import ExtractionError, PHIDetector, scan_bytes

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
