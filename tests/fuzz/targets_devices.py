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
        "version-ranges",
        "parse_range / parse_product_version + contains: vers and legacy ranges",
        _ranges,
        _DEVICES,
        _range_seeds,
        max_len=4096,
    ),
)
