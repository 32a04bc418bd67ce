"""A stand-in for the EVTX parser's child process whose parser misbehaves, as a hostile file
makes the real one do: ``HYGIE_TEST_EVTX_FAULT`` says how (``hang`` or ``crash``) and
``HYGIE_TEST_EVTX_FAULTY_CALL`` on which chunk this process parses (1-based; ``every``)."""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from typing import IO

from hygie.detection import evtx_isolated

_calls = 0
_real = evtx_isolated.evtx_texts


def _faulty(source: IO[bytes] | str, threads: int = 0) -> Iterator[tuple[int, str, str]]:
    global _calls
    _calls += 1
    which = os.environ["HYGIE_TEST_EVTX_FAULTY_CALL"]
    if which == "every" or int(which) == _calls:
        if os.environ["HYGIE_TEST_EVTX_FAULT"] == "crash":
            os.kill(os.getpid(), signal.SIGSEGV)
        time.sleep(3600)
    return _real(source, threads)


evtx_isolated.evtx_texts = _faulty  # type: ignore[assignment]
evtx_isolated._serve(sys.stdin.buffer, sys.stdout.buffer)
