"""The awareness demo: the shared library, a finished A/B campaign with every recipient's
events (scanner clicks flagged automated, so the raw and validated figures differ), clickers
enrolled in training, and a draft ready to launch; nothing typed in a landing form is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from hygie.awareness.models import Campaign, CampaignEvent, MailTemplate, TrainingAssignment
from hygie.awareness.services import results
from hygie.core.services.demo import load_demo
from tests.apps.core.view_mixins import english  # noqa: F401  (shared fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def home(tmp_path, settings) -> Path:
    settings.HYGIE_HOME = str(tmp_path)
    settings.HYGIE_PRIVACY_SCAN_ROOTS = []
    return tmp_path


def test_demo_has_a_finished_campaign_with_realistic_results(home):
    load_demo()
    assert MailTemplate.objects.filter(establishment__isnull=True).count() == 16
    finished = Campaign.objects.get(status="finished")
    recipients = finished.recipients.all()
    assert recipients.count() >= 8
    assert not recipients.filter(sent_at__isnull=True).exists()
    assert {r.variant for r in recipients} == {"a", "b"}
    automated = CampaignEvent.objects.filter(recipient__campaign=finished, is_automated=True)
    assert automated.filter(method="HEAD").exists()
    figures = results.campaign_results(finished).funnel
    assert figures.clicked_raw > figures.clicked_human > 0
    assert figures.clicked_automated > 0 and figures.reported > 0
    assert figures.submitted_human > 0
    for event in CampaignEvent.objects.filter(kind="submitted"):
        assert event.field_names == ["username", "password"]
    assert TrainingAssignment.objects.filter(source="campaign").exists()
    draft = Campaign.objects.get(status="draft")
    assert draft.recipients.exists() and draft.window_start > finished.window_end
