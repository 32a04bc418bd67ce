"""How matching treats Python's cyclic garbage collector (decision 0045): a small index or match
costs no full collection of the process; a large one is kept out of later collections."""

from __future__ import annotations

from hygie.devices.engine import InventoryItem, MatchIndex, parse_csaf
from hygie.lib import memory

ADVISORY = {
    "document": {
        "category": "csaf_security_advisory",
        "csaf_version": "2.0",
        "title": "Pump advisory",
        "publisher": {"category": "vendor", "name": "Example", "namespace": "https://example.org"},
        "tracking": {
            "id": "EX-2026-001",
            "status": "final",
            "version": "1",
            "initial_release_date": "2026-01-01T00:00:00Z",
            "current_release_date": "2026-01-01T00:00:00Z",
            "revision_history": [
                {"date": "2026-01-01T00:00:00Z", "number": "1", "summary": "First"}
            ],
        },
    },
    "product_tree": {
        "branches": [
            {
                "category": "vendor",
                "name": "Example Medical",
                "branches": [
                    {
                        "category": "product_name",
                        "name": "PumpOne",
                        "branches": [
                            {
                                "category": "product_version",
                                "name": "2.1",
                                "product": {"product_id": "P1", "name": "PumpOne 2.1"},
                            }
                        ],
                    }
                ],
            }
        ]
    },
    "vulnerabilities": [
        {
            "cve": "CVE-2026-0001",
            "notes": [{"category": "summary", "text": "A flaw in the pump."}],
            "product_status": {"known_affected": ["P1"]},
        }
    ],
}


def _calls(monkeypatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(memory, "settle_long_lived", lambda: calls.append("settle"))
    monkeypatch.setattr(memory.gc, "freeze", lambda: calls.append("freeze"))
    return calls


def _match() -> list:
    index = MatchIndex([parse_csaf(ADVISORY, "ex.json")])
    return index.match([InventoryItem("pump-1", "Example Medical", "PumpOne", "2.1")])


def test_a_small_index_and_match_cost_no_collection(monkeypatch):
    calls = _calls(monkeypatch)
    assert [v.status for v in _match()] == ["known_affected"]
    assert calls == []


def test_a_large_index_is_settled_and_a_large_match_frozen(monkeypatch):
    calls = _calls(monkeypatch)
    monkeypatch.setattr(memory, "LONG_LIVED_FROM", 1)
    assert [v.status for v in _match()] == ["known_affected"]
    assert calls == ["settle", "freeze"]
