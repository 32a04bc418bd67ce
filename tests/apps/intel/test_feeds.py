"""Feed polling over HTTP against a local server: a MISP feed is fetched event by event and an
event is fetched again only when the manifest says it changed; a STIX URL is imported again
only when it changed; loopback is refused unless the operator allows it; the partner's secret
goes as HTTP Basic. Synthetic feeds built by the engine's own MISP feed writer."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hygie.intel.engine import misp
from hygie.intel.engine.model import TLP, make_indicator
from hygie.intel.models import Feed, Indicator, Partner
from hygie.intel.services import feeds
from tests.apps.core.view_mixins import english  # noqa: F401  (shared fixture)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


class _Server:
    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802  (http.server's name)
                owner.requests.append((self.path, self.headers.get("Authorization", "")))
                body = owner.files.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def publish_feed(self, events: list[dict]) -> None:
        for name, content in misp.export_feed(events).items():
            self.files[f"/feed/{name}"] = content.encode()


@pytest.fixture
def server():
    running = _Server()
    yield running
    running.httpd.shutdown()


def _event(info: str, *values: tuple[str, str], stamp: int = 0) -> dict:
    from datetime import UTC, datetime

    indicators = [make_indicator(kind, value, tlp=TLP.GREEN) for kind, value in values]
    return misp.export_event(
        indicators, info=info, now=datetime(2026, 12, 1, 12, 0, stamp, tzinfo=UTC)
    )


def test_misp_feed_fetches_only_what_changed(server, establishment_a, settings):
    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    first = _event("campaign A", ("ipv4", "203.0.113.10"), ("domain", "a.example"))
    second = _event("campaign B", ("sha256", "c" * 64))
    server.publish_feed([first, second])
    partner = Partner(establishment=establishment_a, name="ISAC", auth_username="hygie")
    partner.set_secret("pw")
    partner.save()
    feed = Feed.objects.create(
        establishment=establishment_a,
        name="ISAC feed",
        kind="misp_feed",
        url=f"{server.url}/feed/",
        partner=partner,
    )
    result = feeds.poll(feed)
    assert result["events"] == 2 and Indicator.objects.count() == 3
    expected = "Basic " + base64.b64encode(b"hygie:pw").decode()
    assert all(auth == expected for _path, auth in server.requests)
    server.requests.clear()
    assert feeds.poll(feed)["events"] == 0
    assert [path for path, _auth in server.requests] == ["/feed/manifest.json"]
    # Event B changes: only it is fetched again.
    changed = _event("campaign B", ("sha256", "c" * 64), ("ipv4", "198.51.100.4"), stamp=30)
    changed["Event"]["uuid"] = second["Event"]["uuid"]
    server.publish_feed([first, changed])
    server.requests.clear()
    assert feeds.poll(feed)["events"] == 1
    assert [p for p, _a in server.requests] == [
        "/feed/manifest.json",
        f"/feed/{second['Event']['uuid']}.json",
    ]
    assert Indicator.objects.count() == 4
    feed.refresh_from_db()
    assert feed.last_error == "" and feed.last_success_at is not None


def test_stix_url_imported_again_only_when_changed(server, establishment_a, settings):
    from hygie.intel.engine import stix

    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    bundle = stix.export_bundle([make_indicator("ipv4", "192.0.2.50", tlp=TLP.AMBER)])
    server.files["/b.json"] = json.dumps(bundle).encode()
    feed = Feed.objects.create(
        establishment=establishment_a, name="s", kind="stix_url", url=f"{server.url}/b.json"
    )
    assert feeds.poll(feed)["created"] == 1
    assert feeds.poll(feed).get("unchanged") == 1
    assert Indicator.objects.get().tlp == "amber"


def test_loopback_is_refused_by_default(server, establishment_a):
    feed = Feed.objects.create(
        establishment=establishment_a, name="s", kind="stix_url", url=f"{server.url}/b.json"
    )
    with pytest.raises(feeds.FeedError):
        feeds.poll(feed)
    feed.refresh_from_db()
    assert "outbound policy" in feed.last_error and server.requests == []


def test_http_error_is_recorded_without_the_body(server, establishment_a, settings):
    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    feed = Feed.objects.create(
        establishment=establishment_a, name="s", kind="csv_url", url=f"{server.url}/missing.csv"
    )
    with pytest.raises(feeds.FeedError):
        feeds.poll(feed)
    feed.refresh_from_db()
    assert feed.last_error and "404" in feed.last_error and feed.last_success_at is None
