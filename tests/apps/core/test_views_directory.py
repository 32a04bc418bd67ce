"""People and asset pages, through the standard view mixins."""

import pytest
from django.urls import reverse

from hygie.core.models import Asset, AuditEntry, Department, Person
from tests.apps.core.view_mixins import StandardViewTests, english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


class TestPersonPages(StandardViewTests):
    url_base = "core:person"
    denied_role = "staff"

    def model(self):
        return Person

    def make_object(self, establishment):
        suffix = establishment.name.split()[-1]
        return Person.objects.create(
            establishment=establishment,
            first_name="Claire",
            last_name=f"Martin-{suffix}",
            email=f"claire.{suffix.lower()}@example.org",
        )

    def form_data(self, establishment):
        return {
            "establishment": establishment.pk,
            "first_name": "Hugo",
            "last_name": "Bernard",
            "email": "hugo.bernard@example.org",
            "profession": "Infirmier",
            "rpps": "",
            "adeli": "",
            "employment_start": "2024-01-02",
            "employment_end": "",
        }

    def edit_data(self, obj):
        return {
            "establishment": obj.establishment_id,
            "first_name": obj.first_name,
            "last_name": obj.last_name,
            "email": obj.email,
            "profession": "Cadre de santé",
            "rpps": "",
            "adeli": "",
            "employment_start": "",
            "employment_end": "",
        }

    def expected_after_edit(self):
        return {"profession": "Cadre de santé"}


def test_person_detail_view_is_audited(client_a, establishment_a):
    person = Person.objects.create(
        establishment=establishment_a,
        first_name="Inès",
        last_name="Roux",
        email="ines.roux@example.org",
    )
    client_a.get(reverse("core:person_detail", args=[person.pk]))
    assert AuditEntry.objects.filter(action="view", object_id=str(person.pk)).exists()


def _person_form(establishment, **overrides):
    data = {
        "establishment": establishment.pk,
        "first_name": "Paul",
        "last_name": "Durand",
        "email": "paul.durand@example.org",
        "profession": "Médecin",
        "rpps": "",
        "adeli": "",
        "employment_start": "",
        "employment_end": "",
    }
    data.update(overrides)
    return data


def test_malformed_rpps_is_refused(client_a, establishment_a):
    response = client_a.post(reverse("core:person_add"), _person_form(establishment_a, rpps="1234"))
    assert response.status_code == 422
    assert "Invalid RPPS number" in response.content.decode()
    assert not Person.objects.exists()


def test_rpps_key_mismatch_is_saved_with_unverified_warning(client_a, establishment_a):
    # 10000000001 is well formed but fails the Luhn key.
    response = client_a.post(
        reverse("core:person_add"), _person_form(establishment_a, rpps="10000000001"), follow=True
    )
    content = response.content.decode()
    assert Person.objects.get().rpps == "10000000001"
    assert "UNVERIFIED" in content


def test_person_department_choices_are_scoped(client_a, establishment_a, establishment_b):
    Department.objects.create(establishment=establishment_a, name="Pharmacie Alpha")
    hidden = Department.objects.create(establishment=establishment_b, name="Bloc Beta")
    content = client_a.get(reverse("core:person_add")).content.decode()
    assert "Pharmacie Alpha" in content and "Bloc Beta" not in content
    response = client_a.post(
        reverse("core:person_add"), _person_form(establishment_a, department=hidden.pk)
    )
    assert response.status_code == 422
    assert not Person.objects.exists()


def test_list_filter_by_department(client_a, establishment_a):
    radiology = Department.objects.create(establishment=establishment_a, name="Radiologie")
    Person.objects.create(
        establishment=establishment_a,
        department=radiology,
        first_name="Léa",
        last_name="Petit",
        email="lea@example.org",
    )
    Person.objects.create(
        establishment=establishment_a,
        first_name="Marc",
        last_name="Grand",
        email="marc@example.org",
    )
    content = client_a.get(
        reverse("core:person_list"), {"department": radiology.pk}
    ).content.decode()
    assert "Petit" in content and "Grand" not in content


class TestAssetPages(StandardViewTests):
    url_base = "core:asset"
    denied_role = "staff"

    def model(self):
        return Asset

    def make_object(self, establishment):
        suffix = establishment.name.split()[-1].lower()
        return Asset.objects.create(
            establishment=establishment,
            hostname=f"pacs-{suffix}",
            kind="medical_device",
            criticality="vital",
        )

    def form_data(self, establishment):
        return {
            "establishment": establishment.pk,
            "hostname": "WS-ACCUEIL-01",
            "ip_addresses": "10.0.0.5, 10.0.0.6",
            "mac_addresses": "00-1A-2B-3C-4D-5E",
            "os_name": "Windows",
            "os_version": "11",
            "kind": "workstation",
            "criticality": "medium",
            "network_zone": "bureautique",
            "tags": "accueil rdc",
        }

    def edit_data(self, obj):
        return {
            "establishment": obj.establishment_id,
            "hostname": obj.hostname,
            "ip_addresses": "192.168.1.10",
            "mac_addresses": "",
            "os_name": "Linux",
            "os_version": "",
            "kind": obj.kind,
            "criticality": "high",
            "network_zone": "biomed",
            "tags": "",
        }

    def expected_after_edit(self):
        return {"criticality": "high", "ip_addresses": ["192.168.1.10"]}


def test_asset_lists_are_normalised(client_a, establishment_a):
    response = client_a.post(reverse("core:asset_add"), TestAssetPages().form_data(establishment_a))
    assert response.status_code == 302
    asset = Asset.objects.get()
    assert asset.hostname == "ws-accueil-01"
    assert asset.ip_addresses == ["10.0.0.5", "10.0.0.6"]
    assert asset.mac_addresses == ["00:1a:2b:3c:4d:5e"]
    assert asset.tags == ["accueil", "rdc"]


def test_invalid_ip_is_reported_on_its_field(client_a, establishment_a):
    data = TestAssetPages().form_data(establishment_a)
    data["ip_addresses"] = "10.0.0.300"
    response = client_a.post(reverse("core:asset_add"), data)
    assert response.status_code == 422
    assert "Invalid IP address" in response.content.decode()
    assert not Asset.objects.exists()
