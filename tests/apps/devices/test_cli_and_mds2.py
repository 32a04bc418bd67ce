"""``hygie devices import-feed`` and ``import-inventory``, and the MDS2 form import."""

from __future__ import annotations

import io
import json

import pytest
from click.testing import CliRunner
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from hygie.devices.cli import devices as devices_cli
from hygie.devices.models import Advisory, Device, FeedImport
from hygie.devices.services import mds2
from tests.apps.devices.conftest import KEV
from tests.apps.devices.test_imports import GMAO

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_import_feed_command(tmp_path, pumps, demo_advisory_bytes):
    advisory = tmp_path / "demo.json"
    advisory.write_bytes(demo_advisory_bytes)
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = CliRunner().invoke(devices_cli, ["import-feed", "csaf", str(advisory)])
    assert result.exit_code == 0, result.output
    assert "imported" in result.output and Advisory.objects.count() == 1
    result = CliRunner().invoke(devices_cli, ["import-feed", "csaf", str(bad), str(advisory)])
    assert result.exit_code == 1 and "refused" in result.output
    kev = tmp_path / "kev.json"
    kev.write_text(json.dumps(KEV))
    assert CliRunner().invoke(devices_cli, ["import-feed", "kev", str(kev)]).exit_code == 0
    assert FeedImport.objects.filter(status="failed").count() == 1


def test_import_inventory_command(tmp_path, establishment_a):
    path = tmp_path / "gmao.csv"
    path.write_text(GMAO, encoding="utf-8")
    args = ["import-inventory", str(path), "--establishment", str(establishment_a.pk)]
    checked = CliRunner().invoke(devices_cli, args)
    assert checked.exit_code == 0, checked.output
    assert "2 new" in checked.output and not Device.objects.exists()
    written = CliRunner().invoke(devices_cli, [*args, "--commit"])
    assert written.exit_code == 0 and Device.objects.count() == 2
    mapped = CliRunner().invoke(
        devices_cli, [*args, "--mapping", "hostname=Nom d'hôte,serial_number=Numéro de série"]
    )
    assert mapped.exit_code == 0 and "2 merged" in mapped.output
    wrong = CliRunner().invoke(devices_cli, [*args, "--mapping", "hostname=Nope"])
    assert wrong.exit_code == 2


def _mds2_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DOC-1", "Manufacturer Name", "Ventila Medical"])
    sheet.append(["DOC-3", "Device Model", "VentiCare 800"])
    sheet.append(["AUTH-1", "Can the device be configured to authenticate users?", "Yes", ""])
    sheet.append(["MLDP-2", "Does the device support malware protection?", "No", "note"])
    sheet.append(["TXCF-1", "Can personally identifiable information be encrypted?", "N/A"])
    sheet.append(["XXXX-1", "Not a section of the form", "Yes"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_mds2_form_import(make_device, biomed):
    device = make_device("respi-50")
    mds2.import_mds2(device, biomed, _mds2_xlsx())
    device.refresh_from_db()
    assert device.manufacturer == "Ventila Medical" and device.model_name == "VentiCare 800"
    assert device.mds2["answers"] == {"AUTH-1": "yes", "MLDP-2": "no", "TXCF-1": "n/a"}
    rows = {row["section"]: row for row in mds2.summary_rows(device.mds2)}
    assert rows["AUTH"]["yes"] == 1 and rows["MLDP"]["no"] == 1


@pytest.mark.parametrize("data", [b"not a spreadsheet", b"PK\x03\x04broken"])
def test_mds2_bad_files(make_device, data):
    with pytest.raises(ValidationError):
        mds2.import_mds2(make_device("x-1"), None, data)
