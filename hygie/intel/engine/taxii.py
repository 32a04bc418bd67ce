"""TAXII 2.1 (OASIS Standard, 10 June 2021): the protocol's pure parts, shared by Hygie's server
(``hygie.intel.views.taxii``) and client (``hygie.intel.services.taxii_client``).

Media types, timestamps, URL filter parameters (``added_after``, ``limit``, ``next``,
``match[id|type|version|spec_version]``), the opaque ``next`` cursor, the facts the server keeps
about each STIX object (id, type, version, spec_version, TLP), and the TAXII resources
(envelope, manifest, versions, status, error message). No Django, no I/O.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hygie.intel.engine.errors import IntelError
from hygie.intel.engine.model import TLP, strictest
from hygie.intel.engine.tlp import KNOWN_IDS

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
SUPPORTED_VERSION = "2.1"

MAX_IDS_PER_FILTER = 100
_TYPE = re.compile(r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$")
_UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_ID = re.compile(rf"^(?P<type>[a-z0-9][a-z0-9-]{{1,248}}[a-z0-9])--{_UUID}$")
_TIMESTAMP = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<fraction>\d{1,9}))?"
    r"(?P<zone>[Zz]|[+-]\d{2}:\d{2})$"
)
_SPEC_VERSION = re.compile(r"^\d\.\d$")


class TAXIIError(IntelError):
    """A request refused with a TAXII error message (``http_status`` says which).

    The message names the parameter or property at fault, never the value sent."""

    def __init__(self, http_status: int, title: str, description: str = "") -> None:
        super().__init__(description or title)
        self.http_status = http_status
        self.title = title
        self.description = description

    def resource(self) -> dict[str, Any]:
        return error_resource(self.http_status, self.title, self.description)


def error_resource(http_status: int, title: str, description: str = "") -> dict[str, Any]:
    """The TAXII error message (§3.6.1); ``http_status`` is a string there."""
    resource: dict[str, Any] = {"title": title, "http_status": str(http_status)}
    if description:
        resource["description"] = description
    return resource


# --- media types --------------------------------------------------------------------------------


def _media_ranges(header: str) -> Iterable[tuple[str, dict[str, str]]]:
    for item in header.split(","):
        parts = [part.strip() for part in item.split(";")]
        if not parts[0]:
            continue
        parameters: dict[str, str] = {}
        for parameter in parts[1:]:
            name, _, value = parameter.partition("=")
            parameters[name.strip().lower()] = value.strip().strip('"')
        yield parts[0].lower(), parameters


def _is_taxii(header: str, status: int, what: str) -> None:
    refused_version = False
    for media, parameters in _media_ranges(header):
        if media != "application/taxii+json":
            continue
        if parameters.get("q") in {"0", "0.0", "0.00", "0.000"}:
            continue
        version = parameters.get("version")
        if version is None or version == SUPPORTED_VERSION:
            return
        refused_version = True
    if refused_version:
        raise TAXIIError(status, "Unsupported TAXII version", f"{what}: only TAXII 2.1 is served.")
    raise TAXIIError(status, "Unsupported media type", f"{what} must be {TAXII_MEDIA_TYPE}.")


def check_accept(header: str | None) -> None:
    """The Accept header must name ``application/taxii+json`` (version 2.1 or none): else 406."""
    _is_taxii(header or "", 406, "Accept")


def check_content_type(header: str | None) -> None:
    """A POST body must be ``application/taxii+json;version=2.1``: else 415."""
    _is_taxii(header or "", 415, "Content-Type")


def stix_media_type(spec_version: str) -> str:
    return f"application/stix+json;version={spec_version}"


# --- timestamps ---------------------------------------------------------------------------------


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds (``2026-12-07T01:02:03.000004Z``), as TAXII servers
    write ``date_added`` so that ``added_after`` can name any instant exactly."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str, what: str = "timestamp") -> datetime:
    """An RFC 3339 timestamp (``Z`` or an offset; fractions beyond microseconds are cut) as an
    aware UTC datetime; anything else raises a 400 naming ``what``."""
    match = _TIMESTAMP.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise TAXIIError(400, "Invalid timestamp", f"{what} is not an RFC 3339 timestamp.")
    fraction = (match["fraction"] or "").ljust(6, "0")[:6]
    zone = match["zone"].upper()
    try:
        moment = datetime.strptime(f"{match['date']}T{match['time']}", "%Y-%m-%dT%H:%M:%S")
        moment = moment.replace(microsecond=int(fraction), tzinfo=UTC)
        if zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            hours, minutes = int(zone[1:3]), int(zone[4:6])
            if hours > 23 or minutes > 59:
                raise ValueError(zone)
            moment -= sign * timedelta(hours=hours, minutes=minutes)
    except (ValueError, OverflowError):
        raise TAXIIError(400, "Invalid timestamp", f"{what} is not a valid date.") from None
    return moment


# --- URL filter parameters ----------------------------------------------------------------------


@dataclass(frozen=True)
class VersionFilter:
    """``match[version]``: ``last`` (the default for reads), ``first``, ``all`` or instants."""

    last: bool = False
    first: bool = False
    all: bool = False
    at: tuple[datetime, ...] = ()

    @classmethod
    def parse(cls, values: Sequence[str], default: str = "last") -> VersionFilter:
        items = [item.strip() for value in values for item in value.split(",") if item.strip()]
        if not items:
            items = [default]
        instants: list[datetime] = []
        flags = {"last": False, "first": False, "all": False}
        for item in items[:MAX_IDS_PER_FILTER]:
            if item in flags:
                flags[item] = True
            else:
                instants.append(parse_timestamp(item, "match[version]"))
        return cls(flags["last"], flags["first"], flags["all"], tuple(instants))


@dataclass(frozen=True)
class Query:
    """The filter parameters of one TAXII request, checked."""

    limit: int
    added_after: datetime | None = None
    next: str | None = None
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: VersionFilter = field(default_factory=lambda: VersionFilter(last=True))
    spec_versions: tuple[str, ...] = ()  # empty: the latest spec_version of each object
    fingerprint: str = ""  # of every filter but limit and next (a cursor must keep them)


def _values(params: Mapping[str, Sequence[str]], name: str) -> list[str]:
    return [item.strip() for value in params.get(name, ()) for item in value.split(",")]


def parse_query(
    params: Mapping[str, Sequence[str]],
    *,
    allowed: Iterable[str] = ("id", "type", "version", "spec_version"),
    default_limit: int = 100,
    max_limit: int = 1000,
    default_version: str = "last",
) -> Query:
    """Check a request's filter parameters (``match[...]`` fields outside ``allowed`` and
    unknown parameters are ignored, as TAXII lets servers do); malformed ones raise 400."""
    allowed = frozenset(allowed)
    limit = default_limit
    raw_limit = [v for v in params.get("limit", ()) if v.strip()]
    if raw_limit:
        text = raw_limit[-1].strip()
        if not (text.isascii() and text.isdecimal()) or int(text) <= 0:
            raise TAXIIError(400, "Invalid limit", "limit must be a positive integer.")
        limit = int(text)
    limit = min(limit, max_limit)
    added_after = None
    raw_after = [v for v in params.get("added_after", ()) if v.strip()]
    if raw_after:
        if len(raw_after) > 1 or "," in raw_after[0]:
            raise TAXIIError(400, "Invalid added_after", "added_after takes one timestamp.")
        added_after = parse_timestamp(raw_after[0], "added_after")
    next_token = next((v.strip() for v in params.get("next", ()) if v.strip()), None)
    ids: tuple[str, ...] = ()
    if "id" in allowed:
        ids = tuple(dict.fromkeys(v for v in _values(params, "match[id]") if v))
        if len(ids) > MAX_IDS_PER_FILTER:
            raise TAXIIError(400, "Too many values", "match[id] takes at most 100 ids.")
        if any(_ID.match(value) is None for value in ids):
            raise TAXIIError(400, "Invalid match[id]", "match[id] takes STIX identifiers.")
    types: tuple[str, ...] = ()
    if "type" in allowed:
        types = tuple(dict.fromkeys(v for v in _values(params, "match[type]") if v))
        if len(types) > MAX_IDS_PER_FILTER or any(_TYPE.match(t) is None for t in types):
            raise TAXIIError(400, "Invalid match[type]", "match[type] takes STIX type names.")
    versions = VersionFilter(all=True)
    if "version" in allowed:
        versions = VersionFilter.parse(params.get("match[version]", ()), default_version)
    spec_versions: tuple[str, ...] = ()
    if "spec_version" in allowed:
        spec_versions = tuple(dict.fromkeys(v for v in _values(params, "match[spec_version]") if v))
        if any(_SPEC_VERSION.match(v) is None for v in spec_versions):
            raise TAXIIError(400, "Invalid match[spec_version]", "match[spec_version]: e.g. 2.1.")
    return Query(
        limit=limit,
        added_after=added_after,
        next=next_token,
        ids=ids,
        types=types,
        versions=versions,
        spec_versions=spec_versions,
        fingerprint=fingerprint(params),
    )


def fingerprint(params: Mapping[str, Sequence[str]]) -> str:
    """A digest of the filters a ``next`` cursor was issued for (``limit`` may change)."""
    kept = sorted(
        (name, sorted(item.strip() for value in values for item in value.split(",")))
        for name, values in params.items()
        if name not in {"limit", "next"}
    )
    return hashlib.sha256(json.dumps(kept).encode()).hexdigest()[:16]


# --- the next cursor ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the last record's ``date_added`` and row key (keyset pagination, so
    records added meanwhile neither shift nor repeat a page)."""

    date_added: datetime
    key: int


def encode_cursor(cursor: Cursor, query_fingerprint: str) -> str:
    payload = json.dumps(
        [format_timestamp(cursor.date_added), cursor.key, query_fingerprint], separators=(",", ":")
    )
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(token: str, query_fingerprint: str) -> Cursor:
    """The cursor a ``next`` value carries; 400 when it is not one of ours or was issued for
    other filters (TAXII: the same query options must accompany ``next``)."""
    invalid = TAXIIError(400, "Invalid next", "next is not a value this server issued.")
    if len(token) > 200:
        raise invalid
    try:
        padded = token + "=" * (-len(token) % 4)
        moment, key, issued_for = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error):
        raise invalid from None
    if not isinstance(moment, str) or not isinstance(key, int) or isinstance(key, bool):
        raise invalid
    if issued_for != query_fingerprint:
        raise TAXIIError(400, "Invalid next", "next must be sent with the same filters.")
    return Cursor(parse_timestamp(moment, "next"), key)


# --- objects ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectFacts:
    """What a collection keeps about a STIX object besides the object itself."""

    stix_id: str
    stix_type: str
    version: datetime
    spec_version: str
    marked_tlp: TLP | None  # the strictest TLP its markings carry; None when unmarked

    @property
    def media_type(self) -> str:
        return stix_media_type(self.spec_version)


def object_facts(obj: Any, date_added: datetime, where: str = "object") -> ObjectFacts:
    """Check one STIX object's envelope-level properties (type, id, timestamps, spec_version)
    and read its TLP markings; a ``TAXIIError`` (422) names the property at fault."""
    if not isinstance(obj, Mapping):
        raise TAXIIError(422, "Invalid object", f"{where} is not a JSON object.")
    stix_type, stix_id = obj.get("type"), obj.get("id")
    if not isinstance(stix_type, str) or _TYPE.match(stix_type) is None:
        raise TAXIIError(422, "Invalid object", f"{where}: type is missing or invalid.")
    match = _ID.match(stix_id) if isinstance(stix_id, str) else None
    if match is None or match["type"] != stix_type or not isinstance(stix_id, str):
        raise TAXIIError(422, "Invalid object", f"{where}: id is not '{stix_type}--<uuid>'.")
    version = date_added
    for name in ("created", "modified"):
        value = obj.get(name)
        if value is not None:
            try:
                version = parse_timestamp(
                    value if isinstance(value, str) else "", f"{where}.{name}"
                )
            except TAXIIError as error:
                raise TAXIIError(422, "Invalid object", error.description) from None
    spec_version = obj.get("spec_version")
    if spec_version is None:
        # STIX 2.0 objects have no spec_version; STIX 2.1 observables may omit it (and have no
        # created/modified): the rule medallion and the specification's examples follow.
        spec_version = "2.0" if "created" in obj or "modified" in obj else "2.1"
    if not isinstance(spec_version, str) or _SPEC_VERSION.match(spec_version) is None:
        raise TAXIIError(422, "Invalid object", f"{where}: spec_version is invalid.")
    return ObjectFacts(stix_id, stix_type, version, spec_version, marked_tlp(obj))


def marked_tlp(obj: Mapping[str, Any]) -> TLP | None:
    """The strictest TLP among an object's object and granular markings (TLP 1.0 and 2.0
    definitions), or None when none is a TLP marking. A marking definition is public: CLEAR."""
    if obj.get("type") == "marking-definition":
        return TLP.CLEAR
    refs: list[object] = []
    object_refs = obj.get("object_marking_refs")
    if isinstance(object_refs, list):
        refs.extend(object_refs)
    granular = obj.get("granular_markings")
    if isinstance(granular, list):
        refs.extend(g.get("marking_ref") for g in granular if isinstance(g, Mapping))
    return strictest(KNOWN_IDS[ref] for ref in refs if isinstance(ref, str) and ref in KNOWN_IDS)


_REFERENCE = re.compile(r"_refs?$")


def _references(obj: Mapping[str, Any]) -> Iterable[str]:
    for name, value in obj.items():
        if not _REFERENCE.search(name) or name == "object_marking_refs":
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield item


def assign_tlps(objects: Sequence[Mapping[str, Any]], default: TLP) -> list[TLP]:
    """The TLP under which each object of a batch is kept and shared.

    A marked object keeps its (strictest) marking. An unmarked object that marked objects of the
    batch refer to (the producer's identity through ``created_by_ref``, a sighted indicator…)
    takes the least restricted TLP among them, so it travels with them and no further; any
    other unmarked object takes ``default``."""
    marked = [marked_tlp(obj) for obj in objects]
    loosest: dict[str, TLP] = {}
    for obj, tlp in zip(objects, marked, strict=True):
        if tlp is None:
            continue
        for ref in _references(obj):
            current = loosest.get(ref)
            if current is None or tlp.rank < current.rank:
                loosest[ref] = tlp
    result: list[TLP] = []
    for obj, tlp in zip(objects, marked, strict=True):
        if tlp is None:
            tlp = loosest.get(str(obj.get("id")), default)
        result.append(tlp)
    return result


def may_receive(object_tlp: TLP, partner_max: TLP) -> bool:
    """TLP:RED never leaves; other levels go to partners cleared for them."""
    return object_tlp is not TLP.RED and object_tlp.rank <= partner_max.rank


def shareable(partner_max: TLP) -> list[TLP]:
    """The TLP levels a partner cleared up to ``partner_max`` may receive (never RED)."""
    return [tlp for tlp in TLP if may_receive(tlp, partner_max)]


def parse_envelope(document: Any, max_objects: int) -> list[Mapping[str, Any]]:
    """The objects of a POSTed envelope (``{"objects": [...]}``); 422 when it is not one."""
    if not isinstance(document, Mapping):
        raise TAXIIError(422, "Invalid envelope", "The body must be a TAXII envelope.")
    objects = document.get("objects", [])
    if not isinstance(objects, list):
        raise TAXIIError(422, "Invalid envelope", "objects must be a list.")
    if len(objects) > max_objects:
        raise TAXIIError(
            413, "Too many objects", f"An envelope may carry at most {max_objects} objects."
        )
    return objects


# --- resources ----------------------------------------------------------------------------------


def envelope(
    objects: Sequence[Mapping[str, Any]], more: bool, next_token: str | None = None
) -> dict[str, Any]:
    """An envelope (§3.7): ``more`` always, ``next`` when there is more, ``objects`` when any."""
    resource: dict[str, Any] = {"more": more}
    if more and next_token:
        resource["next"] = next_token
    if objects:
        resource["objects"] = list(objects)
    return resource


def manifest_record(facts: ObjectFacts, date_added: datetime) -> dict[str, str]:
    return {
        "id": facts.stix_id,
        "date_added": format_timestamp(date_added),
        "version": format_timestamp(facts.version),
        "media_type": facts.media_type,
    }


@dataclass(frozen=True)
class StatusDetail:
    stix_id: str
    version: str
    message: str = ""

    def to_dict(self) -> dict[str, str]:
        detail = {"id": self.stix_id, "version": self.version}
        if self.message:
            detail["message"] = self.message
        return detail


def status_resource(
    status_id: str,
    request_timestamp: datetime,
    successes: Sequence[StatusDetail],
    failures: Sequence[StatusDetail],
    pendings: Sequence[StatusDetail] = (),
) -> dict[str, Any]:
    """The status resource (§4.3.1) of an Add Objects request."""
    resource: dict[str, Any] = {
        "id": status_id,
        "status": "pending" if pendings else "complete",
        "request_timestamp": format_timestamp(request_timestamp),
        "total_count": len(successes) + len(failures) + len(pendings),
        "success_count": len(successes),
        "failure_count": len(failures),
        "pending_count": len(pendings),
    }
    for name, details in (("successes", successes), ("failures", failures), ("pendings", pendings)):
        if details:
            resource[name] = [detail.to_dict() for detail in details]
    return resource


# --- client side --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageFollowUp:
    """What a client asks for after a page: ``next`` when the server gave one, else
    ``added_after`` from ``X-TAXII-Date-Added-Last`` (§3.4); ``done`` when nothing is left."""

    done: bool
    next: str | None = None
    added_after: str | None = None


def follow_up(resource: Mapping[str, Any], date_added_last: str | None) -> PageFollowUp:
    if not resource.get("more"):
        return PageFollowUp(done=True)
    token = resource.get("next")
    if isinstance(token, str) and token:
        return PageFollowUp(done=False, next=token)
    if date_added_last:
        return PageFollowUp(done=False, added_after=date_added_last)
    raise TAXIIError(502, "Cannot page", "The server said more but gave neither next nor date.")


def later(first: str | None, second: str | None) -> str | None:
    """The later of two TAXII timestamps (text kept as the server wrote it)."""
    if not first or not second:
        return first or second
    return first if parse_timestamp(first) >= parse_timestamp(second) else second
