"""Searchable pickers: the server-side search (scoped, capability-checked, bounded), the widget
every scoped form gets for alerts, assets and departments (a plain select without scripts).
The incident's pickers are tested in tests/apps/response/test_incident_pickers.py."""

import pytest
from django.urls import reverse

from hygie.core.forms import AssetForm, PersonForm
from hygie.core.models import Asset, Department
from hygie.core.pickers import LIMIT
from hygie.core.services.alerts import raise_alert
from hygie.core.widgets import SearchableSelect
from tests.apps.core.view_mixins import english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _results(client, source, q=""):
    response = client.get(reverse("core:picker", args=[source]), {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_search_is_scoped_to_the_users_establishments(client_a, establishment_a, establishment_b):
    mine = Asset.objects.create(establishment=establishment_a, hostname="irm-console-01")
    Asset.objects.create(establishment=establishment_b, hostname="irm-console-02")
    assert _results(client_a, "assets", "irm") == [{"value": str(mine.pk), "label": mine.hostname}]
    Department.objects.create(establishment=establishment_a, name="Urgences", code="URG")
    Department.objects.create(establishment=establishment_b, name="Urgences B", code="URGB")
    assert [r["label"] for r in _results(client_a, "departments", "urg")] == ["Urgences"]


def test_alerts_are_found_by_number_or_title(client_a, establishment_a):
    first = raise_alert(establishment=establishment_a, source="detection", title="Connexion VPN")
    second = raise_alert(establishment=establishment_a, source="detection", title="Rançongiciel")
    assert [r["value"] for r in _results(client_a, "alerts", "rançon")] == [str(second.pk)]
    by_number = _results(client_a, "alerts", f"#{first.pk}")
    assert by_number[0] == {"value": str(first.pk), "label": f"#{first.pk} Connexion VPN"}


def test_answers_are_bounded_and_unknown_sources_refused(client_a, establishment_a):
    Asset.objects.bulk_create(
        Asset(establishment=establishment_a, hostname=f"poste-{n:03d}") for n in range(LIMIT + 5)
    )
    assert len(_results(client_a, "assets")) == LIMIT
    assert client_a.get(reverse("core:picker", args=["users"])).status_code == 404


def test_capability_is_required(client, login, make_user, establishment_a):
    staff = make_user("staff", "staff", [establishment_a])
    login(staff)
    assert client.get(reverse("core:picker", args=["alerts"])).status_code == 403
    assert client.get(reverse("core:picker", args=["departments"])).status_code == 200


def test_scoped_forms_give_assets_and_departments_a_picker(user_a, establishment_a):
    Department.objects.create(establishment=establishment_a, name="Radiologie")
    form = AssetForm(user=user_a)
    widget = form.fields["department"].widget
    assert isinstance(widget, SearchableSelect)
    html = str(form["department"])
    assert 'data-picker="/pickers/departments/"' in html and "Radiologie" in html  # no-JS select
    assert isinstance(PersonForm(user=user_a).fields["department"].widget, SearchableSelect)


def test_search_narrows_to_the_given_establishments(
    client, login, make_user, establishment_a, establishment_b
):
    both = make_user("both", "rssi", [establishment_a, establishment_b])
    login(both)
    raise_alert(establishment=establishment_a, source="detection", title="Alerte A")
    raise_alert(establishment=establishment_b, source="detection", title="Alerte B")
    url = reverse("core:picker", args=["alerts"])
    everything = client.get(url).json()["results"]
    only_b = client.get(url, {"establishment": establishment_b.pk}).json()["results"]
    assert len(everything) == 2
    assert [r["label"].split(" ", 1)[1] for r in only_b] == ["Alerte B (Clinique Beta)"]
