"""Global search (issue 10): IP addresses (assets, event and alert addresses), incident
observables and alerts, each contributed by its module through the search registry; exact
address and prefix; establishment scoping and capabilities respected."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hygie.core.models import Asset
from hygie.core.registries import search_providers
from hygie.core.services.alerts import raise_alert
from hygie.detection.models import Event
from hygie.response.models import Incident, Observable
from tests.apps.core.view_mixins import english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _search(user, text):
    return {
        key: [hit.label for hit in provider.search(user, text)]
        for key, provider in search_providers.items()
    }


@pytest.fixture
def world(establishment_a, establishment_b, user_a):
    now = timezone.now()
    pump = Asset.objects.create(
        establishment=establishment_a,
        hostname="pompe-a-01",
        kind="medical_device",
        ip_addresses=["10.45.60.11", "192.168.1.5"],
    )
    Asset.objects.create(
        establishment=establishment_a, hostname="poste-a-02", ip_addresses=["10.145.1.1"]
    )
    Asset.objects.create(
        establishment=establishment_b, hostname="pompe-b-01", ip_addresses=["10.45.60.12"]
    )
    raise_alert(
        establishment=establishment_a,
        source="detection",
        title="Brute force SSH",
        rule_id="rule-ssh-brute",
        details={"entity": "203.0.113.7"},
    )
    raise_alert(
        establishment=establishment_a,
        source="detection",
        title="Pump firmware downgrade",
        rule_id="rule-pump",
        asset=pump,
    )
    raise_alert(
        establishment=establishment_b,
        source="detection",
        title="Brute force SSH at B",
        rule_id="rule-ssh-brute",
        details={"entity": "203.0.113.8"},
    )
    for establishment, address in (
        (establishment_a, "203.0.113.7"),
        (establishment_b, "203.0.113.9"),
    ):
        for _ in range(2):
            Event.objects.create(
                establishment=establishment,
                received_at=now,
                source="file",
                fields={"source.ip": address, "user.name": "jdoe"},
                raw=f"Failed password for jdoe from {address}",
            )
    incident_a = Incident.objects.create(
        reference="INC-2026-0101",
        establishment=establishment_a,
        title="Intrusion",
        category="intrusion",
        discovered_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
    )
    incident_b = Incident.objects.create(
        reference="INC-2026-0102",
        establishment=establishment_b,
        title="Intrusion B",
        category="intrusion",
        discovered_at=datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
    )
    Observable.objects.create(incident=incident_a, kind="ip", value="203.0.113.7")
    Observable.objects.create(incident=incident_a, kind="domain", value="evil-paie.example")
    Observable.objects.create(incident=incident_b, kind="ip", value="203.0.113.9")
    return incident_a


def test_an_exact_address_finds_the_asset_alerts_events_and_observables(world, user_a):
    found = _search(user_a, "203.0.113.7")
    assert found["core.alerts"] == ["Brute force SSH — CH Alpha (203.0.113.7)"]
    assert found["detection.event_addresses"] == ["203.0.113.7 — 2 events (CH Alpha)"]
    [observable] = found["response.observables"]
    assert observable.startswith("203.0.113.7 (") and observable.endswith("— INC-2026-0101")
    asset = _search(user_a, "10.45.60.11")
    assert asset["core.assets"] == ["pompe-a-01 — 10.45.60.11 (CH Alpha)"]
    # The pump's alert is found through the pump's address.
    assert asset["core.alerts"] == ["Pump firmware downgrade — CH Alpha (pompe-a-01)"]


@pytest.mark.parametrize("prefix", ["10.45.", "10.45", "10.45.0.0/16"])
def test_a_prefix_ends_on_a_whole_octet_and_stays_in_scope(world, user_a, prefix):
    found = _search(user_a, prefix)
    assert found["core.assets"] == ["pompe-a-01 — 10.45.60.11 (CH Alpha)"]  # not 10.145.…, not B


def test_prefixes_of_events_and_observables_are_scoped(world, user_a, user_b):
    assert _search(user_a, "203.0.113.")["detection.event_addresses"] == [
        "203.0.113.7 — 2 events (CH Alpha)"
    ]
    assert [
        label.split(" ")[0] for label in _search(user_b, "203.0.113.")["response.observables"]
    ] == ["203.0.113.9"]
    assert _search(user_b, "203.0.113.")["core.alerts"] == [
        "Brute force SSH at B — Clinique Beta (203.0.113.8)"
    ]


def test_alerts_by_title_rule_and_host(world, user_a):
    assert _search(user_a, "brute")["core.alerts"] == ["Brute force SSH — CH Alpha (203.0.113.7)"]
    assert _search(user_a, "rule-pump")["core.alerts"] == [
        "Pump firmware downgrade — CH Alpha (pompe-a-01)"
    ]
    assert _search(user_a, "pompe-a")["core.alerts"] == [
        "Pump firmware downgrade — CH Alpha (pompe-a-01)"
    ]
    assert _search(user_a, "evil-paie")["response.observables"][0].startswith("evil-paie.example")
    # A word is not an address: the events provider stays quiet.
    assert _search(user_a, "brute")["detection.event_addresses"] == []


def test_capabilities_hide_what_a_role_may_not_see(world, make_user, establishment_a):
    staff = make_user("nurse", "staff", [establishment_a])
    found = _search(staff, "203.0.113.7")
    assert not any(found.values())
    biomed = make_user("biomed", "biomed", [establishment_a])
    found = _search(biomed, "203.0.113.7")
    assert found["core.alerts"] and not found["detection.event_addresses"]  # no event access


def test_the_search_page_and_the_events_list_filtered_by_address(world, client_a):
    page = client_a.get(reverse("core:search"), {"q": "203.0.113.7"}).content.decode()
    assert "Events by IP address" in page or "Événements par adresse IP" in page
    events_url = reverse("detection:event_list")
    assert f"{events_url}?ip=203.0.113.7" in page.replace("&amp;", "&")
    listed = client_a.get(events_url, {"ip": "203.0.113.7"}).content.decode()
    assert listed.count("Failed password for jdoe from 203.0.113.7") == 2
    assert "203.0.113.9" not in listed
    assert "#observables" in page


def test_one_event_reads_in_the_singular(world, user_a, establishment_a):
    Event.objects.create(
        establishment=establishment_a,
        received_at=timezone.now(),
        source="file",
        fields={"client.ip": "198.51.100.1"},
    )
    assert _search(user_a, "198.51.100.1")["detection.event_addresses"] == [
        "198.51.100.1 — 1 event (CH Alpha)"
    ]


def test_an_alert_title_reads_in_the_reader_language(world, user_a, establishment_a):
    """A healthcare rule's title is stored in English and read in French, as in the alert list."""
    from django.utils import translation

    raise_alert(
        establishment=establishment_a,
        source="detection",
        title="SQL Injection Attempt on the Patient Portal",
        rule_id="hygie-web-sqli",
    )
    with translation.override("fr"):
        labels = _search(user_a, "SQL")["core.alerts"]
    assert labels == ["Tentative d'injection SQL sur le portail patient — CH Alpha"]
