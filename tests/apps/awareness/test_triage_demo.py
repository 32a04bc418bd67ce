"""The triage demo: reported mails analysed by the real service, one phishing confirmed with its
alert, a malicious attachment to triage, simulations credited; no mail sent while loading."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core import mail

from hygie.awareness.models import ReportedMail, ReportMailbox
from hygie.core.models import Alert
from hygie.core.services.demo import load_demo
from tests.apps.core.view_mixins import english  # noqa: F401  (shared fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def home(tmp_path, settings) -> Path:
    settings.HYGIE_HOME = str(tmp_path)
    settings.HYGIE_PRIVACY_SCAN_ROOTS = []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return tmp_path


def test_demo_has_reported_mails_to_triage(home):
    load_demo()
    reports = ReportedMail.objects.all()
    suggested = set(reports.values_list("suggested_verdict", flat=True))
    assert {"phishing", "malicious", "spam", "clean", "simulation"} <= suggested
    phishing = reports.get(verdict="phishing")
    assert phishing.alert is not None and phishing.alert.source == "awareness"
    assert "lookalike_domain" in phishing.facts["reasons"]
    malicious = reports.get(suggested_verdict="malicious")
    assert malicious.verdict == "" and malicious.facts["attachments"][0]["has_macros"]
    assert reports.filter(verdict="simulation", recipient__isnull=False).exists()
    assert Alert.objects.filter(source="awareness", rule_id="awareness.reported_mail").count() == 1
    assert ReportMailbox.objects.filter(is_active=False).count() == 1
    assert mail.outbox == []
