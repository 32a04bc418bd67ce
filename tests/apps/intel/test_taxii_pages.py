"""TAXII pages: collections (list, add, detail, rights, publish, delete) and credentials (secret
shown once, then usable on the TAXII server; revoked), capabilities and establishments."""

from __future__ import annotations

import re
from typing import Any

import pytest

from hygie.intel.engine.convert import Input
from hygie.intel.models import PartnerCredential, TaxiiAccess, TaxiiCollection, TaxiiObject
from tests.apps.intel.taxii_support import MEDIA, basic, make_collection, make_partner

pytestmark = pytest.mark.django_db


def test_collection_add_list_and_detail(client_a: Any, establishment_a: Any) -> None:
    response = client_a.post(
        "/intel/taxii/collections/add/",
        {
            "establishment": establishment_a.pk,
            "title": "Ransomware indicators",
            "api_root": "api1",
            "alias": "ransomware",
        },
    )
    assert response.status_code == 302
    collection = TaxiiCollection.objects.get(title="Ransomware indicators")
    listing = client_a.get("/intel/taxii/collections/")
    assert "Ransomware indicators" in listing.content.decode()
    detail = client_a.get(f"/intel/taxii/collections/{collection.pk}/").content.decode()
    assert f"/intel/taxii2/api1/collections/{collection.collection_id}/" in detail
    assert "TLP:RED" in detail


def test_rights_and_publish(client_a: Any, establishment_a: Any, user_a: Any) -> None:
    from hygie.intel.services import indicators

    indicators.import_data(
        establishment_a,
        [Input("seen.txt", b"192.0.2.5\nmalware.example.org\n")],
        from_="text",
        user=user_a,
    )
    collection = make_collection(establishment_a)
    partner = make_partner(establishment_a)
    url = f"/intel/taxii/collections/{collection.pk}/"
    client_a.post(f"{url}access/", {"partner": partner.pk, "can_read": "on"})
    access = TaxiiAccess.objects.get(collection=collection, partner=partner)
    assert access.can_read and not access.can_write
    client_a.post(f"{url}access/", {"partner": partner.pk})
    assert not TaxiiAccess.objects.filter(collection=collection).exists()
    response = client_a.post(f"{url}publish/")
    assert response.status_code == 302
    published = TaxiiObject.objects.filter(collection=collection, stix_type="indicator")
    assert published.count() == 2
    assert set(published.values_list("tlp", flat=True)) == {"amber"}


def test_credential_is_shown_once_and_works(
    client_a: Any, client: Any, establishment_a: Any
) -> None:
    partner = make_partner(establishment_a)
    collection = make_collection(establishment_a, can_read_default=True)
    assert client_a.get("/intel/taxii/credentials/add/").status_code == 200
    response = client_a.post("/intel/taxii/credentials/add/", {"partner": partner.pk})
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    page = response.content.decode()
    secret = re.search(r"<code data-secret>([^<]+)</code>", page).group(1)
    credential = PartnerCredential.objects.get(partner=partner)
    assert credential.username in page
    assert secret not in credential.secret_hash and credential.check_secret(secret)
    listing = client_a.get("/intel/taxii/credentials/").content.decode()
    assert credential.username in listing and secret not in listing
    client.logout()
    answer = client.get(
        f"/intel/taxii2/api1/collections/{collection.collection_id}/",
        HTTP_ACCEPT=MEDIA,
        HTTP_AUTHORIZATION=basic(credential.username, secret),
    )
    assert answer.status_code == 200


def test_revoke_credential(client_a: Any, establishment_a: Any) -> None:
    partner = make_partner(establishment_a)
    from hygie.intel.services import taxii_admin

    made = taxii_admin.generate_credential(partner, None)
    response = client_a.post(f"/intel/taxii/credentials/{made.credential.pk}/delete/")
    assert response.status_code == 302
    assert not PartnerCredential.objects.filter(pk=made.credential.pk).exists()


def test_capabilities_and_establishments(
    client: Any, login: Any, make_user: Any, establishment_a: Any, establishment_b: Any
) -> None:
    auditor = make_user("audrey", "auditor", [establishment_a])
    login(auditor)
    collection = make_collection(establishment_a)
    assert client.get("/intel/taxii/collections/").status_code == 200
    assert client.get(f"/intel/taxii/collections/{collection.pk}/").status_code == 200
    assert client.get("/intel/taxii/credentials/").status_code == 403
    assert client.post(f"/intel/taxii/collections/{collection.pk}/publish/").status_code == 403
    other = make_collection(establishment_b, "Beta's")
    assert client.get(f"/intel/taxii/collections/{other.pk}/").status_code == 404


def test_rights_across_establishments_are_refused(
    client_a: Any, establishment_a: Any, establishment_b: Any, make_user: Any
) -> None:
    from django.core.exceptions import ValidationError

    from hygie.intel.services import taxii_admin

    collection = make_collection(establishment_a)
    stranger = make_partner(establishment_b, "Elsewhere")
    with pytest.raises(ValidationError):
        taxii_admin.set_access(collection, stranger, can_read=True, can_write=False, user=None)
