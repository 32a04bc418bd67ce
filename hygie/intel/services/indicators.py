"""The indicator store: import (STIX 2.1, MISP event or feed, CSV, free text) with
de-duplication and provenance per source, export (STIX 2.1, MISP event, MISP feed, CSV), ATT&CK
names, ageing and expiry.

Parsing and rendering are the pure engine's (``hygie.intel.engine``); this service maps its
``Indicator`` to rows. One row per (establishment, type, normalised value): a second source adds
an ``IndicatorSource`` row and merges its context with the engine's rule (strictest TLP, highest
confidence, widest validity window, union of labels and ATT&CK references). An import is one
transaction: a located error leaves nothing half-written.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.core.models import Establishment, User
from hygie.intel.engine import convert, misp, stix
from hygie.intel.engine.errors import IntelError
from hygie.intel.engine.model import (
    TLP,
    Collection,
    IndicatorType,
    KillChainRef,
    Provenance,
    deduplicate,
    make_indicator,
    merge,
)
from hygie.intel.engine.model import (
    Indicator as EngineIndicator,
)
from hygie.intel.engine.text import defang
from hygie.intel.models import Feed, Indicator, IndicatorSource, Partner, Sighting
from hygie.lib.spreadsheet import csv_writer

IMPORT_FORMATS = ("auto", "stix21", "misp", "csv", "text")
EXPORT_FORMATS = ("stix21", "misp", "misp-feed", "csv")
MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 10_000
CHUNK = 1000
MAX_VALUE_LENGTH = 2048  # Indicator.value's column
MAX_SIGHTINGS_EXPORTED = 100  # per indicator, the latest, in MISP exports
CSV_COLUMNS = (
    "type",
    "value",
    "tlp",
    "confidence",
    "valid_from",
    "valid_until",
    "description",
    "attack",
    "source",
)
# Days without a source confirming it (nor a sighting) after which an indicator stops being
# used for matching: addresses change hands quickly, domains slower; hashes, file names and CVEs
# do not age (a file is malicious for ever).
AGE_LIMIT_DAYS: dict[str, int | None] = {
    IndicatorType.IPV4: 90,
    IndicatorType.IPV6: 90,
    IndicatorType.CIDR: 180,
    IndicatorType.URL: 180,
    IndicatorType.DOMAIN: 365,
    IndicatorType.EMAIL: 365,
    IndicatorType.USER_AGENT: 365,
    IndicatorType.JA3: 365,
    IndicatorType.JA4: 365,
    IndicatorType.MD5: None,
    IndicatorType.SHA1: None,
    IndicatorType.SHA256: None,
    IndicatorType.FILE_NAME: None,
    IndicatorType.CVE: None,
}


@dataclass
class ImportReport:
    """What an import did (or would do, for a preview)."""

    read: int = 0
    created: int = 0
    updated: int = 0
    sources: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    preview: list[EngineIndicator] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "created": self.created,
            "updated": self.updated,
            "sources": self.sources,
            "by_kind": dict(sorted(self.by_kind.items())),
            "warnings": self.warnings[:100],
        }


# --- ATT&CK -------------------------------------------------------------------------------


def attack_folder() -> Path:
    """Where the operator puts ATT&CK STIX bundles (``mitre-attack/attack-stix-data``); nothing
    of ATT&CK ships with Hygie, only the references indicators carry."""
    configured = getattr(settings, "HYGIE_INTEL_ATTACK_DIR", "") or os.environ.get(
        "HYGIE_INTEL_ATTACK_DIR", ""
    )
    return Path(configured) if configured else Path(settings.HYGIE_HOME) / "attack"


@lru_cache(maxsize=4)
def _catalogue_of(folder: str, stamp: tuple[tuple[str, float], ...]) -> dict[str, str]:
    names: dict[str, str] = {}
    for name, _mtime in stamp:
        path = Path(folder) / name
        try:
            document = stix.loads_json(path.read_bytes(), name)
        except (OSError, IntelError):
            continue  # an unreadable bundle names nothing; the references stay as ids
        names.update(stix.attack_catalogue(document))
    return names


def attack_catalogue() -> dict[str, str]:
    """ATT&CK technique and tactic ids → names, from the bundles in ``attack_folder()``."""
    folder = attack_folder()
    try:
        files = sorted(p for p in folder.glob("*.json") if p.is_file())
        stamp = tuple((p.name, p.stat().st_mtime) for p in files)
    except OSError:
        return {}
    return _catalogue_of(str(folder), stamp) if stamp else {}


# --- engine <-> rows ----------------------------------------------------------------------


def _refs_to_json(refs: Iterable[KillChainRef]) -> list[dict[str, str]]:
    return [
        {k: v for k, v in vars(ref).items() if v}
        for ref in sorted(set(refs), key=lambda r: (r.kill_chain, r.technique, r.phase))
    ]


def _refs_from_json(data: object) -> tuple[KillChainRef, ...]:
    refs: list[KillChainRef] = []
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict) and item.get("kill_chain"):
            refs.append(
                KillChainRef(
                    str(item["kill_chain"]),
                    phase=str(item.get("phase", "")),
                    technique=str(item.get("technique", "")),
                    name=str(item.get("name", "")),
                )
            )
    return tuple(refs)


def to_engine(row: Indicator, sources: Sequence[IndicatorSource] | None = None) -> EngineIndicator:
    """The engine's view of a stored indicator (its sources as provenance)."""
    found = list(row.sources.all()) if sources is None else sources
    return EngineIndicator(
        type=IndicatorType(row.kind),
        value=row.value,
        tlp=TLP(row.tlp),
        confidence=row.confidence,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        description=row.description,
        labels=tuple(str(label) for label in row.labels or ()),
        kill_chain=_refs_from_json(row.kill_chain),
        provenance=tuple(
            Provenance(
                s.source_name,
                s.source_ref,
                confidence=s.confidence,
                tlp=TLP(s.tlp) if s.tlp else None,
            )
            for s in found
        ),
        to_ids=row.to_ids,
    )


def is_active_now(row: Indicator, now: datetime) -> bool:
    """Used for matching: not revoked, inside its validity window, not aged out."""
    if row.revoked:
        return False
    if row.valid_from is not None and row.valid_from > now + timedelta(minutes=5):
        return False
    if row.valid_until is not None and row.valid_until <= now:
        return False
    limit = AGE_LIMIT_DAYS.get(row.kind)
    if limit is not None:
        moments = [m for m in (row.last_confirmed_at, row.last_seen_at, row.created_at) if m]
        if moments and max(moments) < now - timedelta(days=limit):
            return False
    return True


def _apply(row: Indicator, indicator: EngineIndicator) -> None:
    row.tlp = indicator.tlp.value
    row.confidence = indicator.confidence
    row.valid_from = indicator.valid_from
    row.valid_until = indicator.valid_until
    row.description = indicator.description[:10_000]
    row.labels = list(indicator.labels)
    row.kill_chain = _refs_to_json(indicator.kill_chain)
    row.to_ids = indicator.to_ids
    if not row.pattern and indicator.type is not IndicatorType.CVE:
        row.pattern = stix.build_pattern(indicator)
    if not row.stix_id:
        kind = "vulnerability" if indicator.type is IndicatorType.CVE else "indicator"
        row.stix_id = stix.stix_id(kind, indicator.type.value, indicator.value)


# --- reading ------------------------------------------------------------------------------


def _located(error: IntelError) -> ValidationError:
    return ValidationError(str(error), code="invalid_input")


def unpack(name: str, data: bytes) -> list[convert.Input]:
    """The inputs of an upload: a zip (a MISP feed: manifest.json, events, hashes.csv) gives
    its members; anything else is one input."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is too large."))
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return [convert.Input(name, data)]
    inputs: list[convert.Input] = []
    total = 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_MEMBERS:
                raise ValidationError(_("The archive holds too many files."))
            for member in members:
                base = member.filename.rsplit("/", 1)[-1]
                if base.startswith(".") or base == "hashes.csv":
                    continue  # hashes.csv only repeats the events' values, hashed
                total += member.file_size
                if total > MAX_IMPORT_BYTES:
                    raise ValidationError(_("The archive is too large once unpacked."))
                with archive.open(member) as stream:
                    content = stream.read(MAX_IMPORT_BYTES + 1)
                inputs.append(convert.Input(f"{name}/{base}", content))
    except (zipfile.BadZipFile, OSError, RuntimeError) as error:
        raise ValidationError(_("The archive cannot be read.")) from error
    if not inputs:
        raise ValidationError(_("The archive holds no file to import."))
    return inputs


def read_inputs(
    inputs: Sequence[convert.Input], from_: str = "auto", default_tlp: TLP = TLP.AMBER
) -> Collection:
    """Every indicator of the inputs, de-duplicated, with ATT&CK names when the catalogue is
    there; a located ``ValidationError`` (file, line or JSON path) on invalid input."""
    if from_ not in IMPORT_FORMATS:
        raise ValidationError(_("Unknown import format."))
    try:
        collection = convert.read(inputs, from_, default_tlp)
    except IntelError as error:
        raise _located(error) from None
    catalogue = attack_catalogue()
    if catalogue:
        collection.indicators = stix.name_techniques(collection.indicators, catalogue)
    return collection


# --- storing ------------------------------------------------------------------------------


def _source_name(origin: Provenance, feed: Feed | None, partner: Partner | None) -> str:
    if feed is not None:
        return feed.name[:200]
    if partner is not None:
        return partner.name[:200]
    return origin.source[:200] or "import"


def store(
    indicators: Iterable[EngineIndicator],
    establishment: Establishment,
    *,
    feed: Feed | None = None,
    partner: Partner | None = None,
    default_confidence: int | None = None,
    now: datetime | None = None,
) -> ImportReport:
    """Write indicators into ``establishment``'s store (one transaction), merging with what is
    there and keeping one provenance row per source."""
    moment = now or timezone.now()
    partner = partner or (feed.partner if feed is not None else None)
    report = ImportReport()
    items = deduplicate(indicators)
    report.read = len(items)
    kept = [item for item in items if len(item.value) <= MAX_VALUE_LENGTH]
    if len(kept) < len(items):
        report.warnings.append(
            _("%(count)s value(s) longer than %(max)s characters left out.")
            % {"count": len(items) - len(kept), "max": MAX_VALUE_LENGTH}
        )
        items = kept
    with transaction.atomic():
        for start in range(0, len(items), CHUNK):
            _store_chunk(
                items[start : start + CHUNK],
                establishment,
                feed,
                partner,
                default_confidence,
                moment,
                report,
            )
    return report


def _store_chunk(
    chunk: list[EngineIndicator],
    establishment: Establishment,
    feed: Feed | None,
    partner: Partner | None,
    default_confidence: int | None,
    moment: datetime,
    report: ImportReport,
) -> None:
    wanted = Q()
    for indicator in chunk:
        wanted |= Q(kind=indicator.type.value, value=indicator.value)
    existing = {
        (row.kind, row.value): row
        for row in Indicator.objects.filter(establishment=establishment).filter(wanted)
    }
    sources_of: dict[int, list[IndicatorSource]] = {}
    for source in IndicatorSource.objects.filter(indicator__in=list(existing.values())):
        sources_of.setdefault(source.indicator_id, []).append(source)
    created: list[Indicator] = []
    updated: list[Indicator] = []
    for incoming in chunk:
        if incoming.confidence is None and default_confidence is not None:
            incoming = make_indicator(
                incoming.type,
                incoming.value,
                **{**_context(incoming), "confidence": default_confidence},
            )
        report.by_kind[incoming.type.value] = report.by_kind.get(incoming.type.value, 0) + 1
        row = existing.get((incoming.type.value, incoming.value))
        if row is None:
            row = Indicator(
                establishment=establishment,
                kind=incoming.type.value,
                value=incoming.value,
                last_confirmed_at=moment,
                created_at=moment,
            )
            _apply(row, incoming)
            row.is_active = is_active_now(row, moment)
            existing[incoming.key[0].value, incoming.value] = row
            created.append(row)
            continue
        current = to_engine(row, sources_of.get(row.pk, []))
        _apply(row, merge(current, incoming))
        row.last_confirmed_at = row.updated_at = moment
        row.is_active = is_active_now(row, moment)
        if row.pk is not None and row not in updated:
            updated.append(row)
    Indicator.objects.bulk_create(created, batch_size=CHUNK)
    if updated:
        Indicator.objects.bulk_update(
            updated,
            [
                "tlp",
                "confidence",
                "valid_from",
                "valid_until",
                "description",
                "labels",
                "kill_chain",
                "to_ids",
                "pattern",
                "stix_id",
                "last_confirmed_at",
                "is_active",
                "updated_at",
            ],
            batch_size=CHUNK,
        )
    report.created += len(created)
    report.updated += len(updated)
    _store_sources(chunk, existing, sources_of, feed, partner, moment, report)


def _context(indicator: EngineIndicator) -> dict[str, Any]:
    return {
        "tlp": indicator.tlp,
        "confidence": indicator.confidence,
        "valid_from": indicator.valid_from,
        "valid_until": indicator.valid_until,
        "description": indicator.description,
        "labels": indicator.labels,
        "kill_chain": indicator.kill_chain,
        "provenance": indicator.provenance,
        "to_ids": indicator.to_ids,
    }


def _store_sources(
    chunk: list[EngineIndicator],
    rows: dict[tuple[str, str], Indicator],
    sources_of: dict[int, list[IndicatorSource]],
    feed: Feed | None,
    partner: Partner | None,
    moment: datetime,
    report: ImportReport,
) -> None:
    new: dict[tuple[int, str], IndicatorSource] = {}
    changed: dict[int, IndicatorSource] = {}
    for incoming in chunk:
        row = rows[incoming.type.value, incoming.value]
        known = {s.source_name: s for s in sources_of.get(row.pk, [])}
        origins = incoming.provenance or (Provenance("import"),)
        for origin in origins:
            name = _source_name(origin, feed, partner)
            values = {
                "feed": feed,
                "partner": partner,
                "source_ref": origin.reference[:300],
                "tlp": (origin.tlp or incoming.tlp).value,
                "confidence": origin.confidence
                if origin.confidence is not None
                else incoming.confidence,
                "comment": origin.comment[:2000],
                "imported_at": moment,
            }
            source = known.get(name)
            if source is None:
                new[row.pk, name] = IndicatorSource(indicator=row, source_name=name, **values)
            else:
                for key, value in values.items():
                    setattr(source, key, value)
                changed[source.pk] = source
    IndicatorSource.objects.bulk_create(list(new.values()), batch_size=CHUNK)
    if changed:
        IndicatorSource.objects.bulk_update(
            list(changed.values()),
            ["feed", "partner", "source_ref", "tlp", "confidence", "comment", "imported_at"],
            batch_size=CHUNK,
        )
    report.sources += len(new) + len(changed)


def import_data(
    establishment: Establishment,
    inputs: Sequence[convert.Input],
    *,
    from_: str = "auto",
    default_tlp: TLP = TLP.AMBER,
    feed: Feed | None = None,
    partner: Partner | None = None,
    source: str = "",
    default_confidence: int | None = None,
    user: User | None = None,
    dry_run: bool = False,
    preview_rows: int = 50,
) -> ImportReport:
    """Read and store; ``dry_run`` reads and checks only (the preview). One audit entry. A zip
    (a MISP feed) is read member by member."""
    inputs = [part for item in inputs for part in unpack(item.name, item.data)]
    collection = read_inputs(inputs, from_, default_tlp)
    indicators = collection.indicators
    if source:
        indicators = [_renamed(indicator, source[:200]) for indicator in indicators]
    if dry_run:
        report = ImportReport(read=len(indicators))
        for indicator in indicators:
            report.by_kind[indicator.type.value] = report.by_kind.get(indicator.type.value, 0) + 1
        keys = {(i.type.value, i.value) for i in indicators}
        existing = 0
        for start in range(0, len(indicators), CHUNK):
            wanted = Q()
            for indicator in indicators[start : start + CHUNK]:
                wanted |= Q(kind=indicator.type.value, value=indicator.value)
            existing += Indicator.objects.filter(establishment=establishment).filter(wanted).count()
        report.updated = existing
        report.created = len(keys) - existing
        report.preview = indicators[:preview_rows]
        report.warnings = collection.warnings
        return report
    with transaction.atomic():
        report = store(
            indicators,
            establishment,
            feed=feed,
            partner=partner,
            default_confidence=default_confidence,
        )
        report.warnings = [*collection.warnings, *report.warnings]
        audit.record(
            "import",
            feed,
            message=f"intel indicators imported: {report.read} read, {report.created} new, "
            f"{report.updated} updated",
            establishment_id=establishment.pk,
            object_type=None if feed is not None else "intel.indicator",
            object_repr="" if feed is not None else ", ".join(i.name for i in inputs)[:200],
        )
    return report


def _renamed(indicator: EngineIndicator, source: str) -> EngineIndicator:
    from dataclasses import replace

    provenance = tuple(replace(p, source=source) for p in indicator.provenance) or (
        Provenance(source),
    )
    return replace(indicator, provenance=tuple(dict.fromkeys(provenance)))


# --- exporting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str
    count: int


def exportable(
    queryset: QuerySet[Indicator],
    *,
    max_tlp: TLP | None = None,
    active_only: bool = False,
) -> QuerySet[Indicator]:
    """The indicators an export may carry: at most ``max_tlp`` (None: any)."""
    if max_tlp is not None:
        allowed = [t.value for t in TLP if t.rank <= max_tlp.rank]
        queryset = queryset.filter(tlp__in=allowed)
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset


def export(
    queryset: QuerySet[Indicator],
    to: str,
    *,
    producer: str = "Hygie",
    now: datetime | None = None,
    limit: int = 200_000,
) -> Export:
    """Render indicators as ``stix21`` (a bundle, passes stix2-validator), ``misp`` (one event),
    ``misp-feed`` (a zip: manifest.json, the event, hashes.csv) or ``csv`` (``CSV_COLUMNS``,
    values defanged)."""
    if to not in EXPORT_FORMATS:
        raise ValidationError(_("Unknown export format."))
    moment = now or timezone.now()
    rows = list(queryset.prefetch_related("sources").order_by("kind", "value")[:limit])
    indicators = [to_engine(row) for row in rows]
    stamp = moment.strftime("%Y%m%d-%H%M%S")
    if to == "stix21":
        document = stix.export_bundle(indicators, producer=producer, now=moment)
        return Export(
            stix.dumps(document).encode(),
            "application/stix+json;version=2.1",
            f"hygie-indicators-{stamp}.json",
            len(rows),
        )
    seen = misp_sightings(rows, indicators, producer) if to in ("misp", "misp-feed") else {}
    if to == "misp":
        event = misp.export_event(indicators, producer=producer, now=moment, sightings=seen)
        return Export(
            stix.dumps(event).encode(), "application/json", f"hygie-misp-{stamp}.json", len(rows)
        )
    if to == "misp-feed":
        event = misp.export_event(indicators, producer=producer, now=moment, sightings=seen)
        files = misp.export_feed([event])
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in sorted(files.items()):
                archive.writestr(f"feed/{name}", content)
        return Export(
            buffer.getvalue(), "application/zip", f"hygie-misp-feed-{stamp}.zip", len(rows)
        )
    return Export(
        csv_text(rows).encode("utf-8"), "text/csv", f"hygie-indicators-{stamp}.csv", len(rows)
    )


def misp_sightings(
    rows: Sequence[Indicator], items: Sequence[EngineIndicator], producer: str
) -> dict[tuple[IndicatorType, str], list[misp.SightingMark]]:
    """The latest ``MAX_SIGHTINGS_EXPORTED`` sightings of each exported indicator, as MISP
    sightings (when, and what saw it: Hygie's detection or a retro-hunt)."""
    keys = {row.pk: item.key for row, item in zip(rows, items, strict=True) if row.sighting_count}
    marks: dict[tuple[IndicatorType, str], list[misp.SightingMark]] = {}
    ids = sorted(keys)
    for start in range(0, len(ids), CHUNK):
        found = (
            Sighting.objects.filter(indicator_id__in=ids[start : start + CHUNK])
            .order_by("indicator_id", "-at")
            .values_list("indicator_id", "at", "source")
        )
        for indicator_id, at, source in found.iterator(chunk_size=5000):
            listed = marks.setdefault(keys[indicator_id], [])
            if len(listed) < MAX_SIGHTINGS_EXPORTED:
                listed.append(misp.SightingMark(at, f"{producer} {source}".strip()))
    return marks


def csv_text(rows: Iterable[Indicator]) -> str:
    """The CSV export (re-importable: the engine reads this header and defanged values).

    Every cell goes through the platform's one CSV writer (no cell is run as a formula)."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        attack = ";".join(
            str(ref.get("technique")) for ref in row.kill_chain or [] if ref.get("technique")
        )
        sources = ", ".join(s.source_name for s in row.sources.all())
        writer.writerow(
            [
                row.kind,
                defang(row.value),
                TLP(row.tlp).label,
                "" if row.confidence is None else row.confidence,
                row.valid_from.isoformat() if row.valid_from else "",
                row.valid_until.isoformat() if row.valid_until else "",
                row.description,
                attack,
                sources,
            ]
        )
    return buffer.getvalue()


# --- ageing and expiry --------------------------------------------------------------------


def refresh_activity(now: datetime | None = None) -> dict[str, int]:
    """Recompute ``is_active`` everywhere (the daily job): expired, revoked or aged-out
    indicators stop being matched; an indicator confirmed again becomes active again."""
    moment = now or timezone.now()
    deactivated = activated = 0
    candidates = Indicator.objects.all().only(
        "pk",
        "kind",
        "revoked",
        "valid_from",
        "valid_until",
        "last_confirmed_at",
        "last_seen_at",
        "created_at",
        "is_active",
    )
    off: list[int] = []
    on: list[int] = []
    for row in candidates.iterator(chunk_size=5000):
        active = is_active_now(row, moment)
        if active != row.is_active:
            (on if active else off).append(row.pk)
    for start in range(0, len(off), 5000):
        deactivated += Indicator.objects.filter(pk__in=off[start : start + 5000]).update(
            is_active=False, updated_at=moment
        )
    for start in range(0, len(on), 5000):
        activated += Indicator.objects.filter(pk__in=on[start : start + 5000]).update(
            is_active=True, updated_at=moment
        )
    return {"deactivated": deactivated, "activated": activated}


def counts(establishment_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Active indicators and sightings of the last 7 days, per establishment (tiles, panels)."""
    from django.db.models import Count

    from hygie.intel.models import Sighting

    ids = list(establishment_ids)
    result = {pk: {"active": 0, "sightings": 0} for pk in ids}
    for item in (
        Indicator.objects.filter(establishment_id__in=ids, is_active=True)
        .values("establishment_id")
        .annotate(total=Count("pk"))
    ):
        result[item["establishment_id"]]["active"] = item["total"]
    since = timezone.now() - timedelta(days=7)
    for establishment_id, total in (
        Sighting.objects.filter(indicator__establishment_id__in=ids, at__gte=since)
        .values("indicator__establishment_id")
        .annotate(total=Count("pk"))
        .values_list("indicator__establishment_id", "total")
    ):
        result[establishment_id]["sightings"] = total
    return result


# --- staged uploads (the import page's preview, then confirm) -----------------------------

STAGING_TTL = timedelta(hours=1)


def _staging_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "intel-staging"


def stage(user: User, name: str, data: bytes, options: dict[str, Any]) -> str:
    """Keep an upload for its confirmation (one hour, for this user only); returns its token."""
    import json
    import secrets

    if len(data) > MAX_IMPORT_BYTES:
        raise ValidationError(_("The file is too large."))
    folder = _staging_folder()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    cutoff = timezone.now() - STAGING_TTL
    for old in folder.glob("*"):  # forgotten previews go away
        try:
            if (
                datetime.fromtimestamp(old.stat().st_mtime, tz=timezone.get_current_timezone())
                < cutoff
            ):
                old.unlink()
        except OSError:
            continue
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(data)
    meta = {"user": user.pk, "name": name[:200], "options": options}
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def staged(user: User, token: str) -> tuple[str, bytes, dict[str, Any]] | None:
    """The staged upload of ``token`` if it is this user's and still fresh, else None."""
    import json

    if not token or not all(c.isalnum() or c in "-_" for c in token) or len(token) > 64:
        return None
    folder = _staging_folder()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        data = (folder / f"{token}.bin").read_bytes()
        age = timezone.now().timestamp() - (folder / f"{token}.bin").stat().st_mtime
    except (OSError, ValueError):
        return None
    if meta.get("user") != user.pk or age > STAGING_TTL.total_seconds():
        return None
    return str(meta.get("name", "upload")), data, dict(meta.get("options") or {})


def discard(token: str) -> None:
    if token and all(c.isalnum() or c in "-_" for c in token):
        for suffix in (".bin", ".json"):
            (_staging_folder() / f"{token}{suffix}").unlink(missing_ok=True)
