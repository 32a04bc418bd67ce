"""The core's probes added for issue 11: leavers, dormant accounts, crisis contacts, alert
triage, backups, restore tests and the audit chain's anchoring — pass and fail on live data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from hygie.core import audit
from hygie.core import probes as core_probes
from hygie.core.audit_checkpoints import write_checkpoint
from hygie.core.models import Alert, Department, Person, User
from hygie.core.registries import probes, render_summary
from hygie.core.services.backup import (
    AUDIT_OBJECT_TYPE,
    BACKUP_AUDIT_REPR,
    RESTORE_TEST_AUDIT_REPR,
)

pytestmark = pytest.mark.django_db


def _person(establishment, email: str, left: date | None) -> Person:
    return Person.objects.create(
        establishment=establishment,
        first_name="Camille",
        last_name="Test",
        email=email,
        employment_end=left,
    )


def test_leavers_disabled_fails_while_a_departed_person_keeps_an_active_account(
    make_user, establishment_a, establishment_b
):
    assert core_probes.leavers_disabled(establishment_a).status == "not_applicable"
    yesterday = timezone.localdate() - timedelta(days=1)
    _person(establishment_a, "gone@example.org", yesterday)
    _person(establishment_a, "still@example.org", None)  # still employed
    make_user("still", "staff", [establishment_a])
    result = core_probes.leavers_disabled(establishment_a)
    assert result.status == "pass" and result.data["departed"] == 1
    gone = make_user("gone", "staff", [establishment_a])
    result = core_probes.leavers_disabled(establishment_a)
    assert result.status == "fail"
    assert result.data["accounts"] == [{"account": "gone", "left_on": yesterday.isoformat()}]
    with override("fr"):
        assert render_summary(result) == (
            "Personnes parties ayant encore un compte actif : 1 sur 1."
        )
    # The other establishment's directory says nothing about establishment A's staff.
    assert core_probes.leavers_disabled(establishment_b).status == "not_applicable"
    gone.is_active = False
    gone.save()
    assert core_probes.leavers_disabled(establishment_a).status == "pass"


def test_inactive_accounts_disabled(make_user, establishment_a):
    now = timezone.now()
    make_user("active", "staff", [establishment_a], last_login=now - timedelta(days=3))
    assert core_probes.inactive_accounts_disabled(establishment_a).status == "pass"
    make_user("dormant", "staff", [establishment_a], last_login=now - timedelta(days=120))
    result = core_probes.inactive_accounts_disabled(establishment_a)
    assert result.status == "partial" and result.data["dormant"] == 1
    never = make_user("never", "admin", [establishment_a])  # privileged, never signed in
    User.objects.filter(pk=never.pk).update(date_joined=now - timedelta(days=200))
    result = core_probes.inactive_accounts_disabled(establishment_a)
    assert result.status == "fail"
    assert result.data["dormant"] == 2 and result.data["dormant_privileged"] == ["never"]
    assert result.params == {"dormant": 2, "total": 3}


def test_contacts_filled_falls_back_on_the_organisation(establishment_a):
    assert core_probes.contacts_filled(establishment_a).status == "fail"
    organisation = establishment_a.organisation
    organisation.dpo_name, organisation.dpo_email = "DPO du GHT", "dpo@example.org"
    organisation.save()
    result = core_probes.contacts_filled(establishment_a)
    assert result.status == "partial"
    assert result.data["missing"] == ["rssi_name", "rssi_email", "on_call_phone"]
    establishment_a.rssi_name, establishment_a.rssi_email = "RSSI", "rssi@example.org"
    establishment_a.on_call_phone = "+33 1 00 00 00 00"
    establishment_a.save()
    assert core_probes.contacts_filled(establishment_a).status == "pass"


def _alert(establishment, severity: int, age: timedelta, status: str = "new") -> Alert:
    seen = timezone.now() - age
    return Alert.objects.create(
        establishment=establishment,
        source="detection",
        title="Synthetic alert",
        severity=severity,
        status=status,
        first_seen_at=seen,
        last_seen_at=seen,
    )


def test_alerts_triaged(establishment_a, establishment_b):
    _alert(establishment_a, 50, timedelta(days=1))  # recent: within the week
    _alert(establishment_a, 50, timedelta(days=30), status="acknowledged")  # triaged
    _alert(establishment_b, 50, timedelta(days=30))  # another establishment
    assert core_probes.alerts_triaged(establishment_a).status == "pass"
    _alert(establishment_a, 20, timedelta(days=8))
    result = core_probes.alerts_triaged(establishment_a)
    assert result.status == "partial" and result.data["untriaged"] == 1
    _alert(establishment_a, 40, timedelta(days=10))
    result = core_probes.alerts_triaged(establishment_a)
    assert result.status == "fail" and result.params == {"count": 2, "serious": 1}


def _record(object_repr: str, action: str, age: timedelta, **changes) -> None:
    entry = audit.record(
        action, object_type=AUDIT_OBJECT_TYPE, object_repr=object_repr, changes=changes
    )
    type(entry).objects.filter(pk=entry.pk).update(at=timezone.now() - age)


def test_backup_recent(establishment_a):
    result = core_probes.backup_recent(establishment_a)
    assert result.status == "fail" and result.data["last_backup_at"] is None
    _record(BACKUP_AUDIT_REPR, "export", timedelta(days=10))
    assert core_probes.backup_recent(establishment_a).status == "fail"
    _record(BACKUP_AUDIT_REPR, "export", timedelta(days=4))
    assert core_probes.backup_recent(establishment_a).status == "partial"
    _record(BACKUP_AUDIT_REPR, "export", timedelta(hours=3))
    result = core_probes.backup_recent(establishment_a)
    assert result.status == "pass" and result.data["backups_last_30_days"] == 3


def test_restore_tested(establishment_a):
    assert core_probes.restore_tested(establishment_a).status == "fail"
    _record(RESTORE_TEST_AUDIT_REPR, "system", timedelta(days=400), result="passed", files=9)
    result = core_probes.restore_tested(establishment_a)
    assert result.status == "fail" and result.data["last_passed"]["files"] == 9
    _record(RESTORE_TEST_AUDIT_REPR, "system", timedelta(days=30), result="passed", files=12)
    assert core_probes.restore_tested(establishment_a).status == "pass"
    _record(RESTORE_TEST_AUDIT_REPR, "system", timedelta(days=1), result="failed")
    result = core_probes.restore_tested(establishment_a)
    assert result.status == "partial" and result.data["last_test_result"] == "failed"


def test_audit_chain_anchored(establishment_a, monkeypatch):
    Department.objects.create(establishment=establishment_a, name="Bloc")  # an audit entry
    result = core_probes.audit_chain_anchored(establishment_a)
    assert result.status == "fail" and result.data["checkpoints"] == 0
    write_checkpoint()
    result = core_probes.audit_chain_anchored(establishment_a)
    assert result.status == "pass" and result.data["checkpoints"] == 1
    monkeypatch.setattr(core_probes, "ANCHOR_PERIOD", timedelta(0))
    assert core_probes.audit_chain_anchored(establishment_a).status == "fail"


def test_new_core_probes_are_registered_with_their_controls():
    expected = {
        "core.leavers_disabled": "hygie.identity.leavers",
        "core.inactive_accounts_disabled": "hygie.identity.access_review",
        "core.contacts_filled": "hygie.governance.roles",
        "core.alerts_triaged": "hygie.detection.alert_triage",
        "core.backup_recent": "hygie.continuity.backup",
        "core.restore_tested": "hygie.continuity.restore_test",
        "core.audit_chain_anchored": "hygie.logging.integrity",
    }
    for key, control in expected.items():
        assert control in probes.get(key).controls


def test_mail_configured(establishment_a, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert core_probes.mail_configured(establishment_a).status == "fail"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "smtp.example.org"
    result = core_probes.mail_configured(establishment_a)
    assert result.status == "pass" and result.data == {"smtp": True, "host": "smtp.example.org"}
