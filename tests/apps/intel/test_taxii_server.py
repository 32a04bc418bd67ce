"""Hygie's TAXII 2.1 server through Django's test client: credentials, rights, TLP, media types,
errors, pagination, filters, manifest, versions, add objects and status, delete, publish."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hygie.intel.engine.model import TLP
from hygie.intel.services import taxii_server
from tests.apps.intel.taxii_support import (
    MEDIA,
    basic,
    grant,
    indicator,
    make_collection,
    make_credential,
    make_partner,
    marking,
)

pytestmark = pytest.mark.django_db
ROOT = "/intel/taxii2/"


@pytest.fixture
def setup(establishment_a: Any) -> dict[str, Any]:
    partner = make_partner(establishment_a, max_tlp=TLP.AMBER)
    credential = make_credential(partner, "cert")
    shared = make_collection(establishment_a, "Shared", alias="shared")
    grant(partner, shared, read=True, write=True)
    objects = [
        marking(TLP.GREEN),
        indicator(TLP.CLEAR, value="192.0.2.10"),
        indicator(TLP.GREEN, value="192.0.2.11"),
        indicator(TLP.AMBER, value="192.0.2.12"),
        indicator(TLP.AMBER_STRICT, value="192.0.2.13"),
        indicator(TLP.RED, value="192.0.2.14"),
    ]
    result = taxii_server.publish(shared, objects)
    assert not result.failures and len(result.added) == 6
    return {"partner": partner, "credential": credential, "collection": shared, "objects": objects}


def get(client: Any, url: str, user: str = "cert", **params: Any) -> Any:
    return client.get(url, params, HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=basic(user))


def objects_url(collection: Any) -> str:
    return f"{ROOT}api1/collections/{collection.collection_id}/objects/"


def test_discovery_api_root_and_collections(client: Any, setup: dict[str, Any]) -> None:
    response = get(client, ROOT)
    assert response.status_code == 200
    assert response["Content-Type"] == MEDIA
    body = response.json()
    assert body["api_roots"] == ["http://testserver/intel/taxii2/api1/"]
    assert body["default"] == body["api_roots"][0]
    root = get(client, f"{ROOT}api1/").json()
    assert root["versions"] == [MEDIA] and root["max_content_length"] > 0
    listed = get(client, f"{ROOT}api1/collections/").json()["collections"]
    assert listed == [
        {
            "id": str(setup["collection"].collection_id),
            "title": "Shared",
            "alias": "shared",
            "can_read": True,
            "can_write": True,
            "media_types": ["application/stix+json;version=2.1"],
        }
    ]


def test_credentials_are_required_and_checked(client: Any, setup: dict[str, Any]) -> None:
    anonymous = client.get(ROOT, HTTP_ACCEPT=MEDIA)
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Basic")
    assert anonymous.json()["http_status"] == "401"
    wrong = client.get(ROOT, HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=basic("cert", "nope"))
    assert wrong.status_code == 401
    unknown = client.get(ROOT, HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=basic("ghost"))
    assert unknown.status_code == 401
    setup["partner"].is_active = False
    setup["partner"].save()
    assert get(client, ROOT).status_code == 401


def test_repeated_failures_lock_the_user_name(client: Any, setup: dict[str, Any]) -> None:
    from django.core.cache import cache

    cache.clear()
    for _ in range(taxii_server.FAILED_LOGINS_ALLOWED):
        client.get(ROOT, HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=basic("cert", "guess"))
    locked = get(client, ROOT)
    assert locked.status_code == 401
    assert "Too many" in locked.json()["description"]
    cache.clear()
    assert get(client, ROOT).status_code == 200


def test_someone_guessing_elsewhere_cannot_lock_the_partner_out(
    client: Any, setup: dict[str, Any]
) -> None:
    """The lock-out is keyed by user name AND client address (as django-axes for the UI)."""
    from django.core.cache import cache

    cache.clear()
    for _ in range(taxii_server.FAILED_LOGINS_ALLOWED + 5):
        client.get(
            ROOT,
            HTTP_ACCEPT=MEDIA,
            HTTP_AUTHORIZATION=basic("cert", "guess"),
            REMOTE_ADDR="198.51.100.66",
        )
    attacker = client.get(
        ROOT, HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=basic("cert"), REMOTE_ADDR="198.51.100.66"
    )
    assert attacker.status_code == 401 and "Too many" in attacker.json()["description"]
    partner = client.get(
        ROOT, HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=basic("cert"), REMOTE_ADDR="192.0.2.10"
    )
    assert partner.status_code == 200
    cache.clear()


def test_last_used_is_recorded(client: Any, setup: dict[str, Any]) -> None:
    get(client, ROOT)
    setup["credential"].refresh_from_db()
    assert setup["credential"].last_used_at is not None


def test_wrong_accept_is_406_and_unknown_method_405(client: Any, setup: dict[str, Any]) -> None:
    response = client.get(ROOT, HTTP_ACCEPT="application/json", HTTP_AUTHORIZATION=basic("cert"))
    assert response.status_code == 406
    assert response["Content-Type"] == MEDIA
    assert response.json()["title"] == "Unsupported media type"
    put = client.put(ROOT, HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=basic("cert"))
    assert put.status_code == 405 and put["Allow"] == "GET"


def test_tlp_red_never_leaves_and_max_tlp_is_respected(client: Any, setup: dict[str, Any]) -> None:
    url = objects_url(setup["collection"])
    served = get(client, url).json()["objects"]
    values = sorted(o["pattern"] for o in served if o["type"] == "indicator")
    assert values == [
        "[ipv4-addr:value = '192.0.2.10']",
        "[ipv4-addr:value = '192.0.2.11']",
        "[ipv4-addr:value = '192.0.2.12']",
    ]
    # even a partner cleared for everything never receives RED
    setup["partner"].max_tlp = TLP.RED.value
    setup["partner"].save()
    served = get(client, url).json()["objects"]
    assert "[ipv4-addr:value = '192.0.2.14']" not in {o.get("pattern") for o in served}
    assert "[ipv4-addr:value = '192.0.2.13']" in {o.get("pattern") for o in served}
    red_id = setup["objects"][5]["id"]
    assert get(client, f"{url}{red_id}/").status_code == 404
    assert get(client, f"{url}{red_id}/versions/").status_code == 404
    manifest = get(client, url.replace("objects/", "manifest/")).json()["objects"]
    assert red_id not in {m["id"] for m in manifest}


def test_pagination_with_next_and_headers(client: Any, setup: dict[str, Any]) -> None:
    url = objects_url(setup["collection"])
    seen: list[str] = []
    first = get(client, url, limit=2)
    body = first.json()
    assert body["more"] is True and len(body["objects"]) == 2
    assert first["X-TAXII-Date-Added-First"] <= first["X-TAXII-Date-Added-Last"]
    seen += [o["id"] for o in body["objects"]]
    while body.get("more"):
        body = get(client, url, limit=2, next=body["next"]).json()
        seen += [o["id"] for o in body["objects"]]
    assert len(seen) == len(set(seen)) == 4  # marking + CLEAR, GREEN, AMBER
    # a next issued for other filters is refused
    token = get(client, url, limit=1).json()["next"]
    refused = get(client, url, limit=1, next=token, **{"match[type]": "indicator"})
    assert refused.status_code == 400 and refused.json()["title"] == "Invalid next"


def test_added_after_resumes_from_the_last_date_added(client: Any, setup: dict[str, Any]) -> None:
    url = objects_url(setup["collection"])
    first = get(client, url, limit=2)
    rest = get(client, url, added_after=first["X-TAXII-Date-Added-Last"]).json()["objects"]
    ids = [o["id"] for o in first.json()["objects"]] + [o["id"] for o in rest]
    assert len(ids) == len(set(ids)) == 4
    assert get(client, url, added_after="yesterday").status_code == 400


def test_match_filters(client: Any, setup: dict[str, Any]) -> None:
    url = objects_url(setup["collection"])
    markings = get(client, url, **{"match[type]": "marking-definition"}).json()["objects"]
    assert [m["type"] for m in markings] == ["marking-definition"]
    wanted = setup["objects"][2]["id"]
    by_id = get(client, url, **{"match[id]": wanted}).json()["objects"]
    assert [o["id"] for o in by_id] == [wanted]
    none = get(client, url, **{"match[spec_version]": "2.0"}).json()
    assert none == {"more": False}


def test_versions_first_last_all_and_specific(client: Any, setup: dict[str, Any]) -> None:
    collection = setup["collection"]
    stix_id = "indicator--0f6b2f4c-6a1e-4e4f-9d3b-2b7d7b7b7b7b"
    for month in ("09", "10", "11"):
        taxii_server.publish(
            collection,
            [indicator(TLP.GREEN, stix_id=stix_id, modified=f"2026-{month}-01T00:00:00.000Z")],
        )
    url = objects_url(collection)
    one = f"{url}{stix_id}/"

    def months(**params: Any) -> list[str]:
        return [o["modified"][5:7] for o in get(client, one, **params).json()["objects"]]

    assert months() == ["11"]
    assert months(**{"match[version]": "first"}) == ["09"]
    assert sorted(months(**{"match[version]": "all"})) == ["09", "10", "11"]
    assert sorted(months(**{"match[version]": "first,last"})) == ["09", "11"]
    assert months(**{"match[version]": "2026-10-01T00:00:00Z"}) == ["10"]
    versions = get(client, f"{one}versions/").json()
    assert versions["versions"] == [
        "2026-09-01T00:00:00.000000Z",
        "2026-10-01T00:00:00.000000Z",
        "2026-11-01T00:00:00.000000Z",
    ]
    # the collection listing serves the latest version only by default
    listed = [o for o in get(client, url).json()["objects"] if o["id"] == stix_id]
    assert [o["modified"][5:7] for o in listed] == ["11"]
    manifest = get(client, url.replace("objects/", "manifest/"), **{"match[id]": stix_id}).json()
    assert manifest["objects"][0]["version"] == "2026-11-01T00:00:00.000000Z"
    assert manifest["objects"][0]["media_type"] == "application/stix+json;version=2.1"


def test_latest_visible_version_is_served(client: Any, setup: dict[str, Any]) -> None:
    """A newer RED version hides nothing: the partner gets the latest version it may see."""
    collection = setup["collection"]
    stix_id = "indicator--1f6b2f4c-6a1e-4e4f-9d3b-2b7d7b7b7b7b"
    taxii_server.publish(collection, [indicator(TLP.GREEN, stix_id=stix_id)])
    taxii_server.publish(
        collection, [indicator(TLP.RED, stix_id=stix_id, modified="2026-12-01T00:00:00.000Z")]
    )
    served = get(client, f"{objects_url(collection)}{stix_id}/").json()["objects"]
    assert [o["modified"] for o in served] == ["2026-11-01T00:00:00.000Z"]


def post(client: Any, url: str, body: Any, user: str = "cert", content_type: str = MEDIA) -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.generic(
        "POST",
        url,
        data,
        content_type=content_type,
        HTTP_ACCEPT=MEDIA,
        HTTP_AUTHORIZATION=basic(user),
    )


def test_add_objects_and_status(client: Any, setup: dict[str, Any]) -> None:
    url = objects_url(setup["collection"])
    good = indicator(TLP.GREEN, value="198.51.100.7")
    unmarked = indicator(None, value="198.51.100.8")
    response = post(client, url, {"objects": [good, {"type": "indicator", "id": "bad"}, unmarked]})
    assert response.status_code == 202
    status = response.json()
    assert status["status"] == "complete"
    assert (status["total_count"], status["success_count"], status["failure_count"]) == (3, 2, 1)
    assert status["failures"][0]["id"] == "objects[1]" or status["failures"][0]["id"] == "bad"
    again = get(client, f"{ROOT}api1/status/{status['id']}/").json()
    assert again == status
    # without the trailing slash too (taxii2-client's status URL)
    assert get(client, f"{ROOT}api1/status/{status['id']}").json()["id"] == status["id"]
    served = {o["id"] for o in get(client, url).json()["objects"]}
    assert good["id"] in served
    assert unmarked["id"] in served  # unmarked: AMBER by default, this partner is cleared for it
    from hygie.intel.models import TaxiiObject

    assert TaxiiObject.objects.get(stix_id=unmarked["id"]).tlp == "amber"
    # posting the same version again changes nothing and is not a failure
    repeated = post(client, url, {"objects": [good]}).json()
    assert repeated["success_count"] == 1 and repeated["failure_count"] == 0
    assert TaxiiObject.objects.filter(stix_id=good["id"]).count() == 1


def test_status_of_another_partner_is_not_found(
    client: Any, setup: dict[str, Any], establishment_a: Any
) -> None:
    status = post(client, objects_url(setup["collection"]), {"objects": [indicator()]}).json()
    other = make_partner(establishment_a, "ISAC")
    make_credential(other, "isac")
    grant(other, setup["collection"], read=True)
    assert get(client, f"{ROOT}api1/status/{status['id']}/", user="isac").status_code == 404


def test_post_refusals(client: Any, setup: dict[str, Any], establishment_a: Any) -> None:
    url = objects_url(setup["collection"])
    assert post(client, url, {"objects": []}, content_type="application/json").status_code == 415
    assert post(client, url, b"{not json").status_code == 400
    assert post(client, url, {"objects": "x"}).status_code == 422
    big = b'{"objects": [' + b" " * (taxii_server.MAX_CONTENT_LENGTH + 1) + b"]}"
    assert post(client, url, big).status_code == 413
    reader = make_partner(establishment_a, "Reader")
    make_credential(reader, "reader")
    grant(reader, setup["collection"], read=True, write=False)
    forbidden = post(client, url, {"objects": [indicator()]}, user="reader")
    assert forbidden.status_code == 403 and forbidden.json()["title"] == "Forbidden"


def test_rights_and_establishments(
    client: Any, setup: dict[str, Any], establishment_a: Any, establishment_b: Any
) -> None:
    collection = setup["collection"]
    stranger = make_partner(establishment_a, "Stranger")
    make_credential(stranger, "stranger")
    # no access row and no default: the collection does not exist for this partner
    assert get(client, objects_url(collection), user="stranger").status_code == 404
    assert get(client, ROOT, user="stranger").json()["api_roots"] == []
    collection.can_read_default = True
    collection.save()
    assert get(client, objects_url(collection), user="stranger").status_code == 200
    # a partner of another establishment never sees this establishment's collections
    elsewhere = make_partner(establishment_b, "Elsewhere")
    make_credential(elsewhere, "elsewhere")
    assert get(client, objects_url(collection), user="elsewhere").status_code == 404
    # write-only: listed, but reading is forbidden
    writer = make_partner(establishment_a, "Writer")
    make_credential(writer, "writer")
    grant(writer, collection, read=False, write=True)
    assert get(client, objects_url(collection), user="writer").status_code == 403
    assert get(client, f"{ROOT}api1/collections/not-a-uuid/", user="writer").status_code == 404
    assert get(client, f"{ROOT}nope/collections/", user="writer").status_code == 404


def test_delete_object(client: Any, setup: dict[str, Any]) -> None:
    url = objects_url(setup["collection"])
    target = setup["objects"][2]["id"]
    response = client.delete(f"{url}{target}/", HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=basic("cert"))
    assert response.status_code == 200
    assert get(client, f"{url}{target}/").status_code == 404
    red = setup["objects"][5]["id"]
    hidden = client.delete(f"{url}{red}/", HTTP_ACCEPT=MEDIA, HTTP_AUTHORIZATION=basic("cert"))
    assert hidden.status_code == 404


def test_publish_is_idempotent_and_reports_invalid_objects(setup: dict[str, Any]) -> None:
    again = taxii_server.publish(
        setup["collection"], {"type": "bundle", "objects": setup["objects"]}
    )
    assert again.added == [] and again.unchanged == 6
    bad = taxii_server.publish(setup["collection"], [{"type": "indicator"}])
    assert bad.added == [] and len(bad.failures) == 1


def test_unmarked_identity_travels_with_its_indicators(client: Any, setup: dict[str, Any]) -> None:
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": "identity--5b5f6f0e-3c1a-4d55-9e9a-0a0a0a0a0a0a",
        "created": "2026-11-01T00:00:00.000Z",
        "modified": "2026-11-01T00:00:00.000Z",
        "name": "CH Exemple",
        "identity_class": "organization",
    }
    shared = indicator(TLP.GREEN, value="203.0.113.5")
    shared["created_by_ref"] = identity["id"]
    taxii_server.publish(setup["collection"], [identity, shared])
    from hygie.intel.models import TaxiiObject

    assert TaxiiObject.objects.get(stix_id=identity["id"]).tlp == "green"
