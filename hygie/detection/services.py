"""Ingestion use cases shared by the API, the CLI and jobs: parse, detect, store, alert.

The shipped rule pack is loaded and compiled once per process (``rule_engine``); which rules
run for an establishment is read from ``RuleSetting`` at each ingestion call, so enabling or
disabling a rule takes effect on the next batch without recompiling.
"""

from __future__ import annotations

import json
import math
import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hygie.core.models import Asset, Establishment
from hygie.core.services.alerts import raise_alert
from hygie.detection.engine import (
    DetectionEngine,
    DetectionSession,
    LogSourceSpec,
    RuleInfo,
    RuleProblem,
    RuleSource,
    detect_and_parse,
    load_rule_pack,
    normalise_event,
)
from hygie.detection.engine.rule_pack import MAX_RULE_FILE_BYTES
from hygie.detection.models import MAX_RAW_CHARS, Event, EventSource, RuleSetting
from hygie.detection.storage import Row, insert_events
from hygie.lib.errors import HygieError

ALERT_SOURCE = "detection"
RULES_DIR = Path(__file__).resolve().parent / "rules"
RULE_SUFFIXES = (".yml", ".yaml")
BATCH_SIZE = 1000
ORIGINAL_FIELD = "event.original"  # where the parsers keep the line as received
PRUNE_JOB_KIND = "detection.prune_events"

# Fields naming the entity a repeat is grouped on, first found wins (user, then host, then IP).
ENTITY_FIELDS = ("user.name", "TargetUserName", "SubjectUserName", "User", "host.name",
                 "Computer", "source.ip", "IpAddress", "client.ip")
HOST_FIELDS = ("host.name", "Computer", "hostname", "host.hostname")
IP_FIELDS = ("host.ip", "source.ip", "IpAddress", "client.ip")
TIME_FIELDS = ("@timestamp", "UtcTime", "SystemTime", "TimeCreated", "timestamp")


# --- the rule engine, once per process ----------------------------------------------------------

def _read_rules(directory: Path, prefix: str) -> list[RuleSource]:
    sources = []
    for path in sorted(directory.rglob("*")):
        if path.suffix.lower() in RULE_SUFFIXES and path.is_file():
            with path.open("rb") as handle:
                name = f"{prefix}/{path.relative_to(directory).as_posix()}"
                sources.append(RuleSource(name, handle.read(MAX_RULE_FILE_BYTES + 1)))
    return sources


def imported_packs_dir() -> Path:
    return Path(settings.HYGIE_HOME) / "rules"


def rule_sources() -> list[RuleSource]:
    """Every app's ``rules/`` folder (like Django's template loader), then imported packs."""
    sources: list[RuleSource] = []
    for config in apps.get_app_configs():
        folder = Path(config.path) / "rules"
        if config.name.startswith("hygie.") and folder.is_dir():
            sources.extend(_read_rules(folder, config.label))
    imported = imported_packs_dir()
    if imported.is_dir():
        for pack in sorted(p for p in imported.iterdir() if p.is_dir()):
            sources.extend(_read_rules(pack, f"imported/{pack.name}"))
    return sources


def _packs_signature() -> tuple[tuple[str, int], ...]:
    """Changes when a pack is imported or replaced (also by another process)."""
    imported = imported_packs_dir()
    if not imported.is_dir():
        return ()
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in imported.iterdir()
                        if p.is_dir()))


def rule_engine() -> DetectionEngine:
    """Every rule pack, compiled once per process (again only after a pack import)."""
    return _compiled(_packs_signature())


@lru_cache(maxsize=1)
def _compiled(signature: tuple[tuple[str, int], ...]) -> DetectionEngine:
    return DetectionEngine(load_rule_pack(rule_sources()))


@lru_cache(maxsize=1)
def _rule_fields(engine: DetectionEngine) -> dict[str, tuple[str, ...]]:
    """Rule id → the field names its detection tests (reported as matched fields)."""
    fields: dict[str, tuple[str, ...]] = {}
    for loaded in engine.pack.rules:
        names: set[str] = set()
        detections = getattr(getattr(loaded.sigma, "detection", None), "detections", {}) or {}
        for detection in detections.values():
            _collect_fields(detection, names, 0)
        fields[loaded.info.id] = tuple(sorted(names))
    return fields


def _collect_fields(item: Any, names: set[str], depth: int) -> None:
    if depth > 20:
        return
    name = getattr(item, "field", None)
    if isinstance(name, str):
        names.add(name)
    for child in getattr(item, "detection_items", None) or ():
        _collect_fields(child, names, depth + 1)


# --- importing a Sigma pack (e.g. SigmaHQ) from a folder or a zip ---------------------------------

PACK_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_PACK_FILES = 20_000
MAX_PACK_BYTES = 200 * 1024 * 1024  # uncompressed; SigmaHQ's whole repository is ~30 MB


class RulePackImportError(HygieError):
    """A pack that cannot be imported (bad name, not a zip, too large, no valid rule)."""


@dataclass(frozen=True)
class PackImport:
    name: str
    files: int
    valid: int
    problems: tuple[RuleProblem, ...]


def _pack_members(source: Path | IO[bytes]) -> Iterator[tuple[PurePosixPath, bytes]]:
    """(relative path, content) of every rule file in a folder or a zip, bounded in size."""
    total = count = 0

    def admit(size: int) -> None:
        nonlocal total, count
        total, count = total + size, count + 1
        if total > MAX_PACK_BYTES or count > MAX_PACK_FILES:
            raise RulePackImportError(_("The pack is too large."))

    if isinstance(source, Path) and source.is_dir():
        for path in sorted(source.rglob("*")):
            if path.suffix.lower() in RULE_SUFFIXES and path.is_file() and not path.is_symlink():
                admit(path.stat().st_size)
                with path.open("rb") as handle:
                    yield (PurePosixPath(path.relative_to(source).as_posix()),
                           handle.read(MAX_RULE_FILE_BYTES + 1))
        return
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise RulePackImportError(_("The file is not a readable zip archive.")) from error
    with archive:
        for info in archive.infolist():
            relative = PurePosixPath(info.filename)
            if (info.is_dir() or relative.suffix.lower() not in RULE_SUFFIXES
                    or relative.is_absolute() or ".." in relative.parts):
                continue
            admit(info.file_size)
            with archive.open(info) as handle:
                yield relative, handle.read(MAX_RULE_FILE_BYTES + 1)


def import_rule_pack(name: str, source: Path | IO[bytes]) -> PackImport:
    """Copy a pack's rule files to HYGIE_HOME/rules/<name> (replacing an earlier import).

    Invalid rules are kept on disk and listed (the rule library shows them); a pack without a
    single valid rule is refused.
    """
    if not PACK_NAME.match(name):
        raise RulePackImportError(
            _("A pack name is lower-case letters, digits, '-' and '_' (at most 64)."))
    members = list(_pack_members(source))
    pack = load_rule_pack(RuleSource(f"imported/{name}/{path}", content)
                          for path, content in members)
    engine = DetectionEngine(pack)
    if not engine.valid_count:
        raise RulePackImportError(_("The pack holds no valid Sigma rule."))
    root = imported_packs_dir()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    for path, content in members:
        target = staging.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    final = root / name
    if final.exists():
        shutil.rmtree(final)
    staging.rename(final)
    return PackImport(name, len(members), engine.valid_count, tuple(engine.problems))


def imported_pack_names() -> list[str]:
    root = imported_packs_dir()
    return sorted(p.name for p in root.iterdir() if p.is_dir() and PACK_NAME.match(p.name)) \
        if root.is_dir() else []


def disabled_rule_ids(establishment: Establishment) -> frozenset[str]:
    return frozenset(RuleSetting.objects.filter(establishment=establishment, is_enabled=False)
                     .values_list("rule_id", flat=True))


def set_rule_enabled(establishment: Establishment, rule_id: str, is_enabled: bool) -> RuleSetting:
    setting, _ = RuleSetting.objects.get_or_create(establishment=establishment, rule_id=rule_id)
    if setting.is_enabled != is_enabled:
        setting.is_enabled = is_enabled
        setting.save()
    return setting


# --- ingestion ----------------------------------------------------------------------------------

@dataclass
class IngestSummary:
    events: int = 0
    parse_errors: int = 0
    matches: int = 0
    alert_ids: set[int] = field(default_factory=set)

    @property
    def alerts(self) -> int:
        return len(self.alert_ids)

    def as_dict(self) -> dict[str, int]:
        return {"events": self.events, "parse_errors": self.parse_errors,
                "matches": self.matches, "alerts": self.alerts}


class _StoredRef:
    """What an alert needs of a stored event; the id is known once its batch is written."""

    __slots__ = ("asset_id", "occurred_at", "pk")

    def __init__(self, asset_id: int | None, occurred_at: datetime | None) -> None:
        self.pk: int | None = None
        self.asset_id = asset_id
        self.occurred_at = occurred_at


@dataclass
class _Pending:
    rule: RuleInfo
    events: list[_StoredRef]
    event: Mapping[str, Any]


def _first(event: Mapping[str, Any], names: Iterable[str]) -> str:
    for name in names:
        value = event.get(name)
        if value not in (None, "", "-"):
            return str(value)
    return ""


def _occurred_at(event: Mapping[str, Any]) -> datetime | None:
    value = _first(event, TIME_FIELDS)
    if not value:
        return None
    try:
        parsed = parse_datetime(value.replace(" ", "T", 1) if "T" not in value else value)
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


class _AssetIndex:
    def __init__(self, establishment: Establishment) -> None:
        self.by_name: dict[str, int] = {}
        self.by_ip: dict[str, int] = {}
        for pk, hostname, ips in Asset.objects.filter(establishment=establishment).values_list(
                "pk", "hostname", "ip_addresses"):
            self.by_name[hostname.lower()] = pk
            self.by_name.setdefault(hostname.lower().split(".")[0], pk)
            for ip in ips or ():
                self.by_ip[str(ip)] = pk

    def find(self, host: str, event: Mapping[str, Any]) -> int | None:
        if host:
            found = self.by_name.get(host.lower()) or self.by_name.get(host.lower().split(".")[0])
            if found:
                return found
        for name in IP_FIELDS:
            value = event.get(name)
            if value is not None and str(value) in self.by_ip:
                return self.by_ip[str(value)]
        return None


@dataclass(frozen=True)
class Unreadable:
    """A record a reader could not decode (e.g. a corrupt EVTX record): stored, not dropped."""

    raw: str
    error: str


IngestItem = str | bytes | Mapping[str, Any] | Unreadable


def _to_event(item: IngestItem) -> tuple[dict[str, Any], LogSourceSpec | None, str, str]:
    """(normalised event, log source, raw text, parse error) for one line or decoded record."""
    if isinstance(item, Unreadable):
        return {}, None, item.raw, item.error or "unreadable record"
    if isinstance(item, Mapping):
        event = normalise_event(item)
        return event, None, json.dumps(event, ensure_ascii=False, default=str), ""
    parsed = detect_and_parse(item)
    event = parsed.event
    raw = str(event.get(ORIGINAL_FIELD) or "")
    if not raw:
        raw = item.decode("utf-8", "replace") if isinstance(item, bytes) else item
    error = parsed.error or str(event.get("error.message") or "")
    return event, parsed.logsource, raw, error


def ingest_lines(establishment: Establishment, items: Iterable[IngestItem],
                 source: str = EventSource.FILE, *, progress: Any = None) -> IngestSummary:
    """Parse, detect, store (in batches) and alert; unparseable lines are kept with an error.

    ``items`` are log lines (any format ``detect_and_parse`` knows) or already decoded records
    (EVTX, JSON documents). ``progress(count)`` is called after each stored batch.
    """
    engine = rule_engine()
    session = DetectionSession(engine)
    disabled = disabled_rule_ids(establishment)
    assets = _AssetIndex(establishment)
    summary = IngestSummary()
    rows: list[Row] = []
    refs: list[_StoredRef] = []
    pending: list[_Pending] = []
    establishment_id = establishment.pk
    received_at = timezone.now()
    for item in items:
        if isinstance(item, (str, bytes)) and not item.strip():
            continue
        event, logsource, raw, error = _to_event(item)
        host = _text(_first(event, HOST_FIELDS)[:253])
        occurred_at = _occurred_at(event)
        asset_id = assets.find(host, event)
        if logsource is None:
            product, service, category = _windows_product(event), "", ""
        else:
            product = (logsource.product or _windows_product(event))[:100]
            service, category = (logsource.service or "")[:100], (logsource.category or "")[:100]
        ref = _StoredRef(asset_id, occurred_at)
        if event:
            result = session.process(event, origin=ref, logsource=logsource)
            for rule in result.rules:
                if rule.id not in disabled:
                    pending.append(_Pending(rule, [ref], event))
            for match in result.correlations:
                if match.rule.id not in disabled:
                    origins = [o for o in match.origins if isinstance(o, _StoredRef)]
                    pending.append(_Pending(match.rule, origins, dict(match.group)))
        rows.append([establishment_id, received_at, occurred_at, source, product, service,
                     category, host, fields_json(event), _text(raw[:MAX_RAW_CHARS]),
                     _text(error[:300]), asset_id])
        refs.append(ref)
        summary.events += 1
        summary.parse_errors += bool(error)
        if len(rows) >= BATCH_SIZE:
            _flush(establishment, rows, refs, pending, summary)
            rows, refs, pending = [], [], []
            received_at = timezone.now()
            if progress is not None:
                progress(summary.events)
    for match in session.finish():
        if match.rule.id not in disabled:
            origins = [o for o in match.origins if isinstance(o, _StoredRef)]
            pending.append(_Pending(match.rule, origins, dict(match.group)))
    _flush(establishment, rows, refs, pending, summary)
    if progress is not None:
        progress(summary.events)
    return summary


def _windows_product(event: Mapping[str, Any]) -> str:
    return "windows" if "EventID" in event and "Channel" in event else ""


def _text(value: str) -> str:
    """PostgreSQL refuses NUL characters in text and JSON; hostile logs carry them."""
    return value.replace("\x00", "\ufffd") if "\x00" in value else value


def _scalar(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return _text(str(value))


def _json_safe(event: Mapping[str, Any], skip: str) -> dict[str, Any]:
    """The fields to store: JSON scalars, without the raw text (kept once, in ``raw``)."""
    safe: dict[str, Any] = {}
    for key, value in event.items():
        if key == skip:
            continue
        if isinstance(value, (list, tuple)):
            safe[_text(str(key))] = [_scalar(v) for v in value]
        else:
            safe[_text(str(key))] = _scalar(value)
    return safe


_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(", ", ": "))


def fields_json(event: dict[str, Any]) -> str:
    """The event's fields as stored JSON text, without the raw text (kept once, in ``raw``).

    Parsers give flat events of strings and numbers, which the C encoder writes directly; the
    rest (other types, NUL characters PostgreSQL refuses, NaN) goes through ``_json_safe``.
    """
    original = event.pop(ORIGINAL_FIELD, None)
    try:
        text = _encoder.encode(event)
    except (TypeError, ValueError):
        text = ""
    finally:
        if original is not None:
            event[ORIGINAL_FIELD] = original
    if not text or "\\u0000" in text:
        text = _encoder.encode(_json_safe(event, skip=ORIGINAL_FIELD))
    return text


def _flush(establishment: Establishment, rows: list[Row], refs: list[_StoredRef],
           pending: list[_Pending], summary: IngestSummary) -> None:
    if not rows and not pending:
        return
    fields = _rule_fields(rule_engine())
    with transaction.atomic():
        for ref, pk in zip(refs, insert_events(rows), strict=True):
            ref.pk = pk
        for match in pending:
            rule = match.rule
            entity = _text(_first(match.event, ENTITY_FIELDS))[:200]
            tags = [t for t in rule.tags if t.startswith(("attack.", "hygie.regulation."))]
            events = [e for e in match.events if e.pk is not None]
            asset_id = next((e.asset_id for e in events if e.asset_id), None)
            seen_at = next((e.occurred_at for e in events if e.occurred_at), None)
            matched = [name for name in fields.get(rule.id, ()) if name in match.event]
            alert = raise_alert(
                establishment=establishment, source=ALERT_SOURCE, title=rule.title,
                severity=int(rule.level) if rule.level is not None else 30, rule_id=rule.id,
                asset=Asset.objects.filter(pk=asset_id).first() if asset_id else None,
                group_key=f"{rule.id}|{entity}", tags=tags,
                details={"event_ids": [e.pk for e in events][:100], "matched_fields": matched,
                         "entity": entity, "rule_file": rule.source},
                seen_at=min(seen_at, timezone.now()) if seen_at else None)
            summary.alert_ids.add(alert.pk)
            summary.matches += 1


# --- retention -----------------------------------------------------------------------------------

def prune_events(now: datetime | None = None) -> int:
    """Delete events older than HYGIE_EVENT_RETENTION_DAYS; return how many."""
    days = int(getattr(settings, "HYGIE_EVENT_RETENTION_DAYS", 30))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    deleted, _ = Event.objects.filter(received_at__lt=cutoff).delete()
    return deleted


# --- back-pressure for the HTTP endpoint ------------------------------------------------------

_ingest_slots: threading.BoundedSemaphore | None = None
_slots_lock = threading.Lock()


def ingest_slots() -> threading.BoundedSemaphore:
    """The process-wide limit of HTTP ingestion requests processed at once."""
    global _ingest_slots
    with _slots_lock:
        if _ingest_slots is None:
            _ingest_slots = threading.BoundedSemaphore(
                max(1, int(getattr(settings, "HYGIE_INGEST_MAX_CONCURRENT", 4))))
        return _ingest_slots
