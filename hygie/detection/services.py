"""Ingestion use cases shared by the API, the CLI and jobs: parse, detect, store, alert.

The shipped rule pack is loaded and compiled once per process (``rule_engine``); which rules
run for an establishment is read from ``RuleSetting`` at each ingestion call, so enabling or
disabling a rule takes effect on the next batch without recompiling.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie import modules
from hygie.core.models import Asset, Establishment
from hygie.core.registries import event_observers, notify_event_observers
from hygie.core.services.alerts import AlertSignal, raise_alerts
from hygie.detection.engine import (
    DetectionEngine,
    RuleProblem,
    RuleSource,
    load_rule_pack,
)
from hygie.detection.engine.rule_pack import MAX_RULE_FILE_BYTES
from hygie.detection.models import Event, EventSource, RuleSetting
from hygie.detection.prepare import (
    ASSET,
    ESTABLISHMENT,
    IngestItem,
    PreparedBatch,
    PreparedMatch,
    Preparer,
    first_value,
    text,
)
from hygie.detection.storage import insert_events
from hygie.lib.errors import HygieError

ALERT_SOURCE = "detection"
RULES_DIR = Path(__file__).resolve().parent / "rules"
RULE_SUFFIXES = (".yml", ".yaml")
BATCH_SIZE = 1000
PRUNE_JOB_KIND = "detection.prune_events"

# Fields naming the entity a repeat is grouped on, first found wins (user, then host, then IP).
ENTITY_FIELDS = (
    "user.name",
    "TargetUserName",
    "SubjectUserName",
    "User",
    "host.name",
    "Computer",
    "source.ip",
    "IpAddress",
    "client.ip",
)


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
    for module in modules.discover():
        folder = Path(apps.get_app_config(module.label).path) / "rules"
        if folder.is_dir():
            sources.extend(_read_rules(folder, module.label))
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
    return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in imported.iterdir() if p.is_dir()))


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
MAX_PACK_ENTRIES = 50_000  # every entry of an archive, rule or not (SigmaHQ has ~4,000 files)


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
                    yield (
                        PurePosixPath(path.relative_to(source).as_posix()),
                        handle.read(MAX_RULE_FILE_BYTES + 1),
                    )
        return
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise RulePackImportError(_("The file is not a readable zip archive.")) from error
    with archive:
        entries = _checked_entries(archive)
        for info in entries:
            relative = PurePosixPath(info.filename)
            if relative.suffix.lower() not in RULE_SUFFIXES:
                continue
            admit(info.file_size)
            try:
                with archive.open(info) as member:
                    content = member.read(MAX_RULE_FILE_BYTES + 1)
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:
                # Corrupt data, bad CRC, encrypted entry or unknown compression method.
                raise RulePackImportError(
                    _("The zip entry %(name)s cannot be read.") % {"name": _shown(info.filename)}
                ) from error
            yield relative, content


def _shown(name: str) -> str:
    """An archive entry's name for a message: printable and short (it is attacker-chosen)."""
    cleaned = "".join(c if c.isprintable() else "?" for c in name)
    return repr(cleaned[:120] + ("…" if len(cleaned) > 120 else ""))


def _checked_entries(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The archive's file entries, once the whole archive is known to be safe to extract.

    Refused outright, before anything is written: too many entries or too many bytes once
    uncompressed (zip bombs), entries that would land outside the pack (absolute, ``..``,
    backslashes), symbolic links, an entry given twice, and an entry that is both a file and a
    folder (``a.yml`` and ``a.yml/b.yml``): extracting either half silently would store a pack
    other than the one the administrator reviewed.
    """
    infos = archive.infolist()
    if len(infos) > MAX_PACK_ENTRIES:
        raise RulePackImportError(
            _("The archive holds more than %(count)s entries.") % {"count": MAX_PACK_ENTRIES}
        )
    if sum(info.file_size for info in infos) > MAX_PACK_BYTES:
        raise RulePackImportError(_("The pack is too large."))
    files: list[zipfile.ZipInfo] = []
    names: set[str] = set()
    folders: set[str] = set()
    for info in infos:
        name = info.filename
        parts = name.rstrip("/").split("/")
        if (
            name.startswith("/")
            or "\\" in name
            or "\0" in name
            or ".." in parts
            or (len(name) > 1 and name[1] == ":")
        ):
            raise RulePackImportError(
                _(
                    "The archive entry %(name)s points outside the pack (absolute path, '..' or "
                    "backslash)."
                )
                % {"name": _shown(name)}
            )
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise RulePackImportError(
                _("The archive entry %(name)s is a symbolic link.") % {"name": _shown(name)}
            )
        # PurePosixPath folds "./a.yml" and "a//b.yml" onto the file they would write.
        path = PurePosixPath(name)
        folders.update(str(parent) for parent in path.parents if str(parent) != ".")
        if info.is_dir():
            folders.add(str(path))
            continue
        if str(path) in names:
            raise RulePackImportError(
                _("The archive holds %(name)s twice.") % {"name": _shown(name)}
            )
        names.add(str(path))
        files.append(info)
    clash = names & folders
    if clash:
        raise RulePackImportError(
            _("The archive holds %(name)s both as a file and as a folder.")
            % {"name": _shown(min(clash))}
        )
    return files


def import_rule_pack(name: str, source: Path | IO[bytes]) -> PackImport:
    """Copy a pack's rule files to HYGIE_HOME/rules/<name> (replacing an earlier import).

    Invalid rules are kept on disk and listed (the rule library shows them); a pack without a
    single valid rule is refused. Nothing is left behind when the import fails: the files are
    written to a staging folder renamed into place only once complete.
    """
    if not PACK_NAME.match(name):
        raise RulePackImportError(
            _("A pack name is lower-case letters, digits, '-' and '_' (at most 64).")
        )
    members = list(_pack_members(source))
    pack = load_rule_pack(
        RuleSource(f"imported/{name}/{path}", content) for path, content in members
    )
    engine = DetectionEngine(pack)
    if not engine.valid_count:
        raise RulePackImportError(_("The pack holds no valid Sigma rule."))
    root = imported_packs_dir()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        for path, content in members:
            target = staging.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        final = root / name
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PackImport(name, len(members), engine.valid_count, tuple(engine.problems))


def imported_pack_names() -> list[str]:
    root = imported_packs_dir()
    return (
        sorted(p.name for p in root.iterdir() if p.is_dir() and PACK_NAME.match(p.name))
        if root.is_dir()
        else []
    )


def disabled_rule_ids(establishment: Establishment) -> frozenset[str]:
    return frozenset(
        RuleSetting.objects.filter(establishment=establishment, is_enabled=False).values_list(
            "rule_id", flat=True
        )
    )


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
        return {
            "events": self.events,
            "parse_errors": self.parse_errors,
            "matches": self.matches,
            "alerts": self.alerts,
        }


def _first(event: Mapping[str, Any], names: Iterable[str]) -> str:
    return first_value(event, names)


class _AssetIndex:
    def __init__(self, establishment_id: int) -> None:
        self.by_name: dict[str, int] = {}
        self.by_ip: dict[str, int] = {}
        for pk, hostname, ips in Asset.objects.filter(
            establishment_id=establishment_id
        ).values_list("pk", "hostname", "ip_addresses"):
            self.by_name[hostname.lower()] = pk
            self.by_name.setdefault(hostname.lower().split(".")[0], pk)
            for ip in ips or ():
                self.by_ip[str(ip)] = pk

    def __bool__(self) -> bool:
        return bool(self.by_name or self.by_ip)

    def find(self, host: str, ips: tuple[str, ...]) -> int | None:
        if not self.by_name and not self.by_ip:
            return None
        if host:
            lowered = host.lower()
            found = self.by_name.get(lowered) or self.by_name.get(lowered.split(".")[0])
            if found:
                return found
        for ip in ips:
            if ip in self.by_ip:
                return self.by_ip[ip]
        return None


def ingest_lines(
    establishment: Establishment,
    items: Iterable[IngestItem],
    source: str = EventSource.FILE,
    *,
    progress: Any = None,
) -> IngestSummary:
    """Parse, detect, store (in batches) and alert; unparseable lines are kept with an error.

    ``items`` are log lines (any format ``detect_and_parse`` knows) or already decoded records
    (EVTX, JSON documents). ``progress(count)`` is called after each stored batch.
    """
    preparer = Preparer(rule_engine(), source, observe=bool(event_observers))
    context = StoreContext.load(establishment)
    summary = IngestSummary()
    iterator = iter(items)
    while True:
        batch = preparer.prepare(iterator, timezone.now(), limit=BATCH_SIZE)
        if len(batch.rows) < BATCH_SIZE:
            batch.matches.extend(preparer.finish())
            store_prepared(context, batch, summary)
            break
        store_prepared(context, batch, summary)
        if progress is not None:
            progress(summary.events)
    if progress is not None:
        progress(summary.events)
    return summary


@dataclass
class StoreContext:
    """What storing a batch reads from the database for an establishment, read once."""

    establishment: Establishment
    disabled: frozenset[str]
    assets: _AssetIndex

    @classmethod
    def load(cls, establishment: Establishment) -> StoreContext:
        return cls(establishment, disabled_rule_ids(establishment), _AssetIndex(establishment.pk))


def store_prepared(
    context: StoreContext, batch: PreparedBatch, summary: IngestSummary | None = None
) -> IngestSummary:
    """Insert a prepared batch and raise its alerts, in one transaction."""
    summary = summary if summary is not None else IngestSummary()
    if not batch.rows and not batch.matches:
        return summary
    _fill_rows(context, batch)
    matches = [m for m in batch.matches if m.rule.id not in context.disabled]
    with transaction.atomic():
        ids = insert_events(batch.rows)
        if batch.refs is not None:
            for ref, pk in zip(batch.refs, ids, strict=True):
                ref.pk, ref.asset_id = pk, batch.rows[ref.index][ASSET]
        else:
            for match in matches:
                for ref in match.origins:
                    ref.pk, ref.asset_id = ids[ref.index], batch.rows[ref.index][ASSET]
        _raise_alerts(context.establishment, matches, summary)
        if batch.observables:
            notify_event_observers(context.establishment, batch.observed(ids))
    summary.events += len(batch.rows)
    summary.parse_errors += batch.parse_errors
    return summary


def _fill_rows(context: StoreContext, batch: PreparedBatch) -> None:
    """Set each row's establishment and asset; each host (and IPs) of the batch looked up once."""
    establishment_id = context.establishment.pk
    if not context.assets:
        for row in batch.rows:
            row[ESTABLISHMENT], row[ASSET] = establishment_id, None
        return
    find_asset = context.assets.find
    found: dict[tuple[str, tuple[str, ...]], int | None] = {}
    for row, key in zip(batch.rows, batch.asset_keys, strict=True):
        row[ESTABLISHMENT] = establishment_id
        if key in found:
            row[ASSET] = found[key]
        else:
            row[ASSET] = found[key] = find_asset(*key)


def _raise_alerts(
    establishment: Establishment, matches: list[PreparedMatch], summary: IngestSummary
) -> None:
    """One alert signal per match, raised together (``raise_alerts``: the same alerts as one
    ``raise_alert`` per match, with one query for the batch's open alerts and one update per
    alert repeated)."""
    if not matches:
        return
    fields = _rule_fields(rule_engine())
    now = timezone.now()
    tags_of: dict[str, list[str]] = {}
    signals = []
    for match in matches:
        rule = match.rule
        entity = text(_first(match.event, ENTITY_FIELDS))[:200]
        tags = tags_of.get(rule.id)
        if tags is None:
            tags = tags_of[rule.id] = [
                t for t in rule.tags if t.startswith(("attack.", "hygie.regulation."))
            ]
        events = [e for e in match.origins if e.pk is not None]
        asset_id = next((e.asset_id for e in events if e.asset_id), None)
        seen_at = next((e.occurred_at for e in events if e.occurred_at), None)
        matched = [name for name in fields.get(rule.id, ()) if name in match.event]
        signals.append(
            AlertSignal(
                title=rule.title,
                severity=int(rule.level) if rule.level is not None else 30,
                rule_id=rule.id,
                description=rule.description,
                asset_id=asset_id,
                group_key=f"{rule.id}|{entity}",
                tags=tags,
                details={
                    "event_ids": [e.pk for e in events][:100],
                    "matched_fields": matched,
                    "entity": entity,
                    "rule_file": rule.source,
                },
                seen_at=min(seen_at, now) if seen_at else None,
            )
        )
    alerts = raise_alerts(establishment=establishment, source=ALERT_SOURCE, signals=signals)
    summary.alert_ids.update(alert.pk for alert in alerts)
    summary.matches += len(matches)


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
                max(1, int(getattr(settings, "HYGIE_INGEST_MAX_CONCURRENT", 4)))
            )
        return _ingest_slots
