"""Global search finds an indicator typed defanged, in the user's scope only; the SOC analyst's
panel lists recent sightings; sighting pages render."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from hygie.core.registries import landing_panels, search_providers
from hygie.intel.models import Indicator, Partner, Sighting

pytestmark = pytest.mark.django_db


def test_search_normalises_defanged_values_and_scopes(user_a, establishment_a, establishment_b):
    mine = Indicator.objects.create(
        establishment=establishment_a, kind="domain", value="c2.example"
    )
    Indicator.objects.create(establishment=establishment_b, kind="domain", value="c2.example")
    Partner.objects.create(establishment=establishment_a, name="CERT Santé")
    hits = search_providers.get("intel.indicators").search(user_a, "C2[.]Example")
    assert [hit.url for hit in hits] == [reverse("intel:indicator_detail", args=[mine.pk])]
    partners = search_providers.get("intel.partners").search(user_a, "cert")
    assert [hit.label for hit in partners] == ["CERT Santé"]


def test_landing_panel_and_sighting_pages(client_a, user_a, establishment_a):
    panel = landing_panels.get("intel.recent_sightings")
    assert panel.context(user_a) is None  # nothing to show: no panel
    indicator = Indicator.objects.create(
        establishment=establishment_a, kind="ipv4", value="203.0.113.3"
    )
    sighting = Sighting.objects.create(
        indicator=indicator, at=timezone.now(), observed_value="203.0.113.3", context={"host": "h"}
    )
    assert panel.context(user_a)["total"] == 1
    assert client_a.get(reverse("intel:sighting_list")).status_code == 200
    detail = client_a.get(reverse("intel:sighting_detail", args=[sighting.pk]))
    assert detail.status_code == 200 and b"203.0.113.3" in detail.content
    assert client_a.get(reverse("intel:feed_list")).status_code == 200
    assert client_a.get(reverse("intel:partner_list")).status_code == 200
