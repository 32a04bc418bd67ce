"""The devices demo: the core demo's medical-device assets become devices (firmware out of
``os_version``, clinical function out of the tags), with the fictitious advisory matched, KEV
and EPSS applied, a decision taken and an alert on a life-sustaining device."""

from __future__ import annotations

from pathlib import Path

import pytest

from hygie.core.models import Alert, Asset
from hygie.core.services.demo import load_demo
from hygie.devices.models import Device, DeviceVulnerability

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def home(tmp_path, settings) -> Path:
    settings.HYGIE_HOME = str(tmp_path)
    settings.HYGIE_PRIVACY_SCAN_ROOTS = []
    return tmp_path


def test_demo_devices_with_advisories_and_risk(home):
    load_demo()
    medical = Asset.objects.filter(kind="medical_device")
    assert medical.count() == Device.objects.count() > 10
    ventilator = Device.objects.get(asset__hostname="respirateur-rea-01")
    assert ventilator.version == "2.8" and ventilator.os_name == ""
    assert ventilator.clinical_function == "life_sustaining"
    assert ventilator.network_zone == "medical"
    pump = Device.objects.filter(asset__hostname="clin-pompe-03").get()
    assert pump.manufacturer == "Perfusia"  # through the alias "Perfusia SAS"
    assert pump.network_zone == "corporate"
    irm = Device.objects.get(asset__hostname="irm-console-01")
    assert irm.os_name == "Windows" and irm.os_unsupported()
    affected = DeviceVulnerability.objects.filter(status="known_affected")
    assert affected.filter(device=ventilator, vulnerability__kev=True).exists()
    assert affected.filter(device=pump, vulnerability__cve="CVE-2099-0101").exists()
    assert DeviceVulnerability.objects.filter(workflow="mitigated").count() == 1
    assert all(link.risk_score > 0 for link in affected)
    assert Alert.objects.filter(rule_id="devices.kev_life_sustaining").exists()
