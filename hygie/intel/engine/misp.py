"""MISP event JSON and MISP feeds (manifest.json, <uuid>.json, hashes.csv).

Attributes map to indicator types (``ip-dst`` → IPv4/IPv6/CIDR, ``filename|sha256`` → both…);
object attributes are flattened with the object's name and relation kept in the description;
``tlp:`` tags (event, object or attribute level) give the TLP; ATT&CK comes from
``misp-galaxy:mitre-attack-pattern`` tags and galaxy clusters. On export, an attribute carries
its sightings as MISP does (``Sighting``: ``date_sighting`` in epoch seconds, ``type`` "0" for a
sighting, ``source``, the reporting ``Organisation``).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hygie.intel.engine.errors import FormatError, IndicatorError, at
from hygie.intel.engine.model import (
    TLP,
    Collection,
    Indicator,
    IndicatorType,
    KillChainRef,
    Provenance,
    make_indicator,
    strictest,
)
from hygie.intel.engine.stix import ATTACK, NAMESPACE, loads_json
from hygie.intel.engine.tlp import misp_tag, tlp_of_tag

MAX_ATTRIBUTES = 1_000_000

_IP = "ip"  # resolved from the value: IPv4, IPv6 or CIDR
_SINGLE: dict[str, str | IndicatorType] = {
    "ip-src": _IP,
    "ip-dst": _IP,
    "domain": IndicatorType.DOMAIN,
    "hostname": IndicatorType.DOMAIN,
    "url": IndicatorType.URL,
    "email": IndicatorType.EMAIL,
    "email-src": IndicatorType.EMAIL,
    "email-dst": IndicatorType.EMAIL,
    "email-reply-to": IndicatorType.EMAIL,
    "whois-registrant-email": IndicatorType.EMAIL,
    "md5": IndicatorType.MD5,
    "sha1": IndicatorType.SHA1,
    "sha256": IndicatorType.SHA256,
    "filename": IndicatorType.FILE_NAME,
    "email-attachment": IndicatorType.FILE_NAME,
    "ja3-fingerprint-md5": IndicatorType.JA3,
    "user-agent": IndicatorType.USER_AGENT,
    "vulnerability": IndicatorType.CVE,
}
_COMPOSITE: dict[str, tuple[str | IndicatorType | None, str | IndicatorType | None]] = {
    "ip-src|port": (_IP, None),
    "ip-dst|port": (_IP, None),
    "domain|ip": (IndicatorType.DOMAIN, _IP),
    "hostname|port": (IndicatorType.DOMAIN, None),
    "filename|md5": (IndicatorType.FILE_NAME, IndicatorType.MD5),
    "filename|sha1": (IndicatorType.FILE_NAME, IndicatorType.SHA1),
    "filename|sha256": (IndicatorType.FILE_NAME, IndicatorType.SHA256),
}
_EXPORT: dict[IndicatorType, tuple[str, str]] = {
    IndicatorType.IPV4: ("ip-dst", "Network activity"),
    IndicatorType.IPV6: ("ip-dst", "Network activity"),
    IndicatorType.CIDR: ("ip-dst", "Network activity"),
    IndicatorType.DOMAIN: ("domain", "Network activity"),
    IndicatorType.URL: ("url", "Network activity"),
    IndicatorType.EMAIL: ("email-src", "Payload delivery"),
    IndicatorType.MD5: ("md5", "Payload delivery"),
    IndicatorType.SHA1: ("sha1", "Payload delivery"),
    IndicatorType.SHA256: ("sha256", "Payload delivery"),
    IndicatorType.FILE_NAME: ("filename", "Payload delivery"),
    IndicatorType.JA3: ("ja3-fingerprint-md5", "Network activity"),
    IndicatorType.USER_AGENT: ("user-agent", "Network activity"),
    IndicatorType.CVE: ("vulnerability", "External analysis"),
}
JA4_OBJECT = "ja4-plus"
JA4_RELATION = "ja4-fingerprint"
_ATTACK_TAG = re.compile(
    r'misp-galaxy:mitre-(?:enterprise-|ics-|mobile-)?attack-pattern="(?P<name>.*?)\s*-\s*'
    r'(?P<id>TA?\d{4}(?:\.\d{3})?)"'
)
_CONFIDENCE_TAG = re.compile(r'hygie:confidence="(\d{1,3})"')
_PHASE_TAG = re.compile(r'hygie:kill-chain="([^":]+):([^"]+)"')


SIGHTING = "0"  # MISP sighting types: 0 sighting, 1 false positive, 2 expiration


@dataclass(frozen=True)
class SightingMark:
    """One sighting of an indicator, as a MISP attribute's ``Sighting`` entry."""

    at: datetime
    source: str = ""


SightingMap = Mapping[tuple[IndicatorType, str], Sequence[SightingMark]]


def _sightings(
    indicator: Indicator, marks: Sequence[SightingMark], org: dict[str, str]
) -> list[dict[str, Any]]:
    made = []
    for mark in marks:
        moment = mark.at if mark.at.tzinfo else mark.at.replace(tzinfo=UTC)
        epoch = str(int(moment.timestamp()))
        made.append(
            {
                "uuid": _uuid(
                    "sighting", indicator.type.value, indicator.value, epoch, mark.source
                ),
                "date_sighting": epoch,
                "type": SIGHTING,
                "source": mark.source,
                "Organisation": dict(org),
            }
        )
    return made


def _ip_type(value: str) -> IndicatorType:
    if "/" in value:
        return IndicatorType.CIDR
    return IndicatorType.IPV6 if ":" in value else IndicatorType.IPV4


def _tag_names(container: Mapping[str, Any]) -> list[str]:
    tags = container.get("Tag") or []
    if not isinstance(tags, list):
        return []
    return [str(t.get("name", "")) for t in tags if isinstance(t, Mapping)]


def _context_of_tags(tags: Iterable[str]) -> tuple[TLP | None, list[KillChainRef], int | None]:
    levels: list[TLP] = []
    refs: list[KillChainRef] = []
    confidence: int | None = None
    for tag in tags:
        tlp = tlp_of_tag(tag)
        if tlp is not None:
            levels.append(tlp)
        elif (match := _ATTACK_TAG.fullmatch(tag)) is not None:
            refs.append(KillChainRef(ATTACK, technique=match["id"], name=match["name"]))
        elif (match := _PHASE_TAG.fullmatch(tag)) is not None:
            refs.append(KillChainRef(match[1], phase=match[2]))
        elif (match := _CONFIDENCE_TAG.fullmatch(tag)) is not None and int(match[1]) <= 100:
            confidence = int(match[1])
    return strictest(levels), refs, confidence


def _galaxy_refs(event: Mapping[str, Any]) -> list[KillChainRef]:
    refs: list[KillChainRef] = []
    galaxies = event.get("Galaxy") or []
    for galaxy in galaxies if isinstance(galaxies, list) else []:
        if not isinstance(galaxy, Mapping) or "attack-pattern" not in str(galaxy.get("type", "")):
            continue
        for cluster in galaxy.get("GalaxyCluster") or []:
            if not isinstance(cluster, Mapping):
                continue
            meta = cluster.get("meta") or {}
            ids = meta.get("external_id", []) if isinstance(meta, Mapping) else []
            for technique in ids if isinstance(ids, list) else []:
                if isinstance(technique, str) and re.fullmatch(r"TA?\d{4}(\.\d{3})?", technique):
                    name = str(cluster.get("value", "")).rsplit(" - ", 1)[0]
                    refs.append(KillChainRef(ATTACK, technique=technique, name=name))
    return refs


def _moment(raw: object) -> datetime | None:
    if isinstance(raw, str) and raw:
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return None


def import_event(document: Any, source: str = "misp", default_tlp: TLP = TLP.AMBER) -> Collection:
    """Indicators of one MISP event (``{"Event": {...}}`` or the bare event)."""
    event = document.get("Event", document) if isinstance(document, Mapping) else None
    root = "$.Event" if isinstance(document, Mapping) and "Event" in document else "$"
    if not isinstance(event, Mapping) or not (
        "Attribute" in event or "Object" in event or "info" in event
    ):
        raise FormatError("not a MISP event", at(source, path="$"))
    collection = Collection()
    event_tlp, event_refs, event_confidence = _context_of_tags(_tag_names(event))
    event_refs += _galaxy_refs(event)
    orgc = event.get("Orgc")
    creator = str(orgc.get("name")) if isinstance(orgc, Mapping) and orgc.get("name") else source
    attributes = event.get("Attribute", [])
    objects = event.get("Object", [])
    attributes = [] if attributes is None else attributes
    objects = [] if objects is None else objects
    if not isinstance(attributes, list) or not isinstance(objects, list):
        raise FormatError("Attribute and Object must be lists", at(source, path=root))
    jobs: list[tuple[Any, str, Mapping[str, Any] | None]] = [
        (a, f"{root}.Attribute[{i}]", None) for i, a in enumerate(attributes)
    ]
    for index, obj in enumerate(objects):
        if not isinstance(obj, Mapping) or not isinstance(obj.get("Attribute", []), list):
            raise FormatError(
                "a MISP object must hold a list of attributes",
                at(source, path=f"{root}.Object[{index}]"),
            )
        for sub, attribute in enumerate(obj.get("Attribute", [])):
            jobs.append((attribute, f"{root}.Object[{index}].Attribute[{sub}]", obj))
    if len(jobs) > MAX_ATTRIBUTES:
        raise FormatError("too many MISP attributes", at(source, path=root))
    skipped = 0
    for attribute, path, obj in jobs:
        if not isinstance(attribute, Mapping):
            raise FormatError("a MISP attribute must be an object", at(source, path=path))
        if attribute.get("deleted") in (True, "1", 1):
            continue
        kind_name, value = attribute.get("type"), attribute.get("value")
        if not isinstance(kind_name, str) or not isinstance(value, str):
            raise FormatError("a MISP attribute needs a type and a value", at(source, path=path))
        pairs = _typed_values(kind_name, value, attribute, obj)
        if not pairs:
            skipped += obj is None  # an object's other attributes (size, type…) are its context
            continue
        tag_tlp, tag_refs, tag_confidence = _context_of_tags(_tag_names(attribute))
        object_tlp = _context_of_tags(_tag_names(obj))[0] if obj is not None else None
        tlp = tag_tlp or object_tlp or event_tlp or default_tlp
        description = str(attribute.get("comment") or "")
        if obj is not None:
            relation = attribute.get("object_relation") or kind_name
            label = f"{obj.get('name', 'object')}/{relation}"
            description = f"{label}: {description}" if description else label
        category = attribute.get("category")
        labels = (f"misp-category:{category}",) if isinstance(category, str) and category else ()
        origin = Provenance(
            creator,
            str(attribute.get("uuid") or path),
            first_seen=_moment(attribute.get("first_seen")),
            tlp=tlp,
            comment=str(attribute.get("comment") or ""),
        )
        for kind, raw in pairs:
            try:
                collection.indicators.append(
                    make_indicator(
                        kind,
                        raw,
                        tlp=tlp,
                        confidence=tag_confidence
                        if tag_confidence is not None
                        else event_confidence,
                        valid_from=_moment(attribute.get("first_seen")),
                        valid_until=_moment(attribute.get("last_seen")),
                        description=description,
                        labels=labels,
                        kill_chain=tuple(dict.fromkeys((*event_refs, *tag_refs))),
                        provenance=(origin,),
                        to_ids=attribute.get("to_ids") in (True, "1", 1, "true"),
                    )
                )
            except IndicatorError as error:
                collection.warnings.append(str(FormatError(error.message, at(source, path=path))))
    if skipped:
        collection.warnings.append(
            f"{source}: {skipped} attribute(s) of types that are not indicators were skipped"
        )
    return collection


def _typed_values(
    kind_name: str, value: str, attribute: Mapping[str, Any], obj: Mapping[str, Any] | None
) -> list[tuple[IndicatorType, str]]:
    if obj is not None and attribute.get("object_relation") == JA4_RELATION:
        return [(IndicatorType.JA4, value)]
    single = _SINGLE.get(kind_name)
    if single is not None:
        return [(_ip_type(value) if single == _IP else IndicatorType(single), value)]
    composite = _COMPOSITE.get(kind_name)
    if composite is None:
        return []
    parts = value.split("|", 1)
    if len(parts) != 2:
        return []
    found: list[tuple[IndicatorType, str]] = []
    for part_kind, part in zip(composite, parts, strict=True):
        if part_kind is not None and part:
            found.append((_ip_type(part) if part_kind == _IP else IndicatorType(part_kind), part))
    return found


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(parts)))


def _misp_time(moment: datetime) -> str:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def export_event(
    indicators: Iterable[Indicator],
    *,
    info: str = "Hygie indicators",
    producer: str = "Hygie",
    now: datetime | None = None,
    sightings: SightingMap | None = None,
) -> dict[str, Any]:
    """A MISP event (``{"Event": {...}}``): one attribute per indicator (JA4 as a ``ja4-plus``
    object), each tagged with its ``tlp:`` level and carrying its ``sightings`` (by indicator
    key); the event carries the strictest level."""
    moment = now or datetime.now(UTC)
    items = list(indicators)
    org = {"name": producer, "uuid": _uuid("org", producer)}
    timestamp = str(int(moment.timestamp()))
    attributes: list[dict[str, Any]] = []
    objects: list[dict[str, Any]] = []
    for indicator in items:
        tags = [{"name": misp_tag(indicator.tlp)}]
        for ref in indicator.kill_chain:
            if ref.technique and ref.kill_chain == ATTACK:
                name = ref.name or ref.technique
                tags.append(
                    {"name": f'misp-galaxy:mitre-attack-pattern="{name} - {ref.technique}"'}
                )
            elif ref.phase:
                tags.append({"name": f'hygie:kill-chain="{ref.kill_chain}:{ref.phase}"'})
        if indicator.confidence is not None:
            tags.append({"name": f'hygie:confidence="{indicator.confidence}"'})
        attribute: dict[str, Any] = {
            "uuid": _uuid(indicator.type.value, indicator.value),
            "value": indicator.value,
            "to_ids": indicator.to_ids,
            "comment": indicator.description,
            "timestamp": timestamp,
            "distribution": "5",
            "disable_correlation": False,
            "Tag": tags,
        }
        if indicator.valid_from is not None:
            attribute["first_seen"] = _misp_time(indicator.valid_from)
        if indicator.valid_until is not None:
            attribute["last_seen"] = _misp_time(indicator.valid_until)
        marks = sightings.get(indicator.key) if sightings else None
        if marks:
            attribute["Sighting"] = _sightings(indicator, marks, org)
        if indicator.type is IndicatorType.JA4:
            attribute.update(type="text", category="Network activity", object_relation=JA4_RELATION)
            objects.append(
                {
                    "name": JA4_OBJECT,
                    "meta-category": "network",
                    "uuid": _uuid("object", indicator.value),
                    "timestamp": timestamp,
                    "distribution": "5",
                    "Attribute": [
                        attribute,
                        {
                            "type": "text",
                            "category": "Network activity",
                            "object_relation": "ja4-type",
                            "value": "JA4",
                            "to_ids": False,
                            "uuid": _uuid("ja4-type", indicator.value),
                        },
                    ],
                }
            )
            continue
        kind_name, category = _EXPORT[indicator.type]
        attribute.update(type=kind_name, category=category)
        attributes.append(attribute)
    event_tlp = strictest(i.tlp for i in items) or TLP.AMBER
    event = {
        "uuid": _uuid("event", info, timestamp, *(f"{i.type}:{i.value}" for i in items)),
        "info": info,
        "date": moment.date().isoformat(),
        "timestamp": timestamp,
        "published": False,
        "analysis": "2",
        "threat_level_id": "4",
        "distribution": "0",
        "Orgc": dict(org),
        "Tag": [{"name": misp_tag(event_tlp)}],
        "Attribute": attributes,
        "Object": objects,
    }
    return {"Event": event}


# --- feeds -----------------------------------------------------------------------------------


def export_feed(events: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The files of a MISP feed: ``manifest.json``, one ``<uuid>.json`` per event and
    ``hashes.csv`` (MD5 of each attribute value, event uuid), as MISP's feed generator writes."""
    from hygie.intel.engine.stix import dumps

    files: dict[str, str] = {}
    manifest: dict[str, Any] = {}
    hashes: list[str] = []
    for document in events:
        event = document.get("Event", document)
        event_uuid = str(event["uuid"])
        manifest[event_uuid] = {
            key: event[key]
            for key in ("Orgc", "Tag", "info", "date", "analysis", "threat_level_id", "timestamp")
            if key in event
        }
        files[f"{event_uuid}.json"] = dumps({"Event": event})
        values = [a["value"] for a in event.get("Attribute", [])]
        values += [a["value"] for o in event.get("Object", []) for a in o.get("Attribute", [])]
        for value in values:
            digest = hashlib.md5(str(value).encode(), usedforsecurity=False).hexdigest()
            hashes.append(f"{digest},{event_uuid}")
    files["manifest.json"] = dumps(manifest)
    files["hashes.csv"] = "".join(f"{line}\n" for line in hashes)
    return files


def import_feed(
    files: Mapping[str, str | bytes], source: str = "feed", default_tlp: TLP = TLP.AMBER
) -> Collection:
    """Indicators of every event a feed's ``manifest.json`` lists (``files`` maps file names to
    contents); an event the manifest lists but the feed lacks is a located error."""
    if "manifest.json" not in files:
        raise FormatError("a MISP feed needs a manifest.json", at(source))
    manifest = loads_json(files["manifest.json"], f"{source}/manifest.json")
    if not isinstance(manifest, Mapping):
        raise FormatError(
            "the manifest maps event uuids to summaries", at(f"{source}/manifest.json", path="$")
        )
    collection = Collection()
    for event_uuid in manifest:
        name = f"{event_uuid}.json"
        if name not in files:
            raise FormatError(
                "the event file this manifest entry names is missing",
                at(f"{source}/manifest.json", path=f"$['{event_uuid}']"),
            )
        part = import_event(
            loads_json(files[name], f"{source}/{name}"), f"{source}/{name}", default_tlp
        )
        collection.indicators.extend(part.indicators)
        collection.warnings.extend(part.warnings)
    return collection
