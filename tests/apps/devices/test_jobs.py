"""The devices jobs: the feed download is off unless configured and refuses destinations the
outbound policy denies; expired acceptances are reopened by the daily job."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from hygie.core.services.jobs import job_kinds
from hygie.core.services.scheduler import periodic_jobs
from hygie.devices import jobs

pytestmark = pytest.mark.django_db


def test_jobs_are_registered_and_periodic():
    for kind in (jobs.REOPEN_JOB_KIND, jobs.REFRESH_JOB_KIND):
        assert kind in job_kinds and kind in periodic_jobs


def test_download_is_off_by_default(settings):
    assert jobs.feed_urls() == {}
    settings.HYGIE_DEVICES_FEED_URLS = {
        "kev": "https://feeds.example.org/kev.json",
        "epss": "http://insecure.example.org/epss.csv",  # not HTTPS: ignored
        "other": "https://example.org/x",
    }
    assert jobs.feed_urls() == {"kev": "https://feeds.example.org/kev.json"}


@pytest.mark.parametrize("url", ["https://127.0.0.1/kev.json", "https://169.254.169.254/x"])
def test_denied_destinations_are_refused(url):
    with pytest.raises(ValidationError):
        jobs.check_destination(url)
