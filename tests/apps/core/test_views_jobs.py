"""Job pages: progress, htmx polling while running, cancellation."""

import pytest
from django.urls import reverse

from hygie.core.models import Job, JobStatus
from tests.apps.core.view_mixins import ReadOnlyViewTests, english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _job(establishment, status=JobStatus.RUNNING, **extra):
    return Job.objects.create(
        kind="core.verify_audit",
        title=f"Vérification {establishment.name}",
        status=status,
        establishment=establishment,
        progress_done=3,
        progress_total=4,
        **extra,
    )


class TestJobPages(ReadOnlyViewTests):
    url_base = "core:job"
    denied_role = "staff"

    def make_object(self, establishment):
        return _job(establishment)


def test_running_jobs_poll_and_show_progress(client_a, establishment_a):
    _job(establishment_a)
    content = client_a.get(reverse("core:job_list")).content.decode()
    assert 'hx-trigger="every 2s"' in content
    assert '<progress max="100" value="75"' in content


def test_finished_jobs_stop_polling(client_a, establishment_a):
    _job(establishment_a, status=JobStatus.SUCCEEDED)
    assert "every 2s" not in client_a.get(reverse("core:job_list")).content.decode()


def test_detail_htmx_returns_progress_fragment(client_a, establishment_a):
    job = _job(establishment_a)
    response = client_a.get(reverse("core:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<progress" in content and "<html" not in content


def test_cancel_sets_the_flag(client_a, establishment_a, user_a):
    job = _job(establishment_a, created_by=user_a)
    response = client_a.post(reverse("core:job_cancel", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.cancel_requested


def test_cancel_of_other_establishment_is_404(client_a, establishment_b):
    job = _job(establishment_b)
    assert client_a.post(reverse("core:job_cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert not job.cancel_requested
