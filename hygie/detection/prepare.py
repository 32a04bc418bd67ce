"""The first half of ingestion, without the database: lines → rows ready to store, and matches.

Parsing, normalising, detection and JSON serialisation are most of the work of ingesting an
event, and need nothing but the rule engine. Kept free of Django (only the engine and the
standard library) so that live ingest can run it in a separate process and use a second core
(``hygie.detection.pipeline``); ``services.ingest_lines`` runs it in-process for files and
HTTP. The second half (asset lookup, insert, alerts) is ``services.store_prepared``.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

from hygie.detection.engine import (
    DetectionEngine,
    DetectionSession,
    LogSourceSpec,
    RuleInfo,
    RuleSource,
    detect_and_parse,
    load_rule_pack,
    normalise_event,
)
from hygie.detection.engine.parsers import ParsedEvent

ORIGINAL_FIELD = "event.original"  # where the parsers keep the line as received
MAX_RAW_CHARS = 8192  # same as hygie.detection.models.MAX_RAW_CHARS (a test keeps them equal)
HOST_FIELDS = ("host.name", "Computer", "hostname", "host.hostname")
IP_FIELDS = ("host.ip", "source.ip", "IpAddress", "client.ip")
TIME_FIELDS = ("@timestamp", "UtcTime", "SystemTime", "TimeCreated", "timestamp")

# Row layout (hygie.detection.storage.COLUMNS): establishment_id, received_at, occurred_at,
# source, product, service, category, host, fields, raw, parse_error, asset_id.
ESTABLISHMENT, ASSET = 0, 11


@dataclass(frozen=True)
class Unreadable:
    """A record a reader could not decode (e.g. a corrupt EVTX record): stored, not dropped."""

    raw: str
    error: str


@dataclass(frozen=True)
class DecodedRecord:
    """A record a reader decoded (e.g. a CSV row) with its text as read, stored as ``raw``."""

    event: Mapping[str, Any]
    raw: str


IngestItem = str | bytes | Mapping[str, Any] | Unreadable | DecodedRecord | ParsedEvent


class StoredRef:
    """What an alert needs of a stored event; the id is known once its batch is written."""

    __slots__ = ("asset_id", "batch", "index", "occurred_at", "pk")

    def __init__(self, index: int, occurred_at: datetime | None, batch: int = 0) -> None:
        self.index = index
        self.batch = batch  # which prepare() call of its Preparer: index is within that batch
        self.pk: int | None = None
        self.asset_id: int | None = None
        self.occurred_at = occurred_at


@dataclass
class PreparedMatch:
    """A rule (or correlation) match: the events it stands on and the fields it reports."""

    rule: RuleInfo
    origins: list[StoredRef]
    event: Mapping[str, Any]


@dataclass
class PreparedBatch:
    """Rows to insert (establishment and asset left to fill), the hosts and IPs to find the
    asset by, and the matches; ``refs`` (one per row) only when prepared in-process;
    ``observables`` (row index, observable fields as picked) only when event observers want
    them (``observed`` gives them as observers get them)."""

    rows: list[list[Any]] = field(default_factory=list)
    asset_keys: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    matches: list[PreparedMatch] = field(default_factory=list)
    refs: list[StoredRef] | None = None
    parse_errors: int = 0
    observables: list[tuple[int, Picked]] = field(default_factory=list)

    def observed(self, ids: Sequence[int]) -> list[tuple[int, Mapping[str, str]]]:
        """``(stored event id, observable fields)`` of the observed rows, given the rows' ids."""
        return [
            (ids[index], ObservableFields(*picked) if isinstance(picked, tuple) else picked)
            for index, picked in self.observables
        ]


# An event's observable fields as the preparation loop keeps them: in the usual case the names
# (shared by the events of one shape) and the values, two plain tuples; else a dict. The
# mapping observers get is made where the batch is stored (``PreparedBatch.observed``): a batch
# prepared in a worker process crosses to the storing process pickled, and plain tuples are
# the cheapest to make, write and read back (the preparing process is usually the busier).
Picked = tuple[tuple[str, ...], tuple[str, ...]] | dict[str, str]

# What an indicator of compromise can match in an event: addresses, hosts and domains, URLs,
# hashes, file and image names, user agents, mail addresses, TLS fingerprints, CVE ids and the
# free-text message. Chosen by field name (once per distinct name), so that observers
# (``hygie.core.registries.event_observers``, e.g. the intel module's indicator matcher) get a
# few strings per event instead of the whole event, across the process boundary.
_OBSERVABLE_HINTS = (
    "ip", "addr", "host", "domain", "url", "uri", "query", "dns", "hash", "md5", "sha", "file",
    "image", "agent", "mail", "sender", "recipient", "ja3", "ja4", "referer", "referrer",
    "command", "message", "cve",
)  # fmt: skip
MAX_OBSERVABLE_CHARS = 8192
_observable_names: dict[str, bool] = {}


def is_observable(name: str) -> bool:
    known = _observable_names.get(name)
    if known is None:
        lowered = name.lower()
        known = name != ORIGINAL_FIELD and any(hint in lowered for hint in _OBSERVABLE_HINTS)
        if len(_observable_names) < 10_000:  # bounded: field names come from the input
            _observable_names[name] = known
    return known


class ObservableFields(Mapping[str, str]):
    """An event's observable fields as a read-only mapping, without a dict per event: the
    names, shared by the events of one shape, and this event's values, in the same order.
    ``values()`` is the tuple of values and ``items()`` an iterator pairing them with the
    names (read it once), each one C call (an observer reads every value of a batch, and
    looks a field up by name only for the few events that matched)."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: tuple[str, ...], values: tuple[str, ...]) -> None:
        self._names = names
        self._values = values

    def __getitem__(self, name: str) -> str:
        try:
            return self._values[self._names.index(name)]
        except ValueError:
            raise KeyError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def values(self) -> tuple[str, ...]:  # type: ignore[override]
        return self._values

    def items(self) -> Iterator[tuple[str, str]]:  # type: ignore[override]
        return zip(self._names, self._values, strict=False)  # as many of each

    def __repr__(self) -> str:
        return f"ObservableFields({dict(self.items())!r})"

    def __reduce__(self) -> tuple[Any, tuple[tuple[str, ...], tuple[str, ...]]]:
        # Rebuilt by one call from its two tuples: pickle's default for a slotted object
        # writes a state dict and reads it back attribute by attribute, several times slower
        # (~7 µs per object when batches of them crossed between processes).
        return ObservableFields, (self._names, self._values)


# The plan of each set of field names seen (events of one kind share their names): the
# observable names, and a getter of their values (two or more) in one call. One dict probe per
# event instead of one per field. Bounded: field names come from the input.
_observable_sets: dict[tuple[str, ...], tuple[tuple[str, ...], itemgetter[Any] | None]] = {}


def observable_fields(event: Mapping[str, Any]) -> Mapping[str, str]:
    """The event's observable string fields (an unparsed line: its text as received)."""
    picked = pick_observables(event)
    return ObservableFields(*picked) if isinstance(picked, tuple) else picked


def pick_observables(event: Mapping[str, Any]) -> Picked:
    """``observable_fields`` as the preparation loop keeps them (see ``Picked``)."""
    keys = tuple(event)
    plan = _observable_sets.get(keys)
    if plan is None:
        found_names = tuple(name for name in keys if is_observable(name))
        plan = (found_names, itemgetter(*found_names) if len(found_names) > 1 else None)
        if len(_observable_sets) < 10_000:
            _observable_sets[keys] = plan
    names, getter = plan
    if getter is not None:
        # The usual case in C calls: every value a non-empty string, none too long (``join``
        # refuses any other type; the total bounds each).
        values = getter(event)
        try:
            size = len("".join(values))
        except TypeError:
            size = MAX_OBSERVABLE_CHARS + 1
        if size <= MAX_OBSERVABLE_CHARS and "" not in values:
            return names, values
    # One comprehension (per-event Python work is most of the cost), long values cut after.
    found = {name: value for name in names if (value := event[name]) and isinstance(value, str)}
    for name, value in found.items():
        if len(value) > MAX_OBSERVABLE_CHARS:
            found[name] = value[:MAX_OBSERVABLE_CHARS]
    if not found and isinstance(event.get(ORIGINAL_FIELD), str):
        found[ORIGINAL_FIELD] = event[ORIGINAL_FIELD][:MAX_OBSERVABLE_CHARS]
    return found


def first_value(event: Mapping[str, Any], names: Iterable[str]) -> str:
    for name in names:
        value = event.get(name)
        if value not in (None, "", "-"):
            return str(value)
    return ""


def occurred_at(event: Mapping[str, Any]) -> datetime | None:
    value = first_value(event, TIME_FIELDS)
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def text(value: str) -> str:
    """PostgreSQL refuses NUL characters in text and JSON; hostile logs carry them."""
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return text(str(value))


def json_safe(event: Mapping[str, Any], skip: str = ORIGINAL_FIELD) -> dict[str, Any]:
    """The fields to store: JSON scalars, without the raw text (kept once, in ``raw``)."""
    safe: dict[str, Any] = {}
    for key, value in event.items():
        if key == skip:
            continue
        if isinstance(value, (list, tuple)):
            safe[text(str(key))] = [_scalar(v) for v in value]
        else:
            safe[text(str(key))] = _scalar(value)
    return safe


_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False)


def fields_json(event: dict[str, Any]) -> str:
    """The event's fields as stored JSON text, without the raw text (kept once, in ``raw``).

    Parsers give flat events of strings and numbers, which the C encoder writes directly; the
    rest (other types, NUL characters PostgreSQL refuses, NaN) goes through ``json_safe``.
    """
    original = event.pop(ORIGINAL_FIELD, None)
    try:
        encoded = _encoder.encode(event)
    except (TypeError, ValueError, RecursionError):
        encoded = ""
    finally:
        if original is not None:
            event[ORIGINAL_FIELD] = original
    if not encoded or "\\u0000" in encoded:
        encoded = _encoder.encode(json_safe(event))
    return encoded


def to_event(item: IngestItem) -> tuple[dict[str, Any], LogSourceSpec | None, str, str]:
    """(normalised event, log source, raw text, parse error) for one line or decoded record."""
    if isinstance(item, Unreadable):
        return {}, None, item.raw, item.error or "unreadable record"
    if isinstance(item, DecodedRecord):
        return normalise_event(item.event), None, item.raw, ""
    if isinstance(item, Mapping):
        event = normalise_event(item)
        return event, None, json.dumps(event, ensure_ascii=False, default=str), ""
    # A line already parsed in a declared format (an upload said "web access log") or any line.
    parsed = item if isinstance(item, ParsedEvent) else detect_and_parse(item)
    event = parsed.event
    raw = str(event.get(ORIGINAL_FIELD) or "")
    if not raw and not isinstance(item, ParsedEvent):
        raw = item.decode("utf-8", "replace") if isinstance(item, bytes) else item
    error = parsed.error or str(event.get("error.message") or "")
    return event, parsed.logsource, raw, error


def _windows_product(event: Mapping[str, Any]) -> str:
    return "windows" if "EventID" in event and "Channel" in event else ""


class Preparer:
    """Turns items into a ``PreparedBatch``; one detection session across its batches, so
    correlation rules see every event of a file (or of one live batch)."""

    def __init__(
        self,
        engine: DetectionEngine,
        source: str,
        *,
        keep_refs: bool = True,
        observe: bool = False,
    ) -> None:
        self.engine = engine
        self.session = DetectionSession(engine)
        self.source = source
        self.keep_refs = keep_refs
        self.observe = observe  # collect each event's observable fields for event observers
        self.batch = 0

    def prepare(
        self, items: Iterable[IngestItem], received_at: Any, limit: int = 0
    ) -> PreparedBatch:
        """Prepare up to ``limit`` events (0: all) of ``items``; blank lines are skipped."""
        batch = PreparedBatch(refs=[] if self.keep_refs else None)
        rows, keys, matches, refs = batch.rows, batch.asset_keys, batch.matches, batch.refs
        source, session, observe = self.source, self.session, self.observe
        observables = batch.observables
        self.batch += 1
        number = self.batch
        for item in items:
            if isinstance(item, (str, bytes)) and not item.strip():
                continue
            event, logsource, raw, error = to_event(item)
            host = text(first_value(event, HOST_FIELDS)[:253])
            when = occurred_at(event)
            if logsource is None:
                product, service, category = _windows_product(event), "", ""
            else:
                product = (logsource.product or _windows_product(event))[:100]
                service = (logsource.service or "")[:100]
                category = (logsource.category or "")[:100]
            ref = StoredRef(len(rows), when, number)
            if event:
                result = session.process(event, origin=ref, logsource=logsource)
                for rule in result.rules:
                    matches.append(PreparedMatch(rule, [ref], event))
                for match in result.correlations:
                    matches.append(_correlation(match.rule, match.origins, match.group, number))
            keys.append(
                (host, tuple(str(event[name]) for name in IP_FIELDS if event.get(name) is not None))
            )
            if observe and event:
                found = pick_observables(event)
                if found:
                    observables.append((len(rows), found))
            rows.append(
                [
                    0,
                    received_at,
                    when,
                    source,
                    product,
                    service,
                    category,
                    host,
                    fields_json(event),
                    text(raw[:MAX_RAW_CHARS]),
                    text(error[:300]),
                    None,
                ]
            )
            if refs is not None:
                refs.append(ref)
            if error:
                batch.parse_errors += 1
            if limit and len(rows) >= limit:
                break
        return batch

    def finish(self) -> list[PreparedMatch]:
        """Correlation matches completed at the end of the stream."""
        return [_correlation(m.rule, m.origins, m.group, self.batch) for m in self.session.finish()]


def _correlation(
    rule: RuleInfo, origins: Iterable[Any], group: Iterable[tuple[str, str | None]], batch: int
) -> PreparedMatch:
    # A correlation may stand on events of earlier batches (live ingest keeps its session):
    # those are stored already, and their index means nothing in this batch, so the alert
    # lists the events of the batch that completed it.
    return PreparedMatch(
        rule, [o for o in origins if isinstance(o, StoredRef) and o.batch == batch], dict(group)
    )


# --- in a separate process (hygie.detection.pipeline) ----------------------------------------

_worker_engine: DetectionEngine | None = None

# Live ingest keeps one detection session per (establishment, source) across batches, so a
# correlation (e.g. 10 failed logins in 5 minutes) sees a stream, not 200 ms slices of it.
# Sessions are bounded (least recently used dropped) and so is each session's state.
MAX_LIVE_SESSIONS = 256
_live_sessions: OrderedDict[tuple[int, str], Preparer] = OrderedDict()


def live_preparer(
    engine: DetectionEngine, establishment_id: int, source: str, observe: bool = False
) -> Preparer:
    """The long-lived Preparer of one live stream (a new one when the rules changed)."""
    key = (establishment_id, source)
    preparer = _live_sessions.get(key)
    if preparer is None or preparer.engine is not engine:
        preparer = Preparer(engine, source, keep_refs=False)
        _live_sessions[key] = preparer
    preparer.observe = observe
    _live_sessions.move_to_end(key)
    while len(_live_sessions) > MAX_LIVE_SESSIONS:
        _live_sessions.popitem(last=False)
    return preparer


def prepare_live(
    engine: DetectionEngine,
    establishment_id: int,
    lines: list[bytes],
    source: str,
    received_at: Any,
    observe: bool = False,
) -> PreparedBatch:
    """Prepare one live batch with its stream's session (correlations span batches)."""
    return live_preparer(engine, establishment_id, source, observe).prepare(lines, received_at)


def init_worker(sources: list[RuleSource]) -> None:
    """Compile the rules in the worker process (the parent sends their text, not objects)."""
    global _worker_engine
    _worker_engine = DetectionEngine(load_rule_pack(sources))
    _live_sessions.clear()


def prepare_in_worker(
    lines: list[bytes], establishment_id: int, source: str, received_at: Any, observe: bool = False
) -> PreparedBatch:
    """Prepare one live batch in a worker process, with its stream's session."""
    if _worker_engine is None:
        raise RuntimeError("init_worker was not called")
    return prepare_live(_worker_engine, establishment_id, lines, source, received_at, observe)
