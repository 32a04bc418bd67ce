"""EVTX files from outside are parsed in a child process, one chunk at a time, with a time
limit: the same records as the in-process parser, and a chunk that hangs or crashes the native
parser costs that chunk only (fuzzing found a file that hangs ``evtx`` 0.14 for ever)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hygie.detection import evtx_isolated
from hygie.detection.engine import read_evtx
from hygie.detection.engine.readers import EVTX_CHUNK_BYTES, EVTX_HEADER_BYTES
from hygie.detection.evtx_isolated import read_evtx_isolated
from tests.shared_data import shared_data

FAULTY_CHILD = Path(__file__).with_name("evtx_faulty_child.py")


@pytest.fixture(scope="module")
def samples() -> list[Path]:
    found = sorted(shared_data("sigma", "regression_data").rglob("*.evtx"))
    assert len(found) >= 5
    return found


@pytest.fixture
def fresh_worker() -> Iterator[None]:
    """This thread's child starts anew (and is ended afterwards): tests change what it runs."""
    old = getattr(evtx_isolated._Worker._local, "worker", None)
    if old is not None:
        old.close()
    evtx_isolated._Worker._local.worker = None
    yield
    worker = evtx_isolated._Worker._local.worker
    if worker is not None:
        worker.close()
    evtx_isolated._Worker._local.worker = None


@pytest.fixture
def faulty(monkeypatch: pytest.MonkeyPatch, fresh_worker: None) -> pytest.MonkeyPatch:
    monkeypatch.setattr(evtx_isolated._Worker, "command", (str(FAULTY_CHILD),))
    return monkeypatch


def chunks_file(samples: list[Path], path: Path, count: int) -> Path:
    """An EVTX file made of the first chunk of ``count`` samples, after the first one's header."""
    with path.open("wb") as out:
        out.write(samples[0].read_bytes()[:EVTX_HEADER_BYTES])
        for sample in samples[:count]:
            out.write(sample.read_bytes()[EVTX_HEADER_BYTES : EVTX_HEADER_BYTES + EVTX_CHUNK_BYTES])
    return path


def test_same_records_as_in_process(samples: list[Path], tmp_path: Path) -> None:
    for sample in samples:
        assert list(read_evtx_isolated(sample)) == list(read_evtx(str(sample))), sample
    many = chunks_file(samples, tmp_path / "many.evtx", 5)
    records = list(read_evtx_isolated(many))
    assert records == list(read_evtx(str(many)))
    assert len([r for r in records if r.event]) >= 5


def test_damaged_and_foreign_files_read_as_in_process(samples: list[Path], tmp_path: Path) -> None:
    base = samples[0].read_bytes()
    cases = {
        "empty": b"",
        "not_evtx": b"not an event log" * 500,
        "header_only": base[:EVTX_HEADER_BYTES],
        "truncated": base[: EVTX_HEADER_BYTES + 3000],
        "blank_chunk_after": base + bytes(EVTX_CHUNK_BYTES),
        "partial_tail": base + bytes(100),
    }
    for name, data in cases.items():
        path = tmp_path / f"{name}.evtx"
        path.write_bytes(data)
        assert list(read_evtx_isolated(path)) == list(read_evtx(str(path))), name


def test_a_damaged_chunk_is_named_by_its_place_in_the_file(
    samples: list[Path], tmp_path: Path
) -> None:
    path = tmp_path / "garbage.evtx"
    path.write_bytes(samples[0].read_bytes() + bytes(range(256)) * 256)
    errors = [r.error for r in read_evtx_isolated(path) if r.error]
    assert errors == [r.error for r in read_evtx(str(path)) if r.error]
    assert "chunk number 1" in errors[0]


def test_a_hanging_chunk_is_skipped_and_the_rest_read(
    samples: list[Path], tmp_path: Path, faulty: pytest.MonkeyPatch
) -> None:
    faulty.setenv("HYGIE_TEST_EVTX_FAULT", "hang")
    faulty.setenv("HYGIE_TEST_EVTX_FAULTY_CALL", "2")
    path = chunks_file(samples, tmp_path / "three.evtx", 3)
    expected = list(read_evtx(str(path)))
    records = list(read_evtx_isolated(path, chunk_seconds=1))
    skipped = f"EVTX chunk 1 (byte {EVTX_HEADER_BYTES + EVTX_CHUNK_BYTES})"
    assert records[1].event is None and records[1].error is not None
    assert records[1].error.startswith(skipped)
    assert "did not finish it within 1 s" in records[1].error
    # Chunks 0 and 2 (the next child's first) read as they should.
    assert [records[0], records[2]] == [expected[0], expected[2]]


def test_a_crashing_chunk_is_skipped_and_named(
    samples: list[Path], tmp_path: Path, faulty: pytest.MonkeyPatch
) -> None:
    faulty.setenv("HYGIE_TEST_EVTX_FAULT", "crash")
    faulty.setenv("HYGIE_TEST_EVTX_FAULTY_CALL", "2")
    path = chunks_file(samples, tmp_path / "three.evtx", 3)
    records = list(read_evtx_isolated(path))
    assert len(records) == 3
    assert records[1].error is not None and "the parser crashed (SIGSEGV)" in records[1].error
    assert records[2] == list(read_evtx(str(path)))[2]


def test_a_file_that_keeps_hanging_the_parser_is_abandoned(
    samples: list[Path], tmp_path: Path, faulty: pytest.MonkeyPatch
) -> None:
    faulty.setenv("HYGIE_TEST_EVTX_FAULT", "hang")
    faulty.setenv("HYGIE_TEST_EVTX_FAULTY_CALL", "every")
    path = chunks_file(samples, tmp_path / "five.evtx", 5)
    errors = [r.error for r in read_evtx_isolated(path, chunk_seconds=0.3)]
    assert len(errors) == evtx_isolated.MAX_SKIPPED_CHUNKS + 1
    assert errors[-1] == "EVTX file abandoned at chunk 3: 3 chunks stopped the parser"


def test_a_slow_reader_is_not_taken_for_a_hung_parser(
    samples: list[Path], tmp_path: Path, fresh_worker: None
) -> None:
    path = chunks_file(samples, tmp_path / "four.evtx", 4)
    records = []
    for record in read_evtx_isolated(path, chunk_seconds=0.5):
        time.sleep(0.7)  # longer than the limit, spent by the caller, not the parser
        records.append(record)
    assert records == list(read_evtx(str(path)))


def test_records_let_go_early_leave_the_next_file_readable(
    samples: list[Path], tmp_path: Path, fresh_worker: None
) -> None:
    path = chunks_file(samples, tmp_path / "four.evtx", 4)
    records = read_evtx_isolated(path)
    next(records)
    records.close()
    assert list(read_evtx_isolated(path)) == list(read_evtx(str(path)))


def test_two_files_read_side_by_side_in_one_thread(samples: list[Path], tmp_path: Path) -> None:
    first = chunks_file(samples, tmp_path / "a.evtx", 3)
    second = chunks_file(samples[1:], tmp_path / "b.evtx", 3)
    pairs = list(zip(read_evtx_isolated(first), read_evtx_isolated(second), strict=True))
    assert [a for a, _ in pairs] == list(read_evtx(str(first)))
    assert [b for _, b in pairs] == list(read_evtx(str(second)))
