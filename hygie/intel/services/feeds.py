"""Feed polling: MISP feeds (manifest + the events that changed), STIX 2.1 bundles and CSV at a
URL, files dropped in the data folder's ``feeds/``. TAXII collections are polled by the TAXII
client, registered here as the ``taxii`` poller (``register_poller``).

State lives on the ``Feed`` row so nothing is fetched or imported twice: a MISP event is
downloaded again only when the manifest's timestamp for it changed; a bundle, CSV or file is
imported again only when its SHA-256 changed.

Downloads obey the outbound destination policy (``hygie.lib.destinations`` with the operator's
``forwarding_allowed_networks``): the host's addresses are resolved once, every one is checked,
and the connection goes to a checked address (no DNS rebinding); redirects are not followed;
sizes and time are bounded. Errors shown to users never carry the partner's secret.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import socket
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hygie.core.models import User
from hygie.intel.engine import convert, stix
from hygie.intel.engine.errors import IntelError
from hygie.intel.engine.model import TLP
from hygie.intel.models import Feed
from hygie.intel.models.choices import FeedKind
from hygie.intel.services import indicators
from hygie.lib.destinations import parse_networks, refusal
from hygie.lib.errors import HygieError

MAX_DOWNLOAD = 50 * 1024 * 1024
TIMEOUT = 30
MAX_EVENTS_PER_POLL = 500
Poller = Callable[[Feed, datetime], dict[str, Any]]
_POLLERS: dict[str, Poller] = {}


class FeedError(HygieError):
    """A poll failed; the message is safe to store and show (no secret, no response body)."""


def register_poller(kind: str, poller: Poller) -> None:
    """Let another service poll a kind of feed (the TAXII client registers ``taxii``)."""
    _POLLERS[kind] = poller


# --- outbound HTTP ------------------------------------------------------------------------


def _allowed() -> Any:
    return parse_networks(getattr(settings, "HYGIE_FORWARDING_ALLOWED_NETWORKS", []) or [])


def checked_addresses(host: str, port: int) -> list[tuple[int, tuple[Any, ...]]]:
    """The host's addresses, every one allowed by the destination policy (else FeedError)."""
    if not host or host.lower().rstrip(".") in {"localhost", "localhost.localdomain"}:
        raise FeedError(_("The feed host is refused by the outbound policy."))
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise FeedError(_("The feed host could not be resolved.")) from None
    allowed = _allowed()
    found: list[tuple[int, tuple[Any, ...]]] = []
    for family, _type, _proto, _name, address in infos:
        refused = refusal(str(address[0]), allowed)
        if refused is not None:
            raise FeedError(
                _("The feed host is refused by the outbound policy (%(kind)s).")
                % {"kind": refused.kind}
            )
        found.append((family, address))
    if not found:
        raise FeedError(_("The feed host could not be resolved."))
    return found


class _Pinned(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, addresses: list[Any], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._addresses = addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.timeout)


class _PinnedTLS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, addresses: list[Any], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = addresses

    def connect(self) -> None:
        raw = _connect(self._addresses, self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def _connect(addresses: list[Any], timeout: float | None) -> socket.socket:
    last: OSError | None = None
    for family, address in addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(address)
        except OSError as error:
            sock.close()
            last = error
            continue
        return sock
    raise last or OSError("no address")


def auth_headers(feed: Feed) -> dict[str, str]:
    """HTTP Basic when the partner has a user name, else its key as ``Authorization`` (MISP)."""
    partner = feed.partner
    if partner is None:
        return {}
    secret = partner.get_secret()
    if partner.auth_username and secret:
        token = base64.b64encode(f"{partner.auth_username}:{secret}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}
    if secret:
        return {"Authorization": secret}
    return {}


def fetch(url: str, headers: dict[str, str] | None = None) -> bytes:
    """GET ``url`` (http or https) under the destination policy; the body, bounded."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FeedError(_("Feeds are fetched over http or https only."))
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = checked_addresses(parts.hostname, port)
    kind = _PinnedTLS if parts.scheme == "https" else _Pinned
    connection = kind(parts.hostname, port, addresses, TIMEOUT)
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    try:
        connection.request(
            "GET",
            target,
            headers={"User-Agent": "Hygie", "Accept": "*/*", **(headers or {})},
        )
        response = connection.getresponse()
        if response.status != 200:
            raise FeedError(_("The feed answered HTTP %(status)s.") % {"status": response.status})
        body = response.read(MAX_DOWNLOAD + 1)
    except (OSError, http.client.HTTPException):
        raise FeedError(_("The feed could not be reached.")) from None
    finally:
        connection.close()
    if len(body) > MAX_DOWNLOAD:
        raise FeedError(_("The feed is too large."))
    return body


# --- file feeds ---------------------------------------------------------------------------


def feeds_folder() -> Path:
    return Path(settings.HYGIE_HOME) / "feeds"


def file_path(feed: Feed) -> Path:
    """A file feed's path: inside the data folder's ``feeds/``, never elsewhere."""
    folder = feeds_folder().resolve()
    path = (folder / feed.url).resolve()
    if folder != path and folder not in path.parents:
        raise FeedError(_("A file feed must be inside the data folder's feeds/ folder."))
    return path


def _read_file(feed: Feed) -> tuple[list[convert.Input], str]:
    path = file_path(feed)
    try:
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.is_file() and p.name != "hashes.csv")
        else:
            files = [path]
        inputs = []
        total = 0
        for file in files:
            total += file.stat().st_size
            if total > MAX_DOWNLOAD:
                raise FeedError(_("The feed is too large."))
            inputs.append(convert.Input(f"{feed.name}/{file.name}", file.read_bytes()))
    except OSError:
        raise FeedError(_("The feed file cannot be read.")) from None
    digest = hashlib.sha256()
    for item in inputs:
        digest.update(item.name.encode() + b"\0" + item.data)
    return inputs, digest.hexdigest()


# --- polling ------------------------------------------------------------------------------


def is_due(feed: Feed, now: datetime) -> bool:
    if not feed.is_active:
        return False
    if feed.last_polled_at is None:
        return True
    return feed.last_polled_at + timedelta(minutes=max(feed.poll_interval_minutes, 1)) <= now


def _import(feed: Feed, inputs: list[convert.Input], from_: str = "auto") -> dict[str, Any]:
    try:
        report = indicators.import_data(
            feed.establishment,
            inputs,
            from_=from_,
            default_tlp=TLP(feed.default_tlp),
            feed=feed,
            default_confidence=feed.default_confidence,
        )
    except ValidationError as error:
        raise FeedError(" ".join(error.messages)) from None
    return report.as_dict()


def _poll_document(feed: Feed, from_: str) -> dict[str, Any]:
    if feed.kind == FeedKind.FILE:
        inputs, digest = _read_file(feed)
    else:
        data = fetch(feed.url, auth_headers(feed))
        name = urlsplit(feed.url).path.rsplit("/", 1)[-1] or feed.name
        inputs, digest = [convert.Input(name, data)], hashlib.sha256(data).hexdigest()
    if feed.state.get("sha256") == digest:
        return {"read": 0, "created": 0, "updated": 0, "unchanged": 1}
    result = _import(feed, inputs, from_)
    feed.state = {**feed.state, "sha256": digest}
    return result


def _poll_misp_feed(feed: Feed) -> dict[str, Any]:
    base = feed.url if feed.url.endswith("/") else f"{feed.url}/"
    headers = auth_headers(feed)
    raw = fetch(urljoin(base, "manifest.json"), headers)
    try:
        manifest = stix.loads_json(raw, "manifest.json")
    except IntelError as error:
        raise FeedError(str(error)) from None
    if not isinstance(manifest, dict):
        raise FeedError(_("The MISP feed's manifest is not a mapping of events."))
    seen: dict[str, str] = dict(feed.state.get("events", {}))
    changed = [
        str(uuid)
        for uuid, summary in manifest.items()
        if isinstance(summary, dict) and seen.get(str(uuid)) != str(summary.get("timestamp", ""))
    ]
    totals: dict[str, Any] = {"read": 0, "created": 0, "updated": 0, "events": 0}
    for uuid in sorted(changed)[:MAX_EVENTS_PER_POLL]:
        if not all(c.isalnum() or c == "-" for c in uuid):
            raise FeedError(_("The MISP feed's manifest names an invalid event."))
        data = fetch(urljoin(base, f"{uuid}.json"), headers)
        result = _import(feed, [convert.Input(f"{feed.name}/{uuid}.json", data)], "misp")
        for key in ("read", "created", "updated"):
            totals[key] += result[key]
        totals["events"] += 1
        seen[uuid] = str(manifest[uuid].get("timestamp", ""))
    feed.state = {**feed.state, "events": seen}
    totals["left"] = max(len(changed) - MAX_EVENTS_PER_POLL, 0)
    return totals


def poll(feed: Feed, now: datetime | None = None) -> dict[str, Any]:
    """Poll one feed now; its state, counts and error (or success) are saved on the row."""
    moment = now or timezone.now()
    try:
        if feed.kind in _POLLERS:
            result = _POLLERS[feed.kind](feed, moment)
        elif feed.kind == FeedKind.MISP_FEED:
            result = _poll_misp_feed(feed)
        elif feed.kind == FeedKind.STIX_URL:
            result = _poll_document(feed, "stix21")
        elif feed.kind == FeedKind.CSV_URL:
            result = _poll_document(feed, "csv")
        elif feed.kind == FeedKind.FILE:
            result = _poll_document(feed, "auto")
        else:
            raise FeedError(_("No poller is available for this kind of feed."))
    except FeedError as error:
        feed.last_polled_at = moment
        feed.last_error = str(error)[:2000]
        _save_poll_state(feed, "last_polled_at", "last_error", "state")
        raise
    feed.last_polled_at = feed.last_success_at = moment
    feed.last_error = ""
    feed.last_counts = result
    _save_poll_state(
        feed,
        "last_polled_at",
        "last_success_at",
        "last_error",
        "last_counts",
        "state",
        "last_added_after",
    )
    return result


def _save_poll_state(feed: Feed, *names: str) -> None:
    """The poll's bookkeeping, written without the audit signal: a feed polled every few
    minutes is not a change anyone made (the import itself is audited)."""
    Feed.objects.filter(pk=feed.pk).update(**{name: getattr(feed, name) for name in names})


def poll_due(
    now: datetime | None = None, progress: Callable[[int, int], None] | None = None
) -> dict[str, int]:
    """Poll every active feed whose interval has elapsed (the periodic job)."""
    moment = now or timezone.now()
    due = [
        feed
        for feed in Feed.objects.select_related("partner", "establishment")
        if is_due(feed, moment)
    ]
    polled = failed = 0
    for index, feed in enumerate(due, start=1):
        try:
            poll(feed, moment)
        except FeedError:
            failed += 1
        else:
            polled += 1
        if progress is not None:
            progress(index, len(due))
    return {"polled": polled, "failed": failed}


def reset_state(feed: Feed, user: User | None) -> Feed:
    """Forget what was fetched: the next poll imports everything again."""
    from hygie.core.services import crud

    with transaction.atomic():
        return crud.save_instance(feed, user, state={}, last_added_after="")
