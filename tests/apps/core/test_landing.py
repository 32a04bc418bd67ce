"""Role landing pages (issue 10): after sign-in and behind the home link, each role sees the
panels the modules contribute for it through the core registry; RSSI, administrators and
auditors keep the posture dashboard; a user holding a posture role keeps it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from hygie import modules
from hygie.core.models import Asset
from hygie.core.registries import (
    LandingPanel,
    landing_panels,
    landing_panels_for,
    roles_of,
    shows_posture,
)
from hygie.core.services.alerts import raise_alert
from hygie.core.services.demo import load_demo
from tests.apps.core.view_mixins import english  # noqa: F401

pytestmark = pytest.mark.django_db


def _panels(response) -> list[str]:
    html = response.content.decode()
    return [chunk.split('"', 1)[0] for chunk in html.split('data-panel="')[1:]]


def test_modules_contribute_panels_through_their_landing_file():
    assert "landing" in modules.CONVENTIONAL_MODULES
    assert {
        "core.alert_queue",
        "core.medical_devices",
        "detection.report_mail",
        "privacy.phi_inventory",
        "response.cnil_clocks",
        "response.breach_register",
    } <= {key for key, _panel in landing_panels.items()}


@pytest.mark.usefixtures("english")
def test_staff_land_on_the_report_page_way_in_and_see_no_placeholder(
    client, make_user, establishment_a, login
):
    staff = make_user("nurse", "staff", [establishment_a])
    login(staff)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert _panels(response) == ["detection.report_mail"]
    html = response.content.decode()
    assert reverse("detection:mail_report") in html
    assert "data-tile" not in html and "posture-heading" not in html
    # No awareness module yet: no training block at all, not an empty promise.
    assert "training" not in html.lower()


def test_the_soc_analyst_sees_the_alert_queue_of_their_establishments_only(
    client, make_user, establishment_a, establishment_b, login
):
    now = timezone.now()
    raise_alert(establishment=establishment_a, source="detection", title="Queue-A", severity=40)
    raise_alert(establishment=establishment_b, source="detection", title="Queue-B", severity=50)
    closed = raise_alert(establishment=establishment_a, source="detection", title="Queue-done")
    closed.status = "closed"
    closed.last_seen_at = now
    closed.save()
    analyst = make_user("analyst", "soc_analyst", [establishment_a])
    login(analyst)
    response = client.get(reverse("core:dashboard"))
    assert _panels(response) == ["core.alert_queue"]
    html = response.content.decode()
    assert "Queue-A" in html and "Queue-B" not in html and "Queue-done" not in html


def test_the_biomedical_engineer_sees_their_medical_devices(
    client, make_user, establishment_a, establishment_b, login
):
    Asset.objects.create(
        establishment=establishment_a, hostname="pompe-a-01", kind="medical_device"
    )
    Asset.objects.create(establishment=establishment_a, hostname="poste-a-01", kind="workstation")
    Asset.objects.create(
        establishment=establishment_b, hostname="pompe-b-01", kind="medical_device"
    )
    engineer = make_user("biomed", "biomed", [establishment_a])
    login(engineer)
    response = client.get(reverse("core:dashboard"))
    assert _panels(response) == ["detection.report_mail", "core.medical_devices"]
    html = response.content.decode()
    assert "pompe-a-01" in html and "pompe-b-01" not in html and "poste-a-01" not in html


@pytest.mark.usefixtures("english")
def test_the_dpo_sees_the_phi_inventory_the_breach_register_and_cnil_clocks(
    client, make_user, login
):
    load_demo()
    dpo = make_user("dpo", "dpo", all_establishments=True)
    login(dpo)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert _panels(response) == [
        "detection.report_mail",
        "response.cnil_clocks",
        "privacy.phi_inventory",
        "response.breach_register",
    ]
    html = response.content.decode()
    assert reverse("response:breach_register") in html
    assert reverse("privacy:summary") in html
    assert "GDPR" in html or "CNIL" in html  # a running clock names its obligation
    assert "INC-" in html  # the register lists the demo's breach


@pytest.mark.parametrize("role", ["rssi", "admin", "auditor"])
def test_posture_roles_keep_the_posture_dashboard(client, make_user, establishment_a, login, role):
    user = make_user(f"u-{role}", role, [establishment_a])
    login(user)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    assert "posture-heading" in response.content.decode()
    assert _panels(response) == []


def test_several_roles_union_and_priority(make_user, establishment_a):
    # A superuser holding the staff role is also an administrator: the posture dashboard wins.
    boss = make_user("boss", "staff", [establishment_a], is_superuser=True)
    assert roles_of(boss) == {"staff", "admin"}
    assert shows_posture(boss)
    staff = make_user("staff", "staff", [establishment_a])
    assert not shows_posture(staff)
    extra = LandingPanel(
        id="test.everyone",
        title="Everyone",
        order=1,
        roles=frozenset({"staff", "admin"}),
        template="core/home.html",
        context=lambda user: {},
    )
    with landing_panels.override({**dict(landing_panels.items()), "test.everyone": extra}):
        ids = [panel.id for panel in landing_panels_for(boss)]
        assert ids.count("test.everyone") == 1  # one panel, whichever roles bring it
        assert ids[0] == "test.everyone"


def test_sign_in_lands_on_the_home_page(client, make_user, establishment_a):
    make_user("nurse", "staff", [establishment_a])
    response = client.post(
        reverse("core:login"),
        {"username": "nurse", "password": "correct horse battery 1"},
    )
    assert response.status_code == 302
    assert response["Location"] in (reverse("core:dashboard"), "/")


def test_the_dpo_home_page_reads_in_french(client, make_user, login):
    load_demo()
    dpo = make_user("dpo", "dpo", all_establishments=True)
    login(dpo)
    html = client.get(reverse("core:dashboard"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    for french in (
        "Accueil",
        "Délais CNIL en cours",
        "Inventaire des données de patients",
        "Registre des violations",
        "Signaler un courriel suspect",
        "1 violation au registre",
    ):
        assert french in html, french
    for leak in ("CNIL clocks running", "Patient data inventory", "Open the breach register"):
        assert leak not in html, leak
