"""An incident made shareable: every text scrubbed of PHI and staff names, then a STIX 2.1 bundle
(observed data, indicators, attack patterns, a summary note, sightings) or a MISP event.

Pure: the incident comes in as plain data (``IncidentData``), the privacy engine's public API
finds personal and health data (``hygie.privacy.engine``, engine to engine), and what was removed
is reported masked (entity, where, a masked sample, why), never in clear.

Only observables marked as indicators of compromise leave, and only those the intel engine reads
as an indicator (addresses, domains, URLs, hashes, e-mail addresses): accounts and host names are
the establishment's own and are withheld, with the reason.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import stix2

from hygie.intel.engine import misp as misp_format
from hygie.intel.engine.errors import IndicatorError
from hygie.intel.engine.model import TLP, Indicator, KillChainRef, guess_type, make_indicator
from hygie.intel.engine.stix import ATTACK, attack_reference, build_pattern, stix_id
from hygie.intel.engine.tlp import misp_tag, stix_marking_id, stix_marking_object
from hygie.privacy.engine import EntityType, ExtractedDocument, PHIDetector, ScanConfig, mask_value

# What the privacy engine reports that is the incident's substance, not personal data: attacker
# addresses, URLs and dates stay. Every other entity found in a text is removed.
KEPT_ENTITIES = frozenset({EntityType.IP_ADDRESS, EntityType.URL, EntityType.DATE})
SHAREABLE_KINDS = frozenset({"ip", "domain", "url", "hash", "email"})
_TECHNIQUE = re.compile(r"T\d{4}(?:\.\d{3})?")


@lru_cache(maxsize=1)
def default_detector() -> PHIDetector:
    """One detector per process (it compiles its patterns once). Its hashing key is random: the
    record of what was removed keeps masked samples only, never hashes."""
    return PHIDetector(ScanConfig(hmac_key=os.urandom(32)))


@dataclass(frozen=True)
class ObservableData:
    kind: str
    value: str
    note: str = ""
    is_ioc: bool = False
    first_seen: datetime | None = None


@dataclass(frozen=True)
class IncidentData:
    """The incident as its keeper hands it out (texts unscrubbed)."""

    reference: str
    title: str
    summary: str = ""
    category: str = ""
    occurred_at: datetime | None = None
    discovered_at: datetime | None = None
    observables: Sequence[ObservableData] = ()
    techniques: Sequence[str] = ()
    timeline: Sequence[tuple[datetime, str]] = ()
    staff_names: Sequence[str] = ()


@dataclass(frozen=True)
class Removal:
    """One thing left out: where (``field``), what kind, a masked sample, why (a code)."""

    field: str
    entity: str
    masked: str
    reason: str  # "phi" (the privacy engine), "staff_name", "not_ioc", "internal", "invalid"

    def as_dict(self) -> dict[str, str]:
        return {
            "field": self.field,
            "entity": self.entity,
            "masked": self.masked,
            "reason": self.reason,
        }


@dataclass
class Scrubbed:
    """The incident's shareable parts after scrubbing, and what was removed."""

    title: str
    summary: str
    timeline: list[tuple[datetime, str]]
    indicators: list[tuple[Indicator, datetime | None]]
    techniques: list[str]
    removed: list[Removal] = field(default_factory=list)


def _mask_name(text: str) -> str:
    return mask_value(EntityType.PERSON, text)


class Scrubber:
    """Removes PHI (privacy engine) and staff names from texts; keeps a masked record of each."""

    def __init__(
        self,
        detector: PHIDetector,
        staff_names: Sequence[str] = (),
        keep_staff_names: bool = False,
        kept_values: Sequence[str] = (),
    ) -> None:
        self.detector = detector
        self.keep_staff_names = keep_staff_names
        self.kept_values = {v.lower() for v in kept_values}
        words: set[str] = set()
        for name in staff_names:
            name = name.strip()
            if not name:
                continue
            words.add(name)
            words.update(part for part in re.split(r"[\s,]+", name) if len(part) >= 3)
        self.staff_words = {w.lower() for w in words}
        ordered = sorted(words, key=len, reverse=True)
        self._staff = (
            re.compile(r"(?<!\w)(?:" + "|".join(re.escape(w) for w in ordered) + r")(?!\w)", re.I)
            if ordered
            else None
        )
        self.removed: list[Removal] = []

    def _is_staff(self, text: str) -> bool:
        parts = [p.lower() for p in re.split(r"[\s,]+", text.strip()) if p]
        return bool(parts) and all(p in self.staff_words for p in parts)

    def text(self, value: str, where: str) -> str:
        """``value`` with every PHI finding and staff name replaced by a bracketed label."""
        if not value:
            return value
        doc = ExtractedDocument(format="text", text=value, free_text=True)
        cuts: list[tuple[int, int, str]] = []
        for finding in self.detector.detect(doc):
            if finding.entity in KEPT_ENTITIES:
                continue
            found = value[finding.start : finding.end]
            if found.lower() in self.kept_values:
                continue  # an indicator being shared (e.g. the phishing sender's address)
            if finding.entity is EntityType.PERSON and self._is_staff(found):
                if self.keep_staff_names:
                    continue
                reason = "staff_name"
            else:
                reason = "phi"
            cuts.append((finding.start, finding.end, finding.entity.value))
            self.removed.append(Removal(where, finding.entity.value, finding.masked, reason))
        text = _apply(value, cuts)
        if self._staff is not None and not self.keep_staff_names:

            def staff(match: re.Match[str]) -> str:
                self.removed.append(
                    Removal(
                        where, EntityType.PERSON.value, _mask_name(match.group(0)), "staff_name"
                    )
                )
                return "[PERSON removed]"

            text = self._staff.sub(staff, text)
        return text


def _apply(value: str, cuts: list[tuple[int, int, str]]) -> str:
    out: list[str] = []
    position = 0
    for start, end, entity in sorted(cuts):
        if start < position:
            continue
        out.append(value[position:start])
        out.append(f"[{entity} removed]")
        position = end
    out.append(value[position:])
    return "".join(out)


def scrub(
    incident: IncidentData, detector: PHIDetector, keep_staff_names: bool = False
) -> Scrubbed:
    """The shareable parts of ``incident`` and the masked record of what was left out."""
    indicators: list[tuple[Indicator, datetime | None]] = []
    withheld: list[Removal] = []
    kept_values: list[str] = []
    for index, observable in enumerate(incident.observables):
        where = f"observables[{index}]"
        masked = mask_value(EntityType.URL, observable.value)[:80] if observable.value else ""
        if observable.kind not in SHAREABLE_KINDS:
            withheld.append(Removal(where, observable.kind, masked, "internal"))
            continue
        if not observable.is_ioc:
            withheld.append(Removal(where, observable.kind, masked, "not_ioc"))
            continue
        kind = guess_type(observable.value)
        try:
            if kind is None:
                raise IndicatorError("not an indicator")
            indicator = make_indicator(kind, observable.value)
        except IndicatorError:
            withheld.append(Removal(where, observable.kind, masked, "invalid"))
            continue
        kept_values.append(indicator.value)
        indicators.append((indicator, observable.first_seen))
    scrubber = Scrubber(detector, incident.staff_names, keep_staff_names, kept_values)
    title = scrubber.text(incident.title, "title")
    summary = scrubber.text(incident.summary, "summary")
    timeline = [
        (at, scrubber.text(text, f"timeline[{index}]"))
        for index, (at, text) in enumerate(incident.timeline)
    ]
    notes = [
        (indicator, scrubber.text(observable.note, f"observables[{index}].note"))
        for index, observable in enumerate(incident.observables)
        for indicator, _seen in indicators
        if observable.is_ioc and observable.note and _same(indicator, observable.value)
    ]
    described = {ind.key: note for ind, note in notes}
    indicators = [
        (_describe(indicator, described.get(indicator.key, "")), seen)
        for indicator, seen in indicators
    ]
    techniques = list(dict.fromkeys(t for t in incident.techniques if _TECHNIQUE.fullmatch(t)))
    return Scrubbed(
        title=title,
        summary=summary,
        timeline=timeline,
        indicators=indicators,
        techniques=techniques,
        removed=[*scrubber.removed, *withheld],
    )


def _same(indicator: Indicator, value: str) -> bool:
    try:
        return make_indicator(indicator.type, value).value == indicator.value
    except IndicatorError:
        return False


def _describe(indicator: Indicator, note: str) -> Indicator:
    return replace(indicator, description=note) if note else indicator


def _narrative(scrubbed: Scrubbed) -> str:
    lines = [scrubbed.summary.strip()] if scrubbed.summary.strip() else []
    if scrubbed.timeline:
        lines.append("")
        lines.append("Timeline:")
        for at, text in scrubbed.timeline:
            moment = at if at.tzinfo else at.replace(tzinfo=UTC)
            lines.append(f"- {moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC: {text}")
    return "\n".join(lines) or scrubbed.title


def stix_bundle(
    scrubbed: Scrubbed,
    *,
    reference: str,
    tlp: TLP,
    producer: str = "Hygie",
    now: datetime | None = None,
) -> dict[str, Any]:
    """A STIX 2.1 bundle (a dict) of the scrubbed incident, every object marked ``tlp``."""
    moment = now or datetime.now(UTC)
    marking = stix_marking_id(tlp)
    identity = stix2.v21.Identity(
        id=stix_id("identity", producer),
        name=producer,
        identity_class="organization",
        created=moment,
        modified=moment,
    )
    common: dict[str, Any] = {
        "created_by_ref": identity.id,
        "created": moment,
        "modified": moment,
        "object_marking_refs": [marking],
    }
    objects: list[Any] = [identity]
    shared: list[str] = []
    for technique in scrubbed.techniques:
        pattern = stix2.v21.AttackPattern(
            id=stix_id("attack-pattern", ATTACK, technique),
            name=technique,
            external_references=[attack_reference(technique)],
            **common,
        )
        objects.append(pattern)
        shared.append(pattern.id)
    sightings: list[Any] = []
    for indicator, seen in scrubbed.indicators:
        first = seen or moment
        first = first if first.tzinfo else first.replace(tzinfo=UTC)
        made = stix2.v21.Indicator(
            id=stix_id("indicator", reference, indicator.type.value, indicator.value),
            name=f"{indicator.type.value}: {indicator.value}"[:250],
            description=indicator.description or f"Indicator seen in incident {reference}",
            indicator_types=["malicious-activity"],
            pattern=build_pattern(indicator),
            pattern_type="stix",
            pattern_version="2.1",
            valid_from=first,
            **common,
        )
        objects.append(made)
        shared.append(made.id)
        sightings.append(
            stix2.v21.Sighting(
                id=stix_id("sighting", reference, made.id),
                sighting_of_ref=made.id,
                where_sighted_refs=[identity.id],
                first_seen=first,
                last_seen=max(first, moment),
                count=1,
                **common,
            )
        )
    objects.extend(sightings)
    shared.extend(s.id for s in sightings)
    objects.append(
        stix2.v21.Note(
            id=stix_id("note", reference, moment.isoformat()),
            abstract=scrubbed.title[:250] or reference,
            content=_narrative(scrubbed),
            authors=[producer],
            object_refs=shared or [identity.id],
            external_references=[{"source_name": producer, "external_id": reference}],
            **common,
        )
    )
    bundle = stix2.v21.Bundle(objects=objects, id=stix_id("bundle", reference, moment.isoformat()))
    document: dict[str, Any] = json.loads(bundle.serialize())
    document["objects"][1:1] = [stix_marking_object(tlp)]
    return document


def misp_event(
    scrubbed: Scrubbed,
    *,
    reference: str,
    tlp: TLP,
    producer: str = "Hygie",
    now: datetime | None = None,
) -> dict[str, Any]:
    """A MISP event (``{"Event": …}``): the indicators as attributes with their sighting in the
    incident, ATT&CK techniques as galaxy tags, the scrubbed summary and timeline as a text
    attribute, everything tagged ``tlp``."""
    moment = now or datetime.now(UTC)
    refs = tuple(KillChainRef(ATTACK, technique=t) for t in scrubbed.techniques)
    items = [replace(ind, tlp=tlp, kill_chain=refs) for ind, _seen in scrubbed.indicators]
    title = scrubbed.title or reference
    seen = {  # each indicator seen in the incident: a MISP sighting, as the STIX bundle's
        ind.key: [misp_format.SightingMark(when or moment, f"Incident {reference}")]
        for ind, when in scrubbed.indicators
    }
    document = misp_format.export_event(
        items, info=title, producer=producer, now=moment, sightings=seen
    )
    event = document["Event"]
    event["Tag"] = [{"name": misp_tag(tlp)}] + [
        {"name": f'misp-galaxy:mitre-attack-pattern="{t} - {t}"'} for t in scrubbed.techniques
    ]
    event["Attribute"].append(
        {
            "uuid": stix_id("note", reference, moment.isoformat()).split("--", 1)[1],
            "type": "text",
            "category": "Other",
            "value": _narrative(scrubbed),
            "comment": f"Incident {reference}",
            "to_ids": False,
            "timestamp": event["timestamp"],
            "distribution": "5",
            "Tag": [{"name": misp_tag(tlp)}],
        }
    )
    return document


def shared_text(document: Any) -> str:
    """Every string in a built document, joined (to check nothing removed is left)."""
    return json.dumps(document, ensure_ascii=False)
