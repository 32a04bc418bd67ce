"""The index's fast evaluation (decision 0045) decides exactly as the rules read: on random NVD
configurations (exact versions, wildcards, ranges, NA, running-on platforms, negation, AND/OR,
nested nodes) and devices (with and without CPE, odd versions), ``MatchIndex.match`` gives the
same verdicts, in the same order, with the same explanations, as :class:`_Evaluator` record by
record; identical devices share their verdicts; explanations are made only when read."""

from __future__ import annotations

import json
import random
from typing import Any

from hygie.devices.engine import InventoryItem, MatchIndex, parse_nvd
from hygie.devices.engine.match import Deferred, _device, _Evaluator, _nvd_verdict
from hygie.devices.engine.names import Aliases, cpe_product_key, product_key

VENDORS = ("acme", "globex")
PRODUCTS = ("pump", "pump_firmware", "monitor")
VERSIONS = ("1.0", "1.2", "1.2.3", "2.0", "2.x", "V2.0", "R1.1 SP2", "1.0 rc1", "abc", "-", "*")


def _criterion(rng: random.Random, vulnerable: bool) -> dict[str, Any]:
    part = rng.choice("aoh")
    version = rng.choice(VERSIONS).replace(" ", "_")
    update = rng.choice(("*", "*", "*", "sp1"))
    criterion: dict[str, Any] = {
        "vulnerable": vulnerable,
        "criteria": f"cpe:2.3:{part}:{rng.choice(VENDORS)}:{rng.choice(PRODUCTS)}:{version}"
        f":{update}:*:*:*:*:*:*",
    }
    if version == "*" and rng.random() < 0.8:
        for bound in rng.sample(
            ["versionStartIncluding", "versionStartExcluding", "versionEndIncluding",
             "versionEndExcluding"], rng.randint(1, 2),
        ):  # fmt: skip
            criterion[bound] = rng.choice(VERSIONS[:8])
    return criterion


def _node(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    node: dict[str, Any] = {
        "operator": rng.choice(("OR", "OR", "AND")),
        "negate": rng.random() < 0.1,
        "cpeMatch": [_criterion(rng, rng.random() < 0.75) for _ in range(rng.randint(1, 4))],
    }
    if depth < 1 and rng.random() < 0.15:
        node["children"] = [_node(rng, depth + 1) for _ in range(rng.randint(1, 2))]
    return node


def _records(rng: random.Random, count: int) -> list[Any]:
    document = {
        "vulnerabilities": [
            {
                "cve": {
                    "id": f"CVE-2099-{n:05d}",
                    "configurations": [
                        {
                            "operator": rng.choice(("AND", "OR", "")),
                            "nodes": [_node(rng) for _ in range(rng.randint(1, 2))],
                        }
                        for _ in range(rng.randint(1, 3))
                    ],
                }
            }
            for n in range(count)
        ]
    }
    return parse_nvd(json.dumps(document))


def _items(rng: random.Random, count: int) -> list[InventoryItem]:
    items = []
    for n in range(count):
        version = rng.choice((*VERSIONS[:9], "", "1.2.3.4", "2.0.1"))
        cpe = ""
        if rng.random() < 0.3:
            cpe = (
                f"cpe:2.3:o:{rng.choice(VENDORS)}:{rng.choice(PRODUCTS)}:"
                f"{(version or '*').replace(' ', '_')}:{rng.choice(('*', 'sp1', 'sp2'))}"
                ":*:*:*:*:*:*"
            )
        items.append(
            InventoryItem(
                f"D{n}", rng.choice(("Acme Inc.", "Globex")), rng.choice(PRODUCTS), version, cpe
            )
        )
    return items


def _keys(record: Any, table: Aliases) -> set[tuple[str, str]]:
    """The (vendor, product) keys of a record's vulnerable criteria."""
    keys = set()
    stack = [n for c in record.configurations for n in c.nodes]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        for m in node.matches:
            if m.vulnerable:
                vendor = table.canonical(product_key(m.criteria.vendor))
                keys.add((vendor, cpe_product_key(m.criteria.product)))
    return keys


def _reference(items: list[InventoryItem], records: list[Any]) -> list[Any]:
    """The records whose vulnerable criteria name a device, each evaluated for it by the rules
    as they read (no index, no gate, nothing compiled)."""
    table = Aliases(None)
    keyed = [(record, _keys(record, table)) for record in records]
    verdicts: list[Any] = []
    for item in items:
        seen: set[str] = set()
        for device in _device(item, table):
            evaluator = _Evaluator(device, table, {})
            for record in (
                r
                for vendor in device.vendors
                for r, keys in keyed
                if (vendor, device.product) in keys
            ):
                if record.cve in seen:
                    continue
                found = _nvd_verdict(item, evaluator, record)
                if found:
                    seen.add(record.cve)
                    verdicts.extend(found)
    return verdicts


def _rows(verdicts: list[Any]) -> list[tuple[str, ...]]:
    return [(v.device, v.cve, v.status, v.why) for v in verdicts]


def test_the_index_decides_as_the_rules_read() -> None:
    rng = random.Random(12)  # noqa: S311 - reproducible test data
    records = _records(rng, 400)
    items = _items(rng, 150)
    indexed = MatchIndex(cves=records).match(items)
    expected = _reference(items, records)
    assert len(indexed) > 50
    # The same verdicts, in the same order, explained the same way.
    assert _rows(indexed) == _rows(expected)
    assert {v.status for v in indexed} == {"known_affected", "needs_review"}


def test_identical_devices_share_their_verdicts_under_their_own_ids() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible test data
    records = _records(rng, 200)
    pump = InventoryItem("A", "Acme", "pump", "1.2")
    twin = InventoryItem("B", "Acme", "pump", "1.2")
    index = MatchIndex(cves=records)
    first, second = index.match([pump]), index.match([pump, twin])
    assert first
    assert [v.device for v in second] == ["A"] * len(first) + ["B"] * len(first)
    assert [(v.cve, v.status, v.why) for v in second[len(first) :]] == [
        (v.cve, v.status, v.why) for v in first
    ]


def test_explanations_are_made_when_read() -> None:
    rng = random.Random(3)  # noqa: S311 - reproducible test data
    verdict = MatchIndex(cves=_records(rng, 200)).match(
        [InventoryItem("A", "Acme", "pump", "1.2")]
    )[0]
    assert isinstance(verdict.__dict__["_explanation"], Deferred)
    made = verdict.explanation
    assert verdict.__dict__["_explanation"] is made  # made once, then kept
    assert verdict.why == str(made)
