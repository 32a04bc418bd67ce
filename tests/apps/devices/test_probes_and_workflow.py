"""Compliance probes of the devices module (translatable summaries) and the decision workflow
(rules per decision, audit trail, expired acceptances reopened)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hygie.core.models import Asset, AuditEntry
from hygie.core.registries import probes
from hygie.devices import probes as device_probes
from hygie.devices.models import DeviceVulnerability
from hygie.devices.services import feeds, vulnerabilities
from tests.apps.devices.conftest import KEV

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_probes_are_registered_with_catalogue_controls():
    controls = {probe.id: tuple(probe.controls) for probe in probes.values()}
    assert controls["devices.inventory_coverage"] == ("hygie.assets.medical_devices",)
    assert controls["devices.kev_life_sustaining"] == ("hygie.vulnerability.device_management",)
    assert controls["devices.unsupported_os"] == ("hygie.assets.end_of_support",)


def test_inventory_coverage(establishment_a, make_device):
    assert device_probes.inventory_coverage(establishment_a).status == "not_applicable"
    make_device("p1", manufacturer="A", model_name="B", version="1")
    Asset.objects.create(establishment=establishment_a, hostname="bare", kind="medical_device")
    result = device_probes.inventory_coverage(establishment_a)
    assert result.status == "fail" and result.data["percent"] == 50
    assert result.summary_id and result.params == {"complete": 1, "total": 2, "percent": 50}


def test_unsupported_os_share(establishment_a, make_device):
    make_device("irm", os_end_of_support=datetime.date(2020, 1, 14))
    make_device("ct", os_end_of_support=datetime.date(2099, 1, 1))
    result = device_probes.unsupported_os_share(establishment_a)
    assert result.status == "fail" and result.data == {
        "unsupported": 1,
        "devices": 2,
        "percent": 50,
    }


def test_kev_older_than_14_days_on_life_sustaining_fails(
    establishment_a, pumps, demo_advisory_bytes
):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    feeds.import_feed("kev", "kev.json", json.dumps(KEV).encode())
    # Listed on 2026-11-03; matched "now": not yet 14 days on record.
    DeviceVulnerability.objects.update(first_seen=timezone.now() - datetime.timedelta(days=30))
    result = device_probes.kev_remediated_on_life_sustaining(establishment_a)
    assert result.status == "fail" and result.params == {"count": 1}
    link = DeviceVulnerability.objects.get(vulnerability__cve="CVE-2099-0102")
    vulnerabilities.decide(link, None, "patched")
    assert device_probes.kev_remediated_on_life_sustaining(establishment_a).status == "pass"


@pytest.fixture
def link(pumps, demo_advisory_bytes):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    return DeviceVulnerability.objects.get(vulnerability__cve="CVE-2099-0102")


@pytest.mark.parametrize(
    ("workflow", "fields"),
    [
        ("risk_accepted", {"justification": "Remplacement en 2027"}),  # no expiry
        ("risk_accepted", {"accepted_until": datetime.date(2099, 1, 1)}),  # no justification
        ("risk_accepted", {"justification": "x", "accepted_until": datetime.date(2000, 1, 1)}),
        ("not_affected", {}),  # no VEX justification
        ("mitigated", {}),  # no description of the control
        ("bogus", {}),
    ],
)
def test_decisions_need_their_reasons(link, biomed, workflow, fields):
    with pytest.raises(ValidationError):
        vulnerabilities.decide(link, biomed, workflow, **fields)
    link.refresh_from_db()
    assert link.workflow == "open"


def test_decision_is_audited_and_expires(link, biomed):
    vulnerabilities.decide(
        link,
        biomed,
        "risk_accepted",
        justification="Remplacement planifié",
        accepted_until=timezone.localdate() + datetime.timedelta(days=10),
    )
    entry = AuditEntry.objects.filter(object_type="devices.devicevulnerability").latest("pk")
    assert entry.action == "update"
    assert (
        vulnerabilities.reopen_expired_acceptances(
            timezone.localdate() + datetime.timedelta(days=11)
        )
        == 1
    )
    link.refresh_from_db()
    assert link.workflow == "open"


def test_viewer_cannot_decide(link, make_user, establishment_a):
    auditor = make_user("auditor", "auditor", [establishment_a])
    with pytest.raises(PermissionDenied):
        vulnerabilities.decide(link, auditor, "patched")
