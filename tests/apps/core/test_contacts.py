"""Organisation contacts (DPO, RSSI, 24/7 phone, legal representative, address): stored once,
with establishment overrides, edited on the pages and the API (audited), reused by drafts."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from hygie.core.models import AuditEntry, Establishment, Organisation
from hygie.core.models.organisation import CONTACT_FIELDS
from hygie.core.testing import login_with_mfa
from tests.apps.core.api_support import APIClient, error_of, issue_token
from tests.apps.core.view_mixins import english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_an_establishment_inherits_blank_contacts_from_its_organisation(establishment_a):
    organisation = establishment_a.organisation
    organisation.dpo_name = "Dora Fictive"
    organisation.on_call_phone = "02 61 91 00 99"
    organisation.save()
    establishment_a.dpo_name = "Local DPO"
    establishment_a.save()
    contacts = Establishment.objects.get(pk=establishment_a.pk).contacts()
    assert set(contacts) == set(CONTACT_FIELDS)
    assert contacts["dpo_name"] == "Local DPO"  # its own value wins
    assert contacts["on_call_phone"] == "02 61 91 00 99"  # the organisation's default
    assert contacts["rssi_email"] == ""


def test_contacts_are_edited_on_the_establishment_page_and_audited(make_user, establishment_a):
    admin = make_user("ght-admin", "admin", [], all_establishments=True)
    client = login_with_mfa(Client(), admin)
    url = reverse("core:establishment_edit", args=[establishment_a.pk])
    page = client.get(url).content.decode()
    assert 'name="dpo_email"' in page and 'name="on_call_phone"' in page
    data = {
        "organisation": establishment_a.organisation_id,
        "name": establishment_a.name,
        "kind": establishment_a.kind,
        "country": "FR",
        "finess_ej": "",
        "finess_eg": establishment_a.finess_eg,
        "timezone": "Europe/Paris",
        "dpo_name": "Dora Fictive",
        "dpo_email": "not an address",
    }
    refused = client.post(url, data)
    assert refused.status_code == 422  # the form again, with the error
    assert "valid email address" in refused.content.decode()
    data["dpo_email"] = "dpo@hospital.invalid"
    client.post(url, data)
    establishment_a.refresh_from_db()
    assert (establishment_a.dpo_name, establishment_a.dpo_email) == (
        "Dora Fictive",
        "dpo@hospital.invalid",
    )
    entry = AuditEntry.objects.filter(
        object_type="core.establishment", object_id=str(establishment_a.pk), action="update"
    ).latest("sequence")
    assert "dpo_email" in entry.changes
    organisation = establishment_a.organisation
    organisation.on_call_phone = "02 61 91 00 99"
    organisation.save()
    detail = client.get(reverse("core:establishment_detail", args=[establishment_a.pk]))
    assert "dpo@hospital.invalid" in detail.content.decode()
    assert "02 61 91 00 99 (organisation&#x27;s)" in detail.content.decode()


def test_contacts_through_the_api(make_user, establishment_a):
    admin = make_user("ght-admin", "admin", [], all_establishments=True)
    api = APIClient(issue_token(admin))
    organisation = establishment_a.organisation
    path = f"/organisations/{organisation.pk}"
    response = api.patch(path, {"rssi_name": "Marc Fictif", "rssi_phone": "02 61 91 00 02"})
    assert response.status_code == 200, response.content
    assert response.json()["rssi_name"] == "Marc Fictif"
    assert Organisation.objects.get(pk=organisation.pk).rssi_phone == "02 61 91 00 02"
    assert AuditEntry.objects.filter(
        object_type="core.organisation", object_id=str(organisation.pk), action="update"
    ).exists()
    bad = api.patch(f"/establishments/{establishment_a.pk}", {"rssi_email": "nope"})
    assert bad.status_code == 422
    assert "rssi_email" in str(error_of(bad))
    shown = api.get(f"/establishments/{establishment_a.pk}").json()
    assert shown["rssi_email"] == "" and "on_call_phone" in shown


def test_a_scoped_user_cannot_change_contacts_of_another_establishment(user_a, establishment_b):
    api = APIClient(issue_token(user_a))
    response = api.patch(f"/establishments/{establishment_b.pk}", {"dpo_name": "Intruder"})
    assert response.status_code in (403, 404)
    assert Establishment.objects.get(pk=establishment_b.pk).dpo_name == ""
