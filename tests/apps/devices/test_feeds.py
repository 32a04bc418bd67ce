"""Feeds into the database: CSAF advisories matched onto the inventory idempotently, KEV and
EPSS enrichment, refused files leaving nothing behind, and the alerts for life-sustaining
devices."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from hygie.core.models import Alert
from hygie.devices.models import Advisory, DeviceVulnerability, FeedImport, Vulnerability
from hygie.devices.services import feeds, vulnerabilities
from tests.apps.devices.conftest import EPSS, KEV

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _statuses():
    return {
        (link.device.asset.hostname, link.vulnerability.cve if link.vulnerability else ""): (
            link.status
        )
        for link in DeviceVulnerability.objects.select_related("device__asset", "vulnerability")
    }


def test_csaf_import_matches_the_inventory(pumps, demo_advisory_bytes):
    feed = feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    assert feed.status == "succeeded"
    assert feed.counts["advisories"] == 1
    advisory = Advisory.objects.get()
    assert advisory.tracking_id == "HYGIE-DEMO-2026-001" and advisory.publisher
    assert advisory.document["document"]["tracking"]["id"] == "HYGIE-DEMO-2026-001"
    assert set(Vulnerability.objects.values_list("cve", flat=True)) == {
        "CVE-2099-0101",
        "CVE-2099-0102",
    }
    statuses = _statuses()
    assert statuses[("pompe-01", "CVE-2099-0101")] == "known_affected"
    assert statuses[("pompe-02", "CVE-2099-0101")] == "fixed"
    assert statuses[("respi-01", "CVE-2099-0102")] == "known_affected"
    assert not any(host == "moniteur-01" for host, _cve in statuses)
    affected = DeviceVulnerability.objects.get(
        device=pumps["old_pump"], vulnerability__cve="CVE-2099-0101"
    )
    assert "5.3" in affected.remediation
    assert affected.why
    assert affected.risk_score > 0 and affected.risk_breakdown["factors"]


def test_importing_twice_changes_nothing_and_keeps_decisions(pumps, demo_advisory_bytes, biomed):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    link = DeviceVulnerability.objects.get(
        device=pumps["old_pump"], vulnerability__cve="CVE-2099-0101"
    )
    vulnerabilities.decide(link, biomed, "mitigated", justification="VLAN biomédical")
    before = sorted(DeviceVulnerability.objects.values_list("pk", "key", "status"))
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    assert sorted(DeviceVulnerability.objects.values_list("pk", "key", "status")) == before
    link.refresh_from_db()
    assert link.workflow == "mitigated" and link.decided_by == biomed


def test_new_advisory_on_life_sustaining_device_raises_an_alert(pumps, demo_advisory_bytes):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    alerts = Alert.objects.filter(source="devices")
    hosts = {alert.asset.hostname for alert in alerts}
    assert hosts == {"pompe-01", "respi-01"}  # affected and life-sustaining; not the fixed one
    assert all(alert.rule_id == "devices.advisory_life_sustaining" for alert in alerts)
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    assert Alert.objects.filter(source="devices").count() == 2  # nothing new, no new alert


def test_new_kev_entry_raises_a_critical_alert_and_raises_the_risk(pumps, demo_advisory_bytes):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    link = DeviceVulnerability.objects.get(vulnerability__cve="CVE-2099-0102")
    before = link.risk_score
    feed = feeds.import_feed("kev", "kev.json", json.dumps(KEV).encode())
    assert feed.counts["new_kev"] == 1
    vulnerability = Vulnerability.objects.get(cve="CVE-2099-0102")
    assert vulnerability.kev and vulnerability.kev_ransomware
    assert str(vulnerability.kev_due_date) == "2026-11-24"
    alert = Alert.objects.get(rule_id="devices.kev_life_sustaining")
    assert alert.asset.hostname == "respi-01" and alert.severity == 50
    link.refresh_from_db()
    assert link.risk_score > before
    assert any(
        f["component"] == "exploitability" and f["label"]["en"] == "KEV"
        for f in link.risk_breakdown["factors"]
    )
    # The same catalogue again: the CVE is no longer new.
    assert feeds.import_feed("kev", "kev.json", json.dumps(KEV).encode()).counts["new_kev"] == 0


def test_kev_csv_is_read_too(pumps):
    csv_text = "cveID,vendorProject,product,dateAdded,dueDate,knownRansomwareCampaignUse\n"
    csv_text += "CVE-2099-0101,Perfusia,InfuStar,2026-10-01,2026-10-22,Unknown\n"
    feeds.import_feed("kev", "kev.csv", csv_text.encode())
    assert Vulnerability.objects.get(cve="CVE-2099-0101").kev


def test_epss_updates_only_known_cves(pumps, demo_advisory_bytes):
    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    feed = feeds.import_feed("epss", "epss.csv", EPSS.encode())
    assert feed.counts == {"rows": 3, "updated": 2}
    vulnerability = Vulnerability.objects.get(cve="CVE-2099-0102")
    assert vulnerability.epss_score == pytest.approx(0.61)
    assert str(vulnerability.epss_date) == "2026-11-05"
    assert not Vulnerability.objects.filter(cve="CVE-2099-9999").exists()


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("csaf", b"{not json"),
        ("csaf", json.dumps({"document": {"csaf_version": "1.2"}}).encode()),
        ("kev", b'{"title": "no entries"}'),
        ("epss", b"cve,score\nCVE-1,2\n"),
        ("epss", b"cve,epss,percentile\nCVE-2099-0101,7,0.5\n"),
    ],
)
def test_refused_files_write_nothing(pumps, kind, data):
    with pytest.raises(ValidationError):
        feeds.import_feed(kind, "bad", data)
    assert not Advisory.objects.exists() and not DeviceVulnerability.objects.exists()
    feed = FeedImport.objects.get()
    assert feed.status == "failed" and feed.errors


def test_an_oasis_must_fail_document_is_refused_with_its_test(pumps, matching_engine):
    if not hasattr(matching_engine, "CsafError"):
        pytest.skip("the matching engine's CSAF validation is not installed yet")
    from tests.shared_data import shared_data

    case = shared_data(
        "csaf",
        "oasis",
        "test",
        "validator",
        "data",
        "mandatory",
        "oasis_csaf_tc-csaf_2_0-2021-6-1-01-01.json",
    )
    with pytest.raises(ValidationError) as refused:
        feeds.import_feed("csaf", case.name, case.read_bytes())
    assert "6.1.1" in " ".join(refused.value.messages)
    assert not Advisory.objects.exists()


def test_risk_follows_the_device_when_it_is_edited(
    client, login, biomed, pumps, demo_advisory_bytes
):
    from django.urls import reverse

    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    link = DeviceVulnerability.objects.get(vulnerability__cve="CVE-2099-0102")
    before = link.risk_score
    login(biomed)
    device = pumps["ventilator"]
    data = {
        "establishment": device.establishment_id,
        "manufacturer": device.manufacturer,
        "model_name": device.model_name,
        "version": device.version,
        "clinical_function": "life_sustaining",
        "network_zone": "internet",
        "internet_reachable": "on",
    }
    response = client.post(reverse("devices:device_edit", args=[device.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    link.refresh_from_db()
    assert link.risk_score > before


def test_real_nvd_records_are_stored_and_matched(make_device):
    """Real NVD records (../shared/data/nvd): stored with their CVSS and matched by CPE."""
    from tests.shared_data import shared_data

    records = shared_data("nvd", "records")
    path = records / "CVE-2017-12712.json"
    device = make_device(
        "pacemaker-prog-01",
        manufacturer="Abbott",
        model_name="Accent",
        version="1.0",
        cpe="cpe:2.3:o:abbott:accent_firmware:-:*:*:*:*:*:*:*",
        clinical_function="life_sustaining",
    )
    feed = feeds.import_feed("nvd", path.name, path.read_bytes())
    assert feed.status == "succeeded" and feed.counts["records"] == 1
    vulnerability = Vulnerability.objects.get(cve="CVE-2017-12712")
    assert vulnerability.cvss_vector.startswith(("CVSS:3", "AV:")) and vulnerability.published
    advisory = Advisory.objects.get(source="nvd", tracking_id="CVE-2017-12712")
    links = DeviceVulnerability.objects.filter(device=device, advisory=advisory)
    assert links.exists(), "the CPE of the device matches the record's configuration"
    assert all(link.why for link in links)
    # Idempotent, like CSAF.
    before = sorted(links.values_list("pk", "key"))
    feeds.import_feed("nvd", path.name, path.read_bytes())
    assert sorted(links.values_list("pk", "key")) == before


def test_every_icsma_advisory_imports_and_reimporting_changes_nothing():
    """The 101 real ICS medical advisories (../shared/data/csaf/icsma) all pass validation and
    are stored once each, whatever the number of imports."""
    from tests.shared_data import shared_data

    files = sorted(shared_data("csaf", "icsma").glob("*.json"))
    for path in files:
        feeds.import_feed("csaf", path.name, path.read_bytes())
    assert Advisory.objects.filter(source="csaf").count() == len(files) >= 100
    assert FeedImport.objects.filter(status="failed").count() == 0
    digests = dict(Advisory.objects.values_list("tracking_id", "sha256"))
    feeds.import_feed("csaf", files[0].name, files[0].read_bytes())
    assert dict(Advisory.objects.values_list("tracking_id", "sha256")) == digests
    assert Vulnerability.objects.count() > 100


def test_flows_to_the_internet_seen_by_discovery_raise_the_exposure(
    establishment_a, pumps, demo_advisory_bytes
):
    from hygie.devices.models import DiscoveryRun, ObservedFlow

    feeds.import_feed("csaf", "demo.json", demo_advisory_bytes)
    device = pumps["ventilator"]
    device.asset.ip_addresses = ["10.45.60.21"]
    device.asset.save()
    link = DeviceVulnerability.objects.get(device=device, vulnerability__cve="CVE-2099-0102")
    before = link.risk_score
    run = DiscoveryRun.objects.create(establishment=establishment_a, sha256="0" * 64)
    ObservedFlow.objects.create(
        establishment=establishment_a,
        run=run,
        src="10.45.60.21",
        dst="192.0.2.10",  # documentation range: not global, not the internet
        port=443,
        protocol="tcp",
    )
    vulnerabilities.refresh_device_risk(device)
    link.refresh_from_db()
    assert link.risk_score == before
    ObservedFlow.objects.create(
        establishment=establishment_a,
        run=run,
        src="10.45.60.21",
        dst="8.8.8.8",
        port=443,
        protocol="tcp",
    )
    vulnerabilities.refresh_device_risk(device)
    link.refresh_from_db()
    assert link.risk_score > before
    assert any(f["label"]["en"] == "Observed flows" for f in link.risk_breakdown["factors"])
