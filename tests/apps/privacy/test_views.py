"""Privacy pages: roles, isolation, audit of every view of findings, triage, starting scans."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.core.models import AuditEntry
from hygie.core.registries import sections_for
from hygie.core.testing import login_with_mfa
from hygie.privacy.models import PHIFinding, ScanRoot, ScanRun
from tests.apps.core.view_mixins import StandardViewTests
from tests.apps.privacy.conftest import CSV

pytestmark = pytest.mark.django_db


def _finding(establishment, path="exports/a.csv", **extra):
    now = timezone.now()
    values = {"entity_type": "FR_NIR", "hipaa_identifier": "R", "fr_category": "nir", **extra}
    return PHIFinding.objects.create(
        establishment=establishment,
        relative_path=path,
        count=2,
        distinct_values=2,
        masked_sample="29001••••••••23",
        risk_score=12.5,
        first_seen_at=now,
        last_seen_at=now,
        **values,
    )


@pytest.fixture
def dpo_client(dpo) -> Client:
    return login_with_mfa(Client(), dpo)


@pytest.mark.usefixtures("english")
class TestScanRootPages(StandardViewTests):
    url_base = "privacy:scanroot"
    denied_role = "staff"
    read_only_role = "auditor"  # no privacy capability at all: writes are 403

    @pytest.fixture(autouse=True)
    def _allowed(self, allowed):
        self.allowed = allowed

    def model(self):
        return ScanRoot

    def make_object(self, establishment):
        folder = self.allowed / f"root-{establishment.pk}-{ScanRoot.objects.count()}"
        folder.mkdir()
        return ScanRoot.objects.create(
            establishment=establishment, label=f"Partage {folder.name}", path=str(folder)
        )

    def form_data(self, establishment):
        folder = self.allowed / "new"
        folder.mkdir(exist_ok=True)
        return {
            "establishment": establishment.pk,
            "label": "Partage RH",
            "path": str(folder),
            "exposure": "shared_drive",
            "is_enabled": "on",
        }

    def edit_data(self, obj):
        return {
            "establishment": obj.establishment_id,
            "label": "Renamed",
            "path": obj.path,
            "exposure": "mailbox",
        }

    def expected_after_edit(self):
        return {"label": "Renamed", "exposure": "mailbox", "is_enabled": False}


def test_root_outside_allow_list_shows_a_clear_error(
    dpo_client, establishment_a, allowed, tmp_path, english
):
    response = dpo_client.post(
        reverse("privacy:scanroot_add"),
        {"establishment": establishment_a.pk, "label": "Etc", "path": "/etc", "exposure": "other"},
    )
    assert response.status_code == 422
    assert "outside the folders the administrator allows" in response.content.decode()
    assert not ScanRoot.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "privacy:summary",
        "privacy:phifinding_list",
        "privacy:scanrun_list",
        "privacy:scanroot_list",
        "privacy:scanrun_add",
    ],
)
def test_staff_gets_403(make_user, establishment_a, name):
    staff = make_user("nurse", "staff", [establishment_a])
    client = login_with_mfa(Client(), staff)
    assert client.get(reverse(name)).status_code == 403


def test_staff_sees_no_privacy_navigation(make_user, establishment_a, dpo):
    staff = make_user("nurse", "staff", [establishment_a])
    assert "privacy" not in [section.key for section, _items in sections_for(staff)]
    assert "privacy" in [section.key for section, _items in sections_for(dpo)]


def test_finding_list_is_audited_with_its_filters(dpo_client, establishment_a, english):
    finding = _finding(establishment_a)
    response = dpo_client.get(
        reverse("privacy:phifinding_list"), {"entity_type": "FR_NIR", "triage_status": "untriaged"}
    )
    content = response.content.decode()
    assert response.status_code == 200 and finding.relative_path in content
    assert "29001••••••••23" in content  # the masked sample, the only form a value takes
    entry = AuditEntry.objects.filter(
        action="view", object_type="privacy.phifinding", object_id=""
    ).latest("sequence")
    assert entry.changes["filters"]["entity_type"] == "FR_NIR"
    assert entry.changes["filters"]["triage_status"] == "untriaged"
    assert entry.changes["results"] == 1 and entry.actor.username == "dpo"
    # htmx refreshes of the table are page views too.
    before = AuditEntry.objects.filter(action="view").count()
    dpo_client.get(reverse("privacy:phifinding_list"), HTTP_HX_REQUEST="true")
    assert AuditEntry.objects.filter(action="view").count() == before + 1


def test_finding_detail_is_audited_and_other_establishment_is_404(
    dpo_client, establishment_a, establishment_b
):
    mine, theirs = _finding(establishment_a), _finding(establishment_b, "b/secret.csv")
    assert dpo_client.get(reverse("privacy:phifinding_detail", args=[mine.pk])).status_code == 200
    assert AuditEntry.objects.filter(
        action="view", object_type="privacy.phifinding", object_id=str(mine.pk)
    ).exists()
    response = dpo_client.get(reverse("privacy:phifinding_detail", args=[theirs.pk]))
    assert response.status_code == 404 and "b/secret.csv" not in response.content.decode()
    listing = dpo_client.get(reverse("privacy:phifinding_list")).content.decode()
    assert "b/secret.csv" not in listing


def test_triage_from_the_page(dpo_client, establishment_a):
    finding = _finding(establishment_a)
    response = dpo_client.post(
        reverse("privacy:phifinding_triage", args=[finding.pk]),
        {"triage_status": "expected", "triage_comment": "GED export"},
    )
    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.triage_status == "expected" and finding.triage_comment == "GED export"
    assert finding.triaged_by.username == "dpo" and finding.triaged_at is not None
    entry = AuditEntry.objects.filter(
        action="update", object_type="privacy.phifinding", object_id=str(finding.pk)
    ).get()
    assert entry.changes["triage_status"] == {"before": "untriaged", "after": "expected"}


def test_auditor_cannot_triage_nor_view(make_user, establishment_a):
    finding = _finding(establishment_a)
    auditor = login_with_mfa(Client(), make_user("aud", "auditor", [establishment_a]))
    assert (
        auditor.post(
            reverse("privacy:phifinding_triage", args=[finding.pk]), {"triage_status": "expected"}
        ).status_code
        == 403
    )
    assert auditor.get(reverse("privacy:phifinding_detail", args=[finding.pk])).status_code == 403
    finding.refresh_from_db()
    assert finding.triage_status == "untriaged"


def test_start_scan_page_scans_a_root_and_shows_progress(dpo_client, root_a, english):
    assert dpo_client.get(reverse("privacy:scanrun_add")).status_code == 200
    response = dpo_client.post(reverse("privacy:scanrun_add"), {"root": root_a.pk})
    assert response.status_code == 302
    run = ScanRun.objects.get()
    assert response["Location"] == reverse("privacy:scanrun_detail", args=[run.pk])
    page = dpo_client.get(response["Location"]).content.decode()
    assert "100 %" in page and "French social security number (NIR)" in page
    assert run.status == "succeeded" and run.findings_count > 0
    partial = dpo_client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "100 %" in partial.content.decode()


def test_scan_now_button(dpo_client, root_a):
    response = dpo_client.post(reverse("privacy:scanroot_scan", args=[root_a.pk]))
    assert response.status_code == 302
    assert ScanRun.objects.get().status == "succeeded"


def test_start_scan_with_an_upload(dpo_client, establishment_a):
    upload = SimpleUploadedFile("export.csv", CSV.encode(), content_type="text/csv")
    response = dpo_client.post(
        reverse("privacy:scanrun_add"), {"establishment": establishment_a.pk, "file": upload}
    )
    assert response.status_code == 302
    assert PHIFinding.objects.filter(relative_path="••••.csv", entity_type="FR_NIR").exists()


def test_upload_too_large_is_413(dpo_client, establishment_a, settings, english):
    settings.HYGIE_MAX_UPLOAD_BYTES = 16
    upload = SimpleUploadedFile("export.csv", CSV.encode(), content_type="text/csv")
    response = dpo_client.post(
        reverse("privacy:scanrun_add"), {"establishment": establishment_a.pk, "file": upload}
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not ScanRun.objects.exists()


def test_start_scan_needs_a_root_or_a_file(dpo_client):
    assert dpo_client.post(reverse("privacy:scanrun_add"), {}).status_code == 422


def test_scan_of_other_establishment_root_is_404(
    make_user, establishment_a, establishment_b, allowed
):
    folder = allowed / "b"
    folder.mkdir()
    theirs = ScanRoot.objects.create(establishment=establishment_b, label="B", path=str(folder))
    client = login_with_mfa(Client(), make_user("rssi-a", "rssi", [establishment_a]))
    assert client.post(reverse("privacy:scanroot_scan", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("privacy:scanrun_add"), {"root": theirs.pk})
    assert response.status_code == 422
    assert not ScanRun.objects.exists()


def test_summary_pages(dpo_client, scanned, establishment_a, establishment_b):
    index = dpo_client.get(reverse("privacy:summary")).content.decode()
    assert establishment_a.name in index and establishment_b.name not in index
    response = dpo_client.get(reverse("privacy:establishment_summary", args=[establishment_a.pk]))
    content = response.content.decode()
    assert response.status_code == 200 and "Partage Finances" in content
    assert str(scanned) in content  # the trend lists the scan
    assert (
        dpo_client.get(
            reverse("privacy:establishment_summary", args=[establishment_b.pk])
        ).status_code
        == 404
    )
    assert AuditEntry.objects.filter(
        action="view", message="PHI inventory summary viewed", establishment_id=establishment_a.pk
    ).exists()


def test_scan_run_detail_lists_skipped_files_by_relative_path(dpo_client, root_a, tmp_path, dpo):
    from hygie.privacy.services import start_scan

    (Path(root_a.path) / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    run = start_scan(dpo, root=root_a)
    content = dpo_client.get(reverse("privacy:scanrun_detail", args=[run.pk])).content.decode()
    assert "broken.zip" in content and str(tmp_path) not in content


def test_finding_list_shows_and_filters_the_categories(dpo_client, establishment_a, english):
    _finding(establishment_a)
    _finding(
        establishment_a,
        "exports/b.csv",
        entity_type="PERSON",
        hipaa_identifier="A",
        fr_category="identite",
    )
    page = dpo_client.get(reverse("privacy:phifinding_list")).content.decode()
    assert "HIPAA identifier" in page and "French category" in page
    assert "R: Other unique identifiers" in page and "A: Names" in page
    assert 'name="hipaa_identifier"' in page and 'name="fr_category"' in page
    filtered = dpo_client.get(reverse("privacy:phifinding_list"), {"hipaa_identifier": "A"})
    content = filtered.content.decode()
    assert "exports/b.csv" in content and "exports/a.csv" not in content
    by_fr = dpo_client.get(reverse("privacy:phifinding_list"), {"fr_category": "nir"})
    assert "exports/a.csv" in by_fr.content.decode()
    assert "exports/b.csv" not in by_fr.content.decode()
    entry = AuditEntry.objects.filter(action="view", object_type="privacy.phifinding").latest(
        "sequence"
    )
    assert entry.changes["filters"]["fr_category"] == "nir"


def test_categories_read_in_french(dpo_client, establishment_a):
    """French is the product default: the categories come in French, labels and descriptions."""
    finding = _finding(establishment_a, hipaa_identifier="none", fr_category="etablissement")
    listing = dpo_client.get(reverse("privacy:phifinding_list")).content.decode()
    assert "Identifiant HIPAA" in listing and "Catégorie française" in listing
    assert "Hors Safe Harbor" in listing and "Établissement" in listing
    detail = dpo_client.get(reverse("privacy:phifinding_detail", args=[finding.pk]))
    content = detail.content.decode()
    assert "Hors des 18 identifiants de la méthode Safe Harbor" in content
    assert "Identifiants d’établissement (FINESS)" in content


def test_finding_detail_names_both_categories(dpo_client, establishment_a, english):
    finding = _finding(establishment_a)
    content = dpo_client.get(
        reverse("privacy:phifinding_detail", args=[finding.pk])
    ).content.decode()
    assert "HIPAA R: Other unique identifiers" in content
    assert "Any other unique identifying number, characteristic, or code" in content
    assert "NIR, INS, SSN" in content


def test_run_and_inventory_pages_count_findings_by_category(
    dpo_client, scanned, establishment_a, english
):
    run_page = dpo_client.get(reverse("privacy:scanrun_detail", args=[scanned.pk]))
    content = run_page.content.decode()
    assert "By category" in content and "R: Other unique identifiers" in content
    link = f"?root={scanned.root_id}&amp;hipaa_identifier=R"
    assert link in content
    summary = dpo_client.get(
        reverse("privacy:establishment_summary", args=[establishment_a.pk])
    ).content.decode()
    assert "By category" in summary and "Identity" in summary
    assert f"?establishment={establishment_a.pk}&amp;fr_category=nir&amp;is_present=True" in summary


def test_category_rows_leave_out_a_description_the_label_already_says(english):
    from hygie.privacy.views import category_rows

    stats = {"locations": 1, "occurrences": 2}
    rows = category_rows({"hipaa": {"A": stats, "R": stats}, "fr": {"identite": stats}})
    names, other = rows["hipaa_rows"]
    assert (str(names["label"]), names["description"]) == ("A: Names", "")
    assert other["description"] == "Any other unique identifying number, characteristic, or code"
    assert rows["fr_rows"][0]["description"].startswith("Identity: birth name")
    assert other["locations"] == 1 and other["occurrences"] == 2
