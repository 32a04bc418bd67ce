"""SBOMs (CycloneDX JSON/XML, SPDX 2.3 JSON/tag-value, SPDX 3.0 JSON-LD), VEX, and their
matching into the engine's verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hygie.devices.engine import parse_csaf, parse_nvd
from hygie.devices.engine.sbom import SbomError, match_sbom, parse_sbom
from tests.shared_data import shared_data

DB = "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar"
FIRMWARE_CPE = "cpe:2.3:o:perfusia:infustar_firmware:5.2:*:*:*:*:*:*:*"
FIRMWARE_ANY = "cpe:2.3:o:perfusia:infustar_firmware:*:*:*:*:*:*:*:*"


def _bom(vulnerabilities: list[dict] | None = None, spec: str = "1.5") -> bytes:
    document = {
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "version": 1,
        "metadata": {
            "component": {
                "type": "device",
                "bom-ref": "pump",
                "name": "Pump assembly",
                "version": "5.2",
                "supplier": {"name": "Perfusia SAS"},
            }
        },
        "components": [
            {
                "type": "library",
                "bom-ref": DB,
                "group": "com.fasterxml.jackson.core",
                "name": "jackson-databind",
                "version": "2.10.0",
                "purl": DB,
            },
            {
                "type": "firmware",
                "bom-ref": "fw",
                "name": "infustar_firmware",
                "version": "5.2",
                "cpe": FIRMWARE_CPE,
            },
        ],
        "dependencies": [{"ref": "pump", "dependsOn": [DB, "fw"]}],
    }
    if vulnerabilities is not None:
        document["vulnerabilities"] = vulnerabilities
    return json.dumps(document).encode()


def _nvd(cve: str = "CVE-2099-1000") -> list:
    record = {
        "cve": {
            "id": cve,
            "configurations": [
                {
                    "nodes": [
                        {
                            "operator": "OR",
                            "negate": False,
                            "cpeMatch": [
                                {
                                    "vulnerable": True,
                                    "criteria": FIRMWARE_ANY,
                                    "versionEndExcluding": "5.3",
                                    "matchCriteriaId": "X",
                                }
                            ],
                        }
                    ]
                }
            ],
        }
    }
    return parse_nvd(json.dumps({"vulnerabilities": [record]}))


def _csaf_vex(status: str) -> object:
    document = {
        "document": {
            "category": "csaf_vex",
            "csaf_version": "2.0",
            "publisher": {"category": "vendor", "name": "Test", "namespace": "https://t.test"},
            "title": "t",
            "tracking": {
                "current_release_date": "2026-01-01T00:00:00Z",
                "id": "VEX-1",
                "initial_release_date": "2026-01-01T00:00:00Z",
                "revision_history": [
                    {"date": "2026-01-01T00:00:00Z", "number": "1", "summary": "first"}
                ],
                "status": "final",
                "version": "1",
            },
        },
        "product_tree": {
            "full_product_names": [
                {
                    "name": "jackson-databind 2.10.0",
                    "product_id": "JD",
                    "product_identification_helper": {"purl": DB},
                }
            ]
        },
        "vulnerabilities": [{"cve": "CVE-2020-25649", "product_status": {status: ["JD"]}}],
    }
    return parse_csaf(json.dumps(document), validate=False)


def test_cyclonedx_json_components_dependencies() -> None:
    sbom = parse_sbom(_bom())
    assert sbom.format == "CycloneDX 1.5"
    assert (sbom.name, sbom.version) == ("Pump assembly", "5.2")
    assert sbom.components[0].ref == "pump"  # the product itself first
    assert {c.ref for c in sbom.components} == {"pump", DB, "fw"}
    assert sbom.components[0].supplier == "Perfusia SAS"
    assert sbom.component(DB).purl == DB and sbom.component("fw").cpe == FIRMWARE_CPE
    assert sbom.dependencies["pump"] == tuple(sorted([DB, "fw"]))


def test_nvd_by_cpe_and_csaf_vex_by_purl() -> None:
    sbom = parse_sbom(_bom())
    verdicts = match_sbom("D1", sbom, [_csaf_vex("known_not_affected")], _nvd())
    by_cve = {v.cve: v for v in verdicts}
    nvd = by_cve["CVE-2099-1000"]
    assert (nvd.device, nvd.status, nvd.source) == ("D1", "known_affected", "nvd")
    assert "component infustar_firmware 5.2" in nvd.why and "5.3" in nvd.why
    csaf = by_cve["CVE-2020-25649"]
    assert (csaf.status, csaf.advisory, csaf.product_id) == ("known_not_affected", "VEX-1", "JD")
    assert "jackson-databind" in csaf.why


@pytest.mark.parametrize(
    ("analysis", "status", "words"),
    [
        ({"state": "not_affected", "justification": "code_not_reachable"}, "known_not_affected",
         "code not reachable"),
        ({"state": "not_affected"}, "needs_review", "no justification"),
        ({"state": "exploitable", "response": ["update"]}, "known_affected", "update"),
        ({"state": "in_triage"}, "under_investigation", "in triage"),
        ({"state": "resolved"}, "fixed", "resolved"),
        ({"state": "false_positive", "detail": "wrong CPE"}, "known_not_affected", "wrong CPE"),
    ],
)  # fmt: skip
def test_vex_overrides_a_feed_verdict(analysis: dict, status: str, words: str) -> None:
    vex = [{"id": "CVE-2099-1000", "analysis": analysis, "affects": [{"ref": "fw"}]}]
    verdicts = match_sbom("D1", parse_sbom(_bom(vex)), cves=_nvd())
    assert len(verdicts) == 1
    assert verdicts[0].status == status
    assert "NVD CVE-2099-1000" in verdicts[0].why and words in verdicts[0].why


def test_vex_without_a_feed_is_its_own_verdict_and_other_products_are_ignored() -> None:
    vex = [
        {"id": "CVE-2099-2000", "analysis": {"state": "exploitable"}, "affects": [{"ref": DB}]},
        {"id": "CVE-2099-3000", "analysis": {"state": "exploitable"}, "affects": [{"ref": "x"}]},
        {"id": "CVE-2099-4000", "analysis": {"state": "in_triage"}},
    ]
    verdicts = match_sbom("D1", parse_sbom(_bom(vex)))
    found = {(v.cve, v.product_id, v.status, v.source) for v in verdicts}
    assert found == {
        ("CVE-2099-2000", DB, "known_affected", "sbom"),
        ("CVE-2099-4000", "pump", "under_investigation", "sbom"),
    }


def test_a_separate_vex_document_applies_through_bom_links() -> None:
    vex = parse_sbom(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.4",
                "version": 1,
                "vulnerabilities": [
                    {
                        "id": "CVE-2099-1000",
                        "analysis": {"state": "not_affected", "justification": "code_not_present"},
                        "affects": [{"ref": "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#fw"}],
                    }
                ],
            }
        )
    )
    verdicts = match_sbom("D1", parse_sbom(_bom()), cves=_nvd(), vex=vex.vex)
    assert [v.status for v in verdicts] == ["known_not_affected"]


def test_cyclonedx_xml_equals_json() -> None:
    folder = shared_data("sbom", "cyclonedx", "SBOM", "laravel-7.12.0")
    for version in ("1.2", "1.3", "1.4"):
        from_json = parse_sbom((folder / f"bom.{version}.json").read_bytes())
        from_xml = parse_sbom((folder / f"bom.{version}.xml").read_bytes())
        assert from_xml.format == f"CycloneDX {version}"
        assert {c.purl for c in from_json.components} == {c.purl for c in from_xml.components}
        assert len(from_json.components) > 50


def _small_shared_boms() -> list[Path]:
    root = shared_data("sbom", "cyclonedx")
    return sorted(
        p for p in root.rglob("*") if p.suffix in (".json", ".xml") and p.stat().st_size < 500_000
    )


def test_every_small_shared_cyclonedx_document_parses() -> None:
    paths = _small_shared_boms()
    assert len(paths) > 50
    vex_statements = 0
    for path in paths:
        sbom = parse_sbom(path.read_bytes(), path.name)
        assert sbom.format.startswith("CycloneDX 1.")
        vex_statements += len(sbom.vex)
    assert vex_statements > 50


def test_cisa_case_1_statuses() -> None:
    folder = shared_data("sbom", "cyclonedx", "VEX", "CISA-Use-Cases", "Case-1")
    expected = {
        "vex-affected.json": "known_affected",
        "vex-fixed.json": "fixed",
        "vex-not_affected.json": "known_not_affected",
        "vex-under_investigation.json": "under_investigation",
    }
    for name, status in expected.items():
        verdicts = match_sbom("D1", parse_sbom((folder / name).read_bytes()))
        assert [(v.cve, v.status) for v in verdicts] == [("CVE-2021-44228", status)], name


SPDX_JSON = {
    "spdxVersion": "SPDX-2.3",
    "dataLicense": "CC0-1.0",
    "SPDXID": "SPDXRef-DOCUMENT",
    "name": "infustar",
    "documentNamespace": "https://example.test/infustar",
    "creationInfo": {"created": "2026-01-01T00:00:00Z", "creators": ["Tool: test"]},
    "packages": [
        {
            "SPDXID": "SPDXRef-fw",
            "name": "infustar_firmware",
            "versionInfo": "5.2",
            "downloadLocation": "NOASSERTION",
            "supplier": "Organization: Perfusia SAS",
            "externalRefs": [
                {
                    "referenceCategory": "SECURITY",
                    "referenceType": "cpe23Type",
                    "referenceLocator": FIRMWARE_CPE,
                },
                {
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": "pkg:generic/perfusia/infustar_firmware@5.2",
                },
            ],
        },
        {"SPDXID": "SPDXRef-lib", "name": "zlib", "versionInfo": "1.2.11",
         "downloadLocation": "NOASSERTION"},
    ],
    "relationships": [
        {"spdxElementId": "SPDXRef-fw", "relationshipType": "DEPENDS_ON",
         "relatedSpdxElement": "SPDXRef-lib"},
    ],
}  # fmt: skip

SPDX_TAG_VALUE = """SPDXVersion: SPDX-2.3
DataLicense: CC0-1.0
SPDXID: SPDXRef-DOCUMENT
DocumentName: infustar
DocumentNamespace: https://example.test/infustar
Creator: Tool: test
Created: 2026-01-01T00:00:00Z

PackageName: infustar_firmware
SPDXID: SPDXRef-fw
PackageVersion: 5.2
PackageSupplier: Organization: Perfusia SAS
PackageDownloadLocation: NOASSERTION
ExternalRef: SECURITY cpe23Type cpe:2.3:o:perfusia:infustar_firmware:5.2:*:*:*:*:*:*:*

PackageName: zlib
SPDXID: SPDXRef-lib
PackageVersion: 1.2.11
PackageDownloadLocation: NOASSERTION

Relationship: SPDXRef-fw DEPENDS_ON SPDXRef-lib
"""


@pytest.mark.parametrize("data", [json.dumps(SPDX_JSON), SPDX_TAG_VALUE])
def test_spdx_2_3_json_and_tag_value(data: str) -> None:
    sbom = parse_sbom(data)
    assert sbom.format == "SPDX-2.3"
    firmware = sbom.component("SPDXRef-fw")
    assert firmware is not None
    assert (firmware.supplier, firmware.version, firmware.cpe) == ("Perfusia SAS", "5.2",
                                                                   FIRMWARE_CPE)  # fmt: skip
    assert sbom.dependencies["SPDXRef-fw"] == ("SPDXRef-lib",)
    [verdict] = match_sbom("D1", sbom, cves=_nvd())
    assert verdict.status == "known_affected"


def test_spdx_3_json_ld_packages() -> None:
    document = {
        "@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld",
        "@graph": [
            {"type": "Organization", "spdxId": "urn:org", "name": "Perfusia SAS"},
            {
                "type": "software_Package",
                "spdxId": "urn:fw",
                "name": "infustar_firmware",
                "software_packageVersion": "5.2",
                "suppliedBy": "urn:org",
                "externalIdentifier": [
                    {"type": "ExternalIdentifier", "externalIdentifierType": "cpe23",
                     "identifier": FIRMWARE_CPE},
                ],
            },
            {"type": "Relationship", "spdxId": "urn:r", "from": "urn:fw",
             "relationshipType": "dependsOn", "to": ["urn:lib"]},
        ],
    }  # fmt: skip
    sbom = parse_sbom(json.dumps(document))
    assert sbom.format == "SPDX-3.0"
    assert sbom.components[0].supplier == "Perfusia SAS"
    assert sbom.dependencies == {"urn:fw": ("urn:lib",)}
    assert match_sbom("D1", sbom, cves=_nvd())[0].status == "known_affected"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "not an SBOM"),
        (b"[]", "not an SBOM"),
        (b'{"a": 1}', "neither CycloneDX"),
        (b'{"bomFormat": "CycloneDX", "components": 3}', "CycloneDX"),
        (b'{"spdxVersion": "SPDX-2.3"}', "SPDX"),
        (b"[" * 5000, "SBOM"),
        (b"<bom", "well-formed"),
        (b"<other/>", "not a CycloneDX"),
        (
            b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4">&x;</bom>',
            "refused XML",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<l>&b;</l>",
            "refused XML",
        ),
        (
            b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4">' + b"<c>" * 100 + b"</c>" * 100
            + b"</bom>",
            "deeper",
        ),
        (b"SPDXVersion: SPDX-2.3\nPackageName: \x00", "SPDX"),
    ],
)  # fmt: skip
def test_hostile_input_is_refused_with_a_reason(data: bytes, words: str) -> None:
    with pytest.raises(SbomError, match=words):
        parse_sbom(data, "x")


def test_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from hygie.devices.engine import sbom

    monkeypatch.setattr(sbom, "MAX_BYTES", 100)
    with pytest.raises(SbomError, match="larger than"):
        parse_sbom(_bom())


def test_component_count_is_bounded_before_the_library_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hygie.devices.engine import sbom

    monkeypatch.setattr(sbom, "MAX_COMPONENTS", 2)
    with pytest.raises(SbomError, match="more than 2 components"):
        parse_sbom(_bom())
    xml = (
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.4"><components>'
        + b'<component type="library"><name>a</name></component>' * 3
        + b"</components></bom>"
    )
    with pytest.raises(SbomError, match="more than 2 components"):
        parse_sbom(xml)
