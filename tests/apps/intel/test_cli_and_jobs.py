"""``hygie intel import|export|list`` against the database, the ageing job, the periodic feed
poll and the demo data (a partner, a feed, a sighting), the probe and the tile."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from hygie.core.models import Alert, AuditEntry
from hygie.intel.cli import intel as intel_cli
from hygie.intel.models import Feed, Indicator, Partner, Sighting
from hygie.intel.probes import feed_fresh

pytestmark = pytest.mark.django_db

CSV = "type,value,tlp\nipv4,203.0.113.77,TLP:GREEN\nsha1," + "b" * 40 + ",TLP:AMBER\n"


def test_import_list_export(establishment_a, tmp_path):
    source = tmp_path / "iocs.csv"
    source.write_text(CSV)
    dry = CliRunner().invoke(
        intel_cli, ["import", str(source), "--establishment", str(establishment_a.pk), "--dry-run"]
    )
    assert dry.exit_code == 0, dry.output
    assert not Indicator.objects.exists()
    done = CliRunner().invoke(
        intel_cli,
        ["import", str(source), "--establishment", str(establishment_a.pk), "--source", "ISAC"],
    )
    assert done.exit_code == 0, done.output
    assert "2 new" in done.output
    listed = CliRunner().invoke(intel_cli, ["list", "--kind", "ipv4"])
    assert "203.0.113.77\tTLP:GREEN" in listed.output and "ISAC" in listed.output
    out = tmp_path / "bundle.json"
    exported = CliRunner().invoke(
        intel_cli, ["export", "--to", "stix21", "--max-tlp", "green", "-o", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    patterns = [o.get("pattern", "") for o in json.loads(out.read_text())["objects"]]
    assert any("203.0.113.77" in p for p in patterns) and not any("bbbb" in p for p in patterns)
    assert AuditEntry.objects.filter(action="export").exists()


def test_import_error_exit_2_and_located(establishment_a, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(CSV + "ipv4,10.0.0.300,\n")
    result = CliRunner().invoke(
        intel_cli, ["import", str(bad), "--establishment", str(establishment_a.pk)]
    )
    assert result.exit_code == 2 and "bad.csv:4" in result.output
    assert not Indicator.objects.exists()


def test_periodic_poll_and_ageing_jobs(establishment_a, settings, tmp_path):
    from hygie.core.models import Job
    from hygie.core.services.jobs import start_job

    settings.HYGIE_HOME = tmp_path
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "x.csv").write_text(CSV)
    Feed.objects.create(establishment=establishment_a, name="drop", kind="file", url="x.csv")
    start_job("intel.poll_feeds", "Threat-intelligence feeds polled", title_params={})
    assert Job.objects.get(kind="intel.poll_feeds").result == {"polled": 1, "failed": 0}
    assert Indicator.objects.count() == 2
    start_job("intel.indicator_ageing", "Indicators aged and expired", title_params={})
    assert Job.objects.get(kind="intel.indicator_ageing").status == "succeeded"


def test_probe(establishment_a):
    assert feed_fresh(establishment_a).status == "fail"
    from django.utils import timezone

    Feed.objects.create(
        establishment=establishment_a,
        name="f",
        kind="stix_url",
        url="https://x.invalid/b.json",
        last_success_at=timezone.now(),
    )
    assert feed_fresh(establishment_a).status == "pass"


def test_demo_data(organisation, establishment_a, user_a):
    from hygie.core.registries import dashboard_tiles
    from hygie.intel.demo import load_demo

    load_demo(organisation, [establishment_a])
    assert Partner.objects.filter(kind="cert_sante").exists()
    assert Feed.objects.filter(partner__kind="cert_sante").exists()
    sighting = Sighting.objects.get()
    assert sighting.alert is not None and sighting.alert.source == "intel"
    assert Alert.objects.filter(source="intel").count() == 1
    ip = Indicator.objects.get(value="203.0.113.66")
    assert ip.sources.count() == 2 and ip.tlp == "amber"  # the strictest of two sources
    assert ip.kill_chain and ip.sighting_count == 1
    assert feed_fresh(establishment_a).status == "pass"
    tile = dashboard_tiles.get("intel.threat_intelligence").compute(user_a, [establishment_a])
    assert tile[establishment_a.pk].value == Indicator.objects.filter(is_active=True).count()


def test_demo_shares_the_demo_incident_with_cert_sante(organisation, establishment_a):
    """The demo incident (response's) shared with CERT Santé: approved, downloaded, scrubbed,
    on its timeline and in the audit trail; the sector-CERT probe passes."""
    from hygie.core.models import AuditEntry
    from hygie.intel.demo import load_demo
    from hygie.intel.models import IncidentShare
    from hygie.intel.probes import incidents_shared_with_cert
    from hygie.response.demo import load_demo as load_response_demo
    from hygie.response.models import Incident

    load_response_demo(organisation, [establishment_a])
    load_demo(organisation, [establishment_a])
    incident = Incident.objects.get()
    share = IncidentShare.objects.get()
    assert share.incident_ref == str(incident.pk) and share.partner.kind == "cert_sante"
    assert share.status == "downloaded" and share.approved_at is not None
    assert share.tlp == "amber" and share.bundle["type"] == "bundle"
    assert incident.reference in share.incident_title
    text = json.dumps(share.bundle, ensure_ascii=False)
    people = {name for name in incident.timeline.values_list("author__last_name", flat=True)}
    assert not any(name and name in text for name in people)
    assert incident.timeline.filter(text__contains="CERT Santé (démo)").exists()
    assert AuditEntry.objects.filter(
        object_type="intel.incidentshare", object_id=str(share.pk), action="export"
    ).exists()
    assert incidents_shared_with_cert(establishment_a).status == "pass"


def test_demo_without_an_incident_shares_nothing(organisation, establishment_a):
    from hygie.intel.demo import load_demo
    from hygie.intel.models import IncidentShare

    load_demo(organisation, [establishment_a])
    assert not IncidentShare.objects.exists()


def test_demo_taxii_collection_serves_each_partner_under_its_clearance(
    client, organisation, establishment_a
):
    from hygie.intel.demo import load_demo
    from hygie.intel.models import PartnerCredential, TaxiiCollection
    from tests.apps.intel.taxii_support import MEDIA, basic, make_credential

    load_demo(organisation, [establishment_a])
    collection = TaxiiCollection.objects.get()
    assert PartnerCredential.objects.filter(partner__kind="cert_sante").exists()
    url = f"/intel/taxii2/api1/collections/{collection.collection_id}/objects/"
    seen = {}
    for kind in ("cert_sante", "isac"):
        credential = make_credential(Partner.objects.get(kind=kind))
        response = client.get(url, HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=basic(credential.username))
        assert response.status_code == 200, response.content
        seen[kind] = {o["pattern"] for o in response.json()["objects"] if o["type"] == "indicator"}
    assert any("203.0.113.66" in pattern for pattern in seen["cert_sante"])  # AMBER
    assert seen["isac"] and seen["isac"] < seen["cert_sante"]  # GREEN and CLEAR only
    assert not any("203.0.113.66" in pattern for pattern in seen["isac"])
