"""The detection demo: a generated day of fictitious logs, replayed through real ingestion."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from hygie.core.models import Alert, Asset, Establishment
from hygie.core.services.demo import demo_hooks, load_demo
from hygie.detection import demo
from hygie.detection.models import Event
from hygie.detection.services import ALERT_SOURCE, rule_engine

# What the demo's attacks must raise, by rule (hygie/detection/rules/healthcare).
EXPECTED_RULES = {
    demo.SSH_BRUTE_FORCE_RULE,  # SSH brute force (correlation)
    demo.RANSOMWARE_RULE,  # mass renames .lockbit (correlation)
    "13dc053c-88f9-4f27-93fe-4a22f37e6a92",  # Defender disabled from PowerShell
    "3f80b5e6-1432-4b13-9b90-61ba92739e28",  # shadow copies deleted
    "4cc7a877-f338-442e-a8c2-64b1f1434e3d",  # SQL injection on the patient portal
    "a78a75b4-121e-4d4d-bb00-713df9aaf877",  # new local administrator
    "d9ccae73-dc3c-4823-bc58-170b4c241cb6",  # HL7 from an unknown facility
    "011695c8-8663-4b6b-9f32-733313d097fe",  # break the glass
}


def test_the_demo_log_is_a_plausible_day_and_always_the_same():
    now = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
    lines = demo.demo_log(now, ZoneInfo("Europe/Paris"))
    assert 300 <= len(lines) <= 1000
    assert lines == demo.demo_log(now, ZoneInfo("Europe/Paris"))
    text = b"".join(lines).decode()
    # Several formats, as a real collector receives them.
    assert "sshd" in text and '"GET /portail/' in text and '"EventID": 11' in text
    assert "MSH|" in text and '"AuditEvent"' in text


@pytest.mark.django_db
def test_replay_goes_through_ingestion_and_the_rules_raise_the_alerts(establishment_a):
    Asset.objects.create(establishment=establishment_a, hostname="srv-fichiers-01", kind="server")
    summary = demo.replay_demo_log(establishment_a)

    assert summary.parse_errors == 0
    assert Event.objects.filter(establishment=establishment_a).count() == summary.events >= 300
    alerts = Alert.objects.filter(establishment=establishment_a, source=ALERT_SOURCE)
    assert set(alerts.values_list("rule_id", flat=True)) == EXPECTED_RULES
    pack = rule_engine().pack
    shipped = {loaded.info.id for loaded in (*pack.rules, *pack.correlations)}
    for alert in alerts:
        # Raised by a real rule from real stored events, not written by hand.
        assert alert.rule_id in shipped
        event_ids = alert.details["event_ids"]
        assert event_ids and Event.objects.filter(pk__in=event_ids).count() == len(event_ids)
    ransomware = alerts.get(rule_id=demo.RANSOMWARE_RULE)
    assert ransomware.asset is not None and ransomware.asset.hostname == "srv-fichiers-01"
    assert ransomware.severity == 50


@pytest.mark.django_db
def test_hygie_demo_populates_detection_through_its_demo_hook():
    assert "detection" in [label for label, _ in demo_hooks()]
    summary = load_demo()
    hospital = Establishment.objects.order_by("pk").first()
    assert Event.objects.filter(establishment=hospital).count() >= 300
    raised = set(
        Alert.objects.filter(establishment=hospital, source=ALERT_SOURCE).values_list(
            "rule_id", flat=True
        )
    )
    assert raised == EXPECTED_RULES  # every detection alert of the demo comes from a rule
    assert summary.alerts == Alert.objects.count()  # the summary counts every module's alerts
