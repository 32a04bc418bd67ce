"""Reported-mail triage services: receive_report on every channel's bytes, simulation credit,
intel lookups through the core registry, analyst verdicts, alerts for response, thank-you mails,
and hostile input refused with nothing half-written."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hygie.awareness.engine import new_token
from hygie.awareness.models import (
    Campaign,
    CampaignEvent,
    CampaignRecipient,
    LandingPage,
    MailTemplate,
    ReportedMail,
    SendingProfile,
)
from hygie.awareness.services import triage
from hygie.core.models import Alert, Evidence, Person
from hygie.core.registries import IndicatorMatch, indicator_lookups

from .triage_mails import SUBJECT, forwarded, phishing, simulation

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(establishment_a):
    return Person.objects.create(
        establishment=establishment_a,
        first_name="Marie",
        last_name="Curie",
        email="marie@chu-exemple.fr",
    )


@pytest.fixture
def recipient(establishment_a, staff):
    profile = SendingProfile.objects.create(
        establishment=establishment_a,
        name="Relais",
        host="127.0.0.1",
        port=25,
        envelope_from="sim@chu-exemple.fr",
    )
    template = MailTemplate.objects.create(
        establishment=establishment_a,
        name="Labo",
        subject="Résultats",
        language="fr",
    )
    page = LandingPage.objects.create(
        establishment=establishment_a, name="Labo", language="fr", html="<form></form>"
    )
    now = timezone.now()
    campaign = Campaign.objects.create(
        establishment=establishment_a,
        name="Mars",
        sending_profile=profile,
        template_a=template,
        landing_page=page,
        window_start=now - timedelta(days=1),
        window_end=now,
    )
    return CampaignRecipient.objects.create(
        establishment=establishment_a,
        campaign=campaign,
        person=staff,
        email=staff.email,
        token=new_token(),
    )


def test_forwarded_phishing_is_recorded_with_facts_and_evidence(establishment_a, staff, caplog):
    caplog.set_level(logging.DEBUG)
    report = triage.receive_report(forwarded(phishing()), "imap", establishment=establishment_a)
    assert report.reporter_email == "marie@chu-exemple.fr" and report.reporter_person == staff
    assert report.suggested_verdict == "phishing" and report.verdict == ""
    assert report.sender == "it@chu-exernple.fr" and report.subject == SUBJECT
    assert "lookalike_domain" in report.facts["reasons"]
    assert report.facts["lookalikes"][0]["imitates"] == "chu-exemple.fr"
    assert report.evidence.sha256 and report.evidence.establishment == establishment_a
    assert "subject" not in report.facts
    assert SUBJECT not in caplog.text and "Votre mot de passe" not in caplog.text
    # The same mail reported again by the same person is the same report.
    again = triage.receive_report(forwarded(phishing()), "imap", establishment=establishment_a)
    assert again.pk == report.pk and ReportedMail.objects.count() == 1


def test_confirmed_phishing_raises_an_awareness_alert_and_thanks_in_french(
    establishment_a, staff, user_a, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report = triage.receive_report(
        forwarded(phishing()),
        "upload",
        establishment=establishment_a,
        reporter_email="marie@chu-exemple.fr",
    )
    with pytest.raises(PermissionDenied):
        triage.confirm_verdict(_auditor(user_a), report, "phishing")
    user_a.role = "rssi"
    user_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        report = triage.confirm_verdict(user_a, report, "phishing")
    alert = Alert.objects.get()
    assert alert.source == "awareness" and alert.rule_id == "awareness.reported_mail"
    kinds = {(o["kind"], o["value"]) for o in alert.details["observables"]}
    assert ("domain", "chu-exernple.fr") in kinds and (
        "url",
        "https://login.chu-exernple.fr/dpi",
    ) in kinds
    assert SUBJECT not in json.dumps(alert.details) + alert.title + alert.description
    report.refresh_from_db()
    assert report.alert == alert and report.verdict_by == user_a and report.thanked_at
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["marie@chu-exemple.fr"]
    assert "hameçonnage" in sent.body and SUBJECT not in sent.body + sent.subject
    # Response makes a phishing incident of it.
    from hygie.response.services.incidents import suggest_from_alerts

    assert suggest_from_alerts([alert]).category == "phishing"


def _auditor(user_a):
    user_a.role = "auditor"
    user_a.save()
    return type(user_a).objects.get(pk=user_a.pk)


def test_simulation_is_credited_confirmed_and_thanked(
    establishment_a, recipient, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        report = triage.receive_report(
            forwarded(simulation(recipient.token)), "smtp", establishment=establishment_a
        )
    assert report.suggested_verdict == "simulation" and report.verdict == "simulation"
    assert report.recipient == recipient
    recipient.refresh_from_db()
    assert recipient.reported_at is not None
    assert CampaignEvent.objects.filter(recipient=recipient, kind="reported").count() == 1
    assert Alert.objects.count() == 0
    assert "simulation" in mail.outbox[0].body


def test_token_of_another_establishment_is_not_a_simulation(establishment_b, recipient):
    report = triage.receive_report(
        forwarded(simulation(recipient.token)), "upload", establishment=establishment_b
    )
    assert report.suggested_verdict != "simulation" and report.recipient is None


def test_intel_indicators_through_the_core_registry(establishment_a, monkeypatch):
    seen = []

    def lookup(establishment, observables):
        seen.extend(observables)
        return [IndicatorMatch("domain", "chu-exernple.fr", "indicator--1", tlp="amber")]

    monkeypatch.setitem(indicator_lookups._items, "test-intel", lookup)
    report = triage.receive_report(forwarded(phishing()), "api", establishment=establishment_a)
    assert ("domain", "chu-exernple.fr") in seen
    assert "indicator_match" in report.facts["reasons"]
    assert report.facts["indicator_matches"][0]["indicator"] == "indicator--1"


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"", "empty"), (b"\x00\x01\x02", "not_mail"), (b"hello world\n", "not_mail")],
)
def test_hostile_input_refused_and_nothing_written(establishment_a, data, code):
    with pytest.raises(ValidationError) as caught:
        triage.receive_report(data, "upload", establishment=establishment_a)
    assert caught.value.code == code
    assert ReportedMail.objects.count() == 0 and Evidence.objects.count() == 0


def test_reporter_outside_the_establishment_is_refused(establishment_b, user_a):
    with pytest.raises(PermissionDenied):
        triage.receive_report(
            forwarded(phishing()), "upload", establishment=establishment_b, reporter=user_a
        )


def test_simulation_verdict_needs_a_simulation(establishment_a, user_a):
    report = triage.receive_report(forwarded(phishing()), "upload", establishment=establishment_a)
    with pytest.raises(ValidationError):
        triage.confirm_verdict(user_a, report, "simulation")


def test_subject_and_links_never_in_the_audit_trail(establishment_a, user_a):
    from hygie.core.models import AuditEntry

    report = triage.receive_report(forwarded(phishing()), "upload", establishment=establishment_a)
    triage.confirm_verdict(user_a, report, "phishing")
    assert AuditEntry.objects.filter(object_type__icontains="reportedmail").exists()
    for entry in AuditEntry.objects.all():
        text = json.dumps(entry.changes) + entry.object_repr
        assert SUBJECT not in text, (entry.object_type, entry.action)
        if entry.object_type != "core.alert":
            assert "login.chu-exernple.fr/dpi" not in text, (entry.object_type, entry.action)


def test_report_rate_probe(establishment_a, recipient):
    from hygie.awareness.probes import report_rate_trend

    assert report_rate_trend(establishment_a).status == "not_applicable"
    CampaignRecipient.objects.filter(pk=recipient.pk).update(sent_at=timezone.now())
    assert report_rate_trend(establishment_a).status == "fail"
    triage.receive_report(
        forwarded(simulation(recipient.token)), "imap", establishment=establishment_a
    )
    result = report_rate_trend(establishment_a)
    assert result.status == "pass" and result.data["rate"] == 100


def test_strangers_are_not_thanked(establishment_a, user_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    report = triage.receive_report(
        forwarded(phishing(), reporter="someone@elsewhere.example"),
        "smtp",
        establishment=establishment_a,
    )
    assert report.reporter_email == "someone@elsewhere.example"
    triage.confirm_verdict(user_a, report, "clean", notify=False)
    assert triage.thank_reporter(report) is False and mail.outbox == []
