"""Obligation reminders sent through a real SMTP server (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import email
import socket
from datetime import UTC, datetime, timedelta
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from hygie.core.services.jobs import get_job_kind
from hygie.response.jobs import REMINDER_JOB_KIND
from hygie.response.models import Incident, IncidentObligation, RegulatoryProfile, TimelineEntry
from hygie.response.services import obligations as service

pytestmark = pytest.mark.django_db

DISCOVERED = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
GDPR_DUE = DISCOVERED + timedelta(hours=72)


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "hygie@ght.example"
    settings.CSRF_TRUSTED_ORIGINS = ["https://hygie.ght.example"]
    yield inbox
    controller.stop()


@pytest.fixture
def breach(establishment_a, make_user):
    """A personal data breach with medium risk: GDPR art. 33 (72 h) applies, NIS2 does not."""
    assignee = make_user("assignee", "rssi", [establishment_a], language="en")
    watcher = make_user("watcher", "dpo", [establishment_a])  # no language: the site's (fr)
    outsider = make_user("outsider", "rssi", [])  # watches but no longer sees the site
    incident = Incident.objects.create(
        reference="INC-2026-0042",
        establishment=establishment_a,
        title="Dossier de Mme Exemple envoyé au mauvais destinataire",  # never in a reminder
        category="data_breach",
        personal_data="true",
        risk_to_individuals="medium",
        discovered_at=DISCOVERED,
        assignee=assignee,
    )
    incident.watchers.set([watcher, outsider])
    profile = RegulatoryProfile.objects.get(establishment=establishment_a)
    profile.notification_emails = "cellule-crise@ch.example\nASSIGNEE@example.org"
    profile.nis2 = "none"
    profile.save()
    return incident


def _recipients(inbox):
    return sorted(address for rcpts, _ in inbox.messages for address in rcpts)


def test_each_stage_is_sent_once(smtp, breach):
    # 30 h before: nothing due for the timed obligation (CERT Santé "sans délai" is).
    service.send_due_reminders(GDPR_DUE - timedelta(hours=30))
    gdpr_mail = [
        m
        for _, m in smtp.messages
        if "art. 33" in m["Subject"] or "art. 33" in str(m.get_body().get_content())
    ]
    assert gdpr_mail == []
    smtp.messages.clear()

    report = service.send_due_reminders(GDPR_DUE - timedelta(hours=23))
    assert report.messages == 3 and report.failures == 0
    assert _recipients(smtp) == [
        "assignee@example.org",
        "cellule-crise@ch.example",
        "watcher@example.org",
    ]  # deduplicated, outsider left out
    by_address = {rcpts[0]: message for rcpts, message in smtp.messages}
    english = by_address["assignee@example.org"]
    assert english["Subject"].strip().startswith("[Hygie] INC-2026-0042")
    assert english["From"] == "hygie@ght.example"
    body = english.get_body().get_content()
    assert "2026-03-13 09:00 UTC" in body and "CNIL" in body
    assert "https://hygie.ght.example/" in body
    assert "Exemple" not in body and "Exemple" not in english["Subject"]  # no incident title
    assert IncidentObligation.objects.get(
        incident=breach, obligation_id="gdpr_art33"
    ).last_reminder_at == GDPR_DUE - timedelta(hours=23)

    smtp.messages.clear()
    assert service.send_due_reminders(GDPR_DUE - timedelta(hours=2)).messages == 0  # same stage
    assert service.send_due_reminders(GDPR_DUE - timedelta(minutes=50)).messages == 3  # 1 h
    assert (
        "within 1 hour"
        in next(m for r, m in smtp.messages if r == ["assignee@example.org"])["Subject"]
    )
    smtp.messages.clear()
    assert service.send_due_reminders(GDPR_DUE - timedelta(minutes=5)).messages == 0
    assert service.send_due_reminders(GDPR_DUE + timedelta(minutes=5)).messages == 3  # overdue
    assert service.send_due_reminders(GDPR_DUE + timedelta(hours=5)).messages == 0  # once
    # Written in the establishment's language (French here), whoever runs the job.
    entries = TimelineEntry.objects.filter(incident=breach, text__startswith="Rappel")
    assert entries.filter(text__contains="art. 33").count() == 3


def test_reminders_carry_the_obligation_in_each_reader_language(smtp, breach):
    service.send_due_reminders(GDPR_DUE - timedelta(hours=23))
    by_address = {
        rcpts[0]: message.get_body().get_content()
        for rcpts, message in smtp.messages
        if "art. 33" in message["Subject"]
    }
    french, english = by_address["watcher@example.org"], by_address["assignee@example.org"]
    assert (
        "Intitulé : Notifier la violation de données à caractère personnel à l'autorité de contrôle"
    ) in french
    assert "Destinataire : CNIL" in french and "Notify the personal data breach" not in french
    assert "Title: Notify the personal data breach to the supervisory authority" in english
    assert "Notifier la violation" not in english


def test_done_obligations_get_no_reminder(smtp, breach, user_a):
    obligation = IncidentObligation.objects.get(incident=breach, obligation_id="gdpr_art33")
    IncidentObligation.objects.filter(pk=obligation.pk).update(
        status="done", done_at=DISCOVERED, proof_reference="CNIL-1"
    )
    service.send_due_reminders(GDPR_DUE - timedelta(hours=23))
    assert not any("art. 33" in message.get_body().get_content() for _, message in smtp.messages)


def test_smtp_failure_is_retried_at_the_next_run(settings, breach):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", _free_port()  # nobody listens
    settings.EMAIL_TIMEOUT = 2
    report = service.send_due_reminders(GDPR_DUE - timedelta(hours=23))
    assert report.failures >= 3 and report.messages == 0
    obligation = IncidentObligation.objects.get(incident=breach, obligation_id="gdpr_art33")
    assert obligation.last_reminder_at is None


def test_language_per_recipient_french_by_default_for_a_french_site(breach):
    obligation = IncidentObligation.objects.get(incident=breach, obligation_id="gdpr_art33")
    profile = RegulatoryProfile.objects.get(establishment=breach.establishment)
    assert sorted(service.reminders._recipients(obligation, profile)) == [
        ("assignee@example.org", "en"),
        ("cellule-crise@ch.example", "fr"),
        ("watcher@example.org", "fr"),
    ]


def test_the_periodic_job_runs_the_reminders(smtp, breach):
    class Run:
        def progress(self, done, total, message="", params=None):
            self.last = (done, total, message)

    kind = get_job_kind(REMINDER_JOB_KIND)
    result = kind.run(Run())
    # Real now: the incident's March 2026 deadlines are long past — overdue stage, once.
    assert result["messages"] >= 3
    assert kind.run(Run())["messages"] == 0
