"""Hygie's TAXII 2.1 server: who is asking, what they may read or write, and the collections'
objects (pages, filters, manifests, versions, statuses), plus ``publish`` for Hygie's own
exports and incident shares.

Who: a partner's credential (HTTP Basic; only a hash of the secret is kept). What: per collection,
the partner's ``TaxiiAccess`` row, else the collection's defaults; a collection the partner may
neither read nor write does not exist for it (404). TLP: every stored version carries the TLP of
its markings (``engine.taxii.assign_tlps``); a partner only ever receives levels up to its
``max_tlp``, and TLP:RED never leaves — the filter is in the one queryset every read goes
through (``readable_objects``).

Pages use a keyset cursor over (``date_added``, row id): objects added while a client pages
neither shift nor repeat a page. ``date_added`` is unique per collection (objects of one request
are a microsecond apart), so ``added_after`` with ``X-TAXII-Date-Added-Last`` resumes exactly too.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from hygie.core import audit
from hygie.intel.engine import taxii
from hygie.intel.engine.model import TLP
from hygie.intel.engine.taxii import TAXIIError
from hygie.intel.models import (
    Partner,
    PartnerCredential,
    TaxiiAccess,
    TaxiiCollection,
    TaxiiObject,
    TaxiiStatus,
)
from hygie.lib.documents import DocumentError, Limits, load_json

MAX_CONTENT_LENGTH = 10 * 1024 * 1024  # announced in the API root resource (max_content_length)
MAX_OBJECTS_PER_REQUEST = 10_000
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1_000
JSON_LIMITS = Limits(max_bytes=MAX_CONTENT_LENGTH, max_depth=64, max_nodes=2_000_000)
FAILED_LOGINS_ALLOWED = 10
FAILED_LOGIN_WINDOW = timedelta(minutes=15)
LAST_USED_PRECISION = timedelta(minutes=1)
DEFAULT_OBJECT_TLP = TLP.AMBER  # an unmarked object nothing marked refers to
SERVER_TITLE = "Hygie TAXII 2.1"

# Verified when the user name is unknown, so a wrong name costs as long as a wrong secret.
_DUMMY_HASH = make_password(uuid.uuid4().hex)


# --- who is asking ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requester:
    """A partner signed in with one of its credentials."""

    partner: Partner
    credential: PartnerCredential

    @property
    def max_tlp(self) -> TLP:
        return TLP(self.partner.max_tlp)


def _unauthorized(
    description: str = "Sign in with a partner credential (HTTP Basic).",
) -> TAXIIError:
    return TAXIIError(401, "Unauthorized", description)


def _throttle_key(username: str, client_address: str | None) -> str:
    pair = f"{username}\x00{client_address or ''}"
    return "intel.taxii.failed." + hashlib.sha256(pair.encode("utf-8")).hexdigest()[:32]


def authenticate(authorization: str | None, client_address: str | None = None) -> Requester:
    """The partner behind an ``Authorization: Basic …`` header; 401 otherwise. After
    ``FAILED_LOGINS_ALLOWED`` wrong secrets for a user name from one client address within the
    window, that name is refused from that address (even with the right secret) until the window
    ends. Keyed by user name AND address, as django-axes locks the sign-in page: someone guessing
    from elsewhere cannot lock a partner out of its own server."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise _unauthorized()
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _unauthorized() from None
    username, separator, secret = decoded.partition(":")
    if not separator or not username or len(username) > 150 or len(secret) > 1024:
        raise _unauthorized()
    key = _throttle_key(username, client_address)
    failures = int(cache.get(key, 0))
    if failures >= FAILED_LOGINS_ALLOWED:
        raise _unauthorized("Too many failed attempts: try again later.")
    credential = (
        PartnerCredential.objects.select_related("partner")
        .filter(username=username, is_active=True, partner__is_active=True)
        .first()
    )
    if credential is None:
        check_password(secret, _DUMMY_HASH)
        verified = False
    else:
        verified = credential.check_secret(secret)
    if not verified or credential is None:
        cache.set(key, failures + 1, int(FAILED_LOGIN_WINDOW.total_seconds()))
        raise _unauthorized()
    if failures:
        cache.delete(key)
    now = timezone.now()
    if credential.last_used_at is None or now - credential.last_used_at > LAST_USED_PRECISION:
        # A queryset update: the audit trail records credential changes, not every request.
        PartnerCredential.objects.filter(pk=credential.pk).update(last_used_at=now)
    return Requester(credential.partner, credential)


# --- collections and rights ---------------------------------------------------------------------


@dataclass(frozen=True)
class CollectionView:
    """A collection as one partner sees it."""

    collection: TaxiiCollection
    can_read: bool
    can_write: bool

    def resource(self) -> dict[str, Any]:
        item: dict[str, Any] = {
            "id": str(self.collection.collection_id),
            "title": self.collection.title,
            "can_read": self.can_read,
            "can_write": self.can_write,
            "media_types": list(self.collection.media_types or [taxii.STIX_MEDIA_TYPE]),
        }
        if self.collection.description:
            item["description"] = self.collection.description
        if self.collection.alias:
            item["alias"] = self.collection.alias
        return item


def _views(partner: Partner, collections: Iterable[TaxiiCollection]) -> list[CollectionView]:
    collections = list(collections)
    rights = {
        access.collection_id: access
        for access in TaxiiAccess.objects.filter(partner=partner, collection__in=collections)
    }
    views = []
    for collection in collections:
        access = rights.get(collection.pk)
        if access is not None:
            view = CollectionView(collection, access.can_read, access.can_write)
        else:
            view = CollectionView(
                collection, collection.can_read_default, collection.can_write_default
            )
        if view.can_read or view.can_write:
            views.append(view)
    return views


def _partner_collections(requester: Requester) -> QuerySet[TaxiiCollection]:
    return TaxiiCollection.objects.filter(establishment_id=requester.partner.establishment_id)


def api_roots(requester: Requester) -> list[str]:
    """The API roots holding at least one collection the partner may use."""
    views = _views(requester.partner, _partner_collections(requester))
    return sorted({view.collection.api_root for view in views})


def check_api_root(requester: Requester, api_root: str) -> None:
    if api_root not in api_roots(requester):
        raise TAXIIError(404, "API root not found", "No such API root.")


def api_root_resource(api_root: str) -> dict[str, Any]:
    return {
        "title": f"{SERVER_TITLE} — {api_root}",
        "description": "Threat intelligence shared by Hygie under TLP.",
        "versions": [taxii.TAXII_MEDIA_TYPE],
        "max_content_length": MAX_CONTENT_LENGTH,
    }


def collections(requester: Requester, api_root: str) -> list[CollectionView]:
    check_api_root(requester, api_root)
    return _views(requester.partner, _partner_collections(requester).filter(api_root=api_root))


def collection(requester: Requester, api_root: str, collection_id: str) -> CollectionView:
    """One collection the partner may read or write; 404 for anything else."""
    not_found = TAXIIError(404, "Collection not found", "No such collection.")
    try:
        key = uuid.UUID(collection_id)
    except ValueError:
        raise not_found from None
    found = _partner_collections(requester).filter(api_root=api_root, collection_id=key).first()
    views = _views(requester.partner, [found]) if found is not None else []
    if not views:
        raise not_found
    return views[0]


def require_read(view: CollectionView) -> None:
    if not view.can_read:
        raise TAXIIError(403, "Forbidden", "This credential may not read this collection.")


def require_write(view: CollectionView) -> None:
    if not view.can_write:
        raise TAXIIError(403, "Forbidden", "This credential may not write to this collection.")


# --- reading ------------------------------------------------------------------------------------


def readable_objects(view: CollectionView, max_tlp: TLP) -> QuerySet[TaxiiObject]:
    """Every stored version the requester may receive: its collection, TLP up to its clearance,
    never RED."""
    return TaxiiObject.objects.filter(
        collection=view.collection, tlp__in=[tlp.value for tlp in taxii.shareable(max_tlp)]
    )


def _filtered(base: QuerySet[TaxiiObject], query: taxii.Query) -> QuerySet[TaxiiObject]:
    """``match[...]`` and ``added_after``. ``first``/``last`` and the default latest
    spec_version are computed among what the requester may see, ignoring ``added_after``: a
    version added late but older than one already served is not served as the 'last'."""
    if query.spec_versions:
        base = base.filter(spec_version__in=query.spec_versions)
    else:
        newer_spec = base.filter(
            stix_id=OuterRef("stix_id"), spec_version__gt=OuterRef("spec_version")
        )
        base = base.filter(~Exists(newer_spec))
    selected = base
    if query.ids:
        selected = selected.filter(stix_id__in=query.ids)
    if query.types:
        selected = selected.filter(stix_type__in=query.types)
    if query.added_after is not None:
        selected = selected.filter(date_added__gt=query.added_after)
    versions = query.versions
    if not versions.all:
        chosen: list[Q] = []
        if versions.last:
            newer = base.filter(stix_id=OuterRef("stix_id"), version__gt=OuterRef("version"))
            chosen.append(~Q(Exists(newer)))
        if versions.first:
            older = base.filter(stix_id=OuterRef("stix_id"), version__lt=OuterRef("version"))
            chosen.append(~Q(Exists(older)))
        if versions.at:
            chosen.append(Q(version__in=[taxii.format_timestamp(t) for t in versions.at]))
        condition = Q(pk__in=[])
        for part in chosen:
            condition |= part
        selected = selected.filter(condition)
    return selected


@dataclass
class Page:
    records: list[TaxiiObject]
    more: bool
    next: str | None = None

    @property
    def headers(self) -> dict[str, str]:
        if not self.records:
            return {}
        return {
            "X-TAXII-Date-Added-First": taxii.format_timestamp(self.records[0].date_added),
            "X-TAXII-Date-Added-Last": taxii.format_timestamp(self.records[-1].date_added),
        }


def page(queryset: QuerySet[TaxiiObject], query: taxii.Query) -> Page:
    """One page in (date_added, id) order, resuming after the ``next`` cursor if given."""
    ordered = _filtered(queryset, query).order_by("date_added", "pk")
    if query.next:
        cursor = taxii.decode_cursor(query.next, query.fingerprint)
        ordered = ordered.filter(
            Q(date_added__gt=cursor.date_added) | Q(date_added=cursor.date_added, pk__gt=cursor.key)
        )
    records = list(ordered[: query.limit + 1])
    more = len(records) > query.limit
    records = records[: query.limit]
    token = None
    if more:
        last = records[-1]
        token = taxii.encode_cursor(taxii.Cursor(last.date_added, last.pk), query.fingerprint)
    return Page(records, more, token)


def objects_envelope(result: Page) -> dict[str, Any]:
    return taxii.envelope([record.object for record in result.records], result.more, result.next)


def manifest_resource(result: Page) -> dict[str, Any]:
    records = [
        {
            "id": record.stix_id,
            "date_added": taxii.format_timestamp(record.date_added),
            "version": record.version,
            "media_type": taxii.stix_media_type(record.spec_version),
        }
        for record in result.records
    ]
    return taxii.envelope(records, result.more, result.next)


def versions_resource(result: Page) -> dict[str, Any]:
    resource: dict[str, Any] = {"more": result.more}
    if result.more and result.next:
        resource["next"] = result.next
    if result.records:
        resource["versions"] = [record.version for record in result.records]
    return resource


def object_versions(view: CollectionView, max_tlp: TLP, object_id: str) -> QuerySet[TaxiiObject]:
    """The versions of one object the requester may see; 404 when there is none."""
    found = readable_objects(view, max_tlp).filter(stix_id=object_id)
    if not found.exists():
        raise TAXIIError(404, "Object not found", "No such object in this collection.")
    return found


def delete_object(view: CollectionView, max_tlp: TLP, object_id: str, query: taxii.Query) -> int:
    """Delete the matching versions (all of them unless ``match[version]`` narrows it)."""
    require_read(view)
    require_write(view)
    found = object_versions(view, max_tlp, object_id)
    doomed = list(_filtered(found, query).values_list("pk", flat=True))
    if not doomed:
        raise TAXIIError(404, "Object not found", "No version of this object matches.")
    deleted, _ = TaxiiObject.objects.filter(pk__in=doomed).delete()
    return deleted


def status(requester: Requester, api_root: str, status_id: str) -> dict[str, Any]:
    """A status resource of one of this partner's own requests; 404 for anyone else's."""
    check_api_root(requester, api_root)
    try:
        key = uuid.UUID(status_id)
    except ValueError:
        key = None
    found = (
        TaxiiStatus.objects.filter(
            status_id=key, partner=requester.partner, collection__api_root=api_root
        ).first()
        if key is not None
        else None
    )
    if found is None:
        raise TAXIIError(404, "Status not found", "No such status.")
    return status_of(found)


def status_of(found: TaxiiStatus) -> dict[str, Any]:
    def details(items: Sequence[Mapping[str, str]]) -> list[taxii.StatusDetail]:
        return [
            taxii.StatusDetail(
                str(i.get("id", "")), str(i.get("version", "")), str(i.get("message", ""))
            )
            for i in items
        ]

    return taxii.status_resource(
        str(found.status_id),
        found.request_timestamp or found.created_at,
        details(found.successes or []),
        details(found.failures or []),
        details(found.pendings or []),
    )


# --- writing ------------------------------------------------------------------------------------


@dataclass
class AddResult:
    """What one add request did: per-object successes and failures (TAXII status details)."""

    successes: list[taxii.StatusDetail] = field(default_factory=list)
    failures: list[taxii.StatusDetail] = field(default_factory=list)
    added: list[TaxiiObject] = field(default_factory=list)  # new versions only

    @property
    def unchanged(self) -> int:
        return len(self.successes) - len(self.added)


def read_envelope(body: bytes) -> list[Mapping[str, Any]]:
    """A POSTed envelope through the hardened JSON loader; 413 beyond the size limit."""
    if len(body) > MAX_CONTENT_LENGTH:
        raise TAXIIError(413, "Request too large", f"At most {MAX_CONTENT_LENGTH} bytes.")
    try:
        document = load_json(body, "envelope", JSON_LIMITS).data
    except DocumentError as error:
        raise TAXIIError(400, "Invalid JSON", error.message) from None
    return taxii.parse_envelope(document, MAX_OBJECTS_PER_REQUEST)


def _store(
    target: TaxiiCollection, objects: Sequence[Any], default_tlp: TLP, moment: datetime
) -> AddResult:
    """Store new versions. An id+version already there is a success that changes nothing; so
    is an object without timestamps (an observable) whose id is already there: it is immutable,
    its version being the ``date_added`` of its first arrival."""
    result = AddResult()
    checked: list[tuple[int, datetime, taxii.ObjectFacts]] = []
    for index, obj in enumerate(objects):
        date_added = moment + timedelta(microseconds=index)
        try:
            facts = taxii.object_facts(obj, date_added, f"objects[{index}]")
        except TAXIIError as error:
            result.failures.append(_failure(obj, index, error.description))
            continue
        checked.append((index, date_added, facts))
    tlps = taxii.assign_tlps([objects[index] for index, _, _ in checked], default_tlp)
    known = TaxiiObject.objects.filter(
        collection=target, stix_id__in={facts.stix_id for _, _, facts in checked}
    ).values_list("stix_id", "version")
    existing = set(known)
    present = {stix_id for stix_id, _ in existing}
    for (index, date_added, facts), tlp in zip(checked, tlps, strict=True):
        obj = objects[index]
        version = taxii.format_timestamp(facts.version)
        detail = taxii.StatusDetail(facts.stix_id, version)
        timestamped = "modified" in obj or "created" in obj
        if (facts.stix_id, version) in existing or (not timestamped and facts.stix_id in present):
            result.successes.append(detail)
            continue
        existing.add((facts.stix_id, version))
        present.add(facts.stix_id)
        try:
            with transaction.atomic():
                record = TaxiiObject.objects.create(
                    collection=target,
                    stix_id=facts.stix_id,
                    stix_type=facts.stix_type,
                    version=version,
                    spec_version=facts.spec_version,
                    date_added=date_added,
                    tlp=tlp.value,
                    object=dict(obj),
                )
        except IntegrityError:  # added by a concurrent request meanwhile: same outcome
            result.successes.append(detail)
            continue
        result.successes.append(detail)
        result.added.append(record)
    return result


def _failure(obj: Any, index: int, message: str) -> taxii.StatusDetail:
    """A failure detail naming the object by its id when it has a usable one (never a value)."""
    stix_id = obj.get("id") if isinstance(obj, Mapping) else None
    version = obj.get("modified", obj.get("created", "")) if isinstance(obj, Mapping) else ""
    return taxii.StatusDetail(
        stix_id[:100] if isinstance(stix_id, str) and stix_id else f"objects[{index}]",
        version[:40] if isinstance(version, str) else "",
        message,
    )


def add_objects(requester: Requester, view: CollectionView, objects: Sequence[Any]) -> TaxiiStatus:
    """Add Objects (§5.5): every valid object is stored, every invalid one is a failure in the
    status, which is complete when this returns."""
    require_write(view)
    moment = timezone.now()
    with transaction.atomic():
        result = _store(view.collection, objects, DEFAULT_OBJECT_TLP, moment)
        audit.record(
            "import",
            view.collection,
            message=f"TAXII objects added by partner {requester.partner.name}: "
            f"{len(result.added)} new version(s), {result.unchanged} unchanged, "
            f"{len(result.failures)} refused",
        )
        return TaxiiStatus.objects.create(
            collection=view.collection,
            partner=requester.partner,
            status="complete",
            request_timestamp=moment,
            total_count=len(result.successes) + len(result.failures),
            success_count=len(result.successes),
            failure_count=len(result.failures),
            pending_count=0,
            successes=[detail.to_dict() for detail in result.successes],
            failures=[detail.to_dict() for detail in result.failures],
        )


def publish(
    target: TaxiiCollection,
    stix_objects: Iterable[Mapping[str, Any]] | Mapping[str, Any],
    *,
    default_tlp: TLP = DEFAULT_OBJECT_TLP,
) -> AddResult:
    """Put Hygie's own STIX objects (a bundle or a list of objects) into a collection, where
    partners with read access fetch them under their TLP clearance. Used by the indicator
    export and by incident sharing. Idempotent: a version already there is left as is.
    Invalid objects are reported in ``failures``; nothing is written for them."""
    if isinstance(stix_objects, Mapping):
        objects = list(stix_objects.get("objects") or [])
    else:
        objects = list(stix_objects)
    with transaction.atomic():
        return _store(target, objects, default_tlp, timezone.now())
