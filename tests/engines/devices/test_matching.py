"""The matching engine: vendor versions, vers and legacy ranges, names and aliases, CPE and NVD
configurations, KEV and EPSS parsers, the inventory CSV."""

from __future__ import annotations

import json

import pytest

from hygie.devices.engine import (
    CPEError,
    FeedError,
    InventoryError,
    InventoryItem,
    NVDError,
    compare,
    contains,
    cpe_matches,
    match,
    parse_cpe,
    parse_csaf,
    parse_epss,
    parse_inventory,
    parse_kev,
    parse_nvd,
    parse_range,
    parse_version,
    same_version,
)
from hygie.devices.engine.names import Aliases, vendor_keys
from hygie.devices.engine.versions import scheme
from tests.shared_data import shared_data


def cmp(a: str, b: str) -> int | None:
    left, right = parse_version(a), parse_version(b)
    assert left is not None and right is not None
    return compare(left, right)


@pytest.mark.parametrize(
    ("a", "b", "order"),
    [
        ("VA20A", "VA20B", -1),
        ("VA20B", "VB10A", -1),
        ("R2.1.3 SP2", "R2.1.3", 1),
        ("R2.1.3 SP1", "R2.1.3 SP2", -1),
        ("9.33.1", "9.33.10", -1),
        ("9.33.1", "9.4", 1),
        ("V2.1.0.5", "2.1.0.5", 0),
        ("10.2(1)", "10.2(2)", -1),
        ("10.2(1)", "10.2.1", 0),
        ("2.0 rc1", "2.0", -1),
        ("2.0-beta", "2.0-rc1", -1),
        ("1.3.1 Build 13", "1.3.1 Build 9", 1),
        ("012U000039", "012U000040", -1),
        ("BT02", "5.1", None),
    ],
)
def test_vendor_versions_compare(a: str, b: str, order: int | None) -> None:
    assert cmp(a, b) == order
    if order is not None:
        assert cmp(b, a) == -order


def test_the_comparison_rule_is_named() -> None:
    assert scheme("1.2.3") == "semver"
    assert scheme("9.33.1.4") == "dotted-numeric"
    assert scheme("VA20A") == "vendor-tokens"
    assert same_version("V2.1", "2.1") and not same_version("2.1", "2.1.1")


@pytest.mark.parametrize(
    ("text", "version", "inside"),
    [
        ("vers:generic/>=1.0|<2.0", "1.5", True),
        ("vers:generic/>=1.0|<2.0", "2.0", False),
        ("vers:generic/>=1.0|<2.0", "0.9", False),
        ("vers:generic/1.2|1.4", "1.4", True),
        ("vers:generic/>=1.0|!=1.3|<2.0", "1.3", False),
        ("vers:generic/<1.0|>=2.0|<3.0", "2.5", True),
        ("vers:generic/<1.0|>=2.0|<3.0", "1.5", False),
        ("vers:all/*", "anything 1", True),
        ("<= 2.3.6", "2.3.6", True),
        ("<= 2.3.6", "2.3.7", False),
        ("< 3.0", "2.99", True),
        ("< 3.0", "3.0", False),
        (">= 2.0", "10.1", True),
        (">= 2.0", "1.9", False),
        (">= 1.3.4 | < 1.5.3", "1.5.2", True),
        (">= 1.3.4 | < 1.5.3", "1.5.3", False),
        ("all versions", "7", True),
        ("prior to 4.1", "4.0.9", True),
        ("prior to 4.1", "4.1", False),
        ("before V2.1", "2.0", True),
        ("versions 3.0 through 3.4", "3.4", True),
        ("versions 3.0 through 3.4", "3.5", False),
        ("2.3.6 and below", "2.3.6", True),
        ("4.0 and later", "4.2", True),
        ("3.0|3.1", "3.1", True),
        ("3.0|3.1", "3.2", False),
        ("<= 11.x", "11.9", True),
        ("< 3.x", "3.0.1", False),
        ("<= U61 |<= L81", "L80", True),
        ("<= U61 |<= L81", "L82", False),
        ("<= R8.0.3", "R8.0.2", True),
        ("<= 2.4A", "2.4A", True),
        ("< 1.8.4 Service Pack 01", "1.8.4", True),
    ],
)
def test_ranges(text: str, version: str, inside: bool) -> None:
    decided, why = contains(parse_range(text), version)
    assert decided is inside, why
    assert why


@pytest.mark.parametrize(
    "text",
    ["<May 2018", "<8/30/2024", "A10 < A11", "distributed < april 1, 2018", "", "vers:generic"],
)
def test_unreadable_ranges_need_review(text: str) -> None:
    rng = parse_range(text)
    assert rng.problem
    decided, why = contains(rng, "1.0")
    assert decided is None and "cannot be read" in why


def test_incomparable_versions_need_review() -> None:
    decided, why = contains(parse_range("<= 2.0"), "BT05")
    assert decided is None and "cannot be compared" in why


def test_vendor_names_and_aliases() -> None:
    assert vendor_keys("Becton, Dickinson and Company (BD)") == {"becton dickinson", "bd"}
    assert vendor_keys("Siemens Healthineers GmbH") == {"siemens healthineers"}
    assert vendor_keys("Roche Diagnostics, Inc.") == {"roche diagnostics"}
    table = Aliases({"Becton Dickinson": "BD"})
    assert table.vendors("Becton, Dickinson and Company (BD)") == {"bd"}
    assert table.vendors("BD") == {"bd"}


def _advisory(tree: dict, statuses: dict, remediations: list | None = None) -> dict:
    return {
        "document": {
            "category": "csaf_base",
            "csaf_version": "2.0",
            "publisher": {"category": "vendor", "name": "Test", "namespace": "https://t.test"},
            "title": "t",
            "tracking": {
                "current_release_date": "2026-01-01T00:00:00Z",
                "id": "T-1",
                "initial_release_date": "2026-01-01T00:00:00Z",
                "revision_history": [
                    {"date": "2026-01-01T00:00:00Z", "number": "1", "summary": "first"}
                ],
                "status": "final",
                "version": "1",
            },
        },
        "product_tree": tree,
        "vulnerabilities": [
            {"cve": "CVE-2099-0001", "product_status": statuses}
            | ({"remediations": remediations} if remediations else {})
        ],
    }


def _branch(vendor: str, product: str, category: str, name: str, pid: str) -> dict:
    return {
        "category": "vendor",
        "name": vendor,
        "branches": [
            {
                "category": "product_name",
                "name": product,
                "branches": [
                    {
                        "category": category,
                        "name": name,
                        "product": {"name": pid, "product_id": pid},
                    }
                ],
            }
        ],
    }


def test_csaf_statuses_remediations_relationships_and_groups() -> None:
    tree = {
        "branches": [
            _branch("Perfusia SAS", "InfuStar", "product_version_range", "vers:generic/<5.3", "P1"),
            _branch("Perfusia SAS", "InfuStar", "product_version", "5.3", "P2"),
        ],
        "full_product_names": [
            {
                "name": "Gateway",
                "product_id": "P3",
                "product_identification_helper": {
                    "cpe": "cpe:2.3:h:perfusia:gateway:-:*:*:*:*:*:*:*"
                },
            },
            {"name": "OpenSSL 1.0.2", "product_id": "C1"},
        ],
        "relationships": [
            {
                "category": "default_component_of",
                "product_reference": "C1",
                "relates_to_product_reference": "P2",
                "full_product_name": {"name": "OpenSSL in InfuStar 5.3", "product_id": "R1"},
            }
        ],
        "product_groups": [{"group_id": "G1", "product_ids": ["P1", "P3"]}],
    }
    document = _advisory(
        tree,
        {"first_affected": ["P1"], "recommended": ["P2"], "known_affected": ["P3", "R1"]},
        [{"category": "vendor_fix", "details": "Update to 5.3", "group_ids": ["G1"]}],
    )
    advisory = parse_csaf(document)
    assert advisory.products["R1"].product_name == "InfuStar"
    items = [
        InventoryItem("old", "Perfusia", "InfuStar", "5.1"),
        InventoryItem("new", "perfusia s.a.s.", "infustar", "5.3"),
        InventoryItem("gw", "", "", "", cpe="cpe:2.3:h:perfusia:gateway:-:*:*:*:*:*:*:*"),
        InventoryItem("other", "Perfusia", "Other", "5.1"),
    ]
    got = {(v.device, v.product_id): v for v in match(items, [advisory])}
    assert got[("old", "P1")].status == "known_affected"
    assert "first affected" in got[("old", "P1")].why
    assert got[("old", "P1")].remediation == "Vendor fix: Update to 5.3"
    assert got[("new", "P2")].status == "fixed"
    assert got[("new", "R1")].status == "known_affected"
    assert "default component of" in got[("new", "R1")].why
    assert got[("gw", "P3")].status == "known_affected"
    assert ("new", "P1") not in got and not any(d == "other" for d, _p in got)


def test_model_numbers_of_the_advisory_match_the_inventory_model() -> None:
    branch = _branch("Acme", "Pump", "product_version", "2.0", "P1")
    product = branch["branches"][0]["branches"][0]["product"]
    product["product_identification_helper"] = {"model_numbers": ["AP-8015"]}
    advisory = parse_csaf(_advisory({"branches": [branch]}, {"known_affected": ["P1"]}))
    verdicts = match([InventoryItem("a", "Acme", "ap 8015", "2.0")], [advisory])
    assert [(v.product_id, v.status) for v in verdicts] == [("P1", "known_affected")]


def test_unreadable_range_or_missing_version_needs_review() -> None:
    tree = {
        "branches": [
            _branch("Acme", "Pump", "product_version_range", "<May 2018", "P1"),
            _branch("Acme", "Monitor", "product_version_range", "<= 2.0", "P2"),
        ]
    }
    advisory = parse_csaf(_advisory(tree, {"known_affected": ["P1", "P2"]}))
    verdicts = match(
        [InventoryItem("a", "ACME Inc.", "Pump", "1.0"), InventoryItem("b", "Acme", "Monitor", "")],
        [advisory],
    )
    assert {(v.device, v.status) for v in verdicts} == {
        ("a", "needs_review"),
        ("b", "needs_review"),
    }
    assert all("review" in v.why or "no version" in v.why for v in verdicts)


def test_cpe_names() -> None:
    name = parse_cpe(r"cpe:2.3:o:abbott:accent_firmware:f0b.0e.7e:*:*:*:*:*:*:*")
    assert (name.part, name.vendor, name.product, name.version) == (
        "o",
        "abbott",
        "accent_firmware",
        "f0b.0e.7e",
    )
    assert parse_cpe(r"cpe:2.3:a:ve\:ndor:p:1:*:*:*:*:*:*:*").vendor == "ve:ndor"
    assert parse_cpe("cpe:/a:bd:alaris:12.1").version == "12.1"
    criterion = parse_cpe("cpe:2.3:a:bd:alaris*:*:*:*:*:*:*:*:*")
    assert cpe_matches(criterion, parse_cpe("cpe:2.3:a:bd:alaris_pc:12:*:*:*:*:*:*:*"))
    assert not cpe_matches(
        parse_cpe("cpe:2.3:h:bd:x:-:*:*:*:*:*:*:*"), parse_cpe("cpe:2.3:h:bd:x:1:*:*:*:*:*:*:*")
    )
    for bad in ("cpe:2.3:a:b", "nope", "cpe:2.3:z:v:p:*:*:*:*:*:*:*:*"):
        with pytest.raises(CPEError):
            parse_cpe(bad)


def test_nvd_configuration_with_running_on_hardware() -> None:
    path = shared_data("nvd", "records", "CVE-2017-12712.json")
    records = parse_nvd(path.read_text(encoding="utf-8"), path.name)
    assert records[0].cve == "CVE-2017-12712" and records[0].cvss is not None
    items = [
        InventoryItem("old", "Abbott", "Accent", "F0B.0E.7D"),
        InventoryItem("new", "Abbott Laboratories", "Accent", "F0C.00.00"),
        InventoryItem(
            "cpe", "", "", "", cpe="cpe:2.3:o:abbott:accent_firmware:f0a.00.00:*:*:*:*:*:*:*"
        ),
    ]
    verdicts = {v.device: v for v in match(items, cves=records)}
    assert verdicts["old"].status == "known_affected" and verdicts["old"].source == "nvd"
    assert "versionEnd" not in verdicts["old"].why and "<f0b.0e.7e" in verdicts["old"].why
    assert "new" not in verdicts
    assert verdicts["cpe"].status == "known_affected"


def _record(nodes: list, operator: str = "AND") -> str:
    return json.dumps(
        {
            "vulnerabilities": [
                {
                    "cve": {
                        "id": "CVE-2099-0002",
                        "configurations": [{"operator": operator, "nodes": nodes}],
                        "metrics": {},
                    }
                }
            ]
        }
    )


def _node(*matches: tuple[str, bool, dict], negate: bool = False, operator: str = "OR") -> dict:
    return {
        "operator": operator,
        "negate": negate,
        "cpeMatch": [
            {"criteria": c, "vulnerable": vulnerable, **bounds} for c, vulnerable, bounds in matches
        ],
    }


def test_nvd_platform_the_device_is_not_known_to_run_on_needs_review() -> None:
    records = parse_nvd(
        _record(
            [
                _node(
                    (
                        "cpe:2.3:a:medsoft:viewer:*:*:*:*:*:*:*:*",
                        True,
                        {"versionStartIncluding": "2.0", "versionEndIncluding": "2.4"},
                    )
                ),
                _node(("cpe:2.3:o:microsoft:windows_7:-:*:*:*:*:*:*:*", False, {})),
            ]
        )
    )
    verdicts = match([InventoryItem("v", "MedSoft", "Viewer", "2.4")], cves=records)
    assert [v.status for v in verdicts] == ["needs_review"]
    assert "windows_7" in verdicts[0].why
    assert match([InventoryItem("v", "MedSoft", "Viewer", "2.5")], cves=records) == []
    assert match([InventoryItem("v", "MedSoft", "Viewer", "1.9")], cves=records) == []


def test_nvd_negated_node_and_or_configuration() -> None:
    records = parse_nvd(
        _record(
            [
                _node(("cpe:2.3:a:medsoft:viewer:*:*:*:*:*:*:*:*", True, {})),
                _node(("cpe:2.3:a:medsoft:viewer:3.0:*:*:*:*:*:*:*", True, {}), negate=True),
            ]
        )
    )
    assert [
        v.status for v in match([InventoryItem("v", "MedSoft", "Viewer", "2.0")], cves=records)
    ] == ["known_affected"]
    assert match([InventoryItem("v", "MedSoft", "Viewer", "3.0")], cves=records) == []


def test_nvd_errors_are_located() -> None:
    with pytest.raises(NVDError, match=r"configurations\[0\].nodes\[0\].cpeMatch\[0\].criteria"):
        parse_nvd(_record([_node(("cpe:2.3:bad", True, {}))]))
    with pytest.raises(NVDError):
        parse_nvd("{")
    assert len(parse_nvd(json.dumps([{"id": "CVE-2099-1"}, {"cve": {"id": "CVE-2099-2"}}]))) == 2


def test_kev_json_and_csv() -> None:
    entries = parse_kev(
        shared_data("kev", "known_exploited_vulnerabilities.json").read_text(encoding="utf-8")
    )
    csv_entries = parse_kev(
        shared_data("kev", "known_exploited_vulnerabilities.csv").read_text(encoding="utf-8")
    )
    assert len(entries) > 1000 and set(entries) == set(csv_entries)
    entry = next(iter(entries.values()))
    assert entry.cve.startswith("CVE-") and entry.date_added
    with pytest.raises(FeedError):
        parse_kev('{"nothing": []}')


def test_epss_csv() -> None:
    scores = parse_epss(
        "#model_version:v2025.03.14,score_date:2026-11-05T00:00:00+0000\n"
        "cve,epss,percentile\nCVE-2099-0001,0.5,0.9\n"
    )
    assert scores["CVE-2099-0001"].epss == 0.5 and scores["CVE-2099-0001"].date == "2026-11-05"
    with pytest.raises(FeedError, match="line 3"):
        parse_epss("#x\ncve,epss,percentile\nCVE-2099-0001,high,0.9\n")
    with pytest.raises(FeedError, match="line 2"):
        parse_epss("cve,epss,percentile\nCVE-2099-0001,2,0.9\n")


def test_inventory_csv() -> None:
    items = parse_inventory(
        "\ufeffid,manufacturer,model,version,cpe\n1,BD,Alaris,12.1,\n\n2,,,,cpe:2.3:h:bd:x:-:*:*:*:*:*:*:*\n"
    )
    assert [i.id for i in items] == ["1", "2"] and items[1].cpe
    for text, where in (
        ("id,manufacturer\n", "line 1"),
        ("id,manufacturer,model,version\n1,BD,Alaris,1\n1,BD,Alaris,2\n", "line 3, column id"),
        ("id,manufacturer,model,version\n1,BD\n", "line 2"),
        ("id,manufacturer,model,version\n1,,,1\n", "line 2"),
    ):
        with pytest.raises(InventoryError, match=where) as raised:
            parse_inventory(text)
        assert "Alaris" not in str(raised.value)


def test_comparison_rule_per_vendor_and_product() -> None:
    from hygie.devices.engine import comparison_rules

    tree = {
        "branches": [
            _branch("Imagix", "MR Console", "product_version", "VA20A", "P1"),
            _branch("Labomatic", "BioAnalyzer", "product_version_range", "<= 9.33.1.4", "P2"),
            _branch("Pharmabox", "MedCab", "product_version_range", "vers:semver/<2.4.0", "P3"),
        ]
    }
    advisory = parse_csaf(_advisory(tree, {"known_affected": ["P1", "P2", "P3"]}))
    assert comparison_rules([advisory]) == {
        ("Imagix", "MR Console"): "vendor-tokens",
        ("Labomatic", "BioAnalyzer"): "dotted-numeric",
        ("Pharmabox", "MedCab"): "semver",
    }


def test_purl_of_an_advisory_product_matches_the_inventory_purl() -> None:
    tree = {
        "full_product_names": [
            {
                "name": "viewer",
                "product_id": "P1",
                "product_identification_helper": {"purl": "pkg:npm/medviewer@1.2.0"},
            }
        ]
    }
    advisory = parse_csaf(_advisory(tree, {"known_affected": ["P1"]}))
    verdicts = match([InventoryItem("a", "", "", "", purl="pkg:npm/MedViewer@1.2.0")], [advisory])
    assert [v.status for v in verdicts] == ["known_affected"]
    assert "purl pkg:npm/medviewer" in verdicts[0].why


def test_a_device_cpe_is_compared_on_its_other_attributes() -> None:
    records = parse_nvd(
        _record([_node(("cpe:2.3:a:medsoft:viewer:*:sp1:*:*:*:*:*:*", True, {}))], "OR")
    )
    sp1 = InventoryItem("a", "", "", "", cpe="cpe:2.3:a:medsoft:viewer:2.0:sp1:*:*:*:*:*:*")
    sp2 = InventoryItem("b", "", "", "", cpe="cpe:2.3:a:medsoft:viewer:2.0:sp2:*:*:*:*:*:*")
    unknown = InventoryItem("c", "", "", "", cpe="cpe:2.3:a:medsoft:viewer:2.0:*:*:*:*:*:*:*")
    assert {v.device for v in match([sp1, sp2, unknown], cves=records)} == {"a", "c"}
