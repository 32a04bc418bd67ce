"""The compliance demo: a CaRE assessment in progress with computed and confirmed answers,
answers given by hand, last year's closed assessment, remediation actions (one overdue)."""

from __future__ import annotations

import pytest

from hygie.compliance.choices import AssessmentStatus, ProposalSource
from hygie.compliance.models import Assessment, ProbeRun, RemediationAction
from hygie.core.services.demo import load_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def home(tmp_path, settings):
    settings.HYGIE_HOME = str(tmp_path)
    settings.HYGIE_PRIVACY_SCAN_ROOTS = []
    return tmp_path


def test_demo_has_a_care_assessment_in_progress(home):
    load_demo()
    current = Assessment.objects.get(
        framework__framework_id="care", status=AssessmentStatus.IN_PROGRESS
    )
    answers = current.answers
    assert answers.filter(proposal_source=ProposalSource.PROBE).exists()
    assert answers.filter(is_computed=True, is_confirmed=True).exists()
    assert answers.filter(is_confirmed=True, is_computed=False).exists()  # answered by hand
    assert answers.filter(is_computed=True, is_confirmed=False).exists()  # to confirm
    assert Assessment.objects.filter(status=AssessmentStatus.CLOSED).count() == 1
    assert ProbeRun.objects.filter(establishment=current.establishment).count() >= 20
    actions = RemediationAction.objects.filter(establishment=current.establishment)
    assert actions.count() >= 2
    assert any(action.is_overdue for action in actions)
