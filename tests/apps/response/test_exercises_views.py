"""Crisis exercise pages: list with yearly status, plan form, detail, run console (htmx poll),
quick log forms, facilitator delivery, end, after-action form and PDF download, permissions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie.core.models import AuditEntry
from hygie.core.testing import login_with_mfa
from hygie.response.choices import ExerciseStatus
from hygie.response.models import Exercise
from hygie.response.services import exercises as service
from tests.apps.core.view_mixins import ReadOnlyViewTests

PLANNED_FOR = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
pytestmark = pytest.mark.usefixtures("english")


def make_exercise(establishment, title=None, scenario="ransomware-ehr"):
    return Exercise.objects.create(
        establishment=establishment,
        title=title or f"Exercice {establishment.name}",
        scenario_key=scenario,
        scenario_source=service.shipped_scenarios()[scenario].source,
        planned_for=PLANNED_FOR,
    )


def run(exercise, minutes_ago=0.0):
    Exercise.objects.filter(pk=exercise.pk).update(
        status=ExerciseStatus.RUNNING, started_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    exercise.refresh_from_db()
    return exercise


class TestExercisePages(ReadOnlyViewTests):
    url_base = "response:exercise"
    denied_role = "trainer"

    def make_object(self, establishment):
        return make_exercise(establishment)


def test_list_shows_yearly_status_per_establishment(client_a, establishment_a, user_a):
    page = client_a.get(reverse("response:exercise_list")).content.decode()
    assert "Last exercise by establishment" in page and "No exercise yet" in page
    exercise = run(make_exercise(establishment_a), 60)
    service.end_exercise(exercise, user_a)
    page = client_a.get(reverse("response:exercise_list")).content.decode()
    assert "Up to date" in page and "Missing" in page
    Exercise.objects.filter(pk=exercise.pk).update(
        ended_at=timezone.now() - timedelta(days=400),
        started_at=timezone.now() - timedelta(days=400, hours=1),
    )
    page = client_a.get(reverse("response:exercise_list")).content.decode()
    assert "Older than 12 months" in page


def test_plan_form(client_a, establishment_a, user_a):
    page = client_a.get(reverse("response:exercise_add"))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Ransomware on the electronic health record" in content
    assert "Patient data leak revealed by the press" in content
    response = client_a.post(
        reverse("response:exercise_add"),
        {
            "establishment": establishment_a.pk,
            "title": "Exercice annuel",
            "scenario_key": "phi-leak-press",
            "planned_for": "2026-09-15T14:00",
            "participants": [user_a.pk],
            "other_participants": "Chargée de communication",
            "objectives": "",
        },
    )
    exercise = Exercise.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("response:exercise_detail", args=[exercise.pk])
    assert exercise.scenario_key == "phi-leak-press" and exercise.participants.get() == user_a
    assert "72" in exercise.objectives  # the scenario's objectives (CNIL within 72 hours)


def test_plan_form_errors_write_nothing(client_a, establishment_a, establishment_b):
    response = client_a.post(
        reverse("response:exercise_add"),
        {"establishment": establishment_b.pk, "planned_for": "soon"},
    )
    assert response.status_code == 422
    content = response.content.decode()
    assert "errorlist" in content
    assert "Choose a scenario or upload one." in content
    assert not Exercise.objects.exists()


def test_plan_with_an_uploaded_scenario_reports_lines(client_a, establishment_a):
    source = service.shipped_scenarios()["phi-leak-press"].source
    broken = source.replace("channel: press", "channel: carrier-pigeon", 1)
    data = {
        "establishment": establishment_a.pk,
        "planned_for": "2026-09-15T14:00",
        "file": SimpleUploadedFile("mine.yaml", broken.encode()),
    }
    response = client_a.post(reverse("response:exercise_add"), data)
    assert response.status_code == 422
    assert "injects[0].channel: unknown channel" in response.content.decode()
    data["file"] = SimpleUploadedFile(
        "mine.yaml", source.replace("key: phi-leak-press", "key: custom-leak").encode()
    )
    assert client_a.post(reverse("response:exercise_add"), data).status_code == 302
    assert Exercise.objects.get().scenario_key == "custom-leak"


def test_plan_with_a_deeply_nested_upload_is_refused_with_its_line(client_a, establishment_a):
    # Issue 9: such an upload tied a web thread for about a minute.
    deep = "schema_version: 1\ninjects:\n" + "".join(" " * n + "- \n" for n in range(1, 600))
    data = {
        "establishment": establishment_a.pk,
        "planned_for": "2026-09-15T14:00",
        "file": SimpleUploadedFile("deep.yaml", deep.encode()),
    }
    response = client_a.post(reverse("response:exercise_add"), data)
    assert response.status_code == 422
    assert "12:11: (document): nested deeper than 10 levels" in response.content.decode()
    assert not Exercise.objects.exists()


def test_edit_plan(client_a, establishment_a):
    exercise = make_exercise(establishment_a)
    assert client_a.get(reverse("response:exercise_edit", args=[exercise.pk])).status_code == 200
    response = client_a.post(
        reverse("response:exercise_edit", args=[exercise.pk]),
        {
            "title": "Renommé",
            "planned_for": "2026-10-01T09:30",
            "objectives": "Tester",
            "other_participants": "",
        },
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.title == "Renommé" and exercise.objectives == "Tester"


def test_detail_shows_scenario_and_actions(client_a, establishment_a):
    exercise = make_exercise(establishment_a)
    content = client_a.get(reverse("response:exercise_detail", args=[exercise.pk])).content.decode()
    assert "Start the exercise" in content
    assert "The EHR stops responding in the emergency department" in content
    assert "CERT Santé / ARS declaration" in content  # obligations cited, by their labels
    assert "Call the on-call IT engineer" in content  # expected actions, for the facilitator
    assert "13 injects over 3 hours" in content


def test_script_is_hidden_from_read_only_viewers(auditor, establishment_a):
    exercise = make_exercise(establishment_a)
    content = auditor.get(reverse("response:exercise_detail", args=[exercise.pk])).content.decode()
    assert "13 injects over 3 hours" in content
    assert "The EHR stops responding" not in content
    assert "Call the on-call IT engineer" not in content


def test_full_run_through_the_pages(client_a, establishment_a, user_a):
    exercise = make_exercise(establishment_a)
    response = client_a.post(reverse("response:exercise_start", args=[exercise.pk]))
    assert response["Location"] == reverse("response:exercise_run", args=[exercise.pk])
    console = client_a.get(response["Location"]).content.decode()
    assert "The EHR stops responding" in console
    assert 'hx-trigger="every 5s"' in console
    assert "Deliver the next inject now" in console
    # The facilitator delivers the next inject through htmx: the live region comes back.
    live = client_a.post(
        reverse("response:exercise_deliver", args=[exercise.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert live.startswith('<div id="exercise-live"') and "<html" not in live
    assert "Encryption under way on the servers" in live and "delivered early" in live
    # A decision through htmx: the live region, plus a fresh form swapped out-of-band.
    logged = client_a.post(
        reverse("response:exercise_entry_add", args=[exercise.pk]),
        {"kind": "decision", "text": "Isoler le réseau"},
        HTTP_HX_REQUEST="true",
    )
    body = logged.content.decode()
    assert logged.status_code == 200 and "Isoler le réseau" in body
    assert 'id="exercise-entry-form"' in body and 'hx-swap-oob="true"' in body
    invalid = client_a.post(
        reverse("response:exercise_entry_add", args=[exercise.pk]),
        {"kind": "decision", "text": ""},
        HTTP_HX_REQUEST="true",
    )
    assert invalid.status_code == 422 and "errorlist" in invalid.content.decode()
    # Without JavaScript: a plain post redirects back to the console.
    plain = client_a.post(
        reverse("response:exercise_entry_add", args=[exercise.pk]),
        {"kind": "observation", "text": "Bonne coordination"},
    )
    assert plain["Location"] == reverse("response:exercise_run", args=[exercise.pk])
    ended = client_a.post(reverse("response:exercise_end", args=[exercise.pk]))
    assert ended["Location"] == reverse("response:exercise_after_action", args=[exercise.pk])
    exercise.refresh_from_db()
    assert exercise.status == ExerciseStatus.COMPLETED
    form = client_a.get(ended["Location"])
    assert form.status_code == 200
    missing = client_a.post(ended["Location"], {"summary": "", "generate": "1"})
    assert missing.status_code == 422
    response = client_a.post(
        ended["Location"],
        {
            "summary": "Bon exercice",
            "strengths": "Réactivité",
            "improvements": "Annuaire",
            "action_plan": "Mettre à jour l'annuaire",
            "generate": "1",
        },
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.report_evidence is not None
    detail = client_a.get(reverse("response:exercise_detail", args=[exercise.pk])).content.decode()
    assert exercise.report_evidence.sha256 in detail
    download = client_a.get(reverse("response:exercise_report", args=[exercise.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="export", object_id=str(exercise.pk)).exists()


def test_poll_fragment_delivers_new_injects_without_reload(client_a, establishment_a):
    exercise = run(make_exercise(establishment_a), minutes_ago=11)
    url = reverse("response:exercise_live", args=[exercise.pk])
    first = client_a.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in first and "hx-trigger" in first
    assert "Encryption under way" in first and "The ransom note" not in first
    assert "2 / 13" in first
    Exercise.objects.filter(pk=exercise.pk).update(
        started_at=exercise.started_at - timedelta(minutes=10)
    )
    second = client_a.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "The ransom note" in second and "3 / 13" in second
    assert exercise.entries.filter(kind="inject").count() == 3


def test_poll_stops_once_the_exercise_is_over(client_a, establishment_a, user_a):
    exercise = run(make_exercise(establishment_a), 5)
    service.end_exercise(exercise, user_a)
    fragment = client_a.get(reverse("response:exercise_live", args=[exercise.pk])).content.decode()
    assert "hx-trigger" not in fragment


def test_report_download_without_report_redirects(client_a, establishment_a):
    exercise = make_exercise(establishment_a)
    response = client_a.get(reverse("response:exercise_report", args=[exercise.pk]))
    assert response.status_code == 302


def test_delete_only_planned_or_cancelled(client_a, establishment_a):
    planned = make_exercise(establishment_a, "À supprimer")
    assert client_a.post(reverse("response:exercise_delete", args=[planned.pk])).status_code == 302
    assert not Exercise.objects.filter(pk=planned.pk).exists()
    kept = run(make_exercise(establishment_a, "À garder"))
    client_a.post(reverse("response:exercise_delete", args=[kept.pk]))
    assert Exercise.objects.filter(pk=kept.pk).exists()


@pytest.fixture
def auditor(make_user, establishment_a):
    return login_with_mfa(Client(), make_user("auditor", "auditor", [establishment_a]))


def test_viewers_follow_but_cannot_act(auditor, establishment_a):
    exercise = run(make_exercise(establishment_a), 1)
    console = auditor.get(reverse("response:exercise_run", args=[exercise.pk]))
    assert console.status_code == 200
    assert "Deliver the next inject now" not in console.content.decode()
    for name in (
        "exercise_start",
        "exercise_end",
        "exercise_deliver",
        "exercise_entry_add",
        "exercise_after_action",
        "exercise_cancel",
        "exercise_edit",
    ):
        assert (
            auditor.post(
                reverse(f"response:{name}", args=[exercise.pk]), {"kind": "decision", "text": "x"}
            ).status_code
            == 403
        ), name
    assert auditor.get(reverse("response:exercise_add")).status_code == 403
    exercise.refresh_from_db()
    assert exercise.status == ExerciseStatus.RUNNING
    assert not exercise.entries.exclude(kind="inject").exists()


def test_other_establishment_is_404_everywhere(client_a, establishment_b):
    theirs = run(make_exercise(establishment_b, "Exercice de B"), 30)
    for name in (
        "exercise_detail",
        "exercise_run",
        "exercise_live",
        "exercise_report",
        "exercise_after_action",
        "exercise_edit",
    ):
        assert client_a.get(reverse(f"response:{name}", args=[theirs.pk])).status_code == 404
    for name in ("exercise_start", "exercise_end", "exercise_deliver", "exercise_entry_add"):
        assert (
            client_a.post(
                reverse(f"response:{name}", args=[theirs.pk]), {"kind": "decision", "text": "x"}
            ).status_code
            == 404
        )
    # Polling another establishment's exercise delivers nothing.
    assert not theirs.entries.exists()
