"""One large log file across cores: ``hygie hunt --jobs N`` cuts each file into pieces.

JSON lines and text logs are cut into byte ranges, each ending just after a newline; EVTX files
into runs of 64 KiB chunks (each chunk holds whole records with its own string and template
tables; a worker reads the file's header followed by its chunks). Workers only find which rules
each event matches; the parent takes the pieces back in file order and runs what depends on
order there: line numbers (a piece counts its own lines, the parent adds those of the pieces
before), correlations (one session per file, fed every match in order, as on one core) and the
output. The result is the same as on one core, match for match and in the same order.

A JSON piece stops at the first line that is not a whole JSON document (a document spread over
lines, as evtx_dump writes them, or a damaged line): one core then reads the rest of the file
in order, since how such a line reads depends on the lines around it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hygie.detection.engine import (
    DetectionEngine,
    LogSourceSpec,
    detect_and_parse,
    prefilter,
)
from hygie.detection.engine.readers import (
    EVTX_CHUNK_BYTES,
    EVTX_CHUNK_MAGIC,
    EVTX_HEADER_BYTES,
    json_line_records,
)
from hygie.detection.evtx_isolated import read_evtx_isolated

# Small pieces balance the cores; large ones cost less to hand around. A piece is read whole.
MIN_PIECE_BYTES = 1024 * 1024
MAX_PIECE_BYTES = 16 * 1024 * 1024
PIECES_PER_JOB = 4


@dataclass(frozen=True)
class Piece:
    """A byte range of one file: whole lines, or whole EVTX chunks, up to ``end``."""

    path: str
    kind: str  # "json", "text" or "evtx"
    start: int
    end: int
    last: bool


# One event that matched: its origin (line within the piece, or EVTX record number), the
# indexes of the rules it matched (engine order), and the event itself when a correlation
# watches one of them (the parent's correlations read its fields).
Found = tuple[int, tuple[int, ...], dict[str, Any] | None]


@dataclass
class PieceResult:
    piece: Piece
    found: list[Found] = field(default_factory=list)
    events: int = 0
    errors: int = 0
    first_error: tuple[int, str] | None = None
    lines: int = 0
    # False: a JSON line did not read alone; the parent reads from this piece's start on.
    whole: bool = True
    databases: dict[bytes, bytes] = field(default_factory=dict)
    routes: list[tuple[str, ...] | LogSourceSpec] = field(default_factory=list)


def plan(path: Path, kind: str, jobs: int) -> list[Piece]:
    """The pieces of one file, in order; one piece when it is too small to share."""
    size = path.stat().st_size
    target = min(MAX_PIECE_BYTES, max(MIN_PIECE_BYTES, size // (jobs * PIECES_PER_JOB)))
    cuts = _evtx_cuts(path, size, target) if kind == "evtx" else _line_cuts(path, size, target)
    starts = [EVTX_HEADER_BYTES if kind == "evtx" else 0, *cuts]
    ends = [*cuts, size]
    return [
        Piece(str(path), kind, start, end, n == len(starts) - 1)
        for n, (start, end) in enumerate(zip(starts, ends, strict=True))
    ]


def _line_cuts(path: Path, size: int, target: int) -> list[int]:
    cuts: list[int] = []
    with path.open("rb") as handle:
        position = target
        while position < size:
            handle.seek(position)
            tail = handle.readline()  # to the end of the line the target falls in
            cut = position + len(tail)
            if cut >= size or not tail.endswith(b"\n"):
                break
            if not cuts or cut > cuts[-1]:
                cuts.append(cut)
            position = cut + target
    return cuts


def _evtx_cuts(path: Path, size: int, target: int) -> list[int]:
    """Cut between chunks, only among the leading chunks that carry the chunk signature: what
    follows a damaged or blank chunk stays with it, read the way one core reads it."""
    per_piece = max(1, target // EVTX_CHUNK_BYTES)
    cuts: list[int] = []
    with path.open("rb") as handle:
        chunk = 0
        while True:
            offset = EVTX_HEADER_BYTES + chunk * EVTX_CHUNK_BYTES
            if offset + EVTX_CHUNK_BYTES > size:
                break
            handle.seek(offset)
            if handle.read(len(EVTX_CHUNK_MAGIC)) != EVTX_CHUNK_MAGIC:
                break
            if chunk and chunk % per_piece == 0:
                cuts.append(offset)
            chunk += 1
    return cuts


def scan_piece(engine: DetectionEngine, watched: frozenset[str], piece: Piece) -> PieceResult:
    """Which rules each event of ``piece`` matches (run in a worker)."""
    databases_before = set(prefilter.COMPILED_DATABASES)
    routes_before = set(engine.prepared_routes())
    result = PieceResult(piece)
    if piece.kind == "evtx":
        _scan_evtx(engine, watched, piece, result)
    else:
        with open(piece.path, "rb") as handle:
            handle.seek(piece.start)
            data = handle.read(piece.end - piece.start)
        _scan_lines(engine, watched, data, result)
    result.databases = {
        key: value
        for key, value in prefilter.COMPILED_DATABASES.items()
        if key not in databases_before
    }
    result.routes = [r for r in engine.prepared_routes() if r not in routes_before]
    return result


def _lines(data: bytes) -> Iterator[bytes]:
    """Lines as iterating a binary file gives them (ending with their newline)."""
    parts = data.split(b"\n")
    last = parts.pop()
    for part in parts:
        yield part + b"\n"
    if last:
        yield last


def _scan_lines(
    engine: DetectionEngine, watched: frozenset[str], data: bytes, result: PieceResult
) -> None:
    text = result.piece.kind == "text"
    found = result.found
    for number, line in enumerate(_lines(data), start=1):
        result.lines = number
        logsource = None
        if text:
            if not line.strip():
                continue
            parsed = detect_and_parse(line)
            if parsed.parser == "unknown":
                _error(result, number, parsed.error or "")
                continue
            events = [parsed.event]
            logsource = parsed.logsource
        else:
            records = json_line_records(line, number)
            if records is None:
                result.whole = False
                return
            events = []
            for record in records:
                if record.event is None:
                    _error(result, number, record.error or "")
                else:
                    events.append(record.event)
        for event in events:
            result.events += 1
            matched = engine.matching_rules(event, logsource)
            if matched:
                keep = any(rule.info.id in watched for rule in matched)
                found.append((number, tuple(r.index for r in matched), event if keep else None))


def _scan_evtx(
    engine: DetectionEngine, watched: frozenset[str], piece: Piece, result: PieceResult
) -> None:
    first = (piece.start - EVTX_HEADER_BYTES) // EVTX_CHUNK_BYTES
    end = None if piece.last else (piece.end - EVTX_HEADER_BYTES) // EVTX_CHUNK_BYTES
    for record in read_evtx_isolated(piece.path, first, end):
        if record.event is None:
            _error(result, record.origin, record.error or "")
            continue
        result.events += 1
        matched = engine.matching_rules(record.event)
        if matched:
            keep = any(rule.info.id in watched for rule in matched)
            event = record.event if keep else None
            result.found.append((record.origin, tuple(r.index for r in matched), event))


def _error(result: PieceResult, origin: int, message: str) -> None:
    result.errors += 1
    if result.first_error is None:
        result.first_error = (origin, message)


def usable_cores(jobs: int) -> int:
    return max(1, min(jobs, os.cpu_count() or 1))
