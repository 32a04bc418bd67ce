"""hygie.lib.memory: large acyclic structures kept out of the cyclic collector's walks."""

from __future__ import annotations

import gc

from hygie.lib.memory import collector_paused, settle_long_lived


def test_collector_paused_restores_the_state_it_found():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the inner block found it paused and leaves it so
    assert gc.isenabled()


def test_settle_long_lived_freezes_what_is_alive_and_collects_earlier_cycles():
    class Node:
        pass

    cycle = Node()
    cycle.self = cycle  # type: ignore[attr-defined]
    kept = [Node() for _ in range(1000)]
    try:
        settle_long_lived()
        assert gc.get_freeze_count() >= len(kept)
        del cycle  # a cycle frozen by that call, dropped since...
        settle_long_lived()  # ...is thawed and collected by the next one, not kept for good
        assert not any(type(item) is Node and item not in kept for item in gc.get_objects())
    finally:
        gc.unfreeze()


def test_only_a_large_structure_is_settled(monkeypatch):
    from hygie.lib import memory

    settled = []
    monkeypatch.setattr(memory, "settle_long_lived", lambda: settled.append(True))
    assert not memory.settle_if_large(memory.LONG_LIVED_FROM - 1)
    assert memory.settle_if_large(memory.LONG_LIVED_FROM)
    assert memory.settle_if_large(10, threshold=10)
    assert settled == [True, True]


def test_a_large_result_is_frozen_without_a_collection(monkeypatch):
    from hygie.lib import memory

    calls = []
    monkeypatch.setattr(memory.gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(memory.gc, "collect", lambda *a: calls.append("collect"))
    assert not memory.freeze_if_large(memory.LONG_LIVED_FROM - 1)
    assert memory.freeze_if_large(memory.LONG_LIVED_FROM)
    assert calls == ["freeze"]
