"""Rule descriptions are shown: in the rule library, stored on the alerts a rule raises (the
alert page shows it), and for older alerts without one, in the alert's detection section."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.core.models import Alert
from hygie.detection import queries, services
from tests.apps.detection.conftest import SQLI_RULE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _sqli_description() -> str:
    description = queries.rule_description(SQLI_RULE)
    assert len(description) > 20  # the rule file describes itself
    return description


def test_rule_library_shows_descriptions(client_a):
    page = client_a.get(reverse("detection:rule_list")).content.decode()
    words = _sqli_description().split()[:6]
    assert " ".join(words) in page


def test_alert_stores_and_shows_the_rule_description(client_a, establishment_a, sqli_lines):
    services.ingest_lines(establishment_a, sqli_lines)
    alert = Alert.objects.filter(rule_id=SQLI_RULE).first()
    assert alert is not None
    assert alert.description == _sqli_description()
    page = client_a.get(reverse("core:alert_detail", args=[alert.pk])).content.decode()
    assert " ".join(_sqli_description().split()[:6]) in page


def test_older_alert_without_description_shows_the_rules(client_a, establishment_a, sqli_lines):
    services.ingest_lines(establishment_a, sqli_lines)
    alert = Alert.objects.filter(rule_id=SQLI_RULE).first()
    Alert.objects.filter(pk=alert.pk).update(description="")
    page = client_a.get(reverse("core:alert_detail", args=[alert.pk])).content.decode()
    assert "What the rule detects:" in page
    assert " ".join(_sqli_description().split()[:6]) in page
