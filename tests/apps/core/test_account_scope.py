"""Who may manage whom (issue 9, defect 1): no account takeover across establishments.

An administrator manages an account only if *every* establishment of that account is within
their own scope, never grants a role beyond their own capabilities, and never touches an
organisation-wide account unless organisation-wide themselves. Checked on the service, the
pages and the API.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.core.choices import Role
from hygie.core.models import APIToken, User
from hygie.core.roles import ROLE_CAPABILITIES
from hygie.core.services import accounts
from tests.apps.core.account_support import PASSWORD, speak_english
from tests.apps.core.api_support import APIClient, issue_token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    speak_english(client)


@pytest.fixture
def admin_a(make_user, establishment_a):
    return make_user("admin.a", "admin", [establishment_a])


@pytest.fixture
def shared(make_user, establishment_a, establishment_b):
    """A security officer of both A and B: the takeover target of the review."""
    user = make_user("shared.rssi", "rssi", [establishment_a, establishment_b])
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def _service_calls(user):
    return {
        "reset_password": lambda actor: accounts.reset_password(user, actor=actor),
        "reset_mfa": lambda actor: accounts.reset_mfa(user, actor=actor),
        "promote": lambda actor: accounts.update_user_access(
            user,
            actor=actor,
            role="admin",
            establishments=list(actor.establishments.all()),
            has_all_establishments=False,
            is_active=True,
        ),
        "deactivate": lambda actor: accounts.update_user_access(
            user,
            actor=actor,
            role=user.role,
            establishments=list(actor.establishments.all()),
            has_all_establishments=False,
            is_active=False,
        ),
        "unlock": lambda actor: accounts.unlock(user.username, actor=actor),
        "revoke_token": lambda actor: accounts.revoke_token(
            APIToken.issue(user, "siem", "read", timezone.now() + timezone.timedelta(days=5))[0],
            actor=actor,
        ),
    }


@pytest.mark.parametrize(
    "operation", ["reset_password", "reset_mfa", "promote", "deactivate", "unlock", "revoke_token"]
)
def test_scoped_admin_cannot_touch_a_user_who_also_belongs_elsewhere(admin_a, shared, operation):
    with pytest.raises(PermissionDenied):
        _service_calls(shared)[operation](admin_a)
    shared.refresh_from_db()
    assert shared.check_password(PASSWORD) and shared.is_active and shared.role == "rssi"
    assert TOTPDevice.objects.filter(user=shared).exists()
    assert not APIToken.objects.filter(user=shared, revoked_at__isnull=False).exists()
    assert not accounts.users_manageable_by(admin_a).filter(pk=shared.pk).exists()


def test_takeover_through_the_pages_is_refused(client, login, admin_a, shared, establishment_a):
    login(admin_a)
    listed = {u.username for u in client.get(reverse("core:user_list")).context["page"]}
    assert "shared.rssi" not in listed
    assert client.get(reverse("core:user_edit", args=[shared.pk])).status_code == 404
    for name in ("core:user_password_reset", "core:user_mfa_reset", "core:user_unlock"):
        assert client.post(reverse(name, args=[shared.pk])).status_code == 404
    promoted = client.post(
        reverse("core:user_edit", args=[shared.pk]),
        {"role": "admin", "establishments": [establishment_a.pk], "is_active": "on"},
    )
    assert promoted.status_code == 404
    shared.refresh_from_db()
    assert shared.check_password(PASSWORD) and shared.role == "rssi"
    assert TOTPDevice.objects.filter(user=shared).exists()


def test_takeover_through_the_api_is_refused(admin_a, shared):
    """The API has no user administration; its only account surface is tokens, own ones only."""
    token, _ = APIToken.issue(shared, "siem", "read", timezone.now() + timezone.timedelta(days=5))
    api = APIClient(issue_token(admin_a, "write"))
    assert api.delete(f"/tokens/{token.pk}").status_code == 404
    listed = api.get("/tokens").json()
    assert token.pk not in {item["id"] for item in listed["items"]}
    token.refresh_from_db()
    assert token.revoked_at is None


def test_scoped_admin_still_manages_accounts_entirely_within_scope(
    admin_a, make_user, establishment_a
):
    local = make_user("nurse.a", "staff", [establishment_a])
    accounts.reset_password(local, actor=admin_a)
    accounts.update_user_access(
        local,
        actor=admin_a,
        role="biomed",
        establishments=[establishment_a],
        has_all_establishments=False,
        is_active=True,
    )
    local.refresh_from_db()
    assert local.role == "biomed" and local.must_change_password


def test_scoped_admin_does_not_manage_unattached_accounts(admin_a, make_user):
    """An account attached to no establishment belongs to nobody's scope but the organisation."""
    floating = make_user("floating", "staff")
    with pytest.raises(PermissionDenied):
        accounts.reset_password(floating, actor=admin_a)
    with pytest.raises(ValidationError):
        accounts.create_user_with_temporary_password(
            username="nobody", email="", role="staff", establishments=[], actor=admin_a
        )
    assert not User.objects.filter(username="nobody").exists()


def test_organisation_wide_accounts_are_managed_by_organisation_wide_admins_only(
    admin_a, make_user, establishment_a
):
    ght = make_user("ght.rssi", "rssi", [establishment_a], all_establishments=True)
    with pytest.raises(PermissionDenied):
        accounts.reset_mfa(ght, actor=admin_a)
    org_admin = make_user("org.admin", "admin", all_establishments=True)
    accounts.reset_mfa(ght, actor=org_admin)
    assert accounts.users_manageable_by(org_admin).filter(pk=ght.pk).exists()


def test_no_role_beyond_the_actor_own_capabilities(
    admin_a, make_user, establishment_a, monkeypatch
):
    """A role carrying a capability the actor lacks can neither be granted nor taken over."""
    monkeypatch.setitem(ROLE_CAPABILITIES, Role.DPO, ROLE_CAPABILITIES[Role.DPO] | {"vault.open"})
    with pytest.raises(PermissionDenied):
        accounts.create_user_with_temporary_password(
            username="new.dpo",
            email="",
            role="dpo",
            establishments=[establishment_a],
            actor=admin_a,
        )
    local = make_user("nurse.a", "staff", [establishment_a])
    with pytest.raises(PermissionDenied):
        accounts.update_user_access(
            local,
            actor=admin_a,
            role="dpo",
            establishments=[establishment_a],
            has_all_establishments=False,
            is_active=True,
        )
    dpo = make_user("dpo.a", "dpo", [establishment_a])
    with pytest.raises(PermissionDenied):
        accounts.reset_password(dpo, actor=admin_a)
    assert not User.objects.filter(username="new.dpo").exists()
    local.refresh_from_db()
    assert local.role == "staff"
