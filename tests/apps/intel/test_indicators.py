"""The indicator store: imports in every format with de-duplication and provenance per source,
located errors with nothing written, exports (STIX 2.1 through stix2-validator, MISP, MISP feed,
CSV), ATT&CK names, ageing and expiry. Synthetic indicators only (documentation addresses,
example domains); public samples from ../shared/data."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hygie.intel.engine.convert import Input
from hygie.intel.engine.model import TLP
from hygie.intel.models import Feed, Indicator, IndicatorSource, Partner
from hygie.intel.services import indicators
from tests.shared_data import shared_data

pytestmark = pytest.mark.django_db

CSV = (
    b"type,value,tlp,confidence,description,attack\n"
    b"ipv4,203.0.113.7,TLP:GREEN,60,C2 relay,T1071\n"
    b"domain,evil-update[.]example,TLP:AMBER,80,phishing lure,T1566.001\n"
    b"sha256," + b"a" * 64 + b",TLP:CLEAR,,,\n"
)
TEXT = b"Seen: hxxps://login-portal[.]example/reset and 198.51.100[.]23 on the proxy.\n"


def _import(establishment, data: bytes, name: str = "iocs.csv", **kwargs):
    return indicators.import_data(establishment, [Input(name, data)], **kwargs)


def test_csv_import_normalises_and_records_provenance(establishment_a):
    report = _import(establishment_a, CSV, source="CERT Santé")
    assert (report.read, report.created, report.updated) == (3, 3, 0)
    domain = Indicator.objects.get(kind="domain")
    assert domain.value == "evil-update.example"
    assert domain.tlp == "amber" and domain.confidence == 80
    assert domain.kill_chain == [{"kill_chain": "mitre-attack", "technique": "T1566.001"}]
    assert domain.is_active and domain.stix_id.startswith("indicator--")
    source = domain.sources.get()
    assert (source.source_name, source.source_ref) == ("CERT Santé", "line 3")


def test_second_source_merges_context_and_keeps_both_sources(establishment_a):
    _import(establishment_a, CSV, source="CERT Santé")
    later = b"type,value,tlp,confidence\nipv4,203.0.113.7,TLP:AMBER+STRICT,90\n"
    report = _import(establishment_a, later, source="Health-ISAC")
    assert (report.created, report.updated) == (0, 1)
    row = Indicator.objects.get(kind="ipv4")
    assert row.tlp == "amber+strict"  # the strictest marking wins
    assert row.confidence == 90
    assert sorted(row.sources.values_list("source_name", flat=True)) == [
        "CERT Santé",
        "Health-ISAC",
    ]
    # The same source again updates its own provenance row, it does not add one.
    _import(establishment_a, later, source="Health-ISAC")
    assert row.sources.count() == 2


def test_free_text_with_defanged_values(establishment_a):
    report = _import(establishment_a, TEXT, name="note.txt")
    values = set(Indicator.objects.values_list("kind", "value"))
    assert ("url", "https://login-portal.example/reset") in values
    assert ("ipv4", "198.51.100.23") in values
    assert report.created == len(values)


def test_establishments_are_separate_stores(establishment_a, establishment_b):
    _import(establishment_a, CSV)
    _import(establishment_b, CSV)
    assert Indicator.objects.filter(establishment=establishment_a).count() == 3
    assert Indicator.objects.filter(establishment=establishment_b).count() == 3


def test_bad_row_is_located_and_nothing_is_written(establishment_a):
    bad = CSV + b"ipv4,999.1.1.1,TLP:GREEN,,,\n"
    with pytest.raises(ValidationError) as caught:
        _import(establishment_a, bad)
    assert "iocs.csv:5" in caught.value.messages[0]
    assert not Indicator.objects.exists()


def test_preview_writes_nothing(establishment_a):
    _import(establishment_a, CSV)
    report = _import(establishment_a, CSV + b"ipv4,192.0.2.1,,,,\n", dry_run=True)
    assert (report.read, report.created, report.updated) == (4, 1, 3)
    assert len(report.preview) == 4
    assert Indicator.objects.count() == 3


def test_feed_and_partner_provenance(establishment_a):
    partner = Partner.objects.create(establishment=establishment_a, name="CERT Santé")
    feed = Feed.objects.create(
        establishment=establishment_a,
        name="CERT feed",
        kind="stix_url",
        url="https://x",
        partner=partner,
    )
    _import(establishment_a, CSV, feed=feed)
    source = IndicatorSource.objects.first()
    assert (source.source_name, source.feed, source.partner) == ("CERT feed", feed, partner)


def test_stix_export_passes_the_validator_and_round_trips(establishment_a):
    validator = pytest.importorskip("stix2validator")
    _import(establishment_a, CSV + b"cve,CVE-2099-0001,TLP:GREEN,,,\n", source="CERT Santé")
    exported = indicators.export(Indicator.objects.all(), "stix21")
    document = json.loads(exported.content)
    results = validator.validate_string(
        exported.content.decode(), validator.ValidationOptions(strict=False)
    )
    assert results.is_valid, [str(e) for e in results.errors]
    assert exported.count == 4
    markings = {o["id"] for o in document["objects"] if o["type"] == "marking-definition"}
    assert len(markings) == 3  # GREEN, AMBER, CLEAR
    # Importing the export elsewhere gives the same indicators and markings.
    other = Partner.objects.create(establishment=establishment_a, name="x")  # noqa: F841
    Indicator.objects.all().delete()
    _import(establishment_a, exported.content, name="bundle.json")
    assert set(Indicator.objects.values_list("kind", "value", "tlp")) >= {
        ("ipv4", "203.0.113.7", "green"),
        ("domain", "evil-update.example", "amber"),
        ("cve", "CVE-2099-0001", "green"),
    }


def test_every_export_format(establishment_a):
    _import(establishment_a, CSV)
    queryset = Indicator.objects.all()
    event = json.loads(indicators.export(queryset, "misp").content)["Event"]
    assert {a["value"] for a in event["Attribute"]} >= {"203.0.113.7", "evil-update.example"}
    feed = indicators.export(queryset, "misp-feed")
    names = zipfile.ZipFile(io.BytesIO(feed.content)).namelist()
    assert "feed/manifest.json" in names and "feed/hashes.csv" in names
    text = indicators.export(queryset, "csv").content.decode()
    assert "evil-update[.]example" in text  # defanged
    # The CSV and the MISP feed read back to the same indicators.
    Indicator.objects.all().delete()
    _import(establishment_a, text.encode(), name="export.csv")
    assert Indicator.objects.count() == 3
    Indicator.objects.all().delete()
    _import(establishment_a, feed.content, name="feed.zip")
    assert Indicator.objects.count() == 3


def test_csv_export_never_writes_a_formula_and_reads_back_unchanged(establishment_a):
    data = (
        b"type,value,description\n"
        b'user_agent,=HYPERLINK("http://x.example"),"=cmd|' + b"'/c calc'!A1\"\n"
        b"domain,evil.example,@SUM(1+1)\n"
    )
    _import(establishment_a, data, source="-partner")
    text = indicators.export(Indicator.objects.all(), "csv").content.decode()
    cells = [cell for line in text.splitlines()[1:] for cell in line.split(",")]
    assert not any(cell.lstrip('"')[:1] in "=+-@" for cell in cells if cell)
    assert "'=HYPERLINK" in text and "'@SUM(1+1)" in text and "'-partner" in text
    before = sorted(Indicator.objects.values_list("kind", "value", "description"))
    Indicator.objects.all().delete()
    _import(establishment_a, text.encode(), name="export.csv")
    assert sorted(Indicator.objects.values_list("kind", "value", "description")) == before


def test_export_respects_the_tlp_ceiling(establishment_a):
    _import(establishment_a, CSV)
    allowed = indicators.exportable(Indicator.objects.all(), max_tlp=TLP.GREEN)
    assert set(allowed.values_list("tlp", flat=True)) == {"clear", "green"}


def test_ageing_expiry_and_revocation(establishment_a):
    _import(establishment_a, CSV)
    now = timezone.now()
    ip = Indicator.objects.get(kind="ipv4")
    digest = Indicator.objects.get(kind="sha256")
    domain = Indicator.objects.get(kind="domain")
    Indicator.objects.filter(pk__in=[ip.pk, digest.pk]).update(
        last_confirmed_at=now - timedelta(days=400), created_at=now - timedelta(days=400)
    )
    domain.valid_until = now - timedelta(hours=1)
    domain.save()
    result = indicators.refresh_activity(now)
    assert result["deactivated"] == 2
    assert not Indicator.objects.get(pk=ip.pk).is_active  # an address ages out
    assert Indicator.objects.get(pk=digest.pk).is_active  # a hash does not
    assert not Indicator.objects.get(pk=domain.pk).is_active  # expired
    # Confirmed again by a source: matched again.
    _import(establishment_a, b"value\n203.0.113.7\n")
    assert Indicator.objects.get(pk=ip.pk).is_active


def test_model_clean_normalises_defanged_values(establishment_a):
    row = Indicator(establishment=establishment_a, kind="url", value="hxxp://Bad[.]Example/x")
    row.full_clean()
    assert row.value == "http://bad.example/x"
    with pytest.raises(ValidationError):
        Indicator(establishment=establishment_a, kind="ipv4", value="not-an-ip").full_clean()


def test_misp_event_and_stix_samples_from_shared_data(establishment_a):
    event = shared_data("misp", "misp", "tests", "event.json")
    report = _import(establishment_a, event.read_bytes(), name="event.json")
    assert report.created > 0
    bundle = shared_data("stix", "examples", "indicator-for-c2-ip-address.json")
    assert _import(establishment_a, bundle.read_bytes(), name=bundle.name).read >= 1


def test_attack_names_resolved_from_the_operator_folder(establishment_a, settings, tmp_path):
    catalogue = {
        "type": "bundle",
        "id": "bundle--00000000-0000-4000-8000-000000000001",
        "objects": [
            {
                "type": "attack-pattern",
                "id": "attack-pattern--00000000-0000-4000-8000-000000000002",
                "name": "Application Layer Protocol",
                "external_references": [{"source_name": "mitre-attack", "external_id": "T1071"}],
            }
        ],
    }
    (tmp_path / "enterprise.json").write_text(json.dumps(catalogue))
    settings.HYGIE_INTEL_ATTACK_DIR = str(tmp_path)
    _import(establishment_a, CSV)
    ip = Indicator.objects.get(kind="ipv4")
    assert ip.kill_chain[0]["name"] == "Application Layer Protocol"


def test_real_attack_catalogue_when_present(settings):
    folder = shared_data("attack")
    settings.HYGIE_INTEL_ATTACK_DIR = str(folder)
    names = indicators.attack_catalogue()
    assert len(names) > 50 and all(key.startswith("T") for key in names)
