"""NVD round trip on the real records of ../shared/data/nvd: for each vulnerable CPE criterion,
a device derived from it (vendor and product from the CPE, a version inside the criterion's
version or bounds) gets a verdict on that CVE — ``known_affected`` when the configuration needs
nothing else, ``needs_review`` when it also needs a platform that is not the device; a version
past the upper bound gets none when the criterion is the only one for that product."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from hygie.devices.engine import InventoryItem, match, parse_cpe, parse_nvd
from tests.shared_data import SHARED_DATA, shared_data


def _move(version: str, step: int) -> str | None:
    runs = list(re.finditer(r"\d+", version))
    if not runs:
        return None
    last = runs[-1]
    value = int(last.group()) + step
    if value < 0:
        return None
    return (
        version[: last.start()] + str(value).rjust(len(last.group()), "0") + version[last.end() :]
    )


def _inside(criterion: dict) -> str | None:
    version = parse_cpe(criterion["criteria"]).version
    if version not in ("*", "-"):
        return version
    for key, step in (
        ("versionStartIncluding", 0),
        ("versionEndIncluding", 0),
        ("versionEndExcluding", -1),
        ("versionStartExcluding", 1),
    ):
        if criterion.get(key):
            return _move(criterion[key], step) if step else criterion[key]
    return "1.0"


def _matches(node: dict):
    yield from node.get("cpeMatch", [])
    for child in node.get("children", []):
        yield from _matches(child)


def records() -> list[Path]:
    """The records (a placeholder when the data set is absent: the test then skips, or fails
    under CI, through ``shared_data``)."""
    found = sorted(SHARED_DATA.joinpath("nvd", "records").glob("*.json"))
    return found or [SHARED_DATA / "nvd" / "records" / "absent.json"]


FIGURES: Counter[str] = Counter()


@pytest.mark.parametrize("path", records(), ids=lambda p: p.stem)
def test_devices_derived_from_the_criteria_get_their_verdict(path: Path) -> None:
    shared_data("nvd", "records", path.name)
    document = json.loads(path.read_text(encoding="utf-8"))
    parsed = parse_nvd(path.read_text(encoding="utf-8"), path.name)
    cases = []
    for config in document.get("configurations", []):
        criteria = [m for node in config["nodes"] for m in _matches(node)]
        platforms = [m for m in criteria if not m["vulnerable"]]
        negated = any(node.get("negate") for node in config["nodes"])
        for criterion in criteria:
            if not criterion["vulnerable"] or negated:
                continue
            cpe = parse_cpe(criterion["criteria"])
            same_product = [
                m
                for m in criteria
                if (parse_cpe(m["criteria"]).vendor, parse_cpe(m["criteria"]).product)
                == (cpe.vendor, cpe.product)
            ]
            version = _inside(criterion)
            if version is None:
                continue
            # The platform is the device itself when it is its hardware (<name>_firmware on <name>).
            # ... of any revision: a given hardware version is not the inventory's version.
            own = all(
                parse_cpe(p["criteria"]).vendor == cpe.vendor
                and parse_cpe(p["criteria"]).product == cpe.product.removesuffix("_firmware")
                and parse_cpe(p["criteria"]).version in ("*", "-")
                for p in platforms
            )
            expected = {"known_affected"} if own else {"needs_review", "known_affected"}
            cases.append((cpe.vendor, cpe.product, version, expected))
            upper = criterion.get("versionEndIncluding") or criterion.get("versionEndExcluding")
            if upper and len(same_product) == 1 and len(document["configurations"]) == 1:
                outside = _move(upper, 1) if criterion.get("versionEndIncluding") else upper
                if outside:
                    cases.append((cpe.vendor, cpe.product, outside, set()))
    if not cases:
        pytest.skip(f"{path.stem} has no vulnerable criterion")
    items = [
        InventoryItem(str(n), vendor.replace("_", " "), product.replace("_", " "), version)
        for n, (vendor, product, version, _expected) in enumerate(cases)
    ]
    verdicts = match(items, cves=parsed)
    problems = []
    for n, (vendor, product, version, expected) in enumerate(cases):
        got = {v.status for v in verdicts if v.device == str(n) and v.cve == parsed[0].cve}
        if expected and not (got and got <= expected):
            problems.append(f"{vendor}:{product} {version}: {got} not in {expected}")
        if not expected and "known_affected" in got:
            problems.append(f"{vendor}:{product} {version} (outside): {got}")
        FIGURES["items"] += 1
        for status in got:
            FIGURES[status] += 1
    assert problems == []
