"""Inventory import with a column-mapping step: proposed mapping, dry run with row errors that
never echo a value, all or nothing, dedup and merge (serial, MAC, IP + host name), aliases."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from hygie.core.models import Asset
from hygie.devices.models import Device, InventoryImport, VendorAlias
from hygie.devices.services import imports

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GMAO = (
    "N° inventaire;Nom d'hôte;Adresse IP;Adresse MAC;Fabricant;Modèle;Version logicielle;"
    "Numéro de série;Fonction clinique;Connecté au patient;Fin de support\n"
    "INV-1;pompe-10;10.45.60.10;02:00:5e:00:00:10;Becton Dickinson;Alaris 8015;9.33.1;"
    "SN-0010;vital;oui;31/12/2027\n"
    "INV-2;moniteur-11;10.45.60.11;02:00:5e:00:00:11;Cardiosoft;VitaWatch M3;3.1;"
    "SN-0011;monitorage;non;\n"
)


def _start(user, establishment, text: str) -> InventoryImport:
    return imports.start(user, establishment, text.encode("utf-8"))


def test_columns_are_detected_and_a_mapping_proposed(biomed, establishment_a):
    job = _start(biomed, establishment_a, GMAO)
    assert job.columns[1] == "Nom d'hôte" and len(job.rows) == 2
    names = {field: job.columns[index] for field, index in job.mapping.items()}
    assert names["hostname"] == "Nom d'hôte"
    assert names["serial_number"] == "Numéro de série"
    assert names["mac_address"] == "Adresse MAC"
    assert names["manufacturer"] == "Fabricant"
    assert names["version"] == "Version logicielle"
    assert names["clinical_function"] == "Fonction clinique"
    assert "N° inventaire" not in names.values()


def test_check_then_commit_creates_devices_with_aliases(biomed, establishment_a):
    VendorAlias.objects.create(alias="Becton Dickinson", canonical="BD")
    job = _start(biomed, establishment_a, GMAO)
    job = imports.check(biomed, job, job.mapping)
    assert job.status == "validated", job.report
    assert job.report["creates"] == 2 and job.report["merges"] == 0
    assert not Device.objects.exists()  # a dry run writes nothing
    imports.commit(biomed, job)
    pump = Device.objects.get(asset__hostname="pompe-10")
    assert pump.manufacturer == "BD" and pump.model_name == "Alaris 8015"
    assert pump.clinical_function == "life_sustaining" and pump.patient_connected
    assert str(pump.support_end) == "2027-12-31"
    assert pump.asset.kind == "medical_device"
    assert pump.asset.mac_addresses == ["02:00:5e:00:00:10"]
    assert job.status == "committed"


def test_row_errors_name_row_and_column_but_never_the_value(biomed, establishment_a):
    secret = "VALEUR-SECRETE-42"
    text = GMAO + f"INV-3;pompe-12;{secret};;Perfusia;P5;1;SN-12;{secret};peut-être;{secret}\n"
    job = _start(biomed, establishment_a, text)
    job = imports.check(biomed, job, job.mapping)
    assert job.status == "invalid"
    errors = job.report["errors"]
    assert {(e["row"], e["column"]) for e in errors} >= {
        (4, "Adresse IP"),
        (4, "Fonction clinique"),
        (4, "Connecté au patient"),
        (4, "Fin de support"),
    }
    assert secret not in repr(job.report)
    assert "peut-être" not in repr(job.report)
    with pytest.raises(ValidationError):
        imports.commit(biomed, job)
    assert not Device.objects.exists() and not Asset.objects.exists()  # all or nothing


def test_commit_is_all_or_nothing_when_the_inventory_changed(biomed, establishment_a):
    job = _start(biomed, establishment_a, GMAO)
    job = imports.check(biomed, job, job.mapping)
    # Meanwhile the same serial appears twice in the file's view of the inventory: break row 3.
    job.rows[1][7] = job.rows[0][7]
    job.save()
    with pytest.raises(ValidationError):
        imports.commit(biomed, job)
    assert not Device.objects.exists() and not Asset.objects.exists()


def test_mapping_needs_an_identifying_column(biomed, establishment_a):
    job = _start(biomed, establishment_a, GMAO)
    with pytest.raises(ValidationError):
        imports.check(biomed, job, {"manufacturer": 4})
    with pytest.raises(ValidationError):
        imports.check(biomed, job, {"hostname": 1, "serial_number": 1})
    with pytest.raises(ValidationError):
        imports.check(biomed, job, {"hostname": 99})


def test_dedup_by_serial_mac_and_ip_with_host_name(biomed, establishment_a, make_device):
    by_serial = make_device("ancien-nom", serial_number="SN-0010", manufacturer="BD")
    by_mac = Asset.objects.create(
        establishment=establishment_a,
        hostname="poste-moniteur",
        kind="workstation",
        mac_addresses=["02:00:5e:00:00:11"],
    )
    by_ip = Asset.objects.create(
        establishment=establishment_a,
        hostname="scanner-13",
        kind="medical_device",
        ip_addresses=["10.45.60.13"],
    )
    text = GMAO + "INV-3;scanner-13;10.45.60.13;;Imagix;CT Console;R2.1.3 SP2;;imagerie;non;\n"
    job = _start(biomed, establishment_a, text)
    job = imports.check(biomed, job, job.mapping)
    assert job.report["merges"] == 3 and job.report["creates"] == 0, job.report
    assert job.report["merged_by"] == {"serial": 1, "mac": 1, "ip_hostname": 1}
    imports.commit(biomed, job)
    assert Asset.objects.count() == 3 and Device.objects.count() == 3
    by_serial.refresh_from_db()
    assert by_serial.asset.hostname == "ancien-nom"  # the inventory keeps its host name
    assert by_serial.version == "9.33.1"
    monitor = Device.objects.get(asset=by_mac)
    assert monitor.model_name == "VitaWatch M3"
    by_mac.refresh_from_db()
    assert by_mac.kind == "medical_device"
    assert Device.objects.get(asset=by_ip).version == "R2.1.3 SP2"


def test_duplicates_inside_the_file_are_errors(biomed, establishment_a):
    text = GMAO + GMAO.splitlines()[1].replace("pompe-10", "pompe-99") + "\n"
    job = _start(biomed, establishment_a, text)
    job = imports.check(biomed, job, job.mapping)
    assert job.status == "invalid"
    assert any(error["row"] == 4 for error in job.report["errors"])


def test_xlsx_cmms_export(biomed, establishment_a):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Hostname", "Manufacturer", "Model", "Version", "Serial"])
    sheet.append(["labo-01", "Labomatic", "BioAnalyzer 900", 9.3, "LAB-1"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = imports.start(biomed, establishment_a, buffer.getvalue())
    assert job.columns == ["Hostname", "Manufacturer", "Model", "Version", "Serial"]
    job = imports.check(biomed, job, job.mapping)
    imports.commit(biomed, job)
    assert Device.objects.get().version == "9.3"


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfeh\x00", b"hostname\n", b'hostname;model\n"unterminated;x\n'],
)
def test_bad_files_are_refused_with_a_message(biomed, establishment_a, data):
    with pytest.raises(ValidationError):
        imports.start(biomed, establishment_a, data)
    assert not InventoryImport.objects.exists()


def test_other_establishment_is_refused(biomed, establishment_b):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _start(biomed, establishment_b, GMAO)
