"""Scans through the real job mechanism: findings, re-scans, allow-list, symlinks, uploads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from hygie.core.models import Alert, AuditEntry, Job
from hygie.privacy import services
from hygie.privacy.models import PHIFinding, ScanRoot, ScanRun, risk_score
from tests.apps.privacy.conftest import CSV, NOTE

# Messages are compared in English (French is the product default).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _findings(run: ScanRun) -> dict[tuple[str, str], PHIFinding]:
    return {(f.relative_path, f.entity_type): f for f in PHIFinding.objects.filter(root=run.root)}


def test_scan_of_a_root_stores_aggregated_findings(scanned, root_a):
    job = Job.objects.get(pk=scanned.job_id)
    assert job.kind == services.JOB_KIND and job.status == "succeeded"
    assert job.progress_done == job.progress_total == 3
    assert scanned.files_scanned == 3 and scanned.files_skipped == 0
    assert scanned.bytes_scanned == len(NOTE.encode()) + len(CSV.encode()) + len(
        (Path(root_a.path) / "clean.txt").read_bytes()
    )
    findings = _findings(scanned)
    nir_csv = findings[("exports/patients.csv", "FR_NIR")]
    assert nir_csv.count == 2 and nir_csv.distinct_values == 2 and nir_csv.validated_count == 2
    assert nir_csv.location == "column 2 (nir)"
    assert len(nir_csv.value_hashes) == 2 and all(len(h) == 64 for h in nir_csv.value_hashes)
    assert nir_csv.risk_score == risk_score("FR_NIR", 2, "shared_drive", nir_csv.max_confidence)
    note_nir = findings[("notes/cr.txt", "FR_NIR")]
    assert note_nir.location == "line 2, column 5"
    # The same person's NIR in both files hashes the same: counted across files, never stored.
    assert set(note_nir.value_hashes) <= set(nir_csv.value_hashes)
    assert ("notes/cr.txt", "PERSON") in findings
    assert not [key for key in findings if key[0] == "clean.txt"]
    assert scanned.findings_count == len(findings)
    assert scanned.summary["by_entity"]["FR_NIR"]["locations"] == 2


def test_no_value_is_stored_in_clear(scanned):
    stored = " ".join(
        str(value)
        for finding in PHIFinding.objects.all()
        for value in (finding.masked_sample, finding.location, finding.value_hashes)
    )
    for secret in (
        "290017505602323",
        "2 90 01 75 056 023 23",
        "262026938701293",
        "ROUSSEL",
        "Nathalie",
        "01 23 45 67 89",
    ):
        assert secret not in stored
    job = Job.objects.get(pk=scanned.job_id)
    assert "ROUSSEL" not in f"{job.progress_message} {job.result} {job.error}"


def test_rescan_updates_the_same_rows_and_marks_disappeared(scanned, root_a, dpo):
    before = _findings(scanned)
    nir = before[("exports/patients.csv", "FR_NIR")]
    services.triage_finding(nir, dpo, "remediated", "moved to the EHR")
    (Path(root_a.path) / "notes" / "cr.txt").unlink()
    (Path(root_a.path) / "exports" / "patients.csv").write_text(
        CSV + "MARTIN;190017505602348\n", encoding="utf-8"
    )
    second = services.start_scan(dpo, root=root_a)
    assert second.status == "succeeded"
    after = _findings(second)
    assert set(after) == set(before)  # no duplicate rows: updated by (root, path, entity)
    nir.refresh_from_db()
    assert nir.pk == after[("exports/patients.csv", "FR_NIR")].pk
    assert nir.count == 3 and nir.is_present and nir.scan_run_id == second.pk
    assert nir.first_seen_at < nir.last_seen_at
    assert nir.triage_status == "to_remediate"  # found again after "remediated"
    gone = after[("notes/cr.txt", "FR_NIR")]
    assert not gone.is_present and gone.scan_run_id == scanned.pk


def test_alert_on_validated_national_identifiers_on_a_shared_drive(scanned, root_a):
    alert = Alert.objects.get(source="privacy")
    assert alert.establishment_id == root_a.establishment_id
    assert alert.rule_id == "privacy.national_identifiers_on_shared_drive"
    assert alert.details["files"] == 2 and alert.details["validated_identifiers"] == 3
    assert "ROUSSEL" not in alert.title + alert.description


def test_no_alert_for_a_personal_folder(root_a, dpo):
    ScanRoot.objects.filter(pk=root_a.pk).update(exposure="personal")
    root_a.refresh_from_db()
    services.start_scan(dpo, root=root_a)
    assert not Alert.objects.filter(source="privacy").exists()


def test_symlink_leading_outside_the_root_is_not_followed(root_a, tmp_path, dpo):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(NOTE, encoding="utf-8")
    os.symlink(outside / "secret.txt", Path(root_a.path) / "link.txt")
    os.symlink(outside, Path(root_a.path) / "linkdir")
    run = services.start_scan(dpo, root=root_a)
    reasons = {row["path"]: row["reason"] for row in run.skipped}
    assert "outside the scan root" in reasons["link.txt"]
    assert "outside the scan root" in reasons["linkdir"]
    assert not PHIFinding.objects.filter(relative_path__startswith="link").exists()


def test_allow_list_is_enforced(establishment_a, allowed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = ScanRoot(establishment=establishment_a, label="x", path=str(elsewhere))
    with pytest.raises(ValidationError) as error:
        root.full_clean()
    assert "outside the folders the administrator allows" in str(error.value)
    # A symbolic link inside the allowed folder does not open a way out.
    os.symlink(elsewhere, allowed / "escape")
    root.path = str(allowed / "escape")
    with pytest.raises(ValidationError):
        root.full_clean()
    root.path = "relative/path"
    with pytest.raises(ValidationError):
        root.full_clean()
    root.path = str(allowed)
    root.full_clean()


def test_empty_allow_list_allows_nothing(establishment_a, share, settings):
    settings.HYGIE_PRIVACY_SCAN_ROOTS = []
    with pytest.raises(ValidationError) as error:
        ScanRoot(establishment=establishment_a, label="x", path=str(share)).full_clean()
    assert "HYGIE_PRIVACY_SCAN_ROOTS" in str(error.value)


def test_root_removed_from_the_allow_list_cannot_be_scanned(root_a, dpo, settings):
    settings.HYGIE_PRIVACY_SCAN_ROOTS = []
    with pytest.raises(ValidationError):
        services.start_scan(dpo, root=root_a)
    assert not ScanRun.objects.exists()


def test_upload_is_scanned_then_deleted(dpo, establishment_a):
    # A synthetic name standing for a patient's: it must not be where findings are shown.
    upload = SimpleUploadedFile("CR_FICTIF_Zoe.csv", CSV.encode(), content_type="text/csv")
    run = services.start_scan(dpo, upload=upload, establishment=establishment_a)
    assert run.status == "succeeded" and run.files_scanned == 1 and run.root is None
    finding = PHIFinding.objects.get(scan_run=run, entity_type="FR_NIR")
    assert finding.relative_path == "••••.csv" and finding.count == 2
    assert not PHIFinding.objects.filter(relative_path__contains="FICTIF").exists()
    assert "FICTIF" not in str(run.job.result) + str(run.skipped)
    assert list(services.upload_dir().iterdir()) == []


def test_upload_too_large_is_rejected(dpo, establishment_a, settings):
    settings.HYGIE_MAX_UPLOAD_BYTES = 10
    upload = SimpleUploadedFile("export.csv", CSV.encode(), content_type="text/csv")
    with pytest.raises(ValidationError) as error:
        services.start_scan(dpo, upload=upload, establishment=establishment_a)
    assert "larger than the upload limit" in str(error.value)
    assert not ScanRun.objects.exists()


def test_binary_upload_is_refused(dpo, establishment_a):
    upload = SimpleUploadedFile("tool.exe", b"MZ\x00\x00\x90" * 20)
    with pytest.raises(ValidationError):
        services.start_scan(dpo, upload=upload, establishment=establishment_a)


def test_staff_cannot_scan(make_user, establishment_a, root_a):
    staff = make_user("nurse", "staff", [establishment_a])
    with pytest.raises(PermissionDenied):
        services.start_scan(staff, root=root_a)


def test_scan_start_is_audited(scanned):
    assert AuditEntry.objects.filter(
        action="create", object_type="privacy.scanrun", object_id=str(scanned.pk)
    ).exists()


def test_cancelled_scan_keeps_findings_present(root_a, dpo, scanned, monkeypatch):
    (Path(root_a.path) / "notes" / "cr.txt").unlink()
    monkeypatch.setattr(services, "CANCEL_CHECK_SECONDS", 0.0)
    original = services.JobRun.is_cancelled
    calls = {"n": 0}

    def cancel_after_first_check(self):
        calls["n"] += 1
        return calls["n"] > 1 or original(self)

    monkeypatch.setattr(services.JobRun, "is_cancelled", cancel_after_first_check)
    run = services.start_scan(dpo, root=root_a)
    assert run.status == "cancelled"
    assert Job.objects.get(pk=run.job_id).status == "cancelled"
    # An incomplete scan proves nothing about absence: earlier findings stay present.
    assert PHIFinding.objects.get(relative_path="notes/cr.txt", entity_type="FR_NIR").is_present


def test_inventory_summary(scanned, establishment_a):
    summary = services.inventory_summary(establishment_a)
    by_entity = {row["entity_type"]: row for row in summary["by_entity"]}
    assert by_entity["FR_NIR"]["locations"] == 2 and by_entity["FR_NIR"]["validated"] == 3
    assert {row["root__label"] for row in summary["by_root"]} == {"Partage Finances"}
    assert [point["run"].pk for point in summary["trend"]] == [scanned.pk]
    assert summary["by_status"] == {"untriaged": summary["total_locations"]}


def test_hash_key_matches_the_cli(settings):
    from hygie.privacy.cli import derive_key

    key, source = derive_key({"HYGIE_SECRET_KEY": settings.SECRET_KEY})
    assert source == "HYGIE_SECRET_KEY" and services.hmac_key() == key


def test_a_malformed_docx_is_skipped_and_the_rest_scanned(root_a, dpo):
    """Issue 9, defect 4: one bad file (invalid [Content_Types].xml) does not blind the scan."""
    from tests.engines.privacy.test_hostile_files import malformed_docx

    (Path(root_a.path) / "report.docx").write_bytes(malformed_docx())
    run = services.start_scan(dpo, root=root_a)
    assert run.status == "succeeded"
    assert run.files_scanned == 3 and run.files_skipped == 1
    [row] = run.skipped
    assert row["path"] == "report.docx" and "docx" in row["reason"]
    assert PHIFinding.objects.filter(root=root_a, relative_path="notes/cr.txt").exists()


# A synthetic ADT message: the same kind of value (MRN) under three HIPAA identifiers: the
# patient's record number (PID-3), account number (PID-18) and insurance policy number (IN1-36).
def _segment(name: str, fields: dict[int, str]) -> str:
    return "|".join([name, *(fields.get(n, "") for n in range(1, max(fields) + 1))])


HL7_MESSAGE = "\r".join(
    [
        "MSH|^~\\&|APP|FAC|APP|FAC|20240214101500||ADT^A01|MSG1|P|2.5.1",
        _segment("PID", {1: "1", 3: "IPP-4411^^^HOSP^PI", 5: "ROUSSEL^Nathalie", 18: "ACCT-77"}),
        _segment("IN1", {1: "1", 2: "PLAN-1", 36: "POL-99"}),
        "",
    ]
)


def test_findings_carry_their_categories_and_the_run_counts_them(scanned):
    """Each stored finding has its HIPAA Safe Harbor identifier and French category; the scan's
    summary counts locations and occurrences by both (what the DPO reads first)."""
    findings = _findings(scanned)
    categories = {key: (f.hipaa_identifier, f.fr_category) for key, f in findings.items()}
    assert categories[("exports/patients.csv", "FR_NIR")] == ("R", "nir")
    assert categories[("exports/patients.csv", "PERSON")] == ("A", "identite")  # "nom" column
    assert categories[("notes/cr.txt", "PERSON")] == ("A", "identite")
    assert categories[("notes/cr.txt", "DATE_OF_BIRTH")] == ("C", "date")
    assert categories[("notes/cr.txt", "FR_PHONE")] == ("D", "coordonnees")
    by_category = scanned.summary["by_category"]
    assert sum(s["locations"] for s in by_category["hipaa"].values()) == scanned.findings_count
    assert sum(s["locations"] for s in by_category["fr"].values()) == scanned.findings_count
    assert by_category["hipaa"]["R"]["locations"] == 2  # the NIR of both files
    assert by_category["hipaa"]["R"]["occurrences"] == sum(
        f.count for f in findings.values() if f.hipaa_identifier == "R"
    )


def test_one_row_per_kind_of_data_and_rescans_update_them(root_a, dpo):
    """Record (H), account (J) and health plan (I) numbers of one HL7 file are all MRN, in three
    rows; scanning again updates those rows instead of adding new ones."""
    (Path(root_a.path) / "adt.hl7").write_text(HL7_MESSAGE, encoding="utf-8")
    first = services.start_scan(dpo, root=root_a)
    mrn = PHIFinding.objects.filter(root=root_a, relative_path="adt.hl7", entity_type="MRN")
    assert {(f.hipaa_identifier, f.fr_category) for f in mrn} == {
        ("H", "identifiant"),
        ("J", "identifiant"),
        ("I", "identifiant"),
    }
    rows = set(PHIFinding.objects.filter(root=root_a).values_list("pk", flat=True))
    second = services.start_scan(dpo, root=root_a)
    assert set(PHIFinding.objects.filter(root=root_a).values_list("pk", flat=True)) == rows
    assert {f.scan_run_id for f in PHIFinding.objects.filter(root=root_a)} == {second.pk}
    assert first.pk != second.pk


def test_inventory_counts_present_findings_by_category(scanned, establishment_a):
    summary = services.inventory_summary(establishment_a)
    by_hipaa = {row["hipaa_identifier"]: row for row in summary["by_hipaa"]}
    by_fr = {row["fr_category"]: row for row in summary["by_fr_category"]}
    assert by_hipaa["R"]["locations"] == 2 and by_fr["nir"]["locations"] == 2
    assert sum(row["locations"] for row in by_hipaa.values()) == summary["total_locations"]
