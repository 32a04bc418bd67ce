"""STIX 2.1: patterns for the supported indicator types, bundle export (``stix2`` library) and
import with TLP markings, kill chain phases, ATT&CK external references and ``created_by``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import stix2
from stix2patterns.v21.pattern import Pattern

from hygie.intel.engine.errors import FormatError, IndicatorError, at
from hygie.intel.engine.model import (
    TLP,
    Collection,
    Indicator,
    IndicatorType,
    KillChainRef,
    Provenance,
    make_indicator,
)
from hygie.intel.engine.tlp import stix_marking_id, stix_marking_object, tlp_of_marking
from hygie.lib.documents import DocumentError, Limits, load_json

NAMESPACE = uuid.UUID("5d6c1f2e-8c5b-4a53-9b6e-4f1c0a2b9e71")  # Hygie's STIX id namespace
MAX_JSON = 50 * 1024 * 1024
MAX_OBJECTS = 500_000
ATTACK = "mitre-attack"
ATTACK_SOURCES = (ATTACK, "mitre-ics-attack", "mitre-mobile-attack")
_TLS_EXT = "x-hygie-tls-ext"

# (object type, property path) of the pattern comparison for each indicator type.
_PATHS: dict[IndicatorType, tuple[str, str]] = {
    IndicatorType.IPV4: ("ipv4-addr", "value"),
    IndicatorType.IPV6: ("ipv6-addr", "value"),
    IndicatorType.DOMAIN: ("domain-name", "value"),
    IndicatorType.URL: ("url", "value"),
    IndicatorType.EMAIL: ("email-addr", "value"),
    IndicatorType.MD5: ("file", "hashes.MD5"),
    IndicatorType.SHA1: ("file", "hashes.'SHA-1'"),
    IndicatorType.SHA256: ("file", "hashes.'SHA-256'"),
    IndicatorType.FILE_NAME: ("file", "name"),
    IndicatorType.JA3: ("network-traffic", f"extensions.'{_TLS_EXT}'.ja3"),
    IndicatorType.JA4: ("network-traffic", f"extensions.'{_TLS_EXT}'.ja4"),
    IndicatorType.USER_AGENT: (
        "network-traffic",
        "extensions.'http-request-ext'.request_header.'User-Agent'",
    ),
}
# Parsed paths (as stix2-patterns' inspect() lists them) back to our types.
_FROM_PATH: dict[tuple[str, tuple[str, ...]], IndicatorType] = {
    ("ipv4-addr", ("value",)): IndicatorType.IPV4,
    ("ipv6-addr", ("value",)): IndicatorType.IPV6,
    ("domain-name", ("value",)): IndicatorType.DOMAIN,
    ("url", ("value",)): IndicatorType.URL,
    ("email-addr", ("value",)): IndicatorType.EMAIL,
    ("email-message", ("from_ref", "value")): IndicatorType.EMAIL,
    ("email-message", ("sender_ref", "value")): IndicatorType.EMAIL,
    ("file", ("hashes", "MD5")): IndicatorType.MD5,
    ("file", ("hashes", "SHA-1")): IndicatorType.SHA1,
    ("file", ("hashes", "SHA1")): IndicatorType.SHA1,
    ("file", ("hashes", "SHA-256")): IndicatorType.SHA256,
    ("file", ("hashes", "SHA256")): IndicatorType.SHA256,
    ("file", ("name",)): IndicatorType.FILE_NAME,
    ("network-traffic", ("extensions", _TLS_EXT, "ja3")): IndicatorType.JA3,
    ("network-traffic", ("extensions", _TLS_EXT, "ja4")): IndicatorType.JA4,
    (
        "network-traffic",
        ("extensions", "http-request-ext", "request_header", "User-Agent"),
    ): IndicatorType.USER_AGENT,
}


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def build_pattern(indicator: Indicator) -> str:
    """The STIX pattern of an indicator (CVE has none: it becomes a vulnerability object)."""
    kind = indicator.type
    if kind is IndicatorType.CIDR:
        family = "ipv6-addr" if ":" in indicator.value else "ipv4-addr"
        return f"[{family}:value = {_quote(indicator.value)}]"
    if kind not in _PATHS:
        raise IndicatorError(f"{kind.value} has no STIX pattern")
    object_type, path = _PATHS[kind]
    return f"[{object_type}:{path} = {_quote(indicator.value)}]"


def parse_pattern(pattern: str) -> list[tuple[IndicatorType, str]]:
    """The (type, value) equality comparisons of a STIX pattern that map to indicator types;
    ``IndicatorError`` when the pattern does not parse. Other comparisons are ignored."""
    if len(pattern) > 100_000:
        raise IndicatorError("STIX pattern too long")
    try:
        data = Pattern(pattern).inspect()
    except Exception:  # noqa: BLE001 - stix2-patterns raises its own and ANTLR errors
        raise IndicatorError("invalid STIX pattern") from None
    found: list[tuple[IndicatorType, str]] = []
    for object_type, comparisons in data.comparisons.items():
        for path, operator, raw in comparisons:
            if operator != "=" or not isinstance(raw, str) or not raw.startswith("'"):
                continue
            value = raw[1:-1].replace("\\'", "'").replace("\\\\", "\\")
            key = (object_type, tuple(str(p) for p in path))
            kind = _FROM_PATH.get(key)
            if kind is None:
                continue
            if kind in (IndicatorType.IPV4, IndicatorType.IPV6) and "/" in value:
                kind = IndicatorType.CIDR
            found.append((kind, value))
    return found


def stix_id(object_type: str, *parts: str) -> str:
    """A deterministic id: the same indicator exported twice keeps its id."""
    digest = uuid.uuid5(NAMESPACE, "|".join(parts)).bytes
    # The UUIDv4 layout STIX recommends, filled from a name-based digest so it stays stable.
    return f"{object_type}--{uuid.UUID(bytes=digest, version=4)}"


def attack_reference(technique: str, name: str = "") -> dict[str, str]:
    path = technique.replace(".", "/")
    section = "tactics" if technique.startswith("TA") else "techniques"
    reference = {
        "source_name": ATTACK,
        "external_id": technique,
        "url": f"https://attack.mitre.org/{section}/{path}/",
    }
    if name:
        reference["description"] = name
    return reference


def _timestamp(moment: datetime | None, fallback: datetime) -> datetime:
    moment = moment or fallback
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def export_bundle(
    indicators: Iterable[Indicator],
    *,
    producer: str = "Hygie",
    now: datetime | None = None,
    tlp_version: str = "2.0",
) -> dict[str, Any]:
    """A STIX 2.1 bundle (as a dict) of the indicators, their TLP marking definitions and the
    producing identity; CVEs become vulnerability objects. Built and checked by ``stix2``."""
    moment = _timestamp(now, datetime.now(UTC))
    identity = stix2.v21.Identity(
        id=stix_id("identity", producer),
        name=producer,
        identity_class="organization",
        created=moment,
        modified=moment,
    )
    objects: list[Any] = [identity]
    markings: dict[str, dict[str, Any]] = {}
    for indicator in indicators:
        marking = stix_marking_object(indicator.tlp, tlp_version)
        markings[marking["id"]] = marking
        references: list[dict[str, str]] = []
        phases: list[dict[str, str]] = []
        for ref in indicator.kill_chain:
            if ref.technique:
                references.append(attack_reference(ref.technique, ref.name))
            if ref.phase:
                phases.append({"kill_chain_name": ref.kill_chain, "phase_name": ref.phase})
        for origin in indicator.provenance:
            references.append(
                {"source_name": origin.source, "description": origin.reference or origin.source}
            )
        common: dict[str, Any] = {
            "created_by_ref": identity.id,
            "created": moment,
            "modified": moment,
            "object_marking_refs": [stix_marking_id(indicator.tlp, tlp_version)],
        }
        if indicator.confidence is not None:
            common["confidence"] = indicator.confidence
        if indicator.labels:
            common["labels"] = list(indicator.labels)
        if indicator.type is IndicatorType.CVE:
            objects.append(
                stix2.v21.Vulnerability(
                    id=stix_id("vulnerability", indicator.value),
                    name=indicator.value,
                    description=indicator.description or indicator.value,
                    external_references=[
                        {"source_name": "cve", "external_id": indicator.value},
                        *references,
                    ],
                    **common,
                )
            )
            continue
        valid_from = _timestamp(indicator.valid_from, moment)
        extra: dict[str, Any] = {}
        if indicator.valid_until is not None:
            extra["valid_until"] = _timestamp(indicator.valid_until, moment)
        if references:
            extra["external_references"] = references
        if phases:
            extra["kill_chain_phases"] = phases
        objects.append(
            stix2.v21.Indicator(
                id=stix_id("indicator", indicator.type.value, indicator.value),
                name=f"{indicator.type.value}: {indicator.value}"[:250],
                description=indicator.description or f"{indicator.type.value} indicator",
                indicator_types=[
                    "malicious-activity" if indicator.to_ids else "anomalous-activity"
                ],
                pattern=build_pattern(indicator),
                pattern_type="stix",
                pattern_version="2.1",
                valid_from=valid_from,
                **extra,
                **common,
            )
        )
    bundle = stix2.v21.Bundle(objects=objects, id=stix_id("bundle", moment.isoformat()))
    document: dict[str, Any] = json.loads(bundle.serialize())
    # TLP 2.0 definitions are published objects: carried verbatim (TLP 1.0 ones are predefined
    # but carried too, so a consumer resolves every reference inside the bundle).
    document["objects"][1:1] = list(markings.values())
    return document


def dumps(document: Mapping[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


_JSON_LIMITS = Limits(max_bytes=MAX_JSON, max_depth=64, max_nodes=5_000_000)


def loads_json(data: str | bytes, source: str) -> Any:
    """JSON through the platform's hardened loader (size, depth, node count, duplicate keys)."""
    try:
        return load_json(data, source, _JSON_LIMITS).data
    except DocumentError as error:
        raise FormatError(error.message, error.location or at(source)) from None


def import_bundle(document: Any, source: str = "stix", default_tlp: TLP = TLP.AMBER) -> Collection:
    """Indicators of a STIX 2.1 bundle (or a list of objects, or one object): pattern-based
    indicators and vulnerabilities, with their TLP, confidence, validity, kill chain phases,
    ATT&CK references (external or through ``indicates`` relationships) and creator."""
    if isinstance(document, Mapping) and document.get("type") == "bundle":
        objects = document.get("objects", [])
        base = "objects"
    elif isinstance(document, list):
        objects, base = document, ""
    elif isinstance(document, Mapping) and "type" in document:
        objects, base = [document], ""
    else:
        raise FormatError("not a STIX 2.1 bundle or object", at(source, path="$"))
    if not isinstance(objects, list):
        raise FormatError("objects must be a list", at(source, path="$.objects"))
    if len(objects) > MAX_OBJECTS:
        raise FormatError("too many STIX objects", at(source, path="$.objects"))
    collection = Collection()
    identities: dict[str, str] = {}
    markings: dict[str, TLP] = {}
    patterns_of: dict[str, list[KillChainRef]] = {}
    attack_patterns: dict[str, KillChainRef] = {}
    for index, obj in enumerate(objects):
        if not isinstance(obj, Mapping) or not isinstance(obj.get("type"), str):
            raise FormatError("a STIX object must have a type", at(source, path=_path(base, index)))
        kind = obj["type"]
        if kind == "identity" and isinstance(obj.get("name"), str):
            identities[str(obj.get("id"))] = obj["name"]
        elif kind == "marking-definition":
            tlp = tlp_of_marking(obj)
            if tlp is not None:
                markings[str(obj.get("id"))] = tlp
        elif kind == "attack-pattern":
            for ref in obj.get("external_references") or []:
                if isinstance(ref, Mapping) and ref.get("source_name") in ATTACK_SOURCES:
                    attack_patterns[str(obj.get("id"))] = KillChainRef(
                        ATTACK,
                        technique=str(ref.get("external_id", "")),
                        name=str(obj.get("name", "")),
                    )
    for obj in objects:
        if obj.get("type") == "relationship" and obj.get("relationship_type") == "indicates":
            target = attack_patterns.get(str(obj.get("target_ref")))
            if target is not None:
                patterns_of.setdefault(str(obj.get("source_ref")), []).append(target)
    for index, obj in enumerate(objects):
        if obj["type"] not in ("indicator", "vulnerability"):
            continue
        where = at(source, path=_path(base, index))
        try:
            parsed = stix2.parse(dict(obj), allow_custom=True, version="2.1")
        except Exception as error:  # noqa: BLE001 - stix2 raises STIXError, ValueError, KeyError…
            name = type(error).__name__
            raise FormatError(f"invalid STIX {obj['type']} ({name})", where) from None
        try:
            found = _from_object(parsed, identities, markings, patterns_of, source, default_tlp)
        except IndicatorError as error:
            collection.warnings.append(str(FormatError(error.message, where)))
            continue
        if not found:
            collection.warnings.append(
                str(FormatError("no supported comparison in the pattern", where))
            )
        collection.indicators.extend(found)
    return collection


def _path(base: str, index: int) -> str:
    return f"$.{base}[{index}]" if base else f"$[{index}]"


def _from_object(
    obj: Any,
    identities: Mapping[str, str],
    markings: Mapping[str, TLP],
    patterns_of: Mapping[str, list[KillChainRef]],
    source: str,
    default_tlp: TLP,
) -> list[Indicator]:
    levels = [markings[m] for m in obj.get("object_marking_refs", []) if m in markings]
    tlp = max(levels, key=lambda t: t.rank) if levels else default_tlp
    creator = identities.get(str(obj.get("created_by_ref", "")), source)
    refs: list[KillChainRef] = list(patterns_of.get(obj["id"], []))
    origins: list[Provenance] = []
    cve = ""
    for ref in obj.get("external_references", []):
        name = ref.get("source_name", "")
        if name in ATTACK_SOURCES and ref.get("external_id"):
            refs.append(
                KillChainRef(ATTACK, technique=ref["external_id"], name=ref.get("description", ""))
            )
        elif name == "cve" and ref.get("external_id"):
            cve = ref["external_id"]
        elif name != creator:
            origins.append(
                Provenance(name, ref.get("description", "") or ref.get("external_id", ""))
            )
    for phase in obj.get("kill_chain_phases", []):
        refs.append(KillChainRef(phase["kill_chain_name"], phase=phase["phase_name"]))
    first_seen = obj.get("created")
    origin = Provenance(
        creator,
        obj["id"],
        first_seen=first_seen,
        confidence=obj.get("confidence"),
        tlp=tlp,
    )
    context: dict[str, Any] = {
        "tlp": tlp,
        "confidence": obj.get("confidence"),
        "description": obj.get("description", ""),
        "labels": tuple(obj.get("labels", [])),
        "kill_chain": tuple(dict.fromkeys(refs)),
        "provenance": (origin, *origins),
    }
    if obj["type"] == "vulnerability":
        value = cve or obj.get("name", "")
        return [make_indicator(IndicatorType.CVE, value, **context)]
    types = obj.get("indicator_types", [])
    context["to_ids"] = not types or any(t != "anomalous-activity" for t in types)
    context["valid_from"] = obj.get("valid_from")
    context["valid_until"] = obj.get("valid_until")
    if obj.get("pattern_type") != "stix":
        raise IndicatorError("only STIX patterns are read (pattern_type stix)")
    return [make_indicator(kind, value, **context) for kind, value in parse_pattern(obj["pattern"])]


def attack_catalogue(document: Any) -> dict[str, str]:
    """ATT&CK technique and tactic ids → names, from an ATT&CK STIX bundle (mitre-attack/
    attack-stix-data: enterprise, mobile or ICS); revoked and deprecated entries left out."""
    objects = document.get("objects", []) if isinstance(document, Mapping) else []
    catalogue: dict[str, str] = {}
    for obj in objects if isinstance(objects, list) else []:
        if not isinstance(obj, Mapping) or obj.get("type") not in (
            "attack-pattern",
            "x-mitre-tactic",
        ):
            continue
        if obj.get("revoked") or obj.get("x_mitre_deprecated"):
            continue
        for ref in obj.get("external_references") or []:
            if isinstance(ref, Mapping) and ref.get("source_name") in ATTACK_SOURCES:
                technique = ref.get("external_id")
                if isinstance(technique, str) and isinstance(obj.get("name"), str):
                    catalogue[technique] = obj["name"]
    return catalogue


def name_techniques(
    indicators: Iterable[Indicator], catalogue: Mapping[str, str]
) -> list[Indicator]:
    """Indicators whose ATT&CK references carry the catalogue's names (unknown ids kept as is)."""
    from dataclasses import replace

    named: list[Indicator] = []
    for indicator in indicators:
        refs = tuple(
            replace(ref, name=catalogue.get(ref.technique, ref.name)) if ref.technique else ref
            for ref in indicator.kill_chain
        )
        named.append(replace(indicator, kill_chain=refs))
    return named
