"""Starting a retro-hunt ("search past events"): the indicator page's button and the indicators
list's page (a job, then its page), the API (202 with the job id), the CLI (run now, recorded as
a job); the job's progress and result; rights and scoping. Synthetic data only (documentation
addresses)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from django.urls import reverse
from django.utils import timezone

from hygie.core.models import Job
from hygie.detection import services as detection
from hygie.intel.cli import intel as intel_cli
from hygie.intel.models import Indicator, IndicatorSource, Sighting
from hygie.intel.services import matching
from tests.apps.core.api_support import APIClient, issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"  # the assertions quote the source messages


@pytest.fixture(autouse=True)
def _fresh_matcher():
    matching.forget()
    yield
    matching.forget()


@pytest.fixture
def past(establishment_a):
    """Two stored proxy events, then an indicator added afterwards (nothing sighted live)."""
    lines = [
        f"<38>1 2026-03-02T10:00:00Z proxy-01 squid {i} - - {text}".encode()
        for i, text in enumerate(["CONNECT 203.0.113.77:443", "idle"])
    ]
    detection.ingest_lines(establishment_a, lines)
    row = Indicator.objects.create(establishment=establishment_a, kind="ipv4", value="203.0.113.77")
    IndicatorSource.objects.create(indicator=row, source_name="ISAC", imported_at=timezone.now())
    return row


def test_indicator_button_queues_a_job_shown_on_the_job_page(client_a, past):
    detail = client_a.get(reverse("intel:indicator_detail", args=[past.pk])).content.decode()
    url = reverse("intel:indicator_retro_hunt_one", args=[past.pk])
    assert url in detail and "Search past events" in detail
    answer = client_a.post(url)
    job = Job.objects.get(kind="intel.retro_hunt")
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "core:job_detail", args=[job.pk]
    )
    assert job.status == "succeeded", job.error
    assert job.result == {"indicators": 1, "events": 2, "sightings": 1, "sighted": 1}
    assert "203.0.113.77" in job.title and job.created_by is not None
    assert job.progress_done == job.progress_total == 2
    assert Sighting.objects.get(indicator=past).source == "retro-hunt"
    page = client_a.get(answer["Location"])
    assert page.status_code == 200 and "203.0.113.77" in page.content.decode()


def test_list_page_hunts_every_indicator_of_an_establishment(client_a, past, establishment_a):
    listing = client_a.get(reverse("intel:indicator_list")).content.decode()
    url = reverse("intel:indicator_retro_hunt")
    assert url in listing
    assert client_a.get(url).status_code == 200
    bad = client_a.post(url, {"establishment": establishment_a.pk, "days": 0})
    assert bad.status_code == 422
    answer = client_a.post(url, {"establishment": establishment_a.pk, "days": 7})
    assert answer.status_code == 302
    job = Job.objects.get(kind="intel.retro_hunt")
    assert job.result["sightings"] == 1 and "7 day" in job.title


def test_rights_and_scoping(client, login, make_user, past, establishment_a, user_b):
    reader = make_user("reader", "auditor", [establishment_a])
    login(reader)
    assert client.post(reverse("intel:indicator_retro_hunt_one", args=[past.pk])).status_code in (
        403,
        404,
    )
    login(user_b)
    assert client.post(reverse("intel:indicator_retro_hunt_one", args=[past.pk])).status_code == 404
    assert not Job.objects.filter(kind="intel.retro_hunt").exists()


def test_api_returns_the_job_id(user_a, user_b, past, establishment_a, establishment_b):
    api = APIClient(issue_token(user_a, "write"))
    started = api.post(
        "/intel/indicators/retro-hunt",
        {"establishment_id": establishment_a.pk, "indicator_ids": [past.pk], "days": 30},
    )
    assert started.status_code == 202, started.content
    job = Job.objects.get(pk=started.json()["job_id"])
    assert job.result["sightings"] == 1
    assert api.get(f"/jobs/{job.pk}").json()["status"] == "succeeded"
    wrong = api.post(
        "/intel/indicators/retro-hunt",
        {"establishment_id": establishment_a.pk, "indicator_ids": [past.pk + 999]},
    )
    assert wrong.status_code == 422 and "No indicator" in wrong.content.decode()
    assert (
        api.post(
            "/intel/indicators/retro-hunt", {"establishment_id": establishment_a.pk, "days": 400}
        ).status_code
        == 422
    )
    other = APIClient(issue_token(user_b, "write"))
    hidden = other.post("/intel/indicators/retro-hunt", {"establishment_id": establishment_a.pk})
    assert hidden.status_code == 404
    foreign = other.post(
        "/intel/indicators/retro-hunt",
        {"establishment_id": establishment_b.pk, "indicator_ids": [past.pk]},
    )
    assert foreign.status_code == 422


def test_cli_runs_now_as_a_job(past, establishment_a):
    result = CliRunner().invoke(intel_cli, ["retro-hunt", "--indicator", str(past.pk)])
    assert result.exit_code == 0, result.output
    assert "1 new sighting(s)" in result.output and "2 event(s) searched" in result.output
    job = Job.objects.get(kind="intel.retro_hunt")
    assert job.status == "succeeded" and job.establishment == establishment_a
    again = CliRunner().invoke(intel_cli, ["retro-hunt", "--days", "5"])
    assert again.exit_code == 0 and "0 new sighting(s)" in again.output
    unknown = CliRunner().invoke(intel_cli, ["retro-hunt", "--indicator", "999999"])
    assert unknown.exit_code == 2 and "no indicator 999999" in unknown.output
    assert CliRunner().invoke(intel_cli, ["retro-hunt", "--days", "0"]).exit_code == 2
