"""``convert``: any supported input (STIX 2.1, MISP event or feed, CSV, free text) to STIX 2.1 or
a MISP event, keeping every indicator with its context and TLP, de-duplicated across inputs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from hygie.intel.engine import misp, stix, text
from hygie.intel.engine.errors import FormatError, at
from hygie.intel.engine.model import TLP, Collection, Indicator, deduplicate

FORMATS_IN = ("auto", "stix21", "misp", "csv", "text")
FORMATS_OUT = ("stix21", "misp")


@dataclass(frozen=True)
class Input:
    name: str  # shown in located errors and recorded as provenance
    data: bytes


@dataclass
class Converted:
    output: str
    indicators: list[Indicator] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _decode(item: Input) -> str:
    try:
        return item.data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FormatError("not UTF-8 text", at(item.name, path=f"byte {error.start}")) from None


def detect(item: Input, content: str) -> str:
    """``stix21``, ``misp``, ``misp-manifest``, ``csv`` or ``text`` from the name and content."""
    stripped = content.lstrip()
    lowered = item.name.lower()
    if stripped.startswith(("{", "[")):
        try:
            document = stix.loads_json(content, item.name)
        except FormatError:
            if lowered.endswith(".json"):
                raise
            return "text"  # prose that happens to start with a bracket ("[12:00] alert…")
        return _json_kind(document, item.name)
    if lowered.endswith(".csv"):
        return "csv"
    return "text"


def _json_kind(document: Any, name: str) -> str:
    if isinstance(document, Mapping):
        if document.get("type") == "bundle" or str(document.get("id", "")).count("--") == 1:
            return "stix21"
        if "Event" in document or "Attribute" in document or "Object" in document:
            return "misp"
        if document and all(isinstance(v, Mapping) and "info" in v for v in document.values()):
            return "misp-manifest"
    if isinstance(document, list) and all(
        isinstance(o, Mapping) and isinstance(o.get("type"), str) for o in document
    ):
        return "stix21"
    raise FormatError("JSON that is neither STIX 2.1 nor a MISP event or feed", at(name, path="$"))


def read(inputs: Sequence[Input], from_: str = "auto", default_tlp: TLP = TLP.AMBER) -> Collection:
    """Every indicator of the inputs (de-duplicated, provenance kept per source)."""
    if from_ not in FORMATS_IN:
        raise FormatError("unknown input format")
    by_name = {item.name.rsplit("/", 1)[-1]: item for item in inputs}
    consumed: set[str] = set()
    kinds: list[tuple[Input, str, str]] = []
    for item in inputs:
        content = _decode(item)
        kind = detect(item, content) if from_ == "auto" else from_
        if kind in ("misp", "misp-manifest") and item.name.endswith("manifest.json"):
            manifest = stix.loads_json(content, item.name)
            if _json_kind(manifest, item.name) == "misp-manifest":
                consumed.update(f"{event_uuid}.json" for event_uuid in manifest)
        kinds.append((item, content, kind))
    collection = Collection()
    for item, content, kind in kinds:
        if item.name.rsplit("/", 1)[-1] in consumed:
            continue
        if kind == "csv":
            part = text.parse_csv(content, item.name, default_tlp)
        elif kind == "text":
            part = text.parse_text(content, item.name, default_tlp)
        elif kind == "stix21":
            part = stix.import_bundle(stix.loads_json(content, item.name), item.name, default_tlp)
        else:
            document = stix.loads_json(content, item.name)
            if kind == "misp" and _json_kind(document, item.name) == "misp-manifest":
                kind = "misp-manifest"
            if kind == "misp-manifest":
                files: dict[str, str | bytes] = {"manifest.json": content}
                folder = item.name.rsplit("/", 1)[0] if "/" in item.name else ""
                for event_uuid in document:
                    name = f"{event_uuid}.json"
                    if name in by_name:
                        files[name] = by_name[name].data
                part = misp.import_feed(files, folder or "feed", default_tlp)
            else:
                part = misp.import_event(document, item.name, default_tlp)
        collection.indicators.extend(part.indicators)
        collection.warnings.extend(part.warnings)
    collection.indicators = deduplicate(collection.indicators)
    return collection


def convert(
    inputs: Sequence[Input],
    to: str = "stix21",
    from_: str = "auto",
    *,
    producer: str = "Hygie",
    now: datetime | None = None,
    default_tlp: TLP = TLP.AMBER,
) -> Converted:
    """Read the inputs and render them as ``stix21`` (a bundle) or ``misp`` (one event)."""
    if to not in FORMATS_OUT:
        raise FormatError("unknown output format")
    collection = read(inputs, from_, default_tlp)
    if to == "stix21":
        document = stix.export_bundle(collection.indicators, producer=producer, now=now)
    else:
        document = misp.export_event(collection.indicators, producer=producer, now=now)
    return Converted(stix.dumps(document), collection.indicators, collection.warnings)
