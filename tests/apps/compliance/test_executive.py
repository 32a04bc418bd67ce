"""The executive posture page (per establishment and for the organisation), its JSON summary,
and the module's tiles on the posture dashboard."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hygie.compliance.choices import AnswerStatus
from hygie.compliance.models import ProbeRun, RemediationAction, ScoreSnapshot
from hygie.compliance.services import assessments, executive, remediation
from hygie.core.registries import DashboardTile, TileData, dashboard_tiles
from tests.apps.core.api_support import APIClient, issue_token

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def posture_data(assessment, user_a, establishment_a):
    """Two answers, an older snapshot (the trend), a failing probe result, an overdue action."""
    first, second = list(assessment.answers.all()[:2])
    assessments.answer_requirement(user_a, first, status=AnswerStatus.COMPLIANT)
    assessments.answer_requirement(
        user_a, second, status=AnswerStatus.NON_COMPLIANT, justification="Not yet"
    )
    old = ScoreSnapshot.objects.create(assessment=assessment, score=20.0, not_assessed=1)
    ScoreSnapshot.objects.filter(pk=old.pk).update(taken_at=timezone.now() - timedelta(days=10))
    run = ProbeRun.objects.create(
        establishment=establishment_a,
        probe_id="test.failing",
        title="Privileged accounts without MFA",
        status="fail",
        ran_at=timezone.now(),
    )
    action = remediation.create_action(
        user_a,
        establishment=establishment_a,
        title="Enrol the administrators in MFA",
        due_date=timezone.localdate() - timedelta(days=3),
    )
    return {"assessment": assessment, "run": run, "action": action}


def test_posture_gathers_scores_trend_probes_and_actions(posture_data, user_a, establishment_a):
    result = executive.posture(user_a, [establishment_a])
    item = result.establishments[0]
    entry = item.frameworks[0]
    assert entry.assessment == posture_data["assessment"]
    assert entry.score == 50.0 and entry.assessed == 2
    assert len(entry.trend) >= 2 and entry.change == 30.0
    assert [run.pk for run in item.failing] == [posture_data["run"].pk]
    assert [action.pk for action in item.overdue] == [posture_data["action"].pk]
    assert result.frameworks[0].average == 50.0
    assert result.failing_count == 1 and result.overdue_count == 1


def test_latest_assessment_per_framework(posture_data, user_a, establishment_a, care):
    newer = assessments.create_assessment(
        user_a,
        establishment=establishment_a,
        framework=care,
        on=timezone.localdate() + timedelta(days=1),
    )
    item = executive.posture(user_a, [establishment_a]).establishments[0]
    assert [entry.assessment.pk for entry in item.frameworks] == [newer.pk]


def test_incidents_and_clocks_come_through_the_tile_registry(posture_data, user_a, establishment_a):
    tiles = {
        executive.INCIDENT_TILE: DashboardTile(
            id=executive.INCIDENT_TILE,
            title="Open incidents",
            order=1,
            compute=lambda user, ests: {e.pk: TileData(value=3, link="/incidents/") for e in ests},
        ),
        executive.CLOCK_TILE: DashboardTile(
            id=executive.CLOCK_TILE,
            title="Next deadline",
            order=2,
            compute=lambda user, ests: {
                e.pk: TileData(value="in 5 hours", detail="GDPR art. 33", link="/clocks/")
                for e in ests
            },
        ),
    }
    with dashboard_tiles.override(tiles):
        result = executive.posture(user_a, [establishment_a])
    item = result.establishments[0]
    assert item.incidents.value == 3 and item.clock.value == "in 5 hours"
    assert result.open_incidents == 3
    data = executive.summary(result)
    assert data["establishments"][0]["next_regulatory_deadline"]["detail"] == "GDPR art. 33"


def test_page_for_the_organisation_and_for_one_establishment(posture_data, client_a):
    url = reverse("compliance:executive")
    page = client_a.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Executive posture" in body and "Organisation" in body
    assert "Privileged accounts without MFA" in body and "Enrol the administrators" in body
    assert "<svg" in body and "<desc" in body  # charts with their text alternative
    assert "up 30 points since" in body
    one = client_a.get(url, {"establishment": posture_data["assessment"].establishment_id})
    assert one.status_code == 200
    assert reverse("compliance:assessment_report", args=[posture_data["assessment"].pk]) in (
        one.content.decode()
    )


def test_page_refuses_another_establishment(posture_data, client_a, establishment_b):
    page = client_a.get(reverse("compliance:executive"), {"establishment": establishment_b.pk})
    assert page.status_code == 404


def test_api_summary(posture_data, user_a, establishment_b):
    api = APIClient(issue_token(user_a))
    answer = api.get("/compliance/executive")
    assert answer.status_code == 200, answer.content
    data = answer.json()
    assert [item["name"] for item in data["establishments"]] == ["CH Alpha"]
    framework = data["establishments"][0]["frameworks"][0]
    assert framework["framework_id"] == "care" and framework["score"] == 50.0
    assert framework["report_url"].endswith("/report/")
    assert data["organisation"]["failing_probes"] == 1
    assert data["organisation"]["overdue_actions"] == 1
    assert api.get("/compliance/executive", {"establishment": establishment_b.pk}).status_code == (
        404
    )


def test_dashboard_tiles(posture_data, client_a, user_a, establishment_a):
    from hygie.compliance import dashboard

    scores = dashboard.framework_scores(user_a, [establishment_a])[establishment_a.pk]
    assert scores.value == "50\u00a0%" and scores.status == "warning"
    assert scores.link.startswith(reverse("compliance:executive"))
    failing = dashboard.failing_probes(user_a, [establishment_a])[establishment_a.pk]
    assert failing.value == 1 and failing.status == "critical"
    overdue = dashboard.overdue_actions(user_a, [establishment_a])[establishment_a.pk]
    assert overdue.value == 1 and "overdue=1" in overdue.link
    home = client_a.get("/")
    body = home.content.decode()
    for tile in (
        "compliance.framework_scores",
        "compliance.failing_probes",
        "compliance.overdue_actions",
    ):
        assert f'data-tile="{tile}"' in body, tile
    assert reverse("compliance:executive") in body


def test_tiles_without_assessment(user_a, establishment_a, db):
    from hygie.compliance import dashboard

    scores = dashboard.framework_scores(user_a, [establishment_a])[establishment_a.pk]
    assert scores.value == "—" and scores.status == "neutral"
    assert RemediationAction.objects.count() == 0


def test_trend_starts_with_earlier_assessments(assessment, user_a, establishment_a, care):
    """Last year's assessment at its date, then the current one: the year-over-year change."""
    earlier = assessments.create_assessment(
        user_a,
        establishment=establishment_a,
        framework=care,
        on=timezone.localdate() - timedelta(days=365),
    )
    first = earlier.answers.first()
    assessments.answer_requirement(
        user_a, first, status=AnswerStatus.NON_COMPLIANT, justification="Last year"
    )
    current = assessment.answers.first()
    assessments.answer_requirement(user_a, current, status=AnswerStatus.COMPLIANT)
    entry = executive.posture(user_a, [establishment_a]).establishments[0].frameworks[0]
    assert entry.assessment == assessment
    assert entry.trend[0] == (earlier.date, 0.0)
    assert entry.trend[-1][1] == 100.0 and entry.change == 100.0
    assert entry.since == earlier.date
    series = executive.trend_series(entry, establishment_a)
    assert series is not None and len(series.labels) == len(entry.trend)
