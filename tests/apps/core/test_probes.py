"""The core's probes compute their verdicts from live data."""

import pytest
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.core.models import Asset, AuditEntry, Department
from hygie.core.probes import asset_inventory_completeness, audit_chain_intact, mfa_coverage


@pytest.mark.django_db
def test_mfa_coverage_counts_privileged_accounts_of_the_establishment(
    make_user, establishment_a, establishment_b
):
    enrolled = make_user("rssi", "rssi", [establishment_a])
    make_user("soc", "soc_analyst", [establishment_a])
    make_user("nurse", "staff", [establishment_a])  # not privileged: not counted
    make_user("other", "rssi", [establishment_b])  # other establishment: not counted
    TOTPDevice.objects.create(user=enrolled, name="phone", confirmed=True)
    result = mfa_coverage(establishment_a)
    assert result.status == "partial"
    assert result.data == {"enrolled": 1, "total": 2, "without_mfa": ["soc"]}


@pytest.mark.django_db
def test_audit_chain_probe_fails_after_tampering(establishment_a):
    Department.objects.create(establishment=establishment_a, name="Bloc")
    assert audit_chain_intact(establishment_a).status == "pass"
    first = AuditEntry.objects.order_by("sequence").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditentry SET message = %s WHERE id = %s", ["x", first.pk])
    result = audit_chain_intact(establishment_a)
    assert result.status == "fail" and result.data["kind"] == "modified"


@pytest.mark.django_db
def test_asset_inventory_completeness(establishment_a):
    assert asset_inventory_completeness(establishment_a).status == "fail"
    dept = Department.objects.create(establishment=establishment_a, name="DSI")
    Asset.objects.create(
        establishment=establishment_a, hostname="srv-1", department=dept, network_zone="servers"
    )
    Asset.objects.create(establishment=establishment_a, hostname="pc-1")
    result = asset_inventory_completeness(establishment_a)
    assert result.status == "partial" and result.data == {"complete": 1, "total": 2}
