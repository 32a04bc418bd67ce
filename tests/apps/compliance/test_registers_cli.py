"""``hygie compliance register`` and ``hygie compliance dpia``: exports for auditors from the
command line, audited, never half-written."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from hygie.compliance.cli import compliance
from hygie.compliance.models import DPIA
from hygie.compliance.services import registers
from hygie.core.models import AuditEntry

pytestmark = pytest.mark.django_db(transaction=False)


def test_register_export(tmp_path, establishment_a, establishment_b):
    registers.create_from_preset(establishment_a, "imaging", None, name="PACS Alpha")
    registers.create_from_preset(establishment_b, "imaging", None, name="PACS Beta")
    target = tmp_path / "register.xlsx"
    done = CliRunner().invoke(
        compliance,
        [
            "register",
            "--format",
            "xlsx",
            "--establishment",
            str(establishment_a.pk),
            "-o",
            str(target),
        ],
    )
    assert done.exit_code == 0, done.output
    from openpyxl import load_workbook

    names = [row[1] for row in load_workbook(io.BytesIO(target.read_bytes())).active.values]
    assert "PACS Alpha" in names and "PACS Beta" not in names
    assert not list(tmp_path.glob("*.part"))
    assert AuditEntry.objects.filter(action="export", establishment_id=establishment_a.pk).exists()
    unwritable = CliRunner().invoke(
        compliance, ["register", "-o", str(tmp_path / "missing-folder" / "r.pdf")]
    )
    assert unwritable.exit_code == 2


def test_dpia_export(tmp_path, establishment_a):
    activity = registers.create_from_preset(establishment_a, "patient-record", None)
    dpia = DPIA.objects.create(establishment=establishment_a, processing=activity, title="AIPD")
    target = tmp_path / "dpia.pdf"
    done = CliRunner().invoke(compliance, ["dpia", str(dpia.pk), "-o", str(target)])
    assert done.exit_code == 0, done.output
    assert target.read_bytes().startswith(b"%PDF")
    missing = CliRunner().invoke(compliance, ["dpia", "999999", "-o", str(tmp_path / "x.pdf")])
    assert missing.exit_code == 1 and not (tmp_path / "x.pdf").exists()
