"""STIX 2.1: patterns, markings (TLP 1.0 and 2.0), export validated by the OASIS validator,
round trips and the OASIS example bundles."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hygie.intel.engine.errors import FormatError, IndicatorError
from hygie.intel.engine.model import TLP, Indicator, IndicatorType
from hygie.intel.engine.stix import build_pattern, export_bundle, import_bundle, parse_pattern
from hygie.intel.engine.tlp import TLP1_IDS, TLP2_IDS, stix_marking_id, tlp_of_marking
from tests.engines.intel.conftest import NOW, stix_problems
from tests.shared_data import shared_data


def test_every_patterned_type_round_trips_through_its_pattern(sample: list[Indicator]) -> None:
    for indicator in sample:
        if indicator.type is IndicatorType.CVE:
            with pytest.raises(IndicatorError):
                build_pattern(indicator)
            continue
        assert parse_pattern(build_pattern(indicator)) == [(indicator.type, indicator.value)]


def test_pattern_quotes_are_escaped() -> None:
    pattern = (
        "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = 'a\\'b\\\\c']"
    )
    assert parse_pattern(pattern) == [(IndicatorType.USER_AGENT, "a'b\\c")]


def test_pattern_with_several_comparisons_and_ignored_operators() -> None:
    pattern = (
        "[ipv4-addr:value = '192.0.2.1' OR domain-name:value = 'evil.example'] AND "
        "[file:size > 10] FOLLOWEDBY [ipv4-addr:value = '10.0.0.0/8']"
    )
    assert sorted(parse_pattern(pattern)) == sorted(
        [
            (IndicatorType.IPV4, "192.0.2.1"),
            (IndicatorType.DOMAIN, "evil.example"),
            (IndicatorType.CIDR, "10.0.0.0/8"),
        ]
    )


@pytest.mark.parametrize("pattern", ["", "[", "[ipv4-addr:value = ]", "ipv4-addr:value = '1'"])
def test_invalid_patterns_raise(pattern: str) -> None:
    with pytest.raises(IndicatorError):
        parse_pattern(pattern)


@pytest.mark.parametrize("version", ["2.0", "1.0"])
def test_export_passes_the_oasis_validator(sample: list[Indicator], version: str) -> None:
    bundle = export_bundle(sample, producer="CH Exemple", now=NOW, tlp_version=version)
    assert stix_problems(bundle) == []
    ids = [o["id"] for o in bundle["objects"]]
    assert len(ids) == len(set(ids))


def test_export_carries_markings_identity_attack_and_kill_chain(sample: list[Indicator]) -> None:
    bundle = export_bundle(sample, producer="CH Exemple", now=NOW)
    objects = {o["id"]: o for o in bundle["objects"]}
    identity = next(o for o in objects.values() if o["type"] == "identity")
    assert identity["name"] == "CH Exemple"
    first = next(o for o in objects.values() if "198.51.100.7" in o.get("pattern", ""))
    assert first["created_by_ref"] == identity["id"]
    assert first["object_marking_refs"] == [TLP2_IDS[TLP.AMBER_STRICT]]
    assert objects[TLP2_IDS[TLP.AMBER_STRICT]]["name"] == "TLP:AMBER+STRICT"
    assert {"kill_chain_name": "mitre-attack", "phase_name": "command-and-control"} in first[
        "kill_chain_phases"
    ]
    attack = [r for r in first["external_references"] if r["source_name"] == "mitre-attack"]
    assert attack[0]["external_id"] == "T1071.001"
    assert attack[0]["url"] == "https://attack.mitre.org/techniques/T1071/001/"
    vulnerability = next(o for o in objects.values() if o["type"] == "vulnerability")
    assert vulnerability["external_references"][0] == {
        "source_name": "cve",
        "external_id": "CVE-2024-3094",
    }
    # stable ids: the same export twice gives the same indicator ids
    again = export_bundle(sample, producer="CH Exemple", now=NOW)
    assert [o["id"] for o in again["objects"]] == list(objects)


def _essence(indicators: list[Indicator]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            i.type,
            i.value,
            i.tlp,
            i.confidence,
            i.description,
            i.valid_from,
            i.valid_until,
            frozenset(i.kill_chain),
        )
        for i in indicators
    )


def test_round_trip_keeps_every_indicator_and_its_context(sample: list[Indicator]) -> None:
    bundle = export_bundle(sample, producer="CH Exemple", now=NOW)
    back = import_bundle(json.loads(json.dumps(bundle)), "bundle.json")
    assert back.warnings == []
    fixed = [i for i in sample]
    expected = _essence(fixed)
    got = _essence(back.indicators)
    # exported indicators get a description and a valid_from when they had none
    assert [g[:4] for g in got] == [e[:4] for e in expected]
    first = next(i for i in back.indicators if i.value == "198.51.100.7")
    assert first.description == sample[0].description
    assert first.valid_from == sample[0].valid_from
    assert first.valid_until == sample[0].valid_until
    assert set(first.kill_chain) == set(sample[0].kill_chain)
    assert first.sources == ("CH Exemple", "CERT Santé")


@pytest.mark.parametrize("version", ["2.0", "1.0"])
def test_tlp_markings_both_ways(version: str) -> None:
    for level in TLP:
        marking = {"id": stix_marking_id(level, version)}
        expected = level if version == "2.0" else TLP.parse(level.tlp1)
        assert tlp_of_marking(marking) is expected
    assert stix_marking_id(TLP.CLEAR, "1.0") == TLP1_IDS["white"]
    assert stix_marking_id(TLP.AMBER_STRICT, "1.0") == TLP1_IDS["amber"]
    # a marking read by its content, not its id
    custom = {"id": "marking-definition--x", "definition_type": "tlp", "definition": {"tlp": "red"}}
    assert tlp_of_marking(custom) is TLP.RED
    statement = {"id": "marking-definition--y", "definition_type": "statement"}
    assert tlp_of_marking(statement) is None


def test_import_locates_errors() -> None:
    with pytest.raises(FormatError) as caught:
        import_bundle({"type": "bundle", "objects": [{"type": "identity"}, 3]}, "b.json")
    assert str(caught.value).startswith("b.json#$.objects[1]")
    with pytest.raises(FormatError) as caught:
        import_bundle(
            {"type": "bundle", "objects": [{"type": "indicator", "pattern": "[x"}]}, "b.json"
        )
    assert "b.json#$.objects[0]" in str(caught.value)
    with pytest.raises(FormatError):
        import_bundle("nope", "b.json")


def test_oasis_examples_import_and_reexport_cleanly() -> None:
    folder = shared_data("stix", "examples")
    files = sorted(folder.rglob("*.json"))
    assert files
    total = 0
    for path in files:
        collection = import_bundle(json.loads(path.read_text(encoding="utf-8")), path.name)
        total += len(collection.indicators)
        if collection.indicators:
            assert stix_problems(export_bundle(collection.indicators, now=NOW)) == []
    assert total > 0


def test_oasis_c2_example_reads_its_address() -> None:
    path = shared_data("stix", "examples", "indicator-for-c2-ip-address.json")
    collection = import_bundle(json.loads(path.read_text(encoding="utf-8")), path.name)
    assert {i.type for i in collection.indicators} <= {IndicatorType.IPV4, IndicatorType.CIDR}
    assert collection.indicators


def test_attack_catalogue_names_techniques_from_the_attack_bundle() -> None:
    from hygie.intel.engine.model import KillChainRef, make_indicator
    from hygie.intel.engine.stix import attack_catalogue, name_techniques

    path = shared_data("attack", "ics-attack.json")
    catalogue = attack_catalogue(json.loads(path.read_text(encoding="utf-8")))
    assert catalogue["T0817"] == "Drive-by Compromise"
    assert catalogue["TA0108"] == "Initial Access"
    indicator = make_indicator(
        "domain",
        "evil.example",
        kill_chain=(KillChainRef("mitre-attack", technique="T0817"), KillChainRef("x", phase="y")),
    )
    (named,) = name_techniques([indicator], catalogue)
    assert named.kill_chain[0].name == "Drive-by Compromise"
    assert named.kill_chain[1] == indicator.kill_chain[1]
