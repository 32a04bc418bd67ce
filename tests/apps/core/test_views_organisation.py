"""Organisation, establishment and department pages, through the standard view mixins."""

import pytest
from django.test import Client
from django.urls import reverse

from hygie.core import audit
from hygie.core.models import AuditEntry, Department, Establishment, Organisation
from hygie.core.testing import login_with_mfa
from tests.apps.core.view_mixins import StandardViewTests, english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


class TestOrganisationPages(StandardViewTests):
    url_base = "core:organisation"
    writer_sees_all = True

    def model(self):
        return Organisation

    def make_object(self, establishment):
        if establishment.name == "CH Alpha":
            return establishment.organisation
        # Another group with its own establishment, invisible to establishment A's users.
        other = Organisation.objects.create(name="GHT Autre Région", kind="ght")
        Establishment.objects.create(organisation=other, name="CH Lointain")
        return other

    def make_deletable_object(self, establishment):
        if establishment.name == "CH Alpha":
            return Organisation.objects.create(name="Groupe Vide", kind="group")
        return self.make_object(establishment)

    def form_data(self, establishment):
        return {"name": "GHT Nouveau", "kind": "ght"}

    def edit_data(self, obj):
        return {"name": "GHT Renommé", "kind": "ght"}

    def expected_after_edit(self):
        return {"name": "GHT Renommé"}


def test_scoped_user_cannot_create_organisation(client_a):
    assert client_a.get(reverse("core:organisation_add")).status_code == 403


def test_protected_delete_gives_clear_error(make_user, establishment_a):
    user = make_user("ght-rssi", "rssi", [], all_establishments=True)
    client = login_with_mfa(Client(), user)
    organisation = establishment_a.organisation
    response = client.post(reverse("core:organisation_delete", args=[organisation.pk]), follow=True)
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert "still used by other records" in response.content.decode()


class TestEstablishmentPages(StandardViewTests):
    url_base = "core:establishment"
    writer_sees_all = True

    def model(self):
        return Establishment

    def make_object(self, establishment):
        return establishment

    def make_deletable_object(self, establishment):
        if establishment.name == "CH Alpha":
            return Establishment.objects.create(
                organisation=establishment.organisation, name="EHPAD Les Tilleuls", kind="ehpad"
            )
        return establishment

    def form_data(self, establishment):
        return {
            "organisation": establishment.organisation_id,
            "name": "CHU Gamma",
            "kind": "chu",
            "country": "FR",
            "finess_ej": "",
            "finess_eg": "",
            "timezone": "Europe/Paris",
        }

    def edit_data(self, obj):
        return {
            "organisation": obj.organisation_id,
            "name": obj.name,
            "kind": "chu",
            "country": "FR",
            "finess_ej": "",
            "finess_eg": obj.finess_eg,
            "timezone": "Europe/Paris",
        }

    def expected_after_edit(self):
        return {"kind": "chu"}


def test_finess_format_is_refused(client_a, establishment_a):
    response = client_a.post(
        reverse("core:establishment_edit", args=[establishment_a.pk]),
        {
            "organisation": establishment_a.organisation_id,
            "name": establishment_a.name,
            "kind": "ch",
            "country": "FR",
            "finess_ej": "12AB",
            "finess_eg": "",
            "timezone": "Europe/Paris",
        },
    )
    assert response.status_code == 422
    assert "Invalid FINESS number" in response.content.decode()
    establishment_a.refresh_from_db()
    assert establishment_a.finess_ej == ""


def test_finess_key_mismatch_is_saved_with_unverified_warning(client_a, establishment_a):
    response = client_a.post(
        reverse("core:establishment_edit", args=[establishment_a.pk]),
        {
            "organisation": establishment_a.organisation_id,
            "name": establishment_a.name,
            "kind": "ch",
            "country": "FR",
            "finess_ej": "010000025",
            "finess_eg": "010000024",
            "timezone": "Europe/Paris",
        },
        follow=True,
    )
    content = response.content.decode()
    establishment_a.refresh_from_db()
    assert establishment_a.finess_ej == "010000025"
    assert "UNVERIFIED" in content and "check key does not match" in content


def test_scoped_user_cannot_attach_an_establishment_to_an_invisible_organisation(
    client_a, establishment_a
):
    other = Organisation.objects.create(name="Groupe Caché", kind="group")
    response = client_a.post(
        reverse("core:establishment_edit", args=[establishment_a.pk]),
        {
            "organisation": other.pk,
            "name": establishment_a.name,
            "kind": "ch",
            "country": "FR",
            "finess_ej": "",
            "finess_eg": "",
            "timezone": "Europe/Paris",
        },
    )
    assert response.status_code == 422
    establishment_a.refresh_from_db()
    assert establishment_a.organisation_id != other.pk


class TestDepartmentPages(StandardViewTests):
    url_base = "core:department"

    def model(self):
        return Department

    def make_object(self, establishment):
        return Department.objects.create(
            establishment=establishment, name=f"Radiologie {establishment.name}"
        )

    def form_data(self, establishment):
        return {
            "establishment": establishment.pk,
            "name": "Urgences",
            "kind": "emergency",
            "code": "UF100",
        }

    def edit_data(self, obj):
        return {
            "establishment": obj.establishment_id,
            "name": obj.name,
            "kind": "radiology",
            "code": "UF200",
        }

    def expected_after_edit(self):
        return {"code": "UF200"}


def test_department_cannot_be_created_in_another_establishment(client_a, establishment_b):
    response = client_a.post(
        reverse("core:department_add"),
        {"establishment": establishment_b.pk, "name": "Intrusion", "kind": "other", "code": ""},
    )
    assert response.status_code == 422
    assert not Department.objects.filter(name="Intrusion").exists()
    assert "Clinique Beta" not in response.content.decode()


def test_add_form_offers_only_visible_establishments(client_a):
    content = client_a.get(reverse("core:department_add")).content.decode()
    assert "CH Alpha" in content
    assert "Clinique Beta" not in content


def test_deleting_an_establishment_keeps_its_audit_trail(make_user, establishment_a):
    user = make_user("ght-rssi", "rssi", [], all_establishments=True)
    client = login_with_mfa(Client(), user)
    Department.objects.create(establishment=establishment_a, name="Pharmacie")
    url = reverse("core:establishment_delete", args=[establishment_a.pk])
    assert "deleted with it" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Establishment.objects.filter(pk=establishment_a.pk).exists()
    assert AuditEntry.objects.filter(establishment_id=establishment_a.pk, action="delete").exists()
    assert audit.verify_chain().is_intact


def test_add_from_a_filtered_list_prefills_the_form(client_a, establishment_a):
    content = client_a.get(
        reverse("core:department_list"), {"establishment": establishment_a.pk}
    ).content.decode()
    add_url = f"{reverse('core:department_add')}?establishment={establishment_a.pk}"
    assert add_url in content
    form = client_a.get(add_url).content.decode()
    assert f'<option value="{establishment_a.pk}" selected>' in form
