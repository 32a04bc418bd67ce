"""Injects reach the log on time through the task runner, with no console open (issue 10).

Before, an inject was written only when someone's console polled: with every console closed,
the injects of the last half hour arrived together when one was reopened. Starting an exercise
now queues one task per inject time; the database task backend (the one ``hygie serve`` and
``hygie worker`` run) holds each until its time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from hygie.core.services.worker import StoppableWorker
from hygie.response.models import Exercise
from hygie.response.services import exercises as service

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_backend(settings):
    settings.TASKS = DATABASE_TASKS


def run_worker_batch() -> None:
    StoppableWorker(batch=True, interval=0).run()


def _plan(establishment, user) -> Exercise:
    return service.plan_exercise(
        user,
        establishment=establishment,
        title="Exercice planifié",
        planned_for=datetime(2026, 6, 1, 9, 0, tzinfo=UTC),
        scenario_key="ransomware-ehr",
    )


def _delivered(exercise: Exercise) -> list[str]:
    return list(
        exercise.entries.filter(kind="inject")
        .order_by("at", "pk")
        .values_list("inject_key", flat=True)
    )


def test_worker_delivers_due_injects_without_any_console(
    database_backend, establishment_a, make_user
):
    user = make_user("facilitator", "rssi", [establishment_a])
    exercise = _plan(establishment_a, user)
    scenario = service.scenario_of(exercise)
    service.start_exercise(exercise, user, at=timezone.now() - timedelta(minutes=25))

    # One task per distinct inject time, each held until that time by the backend.
    times = {exercise.started_at + inject.at for inject in scenario.injects}
    queued = DBTaskResult.objects.filter(task_path__endswith="deliver_scheduled_injects")
    assert queued.count() == len(times)
    assert _delivered(exercise) == []  # nothing written before the runner's turn

    run_worker_batch()
    assert _delivered(exercise) == ["night-call", "encryption-confirmed", "ransom-note"]
    # Later injects wait for their time: still queued, not run.
    assert queued.filter(status="READY").count() == len(times) - 3

    # A task running again (or a console polling meanwhile) never delivers twice.
    exercise.refresh_from_db()
    assert service.deliver_scheduled_injects.call(exercise.pk) == {
        "exercise": exercise.pk,
        "delivered": 0,
    }
    assert service.deliver_due_injects(exercise) == []
    assert _delivered(exercise) == ["night-call", "encryption-confirmed", "ransom-note"]


def test_task_of_an_ended_exercise_delivers_nothing(database_backend, establishment_a, make_user):
    user = make_user("facilitator", "rssi", [establishment_a])
    exercise = _plan(establishment_a, user)
    service.start_exercise(exercise, user, at=timezone.now() - timedelta(minutes=1))
    run_worker_batch()
    assert _delivered(exercise) == ["night-call"]
    service.end_exercise(exercise, user)
    # Its remaining tasks come due later: they find the exercise over and write nothing.
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker_batch()
    assert _delivered(exercise) == ["night-call"]
    assert not DBTaskResult.objects.filter(status="READY").exists()
