"""The privacy demo (``hygie demo``, ``make run``): a completed scan of fictitious documents."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from hygie.core.models import Alert
from hygie.core.services.demo import load_demo
from hygie.privacy import demo
from hygie.privacy.engine.validators import nir_key
from hygie.privacy.models import PHIFinding, ScanRoot, ScanRun, demo_folder
from hygie.privacy.services import inventory_summary, start_scan

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def home(tmp_path, settings) -> Path:
    settings.HYGIE_HOME = str(tmp_path)
    settings.HYGIE_PRIVACY_SCAN_ROOTS = []  # the demo folder needs no administrator setting
    return tmp_path


def test_demo_has_a_completed_scan_with_findings(home):
    load_demo()
    root = ScanRoot.objects.get(label=demo.ROOT_LABEL)
    run = ScanRun.objects.get(root=root)
    assert run.status == "succeeded" and run.files_skipped == 0
    assert run.files_scanned == 6 and run.findings_count > 0
    found = set(PHIFinding.objects.filter(root=root).values_list("relative_path", "entity_type"))
    for expected in (
        ("exports/patients_urgences_mars.csv", "FR_NIR"),
        ("courriers/compte_rendu_urgences.txt", "FR_NIR"),
        ("courriers/lettre_liaison_sortie.docx", "FR_NIR"),
        ("interfaces/adt_a01_admission.hl7", "PERSON"),
        ("interfaces/patient_dmp.fhir.json", "FR_INS"),
    ):
        assert expected in found
    assert not [path for path, _entity in found if path.startswith("reunions/")]
    summary = inventory_summary(root.establishment)
    # One row per kind of data in a file: an entity type with its categories (the HL7 message's
    # record and account numbers are both MRN, under HIPAA H and J).
    kinds = PHIFinding.objects.filter(root=root).values_list(
        "relative_path", "entity_type", "hipaa_identifier", "fr_category"
    )
    assert summary["total_locations"] == len(set(kinds)) >= len(found) and summary["trend"]
    assert all(hipaa and fr for _path, _entity, hipaa, fr in kinds)
    assert Alert.objects.filter(rule_id="privacy.national_identifiers_on_shared_drive").exists()


def test_demo_documents_are_fictitious(home):
    demo.write_demo_documents()
    share = demo_folder() / "partage-administratif"
    export = share / "exports" / "patients_urgences_mars.csv"
    rows = list(csv.DictReader(export.open(encoding="utf-8"), delimiter=";"))
    assert rows
    for row in rows:
        assert row["nom"] in demo._SURNAMES and row["prenom"] in demo._GIVEN
        assert row["courriel"].endswith(".invalid") and row["telephone"].startswith("01 99 ")
        assert row["nir"][-2:] == nir_key(row["nir"][:13])  # valid key, made-up body
    for path in share.rglob("*"):
        if path.is_file():
            assert path.stat().st_mode & 0o077 == 0  # private to the service account


def test_demo_root_can_be_scanned_again(home, make_user):
    load_demo()
    root = ScanRoot.objects.get(label=demo.ROOT_LABEL)
    dpo = make_user("dpo-demo", "dpo", [root.establishment])
    run = start_scan(dpo, root=root)
    assert run.status == "succeeded" and run.findings_count > 0
