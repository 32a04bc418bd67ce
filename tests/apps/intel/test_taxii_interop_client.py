"""Interoperability: the OASIS reference client (``taxii2-client``, from PyPI) against Hygie's
TAXII 2.1 server, served for real by pytest-django's live server on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest

from hygie.intel.engine.model import TLP
from hygie.intel.services import taxii_server
from tests.apps.intel.taxii_support import (
    SECRET,
    grant,
    indicator,
    make_collection,
    make_credential,
    make_partner,
    marking,
    reference_tool,
)

v21 = reference_tool("taxii2client.v21")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hygie_server(live_server: Any, establishment_a: Any) -> dict[str, Any]:
    partner = make_partner(establishment_a, "Health-ISAC", max_tlp=TLP.AMBER)
    make_credential(partner, "isac")
    collection = make_collection(establishment_a, "Indicators", alias="indicators")
    grant(partner, collection, read=True, write=True)
    published = [marking(TLP.GREEN)] + [
        indicator(TLP.GREEN, value=f"192.0.2.{n}") for n in range(1, 8)
    ]
    published.append(indicator(TLP.RED, value="192.0.2.99"))
    taxii_server.publish(collection, published)
    return {
        "url": f"{live_server.url}/intel/taxii2/",
        "collection": collection,
        "published": published,
    }


def test_oasis_client_reads_pages_and_writes(hygie_server: dict[str, Any]) -> None:
    server = v21.Server(hygie_server["url"], user="isac", password=SECRET)
    assert server.title == "Hygie TAXII 2.1"
    assert len(server.api_roots) == 1
    root = server.default
    assert root.versions == ["application/taxii+json;version=2.1"]
    assert root.max_content_length == taxii_server.MAX_CONTENT_LENGTH
    [collection] = root.collections
    assert collection.id == str(hygie_server["collection"].collection_id)
    assert collection.can_read and collection.can_write
    assert collection.alias == "indicators"

    # every page through the client's own pager (limit / next / more)
    pages = list(v21.as_pages(collection.get_objects, per_request=3))
    assert len(pages) == 3
    ids = [obj["id"] for page in pages for obj in page.get("objects", [])]
    expected = {obj["id"] for obj in hygie_server["published"][:-1]}
    assert len(ids) == len(set(ids)) and set(ids) == expected  # TLP:RED never left

    manifest = collection.get_manifest(type="indicator")
    assert {record["id"] for record in manifest["objects"]} == expected - {
        hygie_server["published"][0]["id"]
    }
    first = hygie_server["published"][1]
    one = collection.get_object(first["id"])
    assert one["objects"] == [first]
    versions = collection.object_versions(first["id"])
    assert versions["versions"] == ["2026-11-01T00:00:00.000000Z"]
    filtered = collection.get_objects(added_after=manifest["objects"][2]["date_added"])
    assert len(filtered["objects"]) == len(manifest["objects"]) - 3

    # add objects: the client posts, then follows the status URL it builds itself
    new = indicator(TLP.GREEN, value="198.51.100.20")
    status = collection.add_objects({"objects": [new]}, wait_for_completion=True, timeout=10)
    assert status.status == "complete"
    assert status.success_count == 1 and status.failure_count == 0
    assert root.get_status(status.id).success_count == 1
    assert collection.get_object(new["id"])["objects"] == [new]

    collection.delete_object(new["id"])
    with pytest.raises(Exception, match="404"):
        collection.get_object(new["id"])


def test_oasis_client_with_a_wrong_secret_is_refused(hygie_server: dict[str, Any]) -> None:
    server = v21.Server(hygie_server["url"], user="isac", password="wrong")
    with pytest.raises(Exception, match="401"):
        server.refresh()
