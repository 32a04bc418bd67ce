"""EVTX files read by the native parser in a child process, one chunk at a time, with a limit.

The ``evtx`` parser is native code, and a hostile file can make it loop for ever (fuzzing found
one: a 69,632-byte file whose first record never comes out) or crash the process. A hang inside
native code cannot be interrupted from Python, so every EVTX file that comes from outside (hunt,
ingest, uploads) is parsed here:

- one long-lived child process per thread (``python -m hygie.detection.evtx_isolated``) parses
  the file chunk by chunk (an EVTX chunk holds whole records with their own string and template
  tables, so chunks parse alone) and streams back the records' JSON, undecoded;
- the caller decodes them as ``read_evtx`` does, so the events are the same;
- a chunk that takes more than ``chunk_seconds`` of waiting, or that kills the child, is
  reported as one unreadable record and skipped; the next chunk is read by a new child. After
  ``MAX_SKIPPED_CHUNKS`` such chunks the rest of the file is abandoned, with a record that says so.

The time limit counts only the time the caller spends waiting for the child, never the time the
caller takes to handle the events, so a slow consumer never looks like a hung parser.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO

from hygie.detection.engine.readers import (
    EVTX_CHUNK_BYTES,
    EVTX_HEADER_BYTES,
    EvtxFileError,
    LogRecord,
    evtx_record,
    evtx_texts,
)

# A healthy 64 KiB chunk parses in milliseconds; this leaves room for a loaded machine.
CHUNK_SECONDS = 10.0
MAX_SKIPPED_CHUNKS = 3

# Frames from the child: kind, a number, the payload's length, then the payload.
_FRAME = struct.Struct("<cQI")
_READY, _RECORD, _ERROR, _CHUNK_DONE, _DONE = b"S", b"R", b"E", b"C", b"D"
# Starting a child (Python and the parser imported) is not parsing: it has its own, wide limit.
START_SECONDS = 60.0
_READ_BYTES = 1 << 20


def read_evtx_isolated(
    path: Path | str,
    first_chunk: int = 0,
    end_chunk: int | None = None,
    chunk_seconds: float = CHUNK_SECONDS,
) -> Iterator[LogRecord]:
    """The records of the EVTX file at ``path`` (chunks ``first_chunk`` up to ``end_chunk``,
    excluded; all of them by default), as ``read_evtx`` gives them, plus one unreadable record
    for each chunk the parser could not finish."""
    path = Path(path)
    size = path.stat().st_size
    worker = _Worker.for_thread()
    owned = worker.busy  # a second file read at the same time in this thread gets its own child
    if owned:
        worker = _Worker()
    skipped = 0
    chunk = first_chunk
    try:
        while True:
            failure = yield from worker.read(path, chunk, end_chunk, chunk_seconds)
            if failure is None:
                return
            failed_chunk, why = failure
            offset = EVTX_HEADER_BYTES + failed_chunk * EVTX_CHUNK_BYTES
            yield LogRecord(0, None, f"EVTX chunk {failed_chunk} (byte {offset}): {why}; skipped")
            skipped += 1
            chunk = failed_chunk + 1
            if end_chunk is not None and chunk >= end_chunk:
                return
            if EVTX_HEADER_BYTES + chunk * EVTX_CHUNK_BYTES >= size:
                return
            if skipped >= MAX_SKIPPED_CHUNKS:
                yield LogRecord(
                    0,
                    None,
                    f"EVTX file abandoned at chunk {chunk}: {skipped} chunks stopped the parser",
                )
                return
    finally:
        if owned:
            worker.close()


class _Worker:
    """One child process and the pipes to it; started on first use, restarted after a kill."""

    _local = threading.local()
    # What runs the child after ``python``; tests put a parser that hangs or crashes there.
    command: tuple[str, ...] = ("-m", "hygie.detection.evtx_isolated")

    def __init__(self) -> None:
        self.owner = os.getpid()
        self.process: subprocess.Popen[bytes] | None = None
        self.busy = False

    @classmethod
    def for_thread(cls) -> _Worker:
        worker: _Worker | None = getattr(cls._local, "worker", None)
        if worker is None or worker.owner != os.getpid():  # a forked process starts its own
            worker = cls._local.worker = cls()
        return worker

    def read(
        self, path: Path, first: int, end: int | None, chunk_seconds: float
    ) -> Generator[LogRecord, None, tuple[int, str] | None]:
        """Yield the records of one request; return None when the child finished it, or
        ``(chunk, why)`` when it hung or died on that chunk (the child is then gone)."""
        process = self._started()
        if process is None:
            return first, "the parser process did not start"
        assert process.stdin is not None and process.stdout is not None
        request = {"path": os.fspath(path.resolve()), "first": first, "end": end}
        self.busy = True
        finished = False
        try:
            process.stdin.write(json.dumps(request).encode() + b"\n")
            process.stdin.flush()
        except OSError:
            self._kill()
            self.busy = False
            return first, "the parser process stopped answering"
        frames = _FrameReader(process.stdout.fileno())
        chunk = first
        try:
            while True:
                frame = frames.next(chunk_seconds)
                if frame is None:
                    why = self._stop_reason(chunk_seconds, frames.timed_out)
                    return chunk, why
                kind, number, payload = frame
                if kind == _RECORD:
                    yield evtx_record(number, payload.decode("utf-8", "surrogatepass"))
                elif kind == _ERROR:
                    yield LogRecord(0, None, payload.decode("utf-8", "replace"))
                elif kind == _CHUNK_DONE:
                    chunk = number + 1
                    frames.reset_clock()
                elif kind == _DONE:
                    finished = True
                    return None
        finally:
            frames.close()
            self.busy = False
            if not finished:
                # Stopped early (hang, crash, or a caller that let go of the records): the
                # child may still be writing, so it cannot serve another request.
                self._kill()

    def _started(self) -> subprocess.Popen[bytes] | None:
        """The running child, started if need be; None when a new one did not come up."""
        if self.process is not None and self.process.poll() is None:
            return self.process
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, *self.command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            # The parser's own messages on a damaged file may quote its bytes: never shown.
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )
        assert self.process.stdout is not None
        reader = _FrameReader(self.process.stdout.fileno())
        ready = reader.next(START_SECONDS)
        reader.close()
        if ready is None or ready[0] != _READY:
            self._kill()
            return None
        return self.process

    def _stop_reason(self, chunk_seconds: float, timed_out: bool) -> str:
        if timed_out:
            self._kill()
            return f"the parser did not finish it within {chunk_seconds:g} s"
        assert self.process is not None
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._kill()
            return "the parser stopped answering"
        self._kill()  # already gone: closes the pipes
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"the parser crashed ({name})"
        return f"the parser stopped (exit status {code})"

    def _kill(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()

    def close(self) -> None:
        """End the child: it exits when its input closes; a child that does not is killed."""
        process, self.process = self.process, None
        if process is None or self.owner != os.getpid():
            return
        try:
            if process.stdin is not None:
                process.stdin.close()
            process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()

    def __del__(self) -> None:
        # At interpreter shutdown there is nothing left to report a failure to.
        with contextlib.suppress(Exception):
            self.close()


class _FrameReader:
    """Frames from the child's output, with the time spent waiting for them counted per chunk."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.position = 0
        self.waited = 0.0
        self.timed_out = False
        self.selector = selectors.DefaultSelector()
        self.selector.register(fd, selectors.EVENT_READ)

    def reset_clock(self) -> None:
        self.waited = 0.0

    def close(self) -> None:
        self.selector.close()

    def next(self, limit: float) -> tuple[bytes, int, bytes] | None:
        """The next frame; None when the child closed its output or ``limit`` ran out."""
        header = self._take(_FRAME.size, limit)
        if header is None:
            return None
        kind, number, length = _FRAME.unpack(header)
        payload = self._take(length, limit) if length else b""
        if payload is None:
            return None
        return kind, number, payload

    def _take(self, count: int, limit: float) -> bytes | None:
        while len(self.buffer) - self.position < count:
            if not self._fill(limit):
                return None
        data = bytes(self.buffer[self.position : self.position + count])
        self.position += count
        if self.position > _READ_BYTES:
            del self.buffer[: self.position]
            self.position = 0
        return data

    def _fill(self, limit: float) -> bool:
        while True:
            remaining = limit - self.waited
            if remaining <= 0:
                self.timed_out = True
                return False
            began = time.monotonic()
            ready = self.selector.select(remaining)
            self.waited += time.monotonic() - began
            if not ready:
                continue
            data = os.read(self.fd, _READ_BYTES)
            if not data:
                return False
            self.buffer += data
            return True


# --- the child ---------------------------------------------------------------------------


def _serve(requests: IO[bytes], out: IO[bytes]) -> None:
    """Say it is ready, then answer requests (one JSON line each) until the input closes."""
    out.write(_FRAME.pack(_READY, 0, 0))
    out.flush()
    for line in requests:
        request = json.loads(line)
        try:
            _answer(request["path"], request["first"], request["end"], out)
        except OSError as error:
            _write(out, _ERROR, 0, f"EVTX file unreadable: {error.strerror}")
        out.write(_FRAME.pack(_DONE, 0, 0))
        out.flush()


def _answer(path: str, first: int, end: int | None, out: IO[bytes]) -> None:
    with open(path, "rb") as handle:
        header = handle.read(EVTX_HEADER_BYTES)
        chunk = first
        while end is None or chunk < end:
            handle.seek(EVTX_HEADER_BYTES + chunk * EVTX_CHUNK_BYTES)
            data = handle.read(EVTX_CHUNK_BYTES)
            if not data and chunk > 0:
                return
            try:
                for number, text, error in evtx_texts(io.BytesIO(header + data), threads=1):
                    if error:
                        # The parser numbers chunks from the one it was given: say which.
                        error = error.replace("chunk number 0:", f"chunk number {chunk}:", 1)
                        _write(out, _ERROR, 0, error)
                    else:
                        _write(out, _RECORD, number, text)
            except EvtxFileError as error:
                _write(out, _ERROR, 0, str(error))
                return
            out.write(_FRAME.pack(_CHUNK_DONE, chunk, 0))
            out.flush()
            if len(data) < EVTX_CHUNK_BYTES:
                return
            chunk += 1


def _write(out: IO[bytes], kind: bytes, number: int, text: str) -> None:
    payload = text.encode("utf-8", "surrogatepass")
    out.write(_FRAME.pack(kind, number, len(payload)))
    out.write(payload)


if __name__ == "__main__":
    _serve(sys.stdin.buffer, sys.stdout.buffer)
