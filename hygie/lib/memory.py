"""The cyclic garbage collector and large, long-lived, acyclic structures.

A compiled rule pack, a match index of 250,000 CVE records or a matcher of a million indicators
is millions of small objects with no reference cycle. Python's cyclic collector, triggered by
allocations, walks every tracked object at each full collection: while such a structure is
built (or unpickled) it would walk it again and again, and for as long as it is kept each full
collection would walk it once more (seconds each time), paid by whatever runs then — an
ingest batch, a page, rendering explanations. Reference counting frees these structures anyway;
the cyclic collector has nothing to find in them.

* :func:`collector_paused` — build such a structure without the collector running.
* :func:`settle_long_lived` — once it is built and kept: collect what is garbage now, then move
  every object alive to the collector's permanent generation (``gc.freeze``), so later full
  collections skip it. What was frozen before is thawed first, so a reference cycle frozen by an
  earlier call and dropped since is collected rather than kept for good. Process-wide by nature:
  the one place that does it. It costs one full collection of the whole process, so a caller
  settles only a structure of :data:`LONG_LIVED_FROM` entries or more (:func:`settle_if_large`):
  a small one costs the collector little, and a full collection for each (a test suite, a
  service matching one device) would cost much more.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector paused for the block (restored as it was)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Entries (indicators, CVE records, advisory products) from which a kept structure is settled.
LONG_LIVED_FROM = 50_000


def _large(entries: int, threshold: int | None) -> bool:
    return entries >= (LONG_LIVED_FROM if threshold is None else threshold)


def settle_if_large(entries: int, threshold: int | None = None) -> bool:
    """Settle (:func:`settle_long_lived`) a structure of ``entries`` entries if it is large
    (``threshold``, :data:`LONG_LIVED_FROM` by default); True when it was."""
    if not _large(entries, threshold):
        return False
    settle_long_lived()
    return True


def freeze_if_large(entries: int, threshold: int | None = None) -> bool:
    """Move every object alive now to the permanent generation, without collecting first, if
    ``entries`` reaches ``threshold`` (:data:`LONG_LIVED_FROM` by default); True when it did.

    For a large result just made with the collector paused (:func:`collector_paused`) and
    handed to code that allocates much (rendering it, storing it): its objects would otherwise
    make each later full collection walk them all, again and again as that code allocates. No
    full collection is paid here (an earlier :func:`settle_long_lived` stays in place); the
    price is that a reference cycle already garbage at this moment stays uncollected until the
    next :func:`settle_long_lived` — acceptable after code that makes none."""
    if not _large(entries, threshold):
        return False
    gc.freeze()
    return True


def settle_long_lived() -> None:
    """Collect the garbage, then keep every live object out of later full collections."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()
