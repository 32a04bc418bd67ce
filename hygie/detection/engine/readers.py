"""Log readers: bytes in, flat events out, each with where it came from.

Readers never raise on bad input: a record they cannot read is yielded with an ``error`` and
the reader moves on, so one corrupt line never hides the rest of a log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from .events import normalise_event

# One event larger than this is not a log event; stop buffering it.
MAX_DOCUMENT_CHARS = 4 * 1024 * 1024
_decoder = json.JSONDecoder()
# orjson reads integers past 64 bits as floats where json keeps them exact: such lines go to json.
_LONG_NUMBER = re.compile(rb"[0-9]{20}")
# An EVTX file: a 4 KiB header, then 64 KiB chunks, each holding whole records with its own
# string and template tables, so a run of chunks after the header reads as a file of its own.
EVTX_HEADER_BYTES = 4096
EVTX_CHUNK_BYTES = 65536
EVTX_CHUNK_MAGIC = b"ElfChnk\x00"


@dataclass(frozen=True)
class LogRecord:
    """One event (or one unreadable record) and its origin: EVTX record number or line."""

    origin: int
    event: dict[str, Any] | None
    error: str | None = None


def read_json(
    lines: Iterable[bytes | str], max_document_chars: int = MAX_DOCUMENT_CHARS
) -> Iterator[LogRecord]:
    """JSON lines, or JSON documents spread over lines and concatenated (evtx_dump output).

    ``lines`` is any iterable of lines, e.g. a file opened in binary mode.
    """
    pending: list[str] = []
    pending_size = 0
    start = 0
    for number, raw in enumerate(lines, start=1):
        if not pending:
            whole = json_line_records(raw, number)
            if whole is not None:
                yield from whole
                continue
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if pending and line.startswith("{"):
            # A new top-level document starts while the previous one never closed.
            yield LogRecord(start, None, "unterminated JSON document")
            pending, pending_size = [], 0
        if not pending:
            start = number
        pending.append(line)
        pending_size += len(line)
        text = "".join(pending)
        records, rest, error = _decode_concatenated(text, start)
        yield from records
        if error is not None:
            yield LogRecord(start, None, error)
            pending, pending_size = [], 0
        elif rest is None:
            pending, pending_size = [], 0
        else:
            offset, remainder = rest
            start += text.count("\n", 0, offset)
            pending, pending_size = [remainder], len(remainder)
            if pending_size > max_document_chars:
                yield LogRecord(start, None, f"JSON document longer than {max_document_chars}")
                pending, pending_size = [], 0
    if pending and "".join(pending).strip():
        yield LogRecord(start, None, "unterminated JSON document")


def json_line_records(raw: bytes | str, number: int) -> list[LogRecord] | None:
    """The records of line ``number`` when it holds whole JSON documents ([] when blank).

    None when it does not parse alone: ``read_json`` then joins it with the next lines (a
    document spread over lines), so a caller reading a slice of a file must not decide alone.
    """
    if isinstance(raw, bytes) and not _LONG_NUMBER.search(raw):
        if not raw.strip():
            return []
        try:
            return list(_records(orjson.loads(raw), number))
        except orjson.JSONDecodeError:
            pass  # NaN, lone surrogates, bad UTF-8 (read as U+FFFD) or not a document: json says
    line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    stripped = line.strip()
    if not stripped:
        return []
    try:
        document = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    return list(_records(document, number))


def _decode_concatenated(
    text: str, start: int
) -> tuple[list[LogRecord], tuple[int, str] | None, str | None]:
    """Decode every complete document in ``text``; return the incomplete rest, or an error."""
    records: list[LogRecord] = []
    position = 0
    length = len(text)
    while True:
        while position < length and text[position] in " \t\r\n":
            position += 1
        if position == length:
            return records, None, None
        try:
            document, end = _decoder.raw_decode(text, position)
        except json.JSONDecodeError as error:
            if _incomplete(text, error):
                return records, (position, text[position:]), None
            return records, None, f"invalid JSON: {error.msg}"
        except RecursionError:
            return records, None, "JSON nested too deeply"
        records.extend(_records(document, start + text.count("\n", 0, position)))
        position = end


def _incomplete(text: str, error: json.JSONDecodeError) -> bool:
    """True when the decoder only ran out of text (more lines may complete the document)."""
    if error.msg.startswith("Unterminated string"):
        return True
    return not text[error.pos :].strip()


def _records(document: Any, origin: int) -> Iterator[LogRecord]:
    if isinstance(document, dict):
        yield LogRecord(origin, normalise_event(document))
    elif isinstance(document, list):
        for item in document:
            if isinstance(item, dict):
                yield LogRecord(origin, normalise_event(item))
            else:
                yield LogRecord(origin, None, "JSON array item is not an object")
    else:
        yield LogRecord(origin, None, "JSON document is not an object")


class EvtxFileError(ValueError):
    """The input is not an EVTX file (its header cannot be read): nothing in it can be read."""


def read_evtx(source: IO[bytes] | str, threads: int = 0) -> Iterator[LogRecord]:
    """Records of an EVTX file (a binary file object or a path), numbered by EventRecordID.

    ``threads``: the parser's own threads (0: one per core; 1 in a process that is itself one
    of several workers). A file object may also hold the file's header followed by only some of
    its chunks (``EVTX_HEADER_BYTES``, ``EVTX_CHUNK_BYTES``): their records come out alone.

    The parser is native code that a hostile file can hang: what reads files from outside runs
    it in a child process with a time limit (``hygie.detection.evtx_isolated``).
    """
    try:
        for number, text, error in evtx_texts(source, threads):
            yield LogRecord(number, None, error) if error else evtx_record(number, text)
    except EvtxFileError as error:
        yield LogRecord(0, None, str(error))


def evtx_texts(source: IO[bytes] | str, threads: int = 0) -> Iterator[tuple[int, str, str]]:
    """The parser's output, undecoded: ``(EventRecordID, record JSON, "")`` for a record and
    ``(0, "", message)`` for one it could not read. Raises ``EvtxFileError`` (before yielding
    anything) when the header cannot be read."""
    from evtx import PyEvtxParser

    try:
        parser = PyEvtxParser(source, number_of_threads=threads)
        records = iter(parser.records_json())
    except (OSError, RuntimeError, ValueError) as error:
        raise EvtxFileError(f"not an EVTX file: {error}") from None
    failures = 0
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except (OSError, RuntimeError, ValueError) as error:
            # The parser skips a damaged chunk after reporting it; give up if it keeps failing.
            failures += 1
            yield 0, "", f"unreadable EVTX record: {error}"
            if failures > 1000:
                return
            continue
        if not isinstance(record, dict):
            continue
        number = record.get("event_record_id")
        text = record.get("data")
        number = number if isinstance(number, int) else 0
        if isinstance(text, str):
            yield number, text, ""
        else:
            yield number, "", "unreadable EVTX record: no data"


def evtx_record(number: int, text: str) -> LogRecord:
    """One record of ``evtx_texts`` decoded into an event."""
    try:
        document = _loads_text(text)
    except (ValueError, TypeError, RecursionError) as error:
        return LogRecord(number, None, f"unreadable EVTX record: {error}")
    if isinstance(document, dict):
        return LogRecord(number, normalise_event(document))
    return LogRecord(number, None, "EVTX record is not an object")


def _loads_text(text: str) -> Any:
    if not _LONG_NUMBER.search(text.encode("utf-8", "surrogatepass")):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)
