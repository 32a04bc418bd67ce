"""Interoperability: Hygie's TAXII client against ``medallion`` (the OASIS reference TAXII 2.1
server, from PyPI) with its memory backend, started on 127.0.0.1 on a free port for each test.

medallion pages by at most ``max_page_size`` objects (2 here) with its own ``next`` tokens, and
stamps every object of one POST with the same ``date_added``: the client must page with ``next``
and resume with ``X-TAXII-Date-Added-Last`` without losing or re-importing anything."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hygie.intel.engine.model import TLP
from tests.apps.intel.taxii_support import indicator, make_partner, reference_tool

reference_tool("medallion")

pytestmark = pytest.mark.django_db

USER, PASSWORD = "hygie", "medallion-test-secret"
COLLECTION = str(uuid.uuid4())
READ_ONLY = str(uuid.uuid4())


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _collection(identifier: str, title: str, *, write: bool) -> dict[str, Any]:
    return {
        "id": identifier,
        "title": title,
        "description": "Synthetic test collection",
        "can_read": True,
        "can_write": write,
        "media_types": ["application/stix+json;version=2.1"],
        "objects": [],
        "manifest": [],
    }


@pytest.fixture
def medallion(tmp_path: Path) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    data = {
        "/discovery": {
            "title": "medallion (test)",
            "description": "OASIS reference TAXII server",
            "default": f"{base}/api1/",
            "api_roots": [f"{base}/api1/"],
        },
        "api1": {
            "information": {
                "title": "api1",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 9765625,
            },
            "status": [],
            "collections": [
                _collection(COLLECTION, "Partner indicators", write=True),
                _collection(READ_ONLY, "Read only", write=False),
            ],
        },
    }
    (tmp_path / "data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(tmp_path / "data.json"),
        },
        "users": {USER: PASSWORD},
        "taxii": {"max_page_size": 2},
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    log = (tmp_path / "medallion.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "medallion.scripts.run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            str(tmp_path / "config.json"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(
                        "medallion did not start: "
                        + (tmp_path / "medallion.log").read_text()[-2000:]
                    )
                time.sleep(0.1)
        yield f"{base}/taxii2/"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def partner(establishment_a: Any, medallion: str, settings: Any) -> Any:
    # the outbound policy refuses loopback unless the operator allows it
    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    from hygie.intel.services import taxii_client  # noqa: F401  (registers the poller)

    found = make_partner(establishment_a, "Regional centre", max_tlp=TLP.AMBER)
    found.taxii_url = medallion
    found.taxii_collection_id = COLLECTION
    found.auth_username = USER
    found.set_secret(PASSWORD)
    found.save()
    return found


def _feed(partner: Any) -> Any:
    from hygie.intel.models import Feed

    return Feed.objects.create(
        establishment=partner.establishment,
        name="Regional centre TAXII",
        kind="taxii",
        partner=partner,
        url=partner.taxii_url,
        collection_id=COLLECTION,
        default_tlp="amber",
    )


def _indicators(partner: Any) -> set[str]:
    from hygie.intel.models import Indicator

    return set(
        Indicator.objects.filter(establishment=partner.establishment).values_list(
            "value", flat=True
        )
    )


def test_push_then_poll_pages_without_fetching_twice(partner: Any) -> None:
    from hygie.intel.services import feeds, taxii_client

    first = [indicator(TLP.GREEN, value=f"192.0.2.{n}") for n in range(1, 6)]
    pushed = taxii_client.push(partner, {"type": "bundle", "objects": first})
    assert pushed.sent == 5 and pushed.withheld == 0
    assert pushed.status["status"] == "complete" and pushed.status["success_count"] == 5

    feed = _feed(partner)
    counts = feeds.poll(feed)
    assert counts["objects"] == 5 and counts["pages"] == 3  # medallion pages by 2
    assert _indicators(partner) == {f"192.0.2.{n}" for n in range(1, 6)}
    feed.refresh_from_db()
    assert feed.last_added_after and feed.last_error == ""
    assert feed.last_success_at is not None

    # nothing new: nothing fetched again
    again = feeds.poll(feed)
    assert again["objects"] == 0

    second = [indicator(TLP.GREEN, value=f"198.51.100.{n}") for n in range(1, 4)]
    taxii_client.push(partner, second)
    counts = feeds.poll(feed)
    assert counts["objects"] == 3
    assert {f"198.51.100.{n}" for n in range(1, 4)} <= _indicators(partner)


def test_push_withholds_what_the_partner_may_not_receive(partner: Any) -> None:
    from hygie.intel.services import taxii_client

    objects = [
        indicator(TLP.CLEAR, value="203.0.113.1"),
        indicator(TLP.AMBER, value="203.0.113.2"),
        indicator(TLP.AMBER_STRICT, value="203.0.113.3"),
        indicator(TLP.RED, value="203.0.113.4"),
    ]
    result = taxii_client.push(partner, objects)
    assert (result.sent, result.withheld) == (2, 2)
    listed = taxii_client.list_collections(partner)
    assert {c["id"] for c in listed} == {COLLECTION, READ_ONLY}

    feed = _feed(partner)
    from hygie.intel.services import feeds

    feeds.poll(feed)
    assert _indicators(partner) == {"203.0.113.1", "203.0.113.2"}


def test_refusals_are_reported_without_the_secret(partner: Any) -> None:
    from hygie.intel.services import feeds, taxii_client

    with pytest.raises(taxii_client.TAXIIClientError, match="403"):
        taxii_client.push(partner, [indicator()], collection_id=READ_ONLY)
    partner.set_secret("wrong-secret")
    partner.save()
    feed = _feed(partner)
    with pytest.raises(feeds.FeedError, match="401"):
        feeds.poll(feed)
    feed.refresh_from_db()
    assert "401" in feed.last_error and "wrong-secret" not in feed.last_error


def test_loopback_is_refused_without_the_operator_allowing_it(partner: Any, settings: Any) -> None:
    from hygie.intel.services import feeds, taxii_client

    settings.HYGIE_FORWARDING_ALLOWED_NETWORKS = []
    with pytest.raises(feeds.FeedError, match="loopback"):
        taxii_client.push(partner, [indicator()])


def test_cli_push_and_poll(partner: Any, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from hygie.intel.cli import intel as intel_cli

    bundle = tmp_path / "bundle.json"
    objects = [indicator(TLP.GREEN, value="192.0.2.77"), indicator(TLP.RED, value="192.0.2.78")]
    bundle.write_text(
        json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects})
    )
    pushed = CliRunner().invoke(
        intel_cli, ["taxii", "push", str(bundle), "--partner", str(partner.pk)]
    )
    assert pushed.exit_code == 0, pushed.output
    assert "1 object(s) sent, 1 withheld by TLP" in pushed.output
    listed = CliRunner().invoke(intel_cli, ["taxii", "collections", "--partner", str(partner.pk)])
    assert listed.exit_code == 0 and COLLECTION in listed.output
    feed = _feed(partner)
    polled = CliRunner().invoke(intel_cli, ["taxii", "poll", str(feed.pk)])
    assert polled.exit_code == 0, polled.output
    assert "1 object(s) in 1 page(s): 1 new indicator(s)" in polled.output
    assert _indicators(partner) == {"192.0.2.77"}
