"""The administrator's first-run checklist on the home page: steps from every module's
checklist.py, ticking themselves as the state changes, for administrators only, scoped."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hygie import modules
from hygie.core.models import AuditEntry
from hygie.core.registries import checklist_items
from hygie.core.testing import login_with_mfa
from hygie.detection.models import Event
from hygie.privacy.models import ScanRoot
from hygie.response.models import RegulatoryProfile
from tests.apps.core.view_mixins import english  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

STEPS = (
    "response.regulatory_profile",
    "core.contacts",
    "privacy.scan_roots",
    "detection.log_source",
    "core.accounts",
    "core.smtp",
)
CONTACTS = {
    "dpo_name": "Dora Fictive",
    "dpo_email": "dpo@hospital.invalid",
    "rssi_name": "Marc Fictif",
    "rssi_email": "rssi@hospital.invalid",
    "on_call_phone": "02 61 91 00 99",
}


def _steps(client: Client) -> dict[str, bool]:
    page = client.get(reverse("core:dashboard")).content.decode()
    return {
        step: done == "true"
        for step, done in re.findall(r'data-step="([^"]+)" data-done="(true|false)"', page)
    }


def _event(establishment) -> Event:
    return Event.objects.create(
        establishment=establishment, received_at=timezone.now(), source="syslog", raw="test"
    )


def test_modules_contribute_their_steps_through_checklist_files():
    assert "checklist" in modules.CONVENTIONAL_MODULES
    assert [item.id for item in checklist_items()] == list(STEPS)


def test_steps_tick_themselves_as_the_state_changes(
    settings, tmp_path, make_user, establishment_a, establishment_b
):
    settings.HYGIE_PRIVACY_SCAN_ROOTS = []
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = make_user("ght-admin", "admin", [], all_establishments=True)
    client = login_with_mfa(Client(), admin)
    assert _steps(client) == dict.fromkeys(STEPS, False)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "0 of 6 steps done" in page
    assert "HYGIE_SMTP_URL" in page and "HYGIE_PRIVACY_SCAN_ROOTS" in page
    # Each step links to the page where it is done.
    assert reverse("response:establishment_regulatoryprofile", args=[establishment_a.pk]) in page
    assert reverse("core:organisation_edit", args=[establishment_a.organisation_id]) in page
    assert reverse("detection:event_import") in page and reverse("core:user_list") in page

    for establishment in (establishment_a, establishment_b):
        RegulatoryProfile.objects.create(establishment=establishment)
    assert _steps(client)["response.regulatory_profile"]

    organisation = establishment_a.organisation
    for name, value in CONTACTS.items():
        setattr(organisation, name, value)
    organisation.save()
    assert _steps(client)["core.contacts"]

    settings.HYGIE_PRIVACY_SCAN_ROOTS = [str(tmp_path)]
    assert not _steps(client)["privacy.scan_roots"]  # allowed, but no folder registered yet
    ScanRoot.objects.create(establishment=establishment_a, label="Partage", path=str(tmp_path))
    assert _steps(client)["privacy.scan_roots"]

    _event(establishment_b)
    assert _steps(client)["detection.log_source"]

    make_user("analyst", "soc_analyst", [establishment_a])
    assert _steps(client)["core.accounts"]

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert _steps(client) == dict.fromkeys(STEPS, True)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "6 of 6 steps done" in page and "Hide this list" in page

    response = client.post(reverse("core:firstrun_hide"))
    assert response.status_code == 302
    assert "data-first-run" not in client.get(reverse("core:dashboard")).content.decode()
    assert AuditEntry.objects.filter(
        object_type="core.user", object_id=str(admin.pk), action="update"
    ).exists()


def test_the_checklist_can_be_dismissed_before_it_is_done_and_shown_again(make_user):
    admin = make_user("ght-admin", "admin", [], all_establishments=True)
    client = login_with_mfa(Client(), admin)
    assert "Dismiss for now" in client.get(reverse("core:dashboard")).content.decode()
    client.post(reverse("core:firstrun_hide"))
    assert "data-first-run" not in client.get(reverse("core:dashboard")).content.decode()
    client.post(reverse("core:firstrun_hide"), {"show": "1"})
    assert "data-first-run" in client.get(reverse("core:dashboard")).content.decode()


@pytest.mark.parametrize("role", ["rssi", "dpo", "soc_analyst", "auditor", "staff"])
def test_non_administrators_do_not_see_it(role, make_user, establishment_a):
    user = make_user("someone", role, [establishment_a])
    client = login_with_mfa(Client(), user)
    page = client.get(reverse("core:dashboard"))
    assert page.status_code == 200
    assert "data-first-run" not in page.content.decode()
    assert client.post(reverse("core:firstrun_hide")).status_code == 403


def test_a_scoped_administrator_sees_only_their_establishments(
    make_user, establishment_a, establishment_b
):
    admin = make_user("admin-a", "admin", [establishment_a])
    client = login_with_mfa(Client(), admin)
    for name, value in CONTACTS.items():
        setattr(establishment_a, name, value)  # B has none: not the concern of A's admin
    establishment_a.save()
    RegulatoryProfile.objects.create(establishment=establishment_a)
    _event(establishment_b)  # another establishment's logs do not count for A
    make_user("bob", "rssi", [establishment_b])  # nor its accounts
    steps = _steps(client)
    assert steps["core.contacts"] and steps["response.regulatory_profile"]
    assert not steps["detection.log_source"] and not steps["core.accounts"]
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Clinique Beta" not in page
    _event(establishment_a)
    make_user("carol", "soc_analyst", [establishment_a])
    steps = _steps(client)
    assert steps["detection.log_source"] and steps["core.accounts"]
