"""The scan page (issue 10): the poll of the progress box also swaps the details and results,
so the page never contradicts the box once the job finishes; files inside archives are counted
and listed; French plurals."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from hygie.privacy.models import ScanRun
from hygie.privacy.services import start_scan
from tests.apps.privacy.conftest import CLEAN, CSV, NOTE

pytestmark = pytest.mark.django_db


@pytest.fixture
def dpo_client(client, dpo, login):
    login(dpo)
    return client


def _zip(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


@pytest.fixture
def archived_root(root_a):
    inner = _zip({"cr-inner.txt": NOTE})
    (Path(root_a.path) / "archive.zip").write_bytes(
        _zip({"export/patients.csv": CSV, "propre.txt": CLEAN, "nested.zip": inner})
    )
    return root_a


def test_archive_members_are_counted_and_those_with_findings_listed(dpo_client, dpo, archived_root):
    run = start_scan(dpo, root=archived_root)
    assert run.status == "succeeded"
    run.refresh_from_db()
    summary = run.summary
    # patients.csv, propre.txt, nested.zip and the note inside nested.zip.
    assert summary["members_scanned"] == 4
    paths = [row["path"] for row in summary["members_with_findings"]]
    assert paths == ["archive.zip!/export/patients.csv", "archive.zip!/nested.zip!/cr-inner.txt"]
    assert all(row["occurrences"] > 0 for row in summary["members_with_findings"])
    with translation.override("en"):
        page = dpo_client.get(
            reverse("privacy:scanrun_detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert 'data-members-scanned="4"' in page
    assert "archive.zip!/export/patients.csv" in page
    assert "archive.zip!/propre.txt" not in page  # clean members are counted, not listed
    # The API serves the same summary.
    api = dpo_client.get(f"/api/v1/privacy/scan-runs/{run.pk}")
    if api.status_code == 200:
        assert api.json()["summary"]["members_scanned"] == 4


def test_the_poll_swaps_the_details_and_results_with_the_progress(dpo_client, dpo, root_a):
    run = start_scan(dpo, root=root_a)
    # As the page saw it while the job was running: queued, nothing counted.
    ScanRun.objects.filter(pk=run.pk).update(status="running", finished_at=None)
    url = reverse("privacy:scanrun_detail", args=[run.pk])
    running = dpo_client.get(url).content.decode()
    assert 'hx-get="' in running and 'id="run-details"' in running and 'id="run-results"' in running
    # The job finishes; the next poll answers the box and, out of band, details and results.
    ScanRun.objects.filter(pk=run.pk).update(status="succeeded")
    run.refresh_from_db()
    poll = dpo_client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in poll
    assert '<div id="run-details" hx-swap-oob="innerHTML">' in poll
    assert '<div id="run-results" hx-swap-oob="innerHTML">' in poll
    assert 'data-run-status="succeeded"' in poll and "every 2s" not in poll  # polling stops
    details = poll.split('id="run-details"', 1)[1].split('id="run-results"', 1)[0]
    assert str(run.get_status_display()) in details
    assert str(run.findings_count) in details
    # Polling is not an audited page view each time.
    from hygie.core.models import AuditEntry

    assert AuditEntry.objects.filter(message="scan run viewed").count() == 1


@pytest.mark.parametrize(
    ("files", "expected"),
    [(1, "1 fichier analysé"), (0, "0 fichier analysé"), (3, "3 fichiers analysés")],
)
def test_french_plurals_on_the_scan_page(dpo_client, dpo, root_a, files, expected):
    run = start_scan(dpo, root=root_a)
    ScanRun.objects.filter(pk=run.pk).update(files_scanned=files, files_skipped=1, findings_count=1)
    dpo_client.cookies["django_language"] = "fr"
    with translation.override("fr"):
        page = dpo_client.get(
            reverse("privacy:scanrun_detail", args=[run.pk]), HTTP_ACCEPT_LANGUAGE="fr"
        ).content.decode()
    assert expected in page
    assert "1 fichier ignoré" in page and "1 découverte" in page
    assert "1 fichiers" not in page and "1 découvertes" not in page
