"""Report channels with real servers: a throwaway Dovecot polled over IMAP (by UID, nothing read
twice), Hygie's receiving SMTP endpoint fed with smtplib, and the engine command."""

from __future__ import annotations

import json
import smtplib

import pytest
from click.testing import CliRunner

from hygie.awareness.cli import awareness
from hygie.awareness.engine.report import MAX_REPORT_BYTES
from hygie.awareness.models import ReportedMail, ReportMailbox
from hygie.awareness.services import mailboxes
from hygie.awareness.services.smtp_endpoint import ReportSMTPServer
from hygie.core.models import Evidence

from .dovecot import start_dovecot
from .triage_mails import SUBJECT, forwarded, phishing

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def dovecot():
    yield from start_dovecot()


def test_imap_polling_reads_each_message_once(dovecot, establishment_a, caplog):
    mailbox = mailboxes.save_mailbox(
        None,
        establishment_a,
        {
            "name": "Signalements",
            "host": dovecot.host,
            "port": dovecot.port,
            "security": "none",
            "username": dovecot.user,
            "folder": "INBOX",
        },
        password=dovecot.password,
    )
    dovecot.append(forwarded(phishing("<one@x>")))
    dovecot.append(b"this is not a mail at all\r\n")
    first = mailboxes.poll_mailbox(mailbox)
    assert (first.fetched, first.reported, first.refused, first.error) == (2, 1, 1, "")
    mailbox.refresh_from_db()
    assert mailbox.last_uid == 2 and mailbox.last_polled_at and not mailbox.last_error
    report = ReportedMail.objects.get()
    assert report.channel == "imap" and report.reporter_email == "marie@chu-exemple.fr"
    # Nothing new: nothing read again.
    again = mailboxes.poll_mailbox(mailbox)
    assert again.fetched == 0 and ReportedMail.objects.count() == 1
    # A new message: only it is read.
    dovecot.append(forwarded(phishing("<two@x>"), reporter="paul@chu-exemple.fr"))
    third = mailboxes.poll_mailbox(mailbox)
    assert (third.fetched, third.reported) == (1, 1)
    assert ReportedMail.objects.count() == 2
    assert SUBJECT not in caplog.text and dovecot.password not in caplog.text


def test_imap_wrong_password_is_recorded_without_details(dovecot, establishment_a):
    mailbox = mailboxes.save_mailbox(
        None,
        establishment_a,
        {
            "name": "B",
            "host": dovecot.host,
            "port": dovecot.port,
            "security": "none",
            "username": dovecot.user,
            "folder": "INBOX",
        },
        password="wrong-password",
    )
    result = mailboxes.poll_mailbox(mailbox)
    mailbox.refresh_from_db()
    assert result.error == "authentication failed" == mailbox.last_error
    assert mailbox.last_uid == 0


def test_poll_job_polls_active_mailboxes(dovecot, establishment_a):
    mailboxes.save_mailbox(
        None,
        establishment_a,
        {
            "name": "C",
            "host": dovecot.host,
            "port": dovecot.port,
            "security": "none",
            "username": dovecot.user,
            "folder": "INBOX",
        },
        password=dovecot.password,
    )
    ReportMailbox.objects.create(
        establishment=establishment_a,
        name="off",
        host="127.0.0.1",
        port=1,
        username="x",
        is_active=False,
    )
    dovecot.append(forwarded(phishing("<job@x>")))
    totals = mailboxes.poll_all()
    assert totals == {"mailboxes": 1, "reported": 1, "refused": 0, "errors": 0}


@pytest.fixture
def endpoint(establishment_a):
    server = ReportSMTPServer("127.0.0.1", 0, establishment_a.pk)
    server.start()
    yield server
    server.stop()


def test_smtp_endpoint_receives_reports(endpoint, establishment_a):
    with smtplib.SMTP(endpoint.host, endpoint.port, timeout=10) as client:
        client.sendmail(
            "marie@chu-exemple.fr", ["signalement@chu-exemple.fr"], forwarded(phishing())
        )
        with pytest.raises(smtplib.SMTPDataError) as refused:
            client.sendmail("x@chu-exemple.fr", ["signalement@chu-exemple.fr"], b"no headers\r\n")
        assert refused.value.smtp_code == 554
    report = ReportedMail.objects.get()
    assert report.channel == "smtp" and report.suggested_verdict == "phishing"
    assert report.reporter_email == "marie@chu-exemple.fr"
    assert Evidence.objects.count() == 1


def test_smtp_endpoint_refuses_oversized_messages(endpoint):
    big = forwarded(phishing()) + b"\r\n" + (b"x" * 998 + b"\r\n") * (MAX_REPORT_BYTES // 1000 + 10)
    with smtplib.SMTP(endpoint.host, endpoint.port, timeout=30) as client:
        with pytest.raises((smtplib.SMTPDataError, smtplib.SMTPSenderRefused)) as refused:
            client.sendmail("x@chu-exemple.fr", ["signalement@chu-exemple.fr"], big)
        assert refused.value.smtp_code == 552
    assert ReportedMail.objects.count() == 0


def test_triage_command_json_without_database(tmp_path):
    path = tmp_path / "report.eml"
    path.write_bytes(forwarded(phishing()))
    result = CliRunner().invoke(
        awareness, ["triage", str(path), "--own-domain", "chu-exemple.fr", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verdict"] == "phishing"
    assert {"reasons", "authentication", "urls", "attachments"} <= set(data)
    assert "Votre mot de passe" not in result.output
    table = CliRunner().invoke(awareness, ["triage", str(path), "--own-domain", "chu-exemple.fr"])
    assert "hxxps://login[.]chu-exernple[.]fr/dpi" in table.output
    bad = tmp_path / "bad.eml"
    bad.write_bytes(b"\x00\x00")
    refused = CliRunner().invoke(awareness, ["triage", str(bad)])
    assert refused.exit_code != 0 and "not mail" in refused.output


def test_serve_starts_the_endpoint_from_the_environment(monkeypatch, establishment_a):
    monkeypatch.delenv("HYGIE_AWARENESS_SMTP_LISTEN", raising=False)
    assert ReportSMTPServer.from_environment() is None
    monkeypatch.setenv("HYGIE_AWARENESS_SMTP_LISTEN", "127.0.0.1:0")
    server = ReportSMTPServer.from_environment()  # one establishment: no id needed
    assert server is not None and server.port > 0
    monkeypatch.setenv("HYGIE_AWARENESS_SMTP_LISTEN", "nonsense")
    with pytest.raises(ValueError):
        ReportSMTPServer.from_environment()
