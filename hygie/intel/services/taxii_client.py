"""Hygie as a TAXII 2.1 client: poll a partner's collection (the ``taxii`` feed poller) and push
STIX objects to a partner's collection.

Polling keeps its state on the feed: ``last_added_after`` is the latest
``X-TAXII-Date-Added-Last`` the partner's server sent, and each poll asks only for what was
added after it, following ``next`` (or, when a server gives none, ``added_after``) page by page.
Within a poll the same query is paged with ``next``, so objects added at the same instant are
not lost at a page boundary. The objects go to the indicator store through the import service
(STIX 2.1, the feed's default TLP for unmarked objects, provenance = the feed and its partner).

Pushing honours TLP: objects the partner may not receive (above its ``max_tlp``, or RED) are
withheld, and an unmarked object travels only with marked objects referring to it
(``engine.taxii.assign_tlps``).

HTTP goes through the intel feeds' outbound policy (resolved addresses checked against the
destination policy, connection pinned to a checked address, no redirects, bounded size and
time). Errors never carry the partner's secret or the response body.
"""

from __future__ import annotations

import base64
import http.client
import json
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from django.utils.translation import gettext as _

from hygie.core import audit
from hygie.intel.engine import convert, stix, taxii
from hygie.intel.engine.errors import IntelError
from hygie.intel.engine.model import TLP
from hygie.intel.engine.taxii import TAXIIError
from hygie.intel.models import Feed, Partner
from hygie.intel.services import feeds
from hygie.intel.services.feeds import FeedError

PAGE_SIZE = 500
MAX_PAGES_PER_POLL = 200
MAX_RESPONSE = 50 * 1024 * 1024
STATUS_WAIT_SECONDS = 10.0


class TAXIIClientError(FeedError):
    """A TAXII exchange failed; the message is safe to store and show."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    resource: dict[str, Any]


def basic_auth(username: str, secret: str) -> dict[str, str]:
    if not username or not secret:
        return {}
    token = base64.b64encode(f"{username}:{secret}".encode()).decode("ascii")
    return {"Authorization": f"Basic {token}"}


class TAXIIConnection:
    """TAXII 2.1 requests to one partner's server, under the outbound policy."""

    def __init__(self, auth: Mapping[str, str], timeout: float = feeds.TIMEOUT) -> None:
        self.auth = dict(auth)
        self.timeout = timeout

    def request(
        self,
        method: str,
        url: str,
        params: Mapping[str, str | int] | None = None,
        body: bytes | None = None,
    ) -> Reply:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TAXIIClientError(_("TAXII servers are reached over http or https only."))
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = feeds.checked_addresses(parts.hostname, port)
        kind = feeds._PinnedTLS if parts.scheme == "https" else feeds._Pinned
        connection = kind(parts.hostname, port, addresses, self.timeout)
        target = parts.path or "/"
        query = parts.query
        if params:
            query = "&".join(q for q in (query, urlencode(dict(params))) if q)
        if query:
            target += f"?{query}"
        headers = {"Accept": taxii.TAXII_MEDIA_TYPE, "User-Agent": "Hygie", **self.auth}
        if body is not None:
            headers["Content-Type"] = taxii.TAXII_MEDIA_TYPE
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read(MAX_RESPONSE + 1)
            status = response.status
            received = {name.lower(): value for name, value in response.getheaders()}
        except (OSError, http.client.HTTPException):
            raise TAXIIClientError(_("The TAXII server could not be reached.")) from None
        finally:
            connection.close()
        if len(data) > MAX_RESPONSE:
            raise TAXIIClientError(_("The TAXII server's answer is too large."))
        if status >= 300:
            raise TAXIIClientError(
                _("The TAXII server answered HTTP %(status)s%(title)s.")
                % {"status": status, "title": _error_title(data)}
            )
        resource: dict[str, Any] = {}
        if data.strip():
            if not received.get("content-type", "").startswith("application/taxii+json"):
                raise TAXIIClientError(_("The TAXII server did not answer in TAXII 2.1 JSON."))
            try:
                loaded = stix.loads_json(data, "taxii")
            except IntelError:
                raise TAXIIClientError(_("The TAXII server's answer is not valid JSON.")) from None
            if not isinstance(loaded, dict):
                raise TAXIIClientError(_("The TAXII server's answer is not a TAXII resource."))
            resource = loaded
        return Reply(status, received, resource)


def _error_title(data: bytes) -> str:
    """A TAXII error message's title (short, printable), to say more than the status."""
    try:
        title = json.loads(data[:4096]).get("title", "")
    except (ValueError, AttributeError):
        return ""
    if not isinstance(title, str):
        return ""
    cleaned = "".join(c for c in title[:100] if c.isprintable())
    return f" ({cleaned})" if cleaned else ""


def api_root_url(connection: TAXIIConnection, url: str, api_root: str = "") -> str:
    """The API root to use: ``url`` itself when it is one, else the one a discovery resource
    names (``api_root`` when given: a URL or its last path segment; else the default, else the
    first)."""
    base = url if url.endswith("/") else f"{url}/"
    if api_root and api_root.startswith(("http://", "https://")):
        return api_root if api_root.endswith("/") else f"{api_root}/"
    if api_root:
        return urljoin(base, f"{api_root.strip('/')}/")
    resource = connection.request("GET", base).resource
    if "versions" in resource and "api_roots" not in resource:
        return base
    roots = [r for r in resource.get("api_roots") or [] if isinstance(r, str)]
    default = resource.get("default")
    chosen = default if isinstance(default, str) and default in roots else next(iter(roots), "")
    if not chosen:
        raise TAXIIClientError(_("The TAXII server names no API root."))
    resolved = urljoin(base, chosen)
    return resolved if resolved.endswith("/") else f"{resolved}/"


def collection_url(root: str, collection_id: str) -> str:
    try:
        key = uuid.UUID(collection_id.strip())
    except ValueError:
        raise TAXIIClientError(_("The TAXII collection id is not a UUID.")) from None
    return f"{root}collections/{key}/"


def partner_connection(partner: Partner | None) -> TAXIIConnection:
    if partner is None:
        return TAXIIConnection({})
    return TAXIIConnection(basic_auth(partner.auth_username, partner.get_secret()))


# --- polling (the feed poller) ------------------------------------------------------------------


def _import(feed: Feed, objects: list[Any], page: int) -> dict[str, Any]:
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
    name = f"{feed.name}/taxii-page-{page}.json"
    return feeds._import(feed, [convert.Input(name, json.dumps(bundle).encode())], "stix21")


def poll_feed(feed: Feed, now: datetime) -> dict[str, Any]:
    """Fetch what the partner's collection added since the last poll and import it. Sets
    ``feed.last_added_after`` (the caller, ``feeds.poll``, saves the row)."""
    if not feed.collection_id and feed.partner is not None:
        feed.collection_id = feed.partner.taxii_collection_id
    if not feed.collection_id:
        raise TAXIIClientError(_("The feed names no TAXII collection."))
    partner = feed.partner
    connection = partner_connection(partner)
    hint = partner.taxii_api_root if partner is not None else ""
    address = feed.url or (partner.taxii_url if partner is not None else "")
    url = collection_url(api_root_url(connection, address, hint), feed.collection_id)
    query: dict[str, str | int] = {"limit": PAGE_SIZE}
    if feed.last_added_after:
        query["added_after"] = feed.last_added_after
    params = dict(query)
    latest = feed.last_added_after or None
    totals: dict[str, Any] = {"pages": 0, "objects": 0, "read": 0, "created": 0, "updated": 0}
    finished = False
    for page in range(1, MAX_PAGES_PER_POLL + 1):
        reply = connection.request("GET", f"{url}objects/", params)
        objects = reply.resource.get("objects") or []
        if not isinstance(objects, list):
            raise TAXIIClientError(_("The TAXII server's envelope is not valid."))
        if objects:
            report = _import(feed, objects, page)
            for key in ("read", "created", "updated"):
                totals[key] += int(report.get(key, 0))
        totals["pages"] = page
        totals["objects"] += len(objects)
        last = reply.headers.get("x-taxii-date-added-last")
        try:
            if last:
                latest = taxii.later(latest, last)
            step = taxii.follow_up(reply.resource, last)
        except TAXIIError as error:
            raise TAXIIClientError(error.description) from None
        if step.done:
            finished = True
            break
        if step.next:
            params = {**query, "next": step.next}
        else:
            params = {**query, "added_after": str(step.added_after)}
    if not finished:
        totals["left"] = 1  # the next poll goes on from the saved state
    if latest:
        feed.last_added_after = latest[:40]
    return totals


feeds.register_poller("taxii", poll_feed)


# --- pushing ------------------------------------------------------------------------------------


@dataclass
class PushResult:
    sent: int = 0
    withheld: int = 0
    status: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "withheld": self.withheld, "status": self.status}


def receivable(
    objects: Sequence[Mapping[str, Any]], partner_max: TLP, default_tlp: TLP = TLP.AMBER
) -> tuple[list[Mapping[str, Any]], int]:
    """The objects a partner cleared up to ``partner_max`` may receive, and how many are not."""
    levels = taxii.assign_tlps(objects, default_tlp)
    kept = [
        obj for obj, tlp in zip(objects, levels, strict=True) if taxii.may_receive(tlp, partner_max)
    ]
    return kept, len(objects) - len(kept)


def push(
    partner: Partner,
    stix_objects: Iterable[Mapping[str, Any]] | Mapping[str, Any],
    *,
    collection_id: str = "",
    default_tlp: TLP = TLP.AMBER,
    wait: float = STATUS_WAIT_SECONDS,
) -> PushResult:
    """Add objects (a bundle or a list) to the partner's TAXII collection, under its TLP
    clearance; the returned status is the partner's (polled until complete, ``wait`` seconds
    at most). One audit entry says what went to whom."""
    if isinstance(stix_objects, Mapping):
        objects = list(stix_objects.get("objects") or [])
    else:
        objects = list(stix_objects)
    if not partner.is_active:
        raise TAXIIClientError(_("This partner is not active."))
    if not partner.taxii_url:
        raise TAXIIClientError(_("This partner has no TAXII server address."))
    target = collection_id or partner.taxii_collection_id
    if not target:
        raise TAXIIClientError(_("This partner has no TAXII collection id."))
    kept, withheld = receivable(objects, TLP(partner.max_tlp), default_tlp)
    result = PushResult(sent=len(kept), withheld=withheld)
    if not kept:
        return result
    connection = partner_connection(partner)
    root = api_root_url(connection, partner.taxii_url, partner.taxii_api_root)
    url = collection_url(root, target)
    body = json.dumps({"objects": kept}, ensure_ascii=False).encode("utf-8")
    status = connection.request("POST", f"{url}objects/", body=body).resource
    deadline = time.monotonic() + wait
    while status.get("status") == "pending" and status.get("id") and time.monotonic() < deadline:
        time.sleep(0.5)
        status = connection.request("GET", f"{root}status/{status['id']}/").resource
    result.status = status
    audit.record(
        "export",
        partner,
        message=f"TAXII push: {result.sent} object(s) sent to collection {target}, "
        f"{result.withheld} withheld by TLP; status {status.get('status', '?')}, "
        f"{status.get('success_count', '?')} accepted, {status.get('failure_count', '?')} refused",
    )
    return result


def list_collections(partner: Partner) -> list[dict[str, Any]]:
    """The collections the partner's server shows Hygie (to pick a feed's collection id)."""
    if not partner.taxii_url:
        raise TAXIIClientError(_("This partner has no TAXII server address."))
    connection = partner_connection(partner)
    root = api_root_url(connection, partner.taxii_url, partner.taxii_api_root)
    found = connection.request("GET", f"{root}collections/").resource.get("collections") or []
    return [item for item in found if isinstance(item, dict)]
