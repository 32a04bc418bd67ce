"""Importing a log file from the web UI: the same reader and ingestion as `hygie ingest`, run as
a background job (immediate in tests), scoped, capability-checked, size-limited, audited, the
file name masked everywhere it shows."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hygie.core.models import Alert, AuditEntry, Job
from hygie.detection.logfiles import INGEST_JOB_KIND, upload_dir
from hygie.detection.models import Event
from tests.apps.detection.conftest import SQLI_RULE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# A made-up name of the kind that identifies a person: it must show nowhere.
PERSONAL_NAME = "export_DUPONT_Jeanne.log"


@pytest.fixture(autouse=True)
def _home(settings, tmp_path):
    settings.HYGIE_HOME = tmp_path


def _upload(content: bytes, name: str = PERSONAL_NAME) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/plain")


def test_upload_runs_the_ingest_job_and_shows_the_result(client_a, establishment_a, sqli_lines):
    content = ("\n".join(sqli_lines) + "\nthis line is no log format\n").encode()
    response = client_a.post(
        reverse("detection:event_import"),
        {"establishment": establishment_a.pk, "log_format": "auto", "file": _upload(content)},
    )
    job = Job.objects.get(kind=INGEST_JOB_KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == "succeeded", job.error
    assert job.result["events"] == len(sqli_lines) + 1
    assert job.result["parse_errors"] == 1
    assert job.result["alerts"] >= 1
    assert Event.objects.filter(establishment=establishment_a).count() == len(sqli_lines) + 1
    assert Alert.objects.filter(establishment=establishment_a, rule_id=SQLI_RULE).exists()
    page = client_a.get(response["Location"]).content.decode()
    assert "••••.log" in page
    assert "DUPONT" not in page and "DUPONT" not in job.title
    assert not any(upload_dir().iterdir())  # the staged copy is deleted after the import
    entries = AuditEntry.objects.filter(message__startswith="Log file import")
    assert {e.message for e in entries} == {
        "Log file import started",
        "Log file import finished",
    }
    assert "DUPONT" not in str([e.changes for e in entries])


def test_declared_format_parses_every_line_with_that_parser(client_a, establishment_a, sqli_lines):
    client_a.post(
        reverse("detection:event_import"),
        {
            "establishment": establishment_a.pk,
            "log_format": "web",
            "file": _upload("\n".join(sqli_lines).encode()),
        },
    )
    job = Job.objects.get(kind=INGEST_JOB_KIND)
    assert job.result["events"] == len(sqli_lines)
    assert job.result["parse_errors"] == 0
    assert set(Event.objects.values_list("category", flat=True)) == {"webserver"}


def test_declared_evtx_that_is_not_evtx_is_refused(client_a, establishment_a):
    response = client_a.post(
        reverse("detection:event_import"),
        {"establishment": establishment_a.pk, "log_format": "evtx", "file": _upload(b"x y z\n")},
    )
    assert response.status_code == 422
    assert b"not a Windows event log" in response.content
    assert not Job.objects.exists()
    assert not any(upload_dir().iterdir())


def test_other_establishment_and_missing_capability_are_refused(
    client, login, make_user, establishment_a, establishment_b
):
    analyst = make_user("soc", "soc_analyst", [establishment_a])
    login(analyst)
    url = reverse("detection:event_import")
    response = client.post(
        url, {"establishment": establishment_b.pk, "log_format": "auto", "file": _upload(b"a\n")}
    )
    assert response.status_code == 422  # not a choice: establishment B is not theirs
    assert not Job.objects.exists()
    client.logout()
    login(make_user("dpo", "dpo", [establishment_a]))
    assert client.get(url).status_code == 403


def test_upload_over_the_limit_is_refused(settings, client_a, establishment_a):
    settings.HYGIE_MAX_UPLOAD_BYTES = 1000
    response = client_a.post(
        reverse("detection:event_import"),
        {"establishment": establishment_a.pk, "log_format": "auto", "file": _upload(b"x" * 5000)},
    )
    assert response.status_code == 413
    assert b"too large" in response.content
    assert not Job.objects.exists()


def test_events_page_links_to_the_import_for_those_allowed(client_a):
    page = client_a.get(reverse("detection:event_list")).content
    assert reverse("detection:event_import").encode() in page
