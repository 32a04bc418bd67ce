"""Probe response.crisis_exercise_recent: pass with a report within 12 months, partial without
a report, fail when none or too old; only the establishment's own exercises count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hygie.core.registries import probes
from hygie.response.choices import ExerciseStatus
from hygie.response.models import Exercise
from hygie.response.services import exercises as service

pytestmark = pytest.mark.django_db


def probe():
    return probes.get("response.crisis_exercise_recent")


def completed(establishment, days_ago: int, status=ExerciseStatus.COMPLETED) -> Exercise:
    ended = timezone.now() - timedelta(days=days_ago)
    return Exercise.objects.create(
        establishment=establishment,
        title=f"Exercice J-{days_ago}",
        scenario_key="phi-leak-press",
        scenario_source=service.shipped_scenarios()["phi-leak-press"].source,
        planned_for=ended - timedelta(hours=3),
        status=status,
        started_at=ended - timedelta(hours=2),
        ended_at=ended,
        summary="Résumé",
    )


def test_registered_with_a_control():
    assert probe().controls == ("hygie.incident.crisis_exercise",)


def test_none_is_a_fail(establishment_a):
    result = probe().run(establishment_a)
    assert result.status == "fail" and "No crisis exercise" in result.summary


def test_completed_without_report_is_partial(establishment_a):
    exercise = completed(establishment_a, 30)
    result = probe().run(establishment_a)
    assert result.status == "partial"
    assert result.data["exercise_id"] == exercise.pk


def test_completed_with_report_is_a_pass(establishment_a, user_a):
    exercise = completed(establishment_a, 30)
    evidence = service.generate_report(exercise, user_a)
    result = probe().run(establishment_a)
    assert result.status == "pass"
    assert result.data["report_evidence_id"] == evidence.pk


def test_older_than_twelve_months_fails(establishment_a, user_a):
    exercise = completed(establishment_a, 400)
    service.generate_report(exercise, user_a)
    result = probe().run(establishment_a)
    assert result.status == "fail" and "more than 12 months" in result.summary


def test_running_cancelled_and_other_establishments_do_not_count(
    establishment_a, establishment_b, user_b
):
    completed(establishment_a, 10, status=ExerciseStatus.CANCELLED)
    theirs = completed(establishment_b, 10)
    service.generate_report(theirs, user_b)
    assert probe().run(establishment_a).status == "fail"
    assert probe().run(establishment_b).status == "pass"


def test_a_recent_report_wins_over_a_more_recent_exercise_without_one(establishment_a, user_a):
    service.generate_report(completed(establishment_a, 100), user_a)
    completed(establishment_a, 5)
    assert probe().run(establishment_a).status == "pass"
