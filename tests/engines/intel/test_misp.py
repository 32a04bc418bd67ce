"""MISP events and feeds: attribute types, objects, tlp: tags, ATT&CK, samples, hashes.csv."""

from __future__ import annotations

import hashlib
import json

import pytest

from hygie.intel.engine.errors import FormatError
from hygie.intel.engine.misp import export_event, export_feed, import_event, import_feed
from hygie.intel.engine.model import TLP, Indicator, IndicatorType
from hygie.intel.engine.tlp import misp_tag, tlp_of_tag
from tests.engines.intel.conftest import NOW
from tests.shared_data import shared_data

T = IndicatorType


def test_tlp_tags_both_ways() -> None:
    for level in TLP:
        assert tlp_of_tag(misp_tag(level)) is level
    assert tlp_of_tag("tlp:white") is TLP.CLEAR
    assert tlp_of_tag("tlp:ex:chr") is None
    assert tlp_of_tag("type:OSINT") is None
    assert misp_tag(TLP.AMBER_STRICT) == "tlp:amber+strict"


def test_round_trip_keeps_every_indicator_and_its_context(sample: list[Indicator]) -> None:
    document = export_event(sample, info="Campagne", producer="CH Exemple", now=NOW)
    event = document["Event"]
    assert event["Tag"] == [{"name": "tlp:red"}]  # the strictest level of the event
    assert event["Orgc"]["name"] == "CH Exemple"
    ja4 = [o for o in event["Object"] if o["name"] == "ja4-plus"]
    assert len(ja4) == 1
    back = import_event(json.loads(json.dumps(document)), "event.json")
    assert back.warnings == []
    got = {(i.type, i.value): i for i in back.indicators}
    assert set(got) == {(i.type, i.value) for i in sample}
    for indicator in sample:
        read = got[(indicator.type, indicator.value)]
        assert read.tlp is indicator.tlp
        assert read.confidence == indicator.confidence
        assert read.valid_from == indicator.valid_from
        assert read.valid_until == indicator.valid_until
        assert set(read.kill_chain) == set(indicator.kill_chain)
        assert read.sources == ("CH Exemple",)
    assert got[(T.IPV4, "198.51.100.7")].description == sample[0].description


def test_attribute_types_objects_and_tags() -> None:
    event = {
        "Event": {
            "info": "synthetic",
            "Orgc": {"name": "CERT Santé"},
            "Tag": [
                {"name": "tlp:green"},
                {"name": 'misp-galaxy:mitre-attack-pattern="Phishing - T1566"'},
            ],
            "Galaxy": [
                {
                    "type": "mitre-attack-pattern",
                    "GalaxyCluster": [
                        {"value": "Valid Accounts - T1078", "meta": {"external_id": ["T1078"]}}
                    ],
                }
            ],
            "Attribute": [
                {"type": "ip-dst|port", "value": "198.51.100.7|443", "to_ids": True},
                {"type": "domain|ip", "value": "evil.example|2001:db8::1", "to_ids": True},
                {"type": "ip-src", "value": "203.0.113.0/24", "Tag": [{"name": "tlp:red"}]},
                {"type": "filename|sha256", "value": "a.exe|" + "b" * 64, "to_ids": "1"},
                {"type": "link", "value": "https://blog.example/report"},
                {"type": "vulnerability", "value": "CVE-2021-44228", "comment": "log4shell"},
                {"type": "ja3-fingerprint-md5", "value": "e7d705a3286e19ea42f587b344ee6865"},
                {"type": "user-agent", "value": "EvilBot/1.0", "to_ids": False},
                {"type": "email-src", "value": "x@phish.example", "deleted": True},
            ],
            "Object": [
                {
                    "name": "file",
                    "Tag": [{"name": "tlp:amber"}],
                    "Attribute": [
                        {"type": "filename", "object_relation": "filename", "value": "b.dll"},
                        {
                            "type": "md5",
                            "object_relation": "md5",
                            "value": "d41d8cd98f00b204e9800998ecf8427e",
                        },
                        {
                            "type": "size-in-bytes",
                            "object_relation": "size-in-bytes",
                            "value": "10",
                        },
                    ],
                }
            ],
        }
    }
    collection = import_event(event, "e.json")
    got = {(i.type, i.value): i for i in collection.indicators}
    assert set(got) == {
        (T.IPV4, "198.51.100.7"),
        (T.DOMAIN, "evil.example"),
        (T.IPV6, "2001:db8::1"),
        (T.CIDR, "203.0.113.0/24"),
        (T.FILE_NAME, "a.exe"),
        (T.SHA256, "b" * 64),
        (T.CVE, "CVE-2021-44228"),
        (T.JA3, "e7d705a3286e19ea42f587b344ee6865"),
        (T.USER_AGENT, "EvilBot/1.0"),
        (T.FILE_NAME, "b.dll"),
        (T.MD5, "d41d8cd98f00b204e9800998ecf8427e"),
    }
    assert got[(T.IPV4, "198.51.100.7")].tlp is TLP.GREEN
    assert got[(T.CIDR, "203.0.113.0/24")].tlp is TLP.RED  # attribute tag wins
    assert got[(T.MD5, "d41d8cd98f00b204e9800998ecf8427e")].tlp is TLP.AMBER  # object tag
    assert got[(T.MD5, "d41d8cd98f00b204e9800998ecf8427e")].description == "file/md5"
    assert got[(T.CVE, "CVE-2021-44228")].description == "log4shell"
    assert not got[(T.USER_AGENT, "EvilBot/1.0")].to_ids
    assert got[(T.SHA256, "b" * 64)].to_ids
    techniques = {r.technique for r in got[(T.IPV4, "198.51.100.7")].kill_chain}
    assert techniques == {"T1566", "T1078"}
    assert any("not indicators" in w for w in collection.warnings)


@pytest.mark.parametrize(
    ("document", "path"),
    [
        ([], "$"),
        ({"Event": {"info": "x", "Attribute": {}}}, "$.Event"),
        ({"Event": {"info": "x", "Attribute": [3]}}, "$.Event.Attribute[0]"),
        ({"Event": {"info": "x", "Attribute": [{"type": "md5"}]}}, "$.Event.Attribute[0]"),
        ({"Event": {"info": "x", "Object": [{"Attribute": 1}]}}, "$.Event.Object[0]"),
    ],
)
def test_errors_are_located(document: object, path: str) -> None:
    with pytest.raises(FormatError) as caught:
        import_event(document, "e.json")
    assert str(caught.value).startswith(f"e.json#{path}")


def test_invalid_values_become_located_warnings() -> None:
    event = {"Event": {"info": "x", "Attribute": [{"type": "md5", "value": "xyz"}]}}
    collection = import_event(event, "e.json")
    assert collection.indicators == []
    assert collection.warnings[0].startswith("e.json#$.Event.Attribute[0]")


def test_feed_round_trip_and_hashes_csv(sample: list[Indicator]) -> None:
    event = export_event(sample, info="Feed", now=NOW)
    files = export_feed([event])
    event_uuid = event["Event"]["uuid"]
    assert set(files) == {"manifest.json", f"{event_uuid}.json", "hashes.csv"}
    manifest = json.loads(files["manifest.json"])
    assert manifest[event_uuid]["info"] == "Feed"
    lines = files["hashes.csv"].splitlines()
    md5 = hashlib.md5(b"198.51.100.7", usedforsecurity=False).hexdigest()
    assert f"{md5},{event_uuid}" in lines
    back = import_feed(files)
    assert {(i.type, i.value) for i in back.indicators} == {(i.type, i.value) for i in sample}


def test_feed_with_a_missing_event_is_a_located_error() -> None:
    manifest = json.dumps({"0b9a1f2e-0000-4000-8000-000000000001": {"info": "x"}})
    with pytest.raises(FormatError) as caught:
        import_feed({"manifest.json": manifest}, "feed")
    assert "manifest.json#$['0b9a1f2e" in str(caught.value)
    with pytest.raises(FormatError):
        import_feed({}, "feed")


def test_shared_misp_events_import() -> None:
    folder = shared_data("misp", "pymisp", "tests")
    total = 0
    for path in sorted(folder.rglob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict):
            continue  # a search result list, not an event
        collection = import_event(document, path.name)
        total += len(collection.indicators)
    assert total > 300
    feed_event = json.loads((folder / "57c4445b-c548-4654-af0b-4be3950d210f.json").read_text())
    collection = import_event(feed_event, "feed-event.json")
    assert {i.tlp for i in collection.indicators} == {TLP.CLEAR}  # tlp:white
    assert {i.type for i in collection.indicators} >= {T.MD5, T.SHA1, T.SHA256}


def test_shared_misp_feed_reads_its_manifest() -> None:
    folder = shared_data("misp", "misp-3.x", "tests", "Files", "feeds", "misp")
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    collection = import_feed(files, "feed")
    # the single event of this feed holds a link only: read, nothing to keep, said so
    assert collection.indicators == []
    assert collection.warnings


def test_misp_schema_accepts_exported_event(sample: list[Indicator]) -> None:
    import jsonschema

    schema_path = shared_data("misp", "misp", "format", "2.4", "schema-lax.json")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    document = export_event(sample, now=NOW)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(document), key=str)
    assert [e.message for e in errors] == []
