"""The TAXII administration API: collections CRUD, summary, rights, publish, credentials (the
secret once), and the partner side refused cleanly when the partner cannot be reached."""

from __future__ import annotations

from typing import Any

import pytest

from hygie.intel.models import PartnerCredential, TaxiiCollection
from tests.apps.core.api_support import APIClient, issue_token
from tests.apps.intel.taxii_support import MEDIA, basic, make_collection, make_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user_a: Any) -> APIClient:
    return APIClient(issue_token(user_a, "write"))


def test_collection_crud_summary_rights_and_publish(api: APIClient, establishment_a: Any) -> None:
    created = api.post(
        "/intel/taxii-collections",
        {"establishment_id": establishment_a.pk, "title": "Shared with the CERT", "alias": "cert"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["api_root"] == "api1" and len(body["collection_id"]) == 36
    pk = body["id"]
    assert api.get("/intel/taxii-collections", {"q": "cert"}).json()["count"] == 1
    summary = api.get(f"/intel/taxii-collections/{pk}/summary").json()
    assert summary["objects"] == 0 and set(summary["by_tlp"]) == {
        "clear",
        "green",
        "amber",
        "amber+strict",
        "red",
    }
    partner = make_partner(establishment_a)
    rights = api.put(f"/intel/taxii-collections/{pk}/access/{partner.pk}", {"can_write": True})
    assert rights.status_code == 200
    assert rights.json() == [
        {"partner_id": partner.pk, "partner": partner.name, "can_read": True, "can_write": True}
    ]
    published = api.post(f"/intel/taxii-collections/{pk}/publish").json()
    assert published["indicators"] == 0 and published["failures"] == 0
    bad = api.post(
        "/intel/taxii-collections",
        {"establishment_id": establishment_a.pk, "title": "x", "api_root": "a/b"},
    )
    assert bad.status_code == 422
    assert api.delete(f"/intel/taxii-collections/{pk}").status_code == 204
    assert not TaxiiCollection.objects.filter(pk=pk).exists()


def test_credentials_secret_once(api: APIClient, client: Any, establishment_a: Any) -> None:
    partner = make_partner(establishment_a)
    collection = make_collection(establishment_a, can_read_default=True)
    made = api.post(f"/intel/partners/{partner.pk}/taxii-credentials")
    assert made.status_code == 201
    body = made.json()
    secret = body["secret"]
    listed = api.get("/intel/taxii-credentials", {"partner": partner.pk}).json()
    assert [c["username"] for c in listed] == [body["username"]]
    assert "secret" not in listed[0]
    answer = client.get(
        f"/intel/taxii2/api1/collections/{collection.collection_id}/",
        HTTP_ACCEPT=MEDIA,
        HTTP_AUTHORIZATION=basic(body["username"], secret),
    )
    assert answer.status_code == 200
    assert api.delete(f"/intel/taxii-credentials/{body['id']}").status_code == 204
    assert not PartnerCredential.objects.exists()


def test_partner_side_unreachable_is_422(api: APIClient, establishment_a: Any) -> None:
    partner = make_partner(establishment_a)
    partner.taxii_url = "http://127.0.0.1:9/taxii2/"  # loopback: refused by the outbound policy
    partner.taxii_collection_id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
    partner.save()
    listed = api.get(f"/intel/partners/{partner.pk}/taxii-collections")
    assert listed.status_code == 422
    assert listed.json()["error"]["code"] == "partner_unavailable"
    pushed = api.post(
        f"/intel/partners/{partner.pk}/taxii-push",
        {"objects": [{"type": "identity", "id": "identity--3f2504e0-4f89-41d3-9a0c-0305e82c3301"}]},
    )
    assert pushed.status_code == 422


def test_auditor_may_read_but_not_manage(make_user: Any, establishment_a: Any) -> None:
    auditor = make_user("audrey", "auditor", [establishment_a])
    api = APIClient(issue_token(auditor, "write"))
    collection = make_collection(establishment_a)
    assert api.get(f"/intel/taxii-collections/{collection.pk}/summary").status_code == 200
    assert api.get("/intel/taxii-credentials").status_code == 403
    assert api.post(f"/intel/taxii-collections/{collection.pk}/publish").status_code == 403
