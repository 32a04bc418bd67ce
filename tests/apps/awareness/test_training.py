"""Training services: catalogue sync and versions, group assignments, the personal link, quiz
scoring through the engine, reminders through the platform's relay, certificate, figures and
probes."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.http import QueryDict
from django.utils import timezone

from hygie.awareness.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    TrainingAssignment,
    TrainingModule,
)
from hygie.awareness.probes import clickers_retrained, recent_simulation, staff_trained
from hygie.awareness.services import training
from hygie.awareness.services.training_catalogue import load_catalogue
from hygie.core.models import Department, Person

from .tracking_support import make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    training.sync_catalogue()
    return TrainingModule.objects.filter(establishment__isnull=True)


@pytest.fixture
def staff(establishment_a):
    urgences = Department.objects.create(establishment=establishment_a, name="Urgences")
    pharmacie = Department.objects.create(establishment=establishment_a, name="Pharmacie")
    people = [
        Person.objects.create(
            establishment=establishment_a,
            department=urgences,
            first_name="Inès",
            last_name="Infirmière",
            email="ines@ch-alpha.test",
            profession="Infirmier",
        ),
        Person.objects.create(
            establishment=establishment_a,
            department=urgences,
            first_name="Marc",
            last_name="Médecin",
            email="marc@ch-alpha.test",
            profession="Médecin",
        ),
        Person.objects.create(
            establishment=establishment_a,
            department=pharmacie,
            first_name="Sophie",
            last_name="Secrétaire",
            email="sophie@ch-alpha.test",
            profession="Secrétaire",
        ),
        Person.objects.create(  # left: never assigned, not counted
            establishment=establishment_a,
            department=pharmacie,
            first_name="Paul",
            last_name="Parti",
            email="paul@ch-alpha.test",
            employment_end=date(2020, 1, 1),
        ),
    ]
    return people


def _right_answers(module):
    return {q.id: q.correct for q in training.module_questions(module)}


def test_sync_creates_each_module_once_then_nothing(catalogue):
    assert catalogue.count() == len(load_catalogue()) == 16
    assert set(catalogue.values_list("version", flat=True)) == {1}
    again = training.sync_catalogue()
    assert again.created == [] and again.new_versions == [] and again.unchanged == 16


def test_a_changed_module_gets_a_new_version_and_completions_keep_theirs(catalogue, staff):
    module = training.current_module("spotting-phishing", "fr")
    first, second, *_rest = staff
    done = training.assign("spotting-phishing", [first]).created[0]
    training.submit_quiz(done, _right_answers(module))
    pending = training.assign("spotting-phishing", [second]).created[0]

    changed = [
        dataclasses.replace(m, body_markdown=m.body_markdown + "\nUne ligne de plus.\n")
        if (m.slug, m.language) == ("spotting-phishing", "fr")
        else m
        for m in load_catalogue()
    ]
    report = training.sync_catalogue(changed)
    assert report.new_versions == ["spotting-phishing.fr v2"]
    assert report.moved_assignments == 1
    newest = training.current_module("spotting-phishing", "fr")
    assert newest.version == 2 and newest.is_published
    module.refresh_from_db()
    assert not module.is_published
    done.refresh_from_db()
    pending.refresh_from_db()
    assert done.module_id == module.pk  # the version passed
    assert pending.module_id == newest.pk


def test_assign_to_a_group_skips_those_already_assigned_and_people_who_left(catalogue, staff):
    due = timezone.now() + timedelta(days=14)
    people = training.active_people(
        [staff[0].establishment], department_ids=[staff[0].department_id]
    )
    assert {p.first_name for p in people} == {"Inès", "Marc"}
    report = training.assign("passwords-cps", people, due_at=due)
    assert len(report.created) == 2
    assert report.created[0].module.language == "fr"  # the establishment's language
    assert report.created[0].token_expires_at == due + training.LINK_GRACE
    again = training.assign("passwords-cps", people, due_at=due)
    assert again.created == [] and again.already_assigned == 2
    nurses = training.active_people([staff[0].establishment], professions=["infirmier"])
    assert [p.first_name for p in nurses] == ["Inès"]
    everyone = training.active_people([staff[0].establishment])
    assert "Paul" not in {p.first_name for p in everyone}
    with pytest.raises(ValueError):
        training.assign("passwords-cps", people, due_at=timezone.now() - timedelta(days=1))


def test_personal_link_states(catalogue, staff):
    assignment = training.assign("removable-media", [staff[0]]).created[0]
    found, state = training.assignment_for_token(assignment.token)
    assert found == assignment and state == training.VALID
    assert training.assignment_for_token("not a token")[1] == training.UNKNOWN
    assert training.assignment_for_token("A" * 24)[1] == training.UNKNOWN
    later = assignment.token_expires_at + timedelta(seconds=1)
    assert training.assignment_for_token(assignment.token, later)[1] == training.EXPIRED


def test_quiz_scoring_keeps_the_best_score_and_completes_on_the_first_pass(catalogue, staff):
    assignment = training.assign("degraded-mode", [staff[1]]).created[0]
    module = assignment.module
    result = training.submit_quiz(assignment, {})
    assert not result.passed and assignment.attempts == 1 and assignment.score == 0
    assert assignment.completed_at is None
    right = _right_answers(module)
    result = training.submit_quiz(assignment, right)
    assert result.passed and assignment.passed and assignment.score == 100
    completed = assignment.completed_at
    training.submit_quiz(assignment, {})
    assignment.refresh_from_db()
    assert assignment.score == 100 and assignment.completed_at == completed
    assert assignment.attempts == 3


def test_answers_from_a_post_keep_only_valid_choices(catalogue):
    questions = training.module_questions(training.current_module("spotting-phishing", "en"))
    single = next(q for q in questions if not q.multiple)
    multiple = next(q for q in questions if q.multiple)
    answers = training.answers_from_post(
        questions,
        {
            f"q-{single.id}": ["a", "b"],  # two answers to a single-answer question: none
            f"q-{multiple.id}": ["a", "zz", "<script>"],
        },
    )
    assert answers[single.id] == set()
    assert answers[multiple.id] == {"a"}
    post = QueryDict(mutable=True)
    post.setlist(f"q-{multiple.id}", ["a", "b", "c"])
    post.setlist(f"q-{single.id}", ["b"])
    from_form = training.answers_from_post(questions, post)
    assert from_form[multiple.id] == {"a", "b", "c"} and from_form[single.id] == {"b"}


def test_too_many_attempts_are_refused(catalogue, staff):
    assignment = training.assign("medical-devices", [staff[0]]).created[0]
    TrainingAssignment.objects.filter(pk=assignment.pk).update(attempts=training.MAX_ATTEMPTS)
    with pytest.raises(training.AttemptRefused):
        training.submit_quiz(assignment, {})


def test_reminders_invitation_then_a_week_before_then_weekly(catalogue, staff, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://hygie.ch-alpha.test"]
    now = timezone.now()
    assignment = training.assign(
        "reporting-incidents", [staff[2]], due_at=now + timedelta(days=20), now=now
    ).created[0]
    report = training.send_reminders(now)
    assert report.messages == 1
    message = mail.outbox[-1]
    assert message.to == ["sophie@ch-alpha.test"]
    assert "Signaler un incident" in message.subject  # French establishment, French module
    assert f"https://hygie.ch-alpha.test/awareness/training/t/{assignment.token}/" in message.body
    assert training.send_reminders(now + timedelta(days=1)).messages == 0
    assert training.send_reminders(now + timedelta(days=14)).messages == 1  # a week before
    assert training.send_reminders(now + timedelta(days=15)).messages == 0
    assert training.send_reminders(now + timedelta(days=22)).messages == 1  # overdue
    assert training.send_reminders(now + timedelta(days=23)).messages == 0
    assert training.send_reminders(now + timedelta(days=29)).messages == 1  # weekly
    training.submit_quiz(assignment, _right_answers(assignment.module))
    assert training.send_reminders(now + timedelta(days=40)).messages == 0


def test_certificate_is_a_pdf_only_once_passed(catalogue, staff):
    assignment = training.assign("patient-data-gdpr", [staff[0]]).created[0]
    with pytest.raises(ValueError):
        training.certificate_pdf(assignment)
    training.submit_quiz(assignment, _right_answers(assignment.module))
    pdf = training.certificate_pdf(assignment)
    assert pdf.startswith(b"%PDF")


def test_markdown_is_rendered_safely():
    html = str(
        training.render_markdown(
            "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) "
            "[ok](https://example.org) <img src=x onerror=alert(1)>\n\n"
            "![a](images/usb-media.svg) ![b](https://evil.test/x.png) ![c](images/../x.svg)"
        )
    )
    assert "<script" not in html and "&lt;script&gt;" in html  # shown as text
    assert not re.search(r"<[^>]*onerror", html) and 'href="javascript' not in html
    assert "<h1>Title</h1>" in html
    assert 'href="https://example.org"' in html
    assert "/awareness/training/images/usb-media.svg" in html
    assert "evil.test" not in html and "../" not in html and 'src=""' not in html


def test_completion_figures_and_probes(catalogue, staff, establishment_a):
    now = timezone.now()
    assert staff_trained(establishment_a).status == "fail"
    for person in staff[:3]:
        assignment = training.assign("spotting-phishing", [person]).created[0]
        training.submit_quiz(assignment, _right_answers(assignment.module))
    rates = {r.department: r for r in training.completion_by_department([establishment_a])}
    assert rates["Urgences"].percent == 100 and rates["Pharmacie"].trained == 1
    assert rates["Pharmacie"].people == 1  # Paul left
    labels, values = training.monthly_completions([establishment_a], now)
    assert len(labels) == 12 and values["Urgences"][-1] == 2
    result = staff_trained(establishment_a)
    assert result.status == "pass" and result.params["percent"] == 100
    assert recent_simulation(establishment_a).status == "fail"
    assert clickers_retrained(establishment_a).status == "not_applicable"


def test_simulation_and_retraining_probes(catalogue, establishment_a):
    now = timezone.now()
    campaign = make_campaign(
        establishment_a,
        recipients=2,
        status=CampaignStatus.FINISHED,
        enrol=False,
        launched_at=now - timedelta(days=30),
    )
    assert recent_simulation(establishment_a).status == "pass"
    assert clickers_retrained(establishment_a).status == "not_applicable"
    CampaignRecipient.objects.filter(campaign=campaign).update(
        confirmed_at=now - timedelta(days=29)
    )
    result = clickers_retrained(establishment_a)
    assert result.status == "fail" and result.params == {
        "retrained": 0,
        "clickers": 2,
        "percent": 0,
    }
    for recipient in CampaignRecipient.objects.filter(campaign=campaign):
        assignment = training.assign("spotting-phishing", [recipient.person]).created[0]
        training.submit_quiz(assignment, _right_answers(assignment.module))
    assert clickers_retrained(establishment_a).status == "pass"
    Campaign.objects.filter(pk=campaign.pk).update(launched_at=now - timedelta(days=200))
    assert recent_simulation(establishment_a).status == "fail"


def test_my_assignments_follow_the_user_email(catalogue, staff, make_user, establishment_a):
    user = make_user("ines", "staff", [establishment_a])
    user.email = "INES@ch-alpha.test"
    user.save()
    training.assign("passwords-cps", [staff[0]])
    training.assign("passwords-cps", [staff[1]])
    assert [a.person for a in training.my_assignments(user)] == [staff[0]]
