"""Campaign sending through a real SMTP server (aiosmtpd on 127.0.0.1): headers, A/B variants,
unique tokens, the profile's rate (checked against the plan, not the wall clock), the window
and working hours, authentication, a relay that is down, and the sealed password."""

from __future__ import annotations

import email
import email.policy
import re
import socket
from datetime import UTC, datetime, time, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from django.core.exceptions import ValidationError
from django.utils import timezone

from hygie.awareness import engine
from hygie.awareness.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    LandingPage,
    MailTemplate,
    SendingProfile,
)
from hygie.awareness.services import campaigns, profiles, sending, templates_library
from hygie.core.models import Department, Person

pytestmark = pytest.mark.django_db

PASSWORD = "relay-s3cret-ne-pas-afficher"


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        ok = auth_data.login == b"campagnes" and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = _Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=_free_port(),
        authenticator=inbox.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    settings.CSRF_TRUSTED_ORIGINS = ["https://hygie.ght.example"]
    inbox.port = controller.port
    yield inbox
    controller.stop()


def _library():
    templates_library.sync_library()
    template = MailTemplate.objects.get(lure_id="lab-results", language="fr", source="library")
    other = MailTemplate.objects.get(lure_id="payslip", language="fr", source="library")
    page = LandingPage.objects.get(lure_id="lab-results", language="fr", source="library")
    return template, other, page


ALL_DAY = (time(0, 0), time(23, 59))


def _midday_zone() -> str:
    """A fixed-offset zone where it is about noon now. Working hours of 00:00–23:59 in UTC
    left out a test run in the last minute of a UTC day (the mails stayed "outside_hours");
    around noon, the test's minutes are always inside them."""
    offset = (24 - timezone.now().hour) % 24 - 12  # hours to add to UTC: -12 to 11
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # POSIX sign: Etc/GMT-2 is UTC+2


def _campaign(
    establishment,
    port,
    *,
    rate=60,
    start=None,
    hours=ALL_DAY,
    days=(0, 1, 2, 3, 4, 5, 6),
    minutes=1,
    ab=True,
    username="",
    password=None,
):
    template, other, page = _library()
    profile = profiles.save_profile(
        SendingProfile(establishment=establishment),
        None,
        password=password,
        name=f"Relais {port} {rate}",
        host="127.0.0.1",
        port=port,
        security="none",
        username=username,
        envelope_from="bounce@simulation.ght.example",
        header_from="Service informatique <dsi@simulation.ght.example>",
        rate_per_minute=rate,
        custom_headers={"X-Gateway-Allow": "phishing-simulation-2026"},
    )
    now = timezone.now()
    begin = start or now.replace(second=0, microsecond=0)
    return Campaign.objects.create(
        establishment=establishment,
        name="Campagne labo",
        sending_profile=profile,
        template_a=template,
        template_b=other if ab else None,
        landing_page=page,
        window_start=begin,
        window_end=begin + timedelta(minutes=minutes),
        working_hours_start=hours[0],
        working_hours_end=hours[1],
        working_days=list(days),
        time_zone=_midday_zone() if hours == ALL_DAY else "UTC",
    )


def _people(establishment, count):
    department = Department.objects.create(establishment=establishment, name="Laboratoire")
    return [
        Person.objects.create(
            establishment=establishment,
            department=department,
            first_name=f"Agent{index}",
            last_name="Test",
            email=f"agent{index}@ght.example",
            profession="Technicien de laboratoire",
        )
        for index in range(count)
    ]


def test_a_campaign_is_sent_to_a_real_smtp_server_at_the_profile_rate(smtp, establishment_a):
    if timezone.now().second > 50:  # the one-minute window must hold the four mails
        import time as clock

        clock.sleep(61 - timezone.now().second)
    campaign = _campaign(establishment_a, smtp.port, rate=60)
    _people(establishment_a, 4)
    targets = campaigns.targets_from_people(
        campaigns.people_for(None, [establishment_a.pk], professions=["technicien de laboratoire"])
    )
    assert campaigns.add_recipients(campaign, targets, None) == 4
    campaigns.launch(campaign, None, start_sending=False)
    report = sending.send_campaign(campaign, budget=30)

    assert report.sent == 4, report
    campaign.refresh_from_db()
    assert campaign.status == "finished" and campaign.finished_at
    assert len(smtp.messages) == 4
    tokens = set()
    for mail_from, rcpts, message in smtp.messages:
        assert mail_from == "bounce@simulation.ght.example"
        assert message["X-Hygie-Simulation"] == f"campaign={campaign.pk}"
        assert message["X-Gateway-Allow"] == "phishing-simulation-2026"
        assert "simulation.ght.example" in message["Message-ID"]
        assert message["From"].addresses[0].addr_spec == "dsi@simulation.ght.example"
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        links = set(re.findall(r"https://hygie\.ght\.example/awareness/t/c/([A-Za-z0-9_-]+)", html))
        assert len(links) == 1 and links <= set(re.findall(r"/t/c/([A-Za-z0-9_-]+)", text))
        token = links.pop()
        assert engine.is_valid_token(token)
        recipient = CampaignRecipient.objects.get(token=token)
        assert rcpts == [recipient.email]
        assert f"Bonjour {recipient.first_name}" in text
        assert f"/awareness/t/o/{token}" in html  # the open pixel
        tokens.add(token)
    assert len(tokens) == 4  # one unguessable token per recipient

    recipients = list(CampaignRecipient.objects.filter(campaign=campaign).order_by("sent_at"))
    assert {r.variant for r in recipients} <= {"a", "b"}
    for recipient in recipients:
        assert recipient.sent_at >= recipient.scheduled_at  # never before its planned time
        assert CampaignEvent.objects.filter(recipient=recipient, kind="sent").count() == 1
    # The rate (60/min): the plan spaces mails one second apart, and the sends keep the spacing.
    planned = sorted(r.scheduled_at for r in recipients)
    assert all(b - a >= timedelta(seconds=1) for a, b in zip(planned, planned[1:], strict=False))
    sent = [r.sent_at for r in recipients]
    assert all(b - a >= timedelta(seconds=0.95) for a, b in zip(sent, sent[1:], strict=False))


def test_nothing_leaves_outside_working_hours_or_after_the_window(smtp, establishment_a):
    now = timezone.now()
    outside = (now + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    campaign = _campaign(
        establishment_a,
        smtp.port,
        start=now - timedelta(minutes=5),
        minutes=600,
        hours=(outside, (datetime.combine(now.date(), outside) + timedelta(hours=1)).time())
        if outside < time(22, 0)
        else (time(0, 0), time(0, 1)),
    )
    _people(establishment_a, 2)
    campaigns.add_recipients(
        campaign, campaigns.targets_from_people(campaigns.people_for(None)), None
    )
    CampaignRecipient.objects.filter(campaign=campaign).update(
        scheduled_at=now - timedelta(minutes=1)
    )
    Campaign.objects.filter(pk=campaign.pk).update(status="scheduled")
    report = sending.send_campaign(campaign, budget=5)
    assert report.sent == 0 and smtp.messages == []
    assert report.stopped == "outside_hours"
    assert not CampaignRecipient.objects.filter(campaign=campaign, sent_at__isnull=False).exists()

    # After the window: the mails are marked, never sent, and the campaign finishes.
    Campaign.objects.filter(pk=campaign.pk).update(
        window_start=now - timedelta(days=2), window_end=now - timedelta(days=1)
    )
    report = sending.send_campaign(campaign, budget=5)
    assert report.closed == 2 and smtp.messages == []
    assert set(CampaignRecipient.objects.values_list("send_error", flat=True)) == {"window_closed"}
    campaign.refresh_from_db()
    assert campaign.status == "finished"


def test_the_plan_keeps_to_working_hours_and_days_in_the_campaign_time_zone(establishment_a):
    template, _other, page = _library()
    profile = SendingProfile.objects.create(
        establishment=establishment_a, name="Relais", host="127.0.0.1", port=25,
        envelope_from="a@ght.example", header_from="a@ght.example", rate_per_minute=2,
    )  # fmt: skip
    start = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)  # a Friday; DST starts on Sunday 29 in Paris
    campaign = Campaign.objects.create(
        establishment=establishment_a, name="Plan", sending_profile=profile,
        template_a=template, landing_page=page, window_start=start,
        window_end=start + timedelta(days=4), working_hours_start=time(9, 0),
        working_hours_end=time(10, 0), working_days=[0, 1, 2, 3, 4], time_zone="Europe/Paris",
    )  # fmt: skip
    _people(establishment_a, 150)
    campaigns.add_recipients(
        campaign, campaigns.targets_from_people(campaigns.people_for(None)), None
    )
    planned = campaigns.plan(campaign)
    assert len(planned) == 150
    for _email, moment in planned:
        local = moment.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Paris"))
        assert local.weekday() < 5 and time(9, 0) <= local.time() < time(10, 0)
        assert campaigns.in_window(campaign, moment)
    per_minute: dict[datetime, int] = {}
    for _email, moment in planned:
        key = moment.replace(second=0)
        per_minute[key] = per_minute.get(key, 0) + 1
    assert max(per_minute.values()) <= 2
    # Friday, Monday and Tuesday (summer time from Sunday) 9:00-9:30 in Paris: 90 minutes,
    # 90 mails at 1/min, too few for 150.
    campaign.working_hours_end = time(9, 30)
    campaign.sending_profile.rate_per_minute = 1
    with pytest.raises(ValidationError, match="holds 90 mails"):
        campaigns.plan(campaign)


def test_the_relay_login_uses_the_sealed_password(smtp, establishment_a):
    campaign = _campaign(
        establishment_a, smtp.port, rate=0, username="campagnes", password=PASSWORD, minutes=30
    )
    stored = SendingProfile.objects.get(pk=campaign.sending_profile_id).password
    assert stored.startswith("fernet:") and PASSWORD not in stored
    _people(establishment_a, 2)
    campaigns.add_recipients(
        campaign, campaigns.targets_from_people(campaigns.people_for(None)), None
    )
    campaigns.launch(campaign, None, start_sending=False)
    CampaignRecipient.objects.update(scheduled_at=timezone.now() - timedelta(seconds=1))
    report = sending.send_campaign(campaign, budget=10)
    assert report.sent == 2
    assert smtp.logins == [("campagnes", PASSWORD)]


def test_a_relay_that_is_down_leaves_the_mails_pending(establishment_a, caplog):
    campaign = _campaign(establishment_a, _free_port(), rate=0, minutes=30)
    _people(establishment_a, 2)
    campaigns.add_recipients(
        campaign, campaigns.targets_from_people(campaigns.people_for(None)), None
    )
    campaigns.launch(campaign, None, start_sending=False)
    CampaignRecipient.objects.update(scheduled_at=timezone.now() - timedelta(seconds=1))
    report = sending.send_campaign(campaign, budget=5)
    assert report.sent == 0 and report.stopped == "relay"
    assert CampaignRecipient.objects.filter(sent_at__isnull=True, send_error="").count() == 2
    assert "agent0@" not in caplog.text


def test_a_restarted_job_never_sends_a_mail_twice(smtp, establishment_a, monkeypatch):
    """A job that claimed a batch and died before sending it, then two runs one after the
    other: every other recipient gets exactly one mail, the claimed ones none (at most once),
    and each mail sent has exactly one ``sent`` event."""
    monkeypatch.setattr(sending, "BATCH_MAILS", 3)
    campaign = _campaign(establishment_a, smtp.port, rate=0, minutes=30)
    _people(establishment_a, 7)
    campaigns.add_recipients(
        campaign, campaigns.targets_from_people(campaigns.people_for(None)), None
    )
    campaigns.launch(campaign, None, start_sending=False)
    CampaignRecipient.objects.update(scheduled_at=timezone.now() - timedelta(seconds=1))
    campaign.refresh_from_db()
    crashed = sending._claim(campaign, sending._Clock(lambda seconds: None))  # then the job died
    assert len(crashed.recipients) == 3
    first = sending.send_campaign(campaign, budget=10)
    again = sending.send_campaign(campaign, budget=10)  # a restart after the end: nothing to do

    assert first.sent == 4 and again.sent == 0
    delivered = [rcpts[0] for _sender, rcpts, _message in smtp.messages]
    assert len(delivered) == len(set(delivered)) == 4
    assert not set(delivered) & {r.email for r in crashed.recipients}
    for recipient in CampaignRecipient.objects.filter(email__in=delivered):
        assert recipient.sent_at >= recipient.scheduled_at
        assert CampaignEvent.objects.filter(recipient=recipient, kind="sent").count() == 1


def test_a_password_sealed_under_another_key_stops_cleanly(smtp, establishment_a, settings):
    campaign = _campaign(establishment_a, smtp.port, rate=0, password="x", username="u", minutes=30)
    _people(establishment_a, 1)
    campaigns.add_recipients(
        campaign, campaigns.targets_from_people(campaigns.people_for(None)), None
    )
    campaigns.launch(campaign, None, start_sending=False)
    CampaignRecipient.objects.update(scheduled_at=timezone.now() - timedelta(seconds=1))
    settings.SECRET_KEY = "another-key-" + "x" * 40
    report = sending.send_campaign(campaign, budget=5)
    assert report.stopped == sending.SECRET_UNREADABLE and smtp.messages == []


def test_custom_headers_cannot_rewrite_the_message():
    with pytest.raises(ValidationError):
        profiles.clean_headers({"Bcc": "someone@example.org"})
    with pytest.raises(ValidationError):
        profiles.clean_headers({"X-Ok": "a\r\nBcc: x@example.org"})
    assert profiles.clean_headers({"X-Sim": " yes "}) == {"X-Sim": "yes"}


def test_csv_targets_are_checked_row_by_row():
    data = "email;first_name;department\nune@ght.example;Une;Urgences\nnot-an-address;X;Y\n"
    with pytest.raises(ValidationError, match="(Row|Ligne) 3"):
        campaigns.targets_from_csv(data.encode())
    good = campaigns.targets_from_csv(b"email,first_name\nUne@GHT.example,Une\nune@ght.example,U\n")
    assert [t.email for t in good] == ["une@ght.example"]


def test_the_sending_job_runs_through_the_task_runner_with_progress(smtp, establishment_a):
    from hygie.awareness import jobs
    from hygie.core.models import Job

    campaign = _campaign(establishment_a, smtp.port, rate=0, minutes=30)
    _people(establishment_a, 3)
    campaigns.add_recipients(
        campaign, campaigns.targets_from_people(campaigns.people_for(None)), None
    )
    campaigns.launch(campaign, None, start_sending=False)
    CampaignRecipient.objects.update(scheduled_at=timezone.now() - timedelta(seconds=1))
    job = jobs.start_sending(campaign, None, budget=10)  # the test backend runs it at once
    job = Job.objects.get(pk=job.pk)
    assert job.status == "succeeded", job.error
    assert job.progress_done == job.progress_total == 3
    assert job.result["sent"] == 3 and len(smtp.messages) == 3
    campaign.refresh_from_db()
    assert campaign.status == "finished"


def test_cli_lists_plans_and_reports_status(establishment_a):
    import json as jsonlib

    from click.testing import CliRunner

    from hygie.awareness.cli import awareness as awareness_cli

    campaign = _campaign(establishment_a, 2525, rate=10, minutes=600)
    _people(establishment_a, 2)
    campaigns.add_recipients(
        campaign, campaigns.targets_from_people(campaigns.people_for(None)), None
    )
    listed = CliRunner().invoke(awareness_cli, ["campaigns", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert jsonlib.loads(listed.output)[0]["recipients"] == 2
    planned = CliRunner().invoke(awareness_cli, ["launch", str(campaign.pk), "--dry-run"])
    assert planned.exit_code == 0 and "2 mails planned" in planned.output
    campaign.refresh_from_db()
    assert campaign.status == "draft"
    status = CliRunner().invoke(awareness_cli, ["status", str(campaign.pk)])
    assert "draft" in status.output
    assert CliRunner().invoke(awareness_cli, ["status", "999999"]).exit_code == 2


def _certificates(folder):
    """A throwaway CA and a server certificate for 127.0.0.1 (files: ca.pem, server.pem/key)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(1)
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    key = ec.generate_private_key(ec.SECP256R1())
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "server.pem").write_bytes(server.public_bytes(pem))
    (folder / "server.key").write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_tls_relays_are_verified_then_used(tmp_path, establishment_a, monkeypatch, security):
    import ssl

    folder = _certificates(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(folder / "server.pem", folder / "server.key")
    inbox = _Inbox()
    options = (  # STARTTLS required before MAIL, or implicit TLS from the first byte
        {"tls_context": context, "require_starttls": True}
        if security == "starttls"
        else {"ssl_context": context}
    )
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), **options)
    controller.start()
    try:
        campaign = _campaign(establishment_a, controller.port, rate=0, minutes=30)
        SendingProfile.objects.filter(pk=campaign.sending_profile_id).update(security=security)
        _people(establishment_a, 1)
        campaigns.add_recipients(
            campaign, campaigns.targets_from_people(campaigns.people_for(None)), None
        )
        campaigns.launch(campaign, None, start_sending=False)
        CampaignRecipient.objects.update(scheduled_at=timezone.now() - timedelta(seconds=1))
        # An unknown authority: the relay is refused, nothing leaves, the mail stays pending.
        monkeypatch.setenv("SSL_CERT_FILE", str(folder / "server.pem"))
        monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path / "none"))
        report = sending.send_campaign(campaign, budget=5)
        assert report.stopped == "relay" and inbox.messages == []
        # Trusted: the mail goes through the encrypted session.
        monkeypatch.setenv("SSL_CERT_FILE", str(folder / "ca.pem"))
        report = sending.send_campaign(campaign, budget=5)
        assert report.sent == 1 and len(inbox.messages) == 1
    finally:
        controller.stop()
