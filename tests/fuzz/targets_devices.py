"""Fuzz targets of the devices matching engine: CSAF 2.0 documents (schema, mandatory tests,
flattening) and version ranges (vers and legacy free text, with a device version)."""

from __future__ import annotations

from .target import Loaded, Seed, Target, package_files, shared_files, text

_DEVICES = ("hygie.devices.engine",)
RANGE_SEPARATOR = b"\n"


def _csaf() -> Loaded:
    from hygie.devices.engine import CsafError, match, parse_csaf
    from hygie.devices.engine.match import InventoryItem

    def parse_and_match(data: bytes) -> object:
        """A document that validates is matched too: any valid tree must be matchable."""
        advisory = parse_csaf(text(data), "fuzz.json")
        items = [
            InventoryItem(str(n), product.vendor, product.product_name, product.version_text)
            for n, product in enumerate(list(advisory.products.values())[:50])
        ]
        return match(items, [advisory])

    return parse_and_match, (CsafError,)


def _ranges() -> Loaded:
    from hygie.devices.engine import contains, parse_product_version, parse_range

    def parse_and_contain(data: bytes) -> object:
        """Line 1 is the range, line 2 the device's version; never raises."""
        rng, _sep, version = text(data).partition("\n")
        contains(parse_range(rng), version)
        return contains(parse_product_version(rng), version)

    return parse_and_contain, ()


def _sbom() -> Loaded:
    from hygie.devices.engine.sbom import SbomError, match_sbom, parse_sbom

    def parse_and_match(data: bytes) -> object:
        """Any SBOM that parses must be matchable (its VEX statements applied)."""
        return match_sbom("fuzz", parse_sbom(data, "fuzz"))

    return parse_and_match, (SbomError,)


def _sbom_seeds() -> list[Seed]:
    cdx = (
        b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "metadata": '
        b'{"component": {"type": "device", "bom-ref": "d", "name": "Pump"}}, "components": '
        b'[{"type": "firmware", "bom-ref": "fw", "name": "fw", "version": "5.2", '
        b'"cpe": "cpe:2.3:o:v:fw:5.2:*:*:*:*:*:*:*", "purl": "pkg:generic/v/fw@5.2"}], '
        b'"dependencies": [{"ref": "d", "dependsOn": ["fw"]}], "vulnerabilities": [{"id": '
        b'"CVE-2099-1", "analysis": {"state": "not_affected", "justification": '
        b'"code_not_present"}, "affects": [{"ref": "fw"}]}]}'
    )
    xml = (
        b'<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.4" version="1">'
        b'<components><component type="library" bom-ref="a"><name>a</name>'
        b"<version>1.0</version><purl>pkg:npm/a@1.0</purl></component></components></bom>"
    )
    spdx = (
        b"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n"
        b"DocumentName: d\nDocumentNamespace: https://t.test/d\nCreator: Tool: t\n"
        b"Created: 2026-01-01T00:00:00Z\n\nPackageName: z\nSPDXID: SPDXRef-z\n"
        b"PackageVersion: 1.2\nPackageDownloadLocation: NOASSERTION\n"
        b"ExternalRef: PACKAGE-MANAGER purl pkg:generic/z@1.2\n"
    )
    return [("sbom-cdx.json", cdx), ("sbom-cdx.xml", xml), ("sbom-spdx.spdx", spdx)]


def _range_seeds() -> list[Seed]:
    samples = [
        ("vers:generic/>=1.0|<2.0", "1.5"),
        ("vers:all/*", "x"),
        ("<= 2.3.6", "2.3.6"),
        (">= 1.3.4 | < 1.5.3", "1.4"),
        ("prior to 4.1", "V4.0"),
        ("versions 3.0 through 3.4", "3.2"),
        ("<= U61 |<= L81", "L80"),
        ("<= 11.x", "11.9"),
        ("< 1.8.4 Service Pack 01", "1.8.4"),
        ("<May 2018", "1.0"),
        ("VA20A", "VA20B"),
        ("10.2(1)", "10.2.1"),
        ("R2.1.3 SP2", "R2.1.3"),
    ]
    return [(f"range-{n}", f"{r}\n{v}".encode()) for n, (r, v) in enumerate(samples)]


TARGETS = (
    Target(
        "csaf",
        "parse_csaf + match: CSAF 2.0 advisories (schema, mandatory tests, product tree)",
        _csaf,
        _DEVICES,
        lambda: [
            *package_files("hygie/devices/data/demo", "*.json"),
            *shared_files("*.json", under="csaf"),
        ],
        max_len=256 * 1024,
    ),
    Target(
        "sbom",
        "parse_sbom + match_sbom: CycloneDX JSON/XML, SPDX 2.3 JSON/tag-value, SPDX 3.0, VEX",
        _sbom,
        _DEVICES,
        lambda: [
            *_sbom_seeds(),
            *shared_files("*.json", "*.xml", under="sbom", max_bytes=64 * 1024),
        ],
        max_len=64 * 1024,
    ),
    Target(
        "version-ranges",
        "parse_range / parse_product_version + contains: vers and legacy ranges",
        _ranges,
        _DEVICES,
        _range_seeds,
        max_len=4096,
    ),
)
