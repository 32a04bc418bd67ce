"""Training pages, public personal-link pages, API and CLI."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.urls import reverse
from django.utils import timezone

from hygie.awareness.models import TrainingAssignment, TrainingModule
from hygie.awareness.services import training
from hygie.cli import cli
from hygie.core.models import Department, Person
from tests.apps.core.api_support import APIClient, issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    training.sync_catalogue()


@pytest.fixture
def nurse(establishment_a):
    department = Department.objects.create(establishment=establishment_a, name="Urgences")
    return Person.objects.create(
        establishment=establishment_a,
        department=department,
        first_name="Inès",
        last_name="Infirmière",
        email="ines@ch-alpha.test",
        profession="Infirmier",
    )


@pytest.fixture
def assignment(catalogue, nurse):
    return training.assign("spotting-phishing", [nurse]).created[0]


def _right_post(module):
    data = {}
    for question in training.module_questions(module):
        data[f"q-{question.id}"] = sorted(question.correct)
    return data


def test_catalogue_and_module_preview(client_a, catalogue):
    page = client_a.get(reverse("awareness:training_catalogue"))
    assert page.status_code == 200
    assert "Repérer l&#x27;hameçonnage" in page.content.decode()
    module = training.current_module("removable-media", "en")
    detail = client_a.get(reverse("awareness:trainingmodule_detail", args=[module.pk]))
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "<h1>USB sticks and removable media</h1>" in html
    assert "/awareness/training/images/usb-media.svg" in html
    assert "It may contain malware" in html


def test_sync_from_the_page_needs_manage(client, make_user, establishment_a, login):
    auditor = make_user("audrey", "auditor", [establishment_a])
    login(auditor)
    assert client.post(reverse("awareness:training_sync")).status_code == 403
    assert not TrainingModule.objects.exists()


def test_sync_needs_organisation_wide_access(client_a):
    # The shipped catalogue is the whole installation's: an RSSI of one establishment may not
    # rewrite it (found by the isolation walk).
    assert client_a.post(reverse("awareness:training_sync")).status_code == 403
    assert not TrainingModule.objects.exists()


def test_sync_and_assign_from_the_pages(client_a, user_a, nurse, establishment_a):
    user_a.has_all_establishments = True
    user_a.save()
    response = client_a.post(reverse("awareness:training_sync"))
    assert response.status_code == 302
    assert TrainingModule.objects.count() == 16
    due = (timezone.localdate() + timedelta(days=10)).isoformat()
    response = client_a.post(
        reverse("awareness:training_assign"),
        {
            "module": "passwords-cps",
            "establishments": [establishment_a.pk],
            "departments": [nurse.department_id],
            "professions": "infirmier, médecin",
            "due_date": due,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = TrainingAssignment.objects.get()
    assert created.person == nurse and created.module.slug == "passwords-cps"
    listing = client_a.get(reverse("awareness:trainingassignment_list"))
    assert "Infirmière" in listing.content.decode()
    past = client_a.post(
        reverse("awareness:training_assign"),
        {
            "module": "passwords-cps",
            "establishments": [establishment_a.pk],
            "due_date": timezone.localdate().isoformat(),
        },
    )
    assert past.status_code == 200 and TrainingAssignment.objects.count() == 1


def test_assignment_list_shows_the_score_and_words_for_passed(client_a, assignment):
    """The score column shows the score (it showed the assignment's name followed by %), and
    the 'passed' filter offers words, not Python's True/False."""
    TrainingAssignment.objects.filter(pk=assignment.pk).update(
        score=85, passed=True, completed_at=timezone.now()
    )
    page = client_a.get(reverse("awareness:trainingassignment_list")).content.decode()
    assert "85\u00a0%" in page
    assert f"{assignment.module.title} — " not in page
    assert ">True<" not in page and ">False<" not in page
    filtered = client_a.get(reverse("awareness:trainingassignment_list"), {"passed": "False"})
    assert "85\u00a0%" not in filtered.content.decode()


def test_other_establishments_see_nothing(client, user_b, login, assignment):
    login(user_b)
    listing = client.get(reverse("awareness:trainingassignment_list"))
    assert "Infirmière" not in listing.content.decode()
    certificate = client.get(
        reverse("awareness:trainingassignment_certificate", args=[assignment.pk])
    )
    assert certificate.status_code == 404


def test_personal_link_take_quiz_and_certificate(client, assignment):
    url = reverse("awareness:training_take", args=[assignment.token])
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert page["X-Robots-Tag"].startswith("noindex")
    assert "Bonjour Inès" in html and "Repérer l&#x27;hameçonnage" in html
    assert 'name="q-q3" value="a"' in html
    wrong = client.post(url, {"q-q1": "a"})
    assert wrong.status_code == 200 and "Réessayer" in wrong.content.decode()
    right = client.post(url, _right_post(assignment.module))
    assert "Bravo" in right.content.decode()
    assignment.refresh_from_db()
    assert assignment.passed and assignment.score == 100 and assignment.attempts == 2
    pdf = client.get(reverse("awareness:training_certificate", args=[assignment.token]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_expired_and_unknown_links(client, assignment):
    TrainingAssignment.objects.filter(pk=assignment.pk).update(
        token_expires_at=timezone.now() - timedelta(minutes=1)
    )
    url = reverse("awareness:training_take", args=[assignment.token])
    expired = client.get(url)
    assert expired.status_code == 410
    assert "Ce lien de formation a expiré" in expired.content.decode()
    assert client.post(url, {"q-q1": "b"}).status_code == 410
    assert client.get(reverse("awareness:training_take", args=["A" * 24])).status_code == 404
    assert client.get("/awareness/training/t/%2e%2e%2fetc/").status_code == 404
    certificate = client.get(reverse("awareness:training_certificate", args=[assignment.token]))
    assert certificate.status_code == 404


def test_shipped_images_only(client):
    image = client.get(reverse("awareness:training_image", args=["usb-media.svg"]))
    assert image.status_code == 200 and image["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in image["Content-Security-Policy"]
    assert client.get(reverse("awareness:training_image", args=["x.py"])).status_code == 404


def test_completion_page_with_chart(client_a, assignment):
    training.submit_quiz(
        assignment, {q.id: q.correct for q in training.module_questions(assignment.module)}
    )
    page = client_a.get(reverse("awareness:training_completion"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Urgences" in html and "<svg" in html and "100&nbsp;%" in html


def test_staff_landing_panel(client, make_user, establishment_a, login, assignment):
    staff_user = make_user("ines", "staff", [establishment_a])
    staff_user.email = "ines@ch-alpha.test"
    staff_user.save()
    login(staff_user)
    home = client.get(reverse("core:dashboard"))
    html = home.content.decode()
    assert reverse("awareness:training_take", args=[assignment.token]) in html


def test_api(user_a, establishment_a, nurse):
    api = APIClient(issue_token(user_a, "write"))
    assert api.post("/awareness/training/sync").status_code == 403  # one establishment only
    user_a.has_all_establishments = True
    user_a.save()
    synced = api.post("/awareness/training/sync")
    assert synced.status_code == 200 and len(synced.json()["created"]) == 16
    modules = api.get("/awareness/training/modules").json()
    assert len(modules) == 16
    detail = api.get(f"/awareness/training/modules/{modules[0]['id']}").json()
    assert detail["quiz"][0]["choices"][0]["explanation"]
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    created = api.post(
        "/awareness/training/assignments",
        {"module": "degraded-mode", "establishment_ids": [establishment_a.pk], "due_date": due},
    )
    assert created.status_code == 201 and created.json()["created"] == 1
    listing = api.get("/awareness/training/assignments", {"module": "degraded-mode"}).json()
    assert listing["count"] == 1 and "token" not in listing["items"][0]
    assert listing["items"][0]["module_version"] == 1
    rates = api.get("/awareness/training/completion").json()
    assert rates == [{"department": "Urgences", "people": 1, "trained": 0, "percent": 0}]
    unknown = api.post(
        "/awareness/training/assignments",
        {"module": "nope", "establishment_ids": [establishment_a.pk], "due_date": due},
    )
    assert unknown.status_code == 404


def test_api_refuses_other_establishments(user_b, establishment_a, catalogue):
    api = APIClient(issue_token(user_b, "write"))
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = api.post(
        "/awareness/training/assignments",
        {"module": "degraded-mode", "establishment_ids": [establishment_a.pk], "due_date": due},
    )
    assert response.status_code == 404
    assert not TrainingAssignment.objects.exists()


def test_cli(establishment_a, nurse):
    runner = CliRunner()
    check = runner.invoke(cli, ["awareness", "training", "sync", "--check"])
    assert check.exit_code == 0 and "8 module(s), 16 text(s)" in check.output
    first = runner.invoke(cli, ["awareness", "training", "sync"])
    assert first.exit_code == 0, first.output
    assert "16 new" in first.output
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    assigned = runner.invoke(
        cli,
        [
            "awareness", "training", "assign", "medical-devices",
            "--establishment", str(establishment_a.pk),
            "--department", "Urgences",
            "--due", due,
        ],
    )  # fmt: skip
    assert assigned.exit_code == 0, assigned.output
    assert "1 assignment(s) created" in assigned.output
    status = runner.invoke(cli, ["awareness", "training", "status", "--format", "json"])
    assert status.exit_code == 0
    assert '"department": "Urgences"' in status.output
    missing = runner.invoke(
        cli,
        ["awareness", "training", "assign", "nope", "--establishment",
         str(establishment_a.pk), "--due", due],
    )  # fmt: skip
    assert missing.exit_code == 1
