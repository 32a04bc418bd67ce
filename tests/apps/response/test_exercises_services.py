"""Crisis exercise services: plan, start, inject delivery (once), log, end, report, scoping."""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.utils import timezone
from pypdf import PdfReader

from hygie.core.models import AuditEntry, Evidence
from hygie.response.choices import ExerciseStatus
from hygie.response.models import Exercise, ExerciseEntry
from hygie.response.services import exercises as service

PLANNED_FOR = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def exercise(establishment_a, user_a):
    return service.plan_exercise(
        user_a,
        establishment=establishment_a,
        title="Exercice DPI 2026",
        planned_for=PLANNED_FOR,
        scenario_key="ransomware-ehr",
        participants=[user_a],
        other_participants="Dr Exemple, SAMU",
    )


def started(exercise, user, minutes_ago: float) -> Exercise:
    return service.start_exercise(
        exercise, user, at=timezone.now() - timedelta(minutes=minutes_ago)
    )


def test_shipped_scenarios_are_loaded():
    assert set(service.shipped_scenarios()) == {"ransomware-ehr", "phi-leak-press"}
    assert (
        dict(service.scenario_choices("en"))["phi-leak-press"]
        == "Patient data leak revealed by the press"
    )


def test_plan_freezes_the_scenario_source(exercise, establishment_a):
    shipped = service.shipped_scenarios()["ransomware-ehr"]
    assert exercise.scenario_source == shipped.source
    assert exercise.scenario_key == "ransomware-ehr"
    assert exercise.status == ExerciseStatus.PLANNED
    assert exercise.objectives.startswith("- ")  # the scenario's objectives by default
    assert list(exercise.participants.all())[0].username == "alice"
    assert AuditEntry.objects.filter(
        action="create", object_type="response.exercise", object_id=str(exercise.pk)
    ).exists()
    # Later changes to the shipped file do not touch a planned exercise.
    Exercise.objects.filter(pk=exercise.pk).update(
        scenario_source=shipped.source.replace("\nversion: 1\n", "\nversion: 7\n")
    )
    exercise.refresh_from_db()
    assert service.scenario_of(exercise).version == 7


def test_plan_with_a_custom_scenario(establishment_a, user_a):
    source = service.shipped_scenarios()["phi-leak-press"].source.replace(
        "key: phi-leak-press", "key: my-own"
    )
    exercise = service.plan_exercise(
        user_a,
        establishment=establishment_a,
        title="",
        planned_for=PLANNED_FOR,
        scenario_source=source,
    )
    assert exercise.scenario_key == "my-own"
    assert exercise.title in {
        "Fuite de données patients révélée par la presse",
        "Patient data leak revealed by the press",
    }


def test_plan_rejects_bad_input_and_writes_nothing(establishment_a, user_a):
    with pytest.raises(ValidationError) as caught:
        service.plan_exercise(
            user_a,
            establishment=establishment_a,
            title="x",
            planned_for=PLANNED_FOR,
            scenario_key="nope",
        )
    assert "scenario_key" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        service.plan_exercise(
            user_a,
            establishment=establishment_a,
            title="x",
            planned_for=PLANNED_FOR,
            scenario_source="key: [broken",
        )
    assert "not valid YAML" in caught.value.message_dict["scenario_source"][0]
    assert not Exercise.objects.exists()


def test_plan_refuses_participants_of_another_establishment(establishment_a, user_a, user_b):
    with pytest.raises(ValidationError):
        service.plan_exercise(
            user_a,
            establishment=establishment_a,
            title="x",
            planned_for=PLANNED_FOR,
            scenario_key="ransomware-ehr",
            participants=[user_b],
        )
    assert not Exercise.objects.exists()


def test_plan_requires_capability_and_establishment(
    establishment_a, establishment_b, user_a, make_user
):
    with pytest.raises(PermissionDenied):
        service.plan_exercise(
            user_a,
            establishment=establishment_b,
            title="x",
            planned_for=PLANNED_FOR,
            scenario_key="ransomware-ehr",
        )
    analyst = make_user("soc", "soc_analyst", [establishment_a])
    with pytest.raises(PermissionDenied):
        service.plan_exercise(
            analyst,
            establishment=establishment_a,
            title="x",
            planned_for=PLANNED_FOR,
            scenario_key="ransomware-ehr",
        )
    dpo = make_user("dpo", "dpo", [establishment_a])
    assert service.plan_exercise(
        dpo,
        establishment=establishment_a,
        title="x",
        planned_for=PLANNED_FOR,
        scenario_key="phi-leak-press",
    ).pk


def test_start_delivers_due_injects_once(exercise, user_a):
    started(exercise, user_a, minutes_ago=25)
    first = service.deliver_due_injects(exercise, user_a)
    assert [entry.inject_key for entry in first] == [
        "night-call",
        "encryption-confirmed",
        "ransom-note",
    ]
    assert service.deliver_due_injects(exercise, user_a) == []
    assert exercise.entries.filter(kind="inject").count() == 3
    with pytest.raises(ValidationError):
        service.start_exercise(exercise, user_a)


def test_no_delivery_unless_running(exercise, user_a):
    assert service.deliver_due_injects(exercise, user_a) == []
    assert not exercise.entries.exists()


def test_unique_constraint_backs_up_the_lock(exercise, user_a):
    """A row written behind the service's back is never duplicated."""
    started(exercise, user_a, minutes_ago=0)
    ExerciseEntry.objects.filter(exercise=exercise).delete()
    ExerciseEntry.objects.create(
        exercise=exercise, kind="inject", inject_key="night-call", at=timezone.now(), text="x"
    )
    assert service.deliver_due_injects(exercise, user_a) == []
    assert exercise.entries.filter(inject_key="night-call").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_polls_deliver_each_inject_once(organisation, establishment_a, make_user):
    user = make_user("racer", "rssi", [establishment_a])
    exercise = service.plan_exercise(
        user,
        establishment=establishment_a,
        title="Course",
        planned_for=PLANNED_FOR,
        scenario_key="ransomware-ehr",
    )
    service.start_exercise(exercise, user, at=timezone.now() - timedelta(hours=1))
    barrier = threading.Barrier(4)
    results: list[int] = []
    errors: list[DatabaseError] = []

    def poll() -> None:
        try:
            barrier.wait()
            results.append(
                len(service.deliver_due_injects(Exercise.objects.get(pk=exercise.pk), user))
            )
        except DatabaseError as error:  # reported below, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=poll) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    due = len(service.due_injects(service.scenario_of(exercise), timedelta(hours=1)))
    keys = list(exercise.entries.filter(kind="inject").values_list("inject_key", flat=True))
    assert len(keys) == len(set(keys)) == due
    if not errors:
        assert sum(results) == due
    else:  # SQLite may refuse a concurrent writer outright; nothing is duplicated either way
        assert connection.vendor == "sqlite", errors


def test_deliver_now_early_and_by_id(exercise, user_a):
    started(exercise, user_a, minutes_ago=0)
    service.deliver_due_injects(exercise, user_a)
    entry = service.deliver_inject_now(exercise, user_a)
    assert entry.inject_key == "encryption-confirmed"
    entry = service.deliver_inject_now(exercise, user_a, "journalist")
    assert entry.inject_key == "journalist"
    with pytest.raises(ValidationError):
        service.deliver_inject_now(exercise, user_a, "journalist")
    with pytest.raises(ValidationError):
        service.deliver_inject_now(exercise, user_a, "no-such-inject")
    state = service.console_state(exercise)
    assert state.next_inject.id == "ransom-note"
    assert [item.was_early for item in state.delivered] == [False, True, True]
    # An inject delivered early is not delivered again when its time comes.
    later = timezone.now() + timedelta(hours=2)
    again = service.deliver_due_injects(exercise, user_a, now=later)
    assert "journalist" not in [entry.inject_key for entry in again]


def test_record_decisions_and_observations(exercise, user_a):
    with pytest.raises(ValidationError):
        service.record_entry(exercise, user_a, "decision", "Trop tôt")
    started(exercise, user_a, minutes_ago=5)
    decision = service.record_entry(exercise, user_a, "decision", "  Isoler le réseau  ")
    assert decision.text == "Isoler le réseau" and decision.author == user_a
    service.record_entry(exercise, user_a, "observation", "Main courante ouverte à T+4")
    for kind, text in [("inject", "x"), ("decision", "   "), ("decision", "x" * 5001)]:
        with pytest.raises(ValidationError):
            service.record_entry(exercise, user_a, kind, text)
    with pytest.raises(ValidationError):
        service.record_entry(exercise, user_a, "decision", "avant", at=PLANNED_FOR)
    assert exercise.entries.exclude(kind="inject").count() == 2


def test_end_and_after_action_report(exercise, user_a, settings):
    with pytest.raises(ValidationError):
        service.end_exercise(exercise, user_a)
    started(exercise, user_a, minutes_ago=40)
    service.deliver_due_injects(exercise, user_a)
    service.record_entry(exercise, user_a, "decision", "Passage en mode dégradé")
    service.record_entry(exercise, user_a, "observation", "Les classeurs papier étaient à jour")
    with pytest.raises(ValidationError):
        service.generate_report(exercise, user_a)  # not completed yet
    service.end_exercise(exercise, user_a)
    assert exercise.status == ExerciseStatus.COMPLETED and exercise.ended_at
    frozen = service.elapsed(exercise, timezone.now() + timedelta(hours=5))
    assert frozen == exercise.ended_at - exercise.started_at
    assert (
        service.deliver_due_injects(exercise, user_a, now=timezone.now() + timedelta(hours=5)) == []
    )
    with pytest.raises(ValidationError):
        service.generate_report(exercise, user_a)  # no summary yet
    service.save_after_action(
        exercise,
        user_a,
        summary="Cellule réunie en 20 minutes.",
        strengths="Procédures dégradées connues.",
        improvements="Annuaire de crise périmé.",
        action_plan="Mettre à jour l'annuaire — RSSI — 30/06",
    )
    # A late observation is still accepted (written up after the debrief).
    service.record_entry(exercise, user_a, "observation", "Relecture à froid")
    settings.LANGUAGE_CODE = "en"
    evidence = service.generate_report(exercise, user_a, language="en")
    exercise.refresh_from_db()
    assert exercise.report_evidence == evidence
    data = evidence.file.open("rb").read()
    assert data.startswith(b"%PDF-")
    assert evidence.sha256 == hashlib.sha256(data).hexdigest() and evidence.size == len(data)
    assert evidence.establishment == exercise.establishment
    assert evidence.subject == exercise
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "After-action report" in text and "Exercice DPI 2026" in text
    assert "Passage en mode dégradé" in text and "Mettre à jour l'annuaire" in text
    assert "The EHR stops responding" in text  # the first inject, in the report's language
    assert "Dr Exemple, SAMU" in text
    # Regenerating keeps the earlier version as evidence too.
    second = service.generate_report(exercise, user_a, language="fr")
    assert Evidence.objects.filter(pk__in=[evidence.pk, second.pk]).count() == 2
    french = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(second.file.open("rb").read())).pages
    )
    assert "Le DPI ne répond plus aux urgences" in french


def test_after_action_requires_completion(exercise, user_a):
    with pytest.raises(ValidationError):
        service.save_after_action(
            exercise, user_a, summary="x", strengths="", improvements="", action_plan=""
        )


def test_cancel_and_delete_rules(exercise, user_a, establishment_a):
    service.cancel_exercise(exercise, user_a)
    with pytest.raises(ValidationError):
        service.start_exercise(exercise, user_a)
    service.delete_exercise(exercise, user_a)
    assert not Exercise.objects.filter(pk=exercise.pk).exists()
    other = service.plan_exercise(
        user_a,
        establishment=establishment_a,
        title="B",
        planned_for=PLANNED_FOR,
        scenario_key="phi-leak-press",
    )
    started(other, user_a, 1)
    with pytest.raises(ValidationError):
        service.delete_exercise(other, user_a)
    with pytest.raises(ValidationError):
        service.cancel_exercise(other, user_a)


def test_update_plan(exercise, user_a):
    service.update_plan(exercise, user_a, title="Nouveau titre", participants=[])
    exercise.refresh_from_db()
    assert exercise.title == "Nouveau titre" and not exercise.participants.exists()
    with pytest.raises(ValidationError):
        service.update_plan(exercise, user_a, status="completed")


def test_status_by_establishment(exercise, user_a, establishment_a, make_user, establishment_b):
    rows = service.exercise_status_by_establishment(user_a)
    assert [(row.establishment, row.last, row.is_overdue) for row in rows] == [
        (establishment_a, None, True)
    ]
    started(exercise, user_a, 60)
    service.end_exercise(exercise, user_a)
    (row,) = service.exercise_status_by_establishment(user_a)
    assert row.last == exercise and not row.is_overdue and not row.has_report
    (row,) = service.exercise_status_by_establishment(
        user_a, now=timezone.now() + timedelta(days=400)
    )
    assert row.is_overdue
    everyone = make_user("org", "rssi", all_establishments=True)
    assert len(service.exercise_status_by_establishment(everyone)) == 2


def test_clock_format():
    assert service.clock(timedelta(hours=1, minutes=2, seconds=3)) == "1:02:03"
    assert service.clock(timedelta(seconds=-5)) == "0:00:00"
    assert service.clock(None) == ""
