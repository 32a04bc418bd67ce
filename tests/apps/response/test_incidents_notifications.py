"""Incident notifications sent through a real SMTP server (aiosmtpd on 127.0.0.1), after the
transaction commits, through the task runner (the test settings' immediate backend)."""

from __future__ import annotations

import email
import logging
import socket
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django_tasks.signals import task_enqueued

from hygie.response.services import incidents as service
from hygie.response.services import notifications

pytestmark = pytest.mark.django_db

TITLE = "Chiffrement des serveurs de fichiers"  # the fixture's title: never in a message
SECRET = "Mme Exemple, née le 01/02/1950, dossier 123456"  # PHI-like free text


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for rcpts, message in self.messages if address in rcpts]

    def recipients(self) -> list[str]:
        return sorted(address for rcpts, _ in self.messages for address in rcpts)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "hygie@ght.example"
    settings.CSRF_TRUSTED_ORIGINS = ["https://hygie.ght.example"]
    yield inbox
    controller.stop()


@pytest.fixture
def team(make_user, establishment_a, incident, user_a):
    """alice (rssi, the fixture's creator) and others around the incident of establishment A."""
    people = {
        "alice": user_a,
        "marc": make_user("marc", "rssi", [establishment_a], language="en"),
        "dora": make_user("dora", "dpo", [establishment_a]),  # no language: the site's (fr)
        "bio": make_user("bio", "biomed", [establishment_a], language="en"),
        "moved": make_user("moved", "rssi", [], language="en"),  # no longer sees A
        "gone": make_user("gone", "rssi", [establishment_a], language="en", is_active=False),
        "nomail": make_user("nomail", "rssi", [establishment_a], language="en"),
        "trainer": make_user("trainer", "trainer", [establishment_a], language="en"),
    }
    people["nomail"].email = ""
    people["nomail"].save(update_fields=["email"])
    incident.watchers.set(
        [people[name] for name in ("alice", "dora", "moved", "gone", "nomail", "trainer")]
    )
    return people


def _subject(message) -> str:
    return " ".join(str(message["Subject"]).split())  # unfolded (non-ASCII subjects are folded)


def _body(message) -> str:
    return message.get_body().get_content()


def _assert_no_phi(message, *texts: str) -> None:
    for text in (TITLE, *texts):
        assert text not in _subject(message) and text not in _body(message)


def test_assignment_mails_the_new_assignee_only(
    smtp, team, incident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        service.assign(team["alice"], incident, team["marc"])
    assert smtp.recipients() == ["marc@example.org"]  # not alice who assigned, not the watchers
    message = smtp.to("marc@example.org")[0]
    assert message["From"] == "hygie@ght.example"
    assert _subject(message) == "[Hygie] INC-2026-0001 — assigned to you"
    body = _body(message)
    assert "alice assigned incident INC-2026-0001 to you." in body
    assert "Establishment: CH Alpha" in body and "Current phase: New" in body
    assert f"https://hygie.ght.example/response/incidents/{incident.pk}/" in body
    assert "no patient data" in body
    _assert_no_phi(message)


def test_assigning_yourself_sends_nothing(smtp, team, incident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        service.assign(team["marc"], incident, team["marc"])
    assert smtp.messages == []


def test_declaring_with_an_assignee_mails_them(
    smtp, team, establishment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        created = service.create_incident(
            team["alice"],
            establishment=establishment_a,
            title=SECRET,
            discovered_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
            assignee=team["marc"],
        )
    assert smtp.recipients() == ["marc@example.org"]
    message = smtp.to("marc@example.org")[0]
    assert created.reference in message["Subject"]
    _assert_no_phi(message, SECRET)


def test_phase_change_mails_watchers_who_may_still_read_it_in_their_language(
    smtp, team, incident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        service.transition(team["alice"], incident, "containment", note=SECRET)
    # alice acted; moved, gone, nomail and trainer (no incident access) are left out.
    assert smtp.recipients() == ["dora@example.org"]
    french = smtp.to("dora@example.org")[0]
    assert _subject(french) == "[Hygie] INC-2026-0001 — phase : Nouveau → Confinement"
    assert "alice" in _body(french) and "INC-2026-0001" in _body(french)
    _assert_no_phi(french, SECRET)


def test_the_assignee_mutes_phase_mails_by_unfollowing(
    smtp, team, incident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        service.assign(team["alice"], incident, team["marc"])  # marc now follows it
        service.transition(team["alice"], incident, "triage")
    assert [_subject(m) for m in smtp.to("marc@example.org")] == [
        "[Hygie] INC-2026-0001 — assigned to you",
        "[Hygie] INC-2026-0001 — phase: New → Triage",
    ]
    smtp.messages.clear()
    service.unwatch(team["marc"], incident)
    with django_capture_on_commit_callbacks(execute=True):
        service.transition(team["alice"], incident, "containment")
        service.add_comment(team["alice"], incident, SECRET)
    assert smtp.to("marc@example.org") == []
    assert smtp.recipients() == ["dora@example.org", "dora@example.org"]


def test_comment_says_a_new_comment_never_its_text(
    smtp, team, incident, django_capture_on_commit_callbacks
):
    team["alice"].language = "en"  # the recipient's own language wins over the site's (fr)
    team["alice"].save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        service.add_comment(team["dora"], incident, SECRET)
    assert smtp.recipients() == ["alice@example.org"]  # dora wrote it
    message = smtp.to("alice@example.org")[0]
    assert _subject(message) == "[Hygie] INC-2026-0001 — a new comment"
    assert "added a new comment" in _body(message)
    assert f"/response/incidents/{incident.pk}/#comments" in _body(message)
    _assert_no_phi(message, SECRET)


def test_task_owner_is_told_without_the_task_title(
    smtp, team, incident, django_capture_on_commit_callbacks
):
    due = datetime(2026, 3, 11, 17, 0, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        task = service.add_task(
            team["alice"],
            incident,
            title=SECRET,
            description=SECRET,
            phase="containment",
            owner=team["bio"],
            due_at=due,
        )
    assert smtp.recipients() == ["bio@example.org"]  # the owner only, not the watchers
    message = smtp.to("bio@example.org")[0]
    assert _subject(message) == "[Hygie] INC-2026-0001 — a task was assigned to you"
    body = _body(message)
    assert "Task phase: Containment" in body
    assert "Task due: 2026-03-11 18:00 CET" in body  # the establishment's time zone
    assert "#tasks" in body
    _assert_no_phi(message, SECRET)

    smtp.messages.clear()
    with django_capture_on_commit_callbacks(execute=True):
        service.edit_task(team["alice"], task, {"owner": team["bio"], "due_at": None})  # same
        service.edit_task(team["alice"], task, {"owner": team["marc"]})
        service.edit_task(team["alice"], task, {"owner": None})
    assert smtp.recipients() == ["marc@example.org"]


def test_nothing_is_sent_before_commit_nor_after_a_rollback(
    smtp, team, incident, django_capture_on_commit_callbacks
):
    enqueued = []

    def record(sender, task_result, **kwargs):
        enqueued.append(task_result.task.name)

    task_enqueued.connect(record)
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            service.assign(team["alice"], incident, team["marc"])
        assert smtp.messages == [] and enqueued == []  # still waiting for the commit
        for callback in callbacks:
            callback()
        assert enqueued == ["deliver_notification"]  # through the task runner
        assert smtp.recipients() == ["marc@example.org"]

        smtp.messages.clear()
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                service.add_comment(team["alice"], incident, SECRET)
                raise RuntimeError("rolled back")
        assert smtp.messages == []
    finally:
        task_enqueued.disconnect(record)


def test_platform_actions_are_signed_hygie(
    smtp, team, incident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        service.transition(None, incident, "triage")
    french = smtp.to("dora@example.org")[0]
    assert "Hygie" in _body(french)
    assert sorted(smtp.recipients()) == ["alice@example.org", "dora@example.org"]


def test_smtp_down_is_logged_without_phi_and_never_fails_the_change(
    settings, team, incident, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    with caplog.at_level(logging.WARNING, logger="hygie.response.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            comment = service.add_comment(team["alice"], incident, SECRET)
    assert comment.pk is not None
    assert "could not be sent: ConnectionRefusedError" in caplog.text
    assert SECRET not in caplog.text and TITLE not in caplog.text
    report = notifications.send_notification(
        "comment",
        incident.pk,
        team["alice"].pk,
        [team["dora"].pk],
        {},
        datetime(2026, 3, 10, 10, 0, tzinfo=UTC).isoformat(),
    )
    assert report["sent"] == 0 and report["failures"] == 1
