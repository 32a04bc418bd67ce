"""User administration: one-time passwords, scoping of what an administrator may see and grant."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from hygie.core.models import AuditEntry, User
from hygie.core.services import accounts
from tests.apps.core.account_support import sign_in, speak_english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    speak_english(client)


@pytest.fixture
def org_admin(make_user):
    return make_user("orgadmin", "admin", all_establishments=True)


@pytest.fixture
def admin_a(make_user, establishment_a):
    return make_user("admin.a", "admin", [establishment_a])


def _password_works(username, password):
    return (
        authenticate(RequestFactory().post("/"), username=username, password=password) is not None
    )


def test_service_creates_account_with_one_time_password(establishment_a):
    user, password = accounts.create_user_with_temporary_password(
        username="first.admin",
        email="it@example.org",
        role="admin",
        establishments=[establishment_a],
        superuser=True,
    )
    assert len(password) >= 16
    assert user.must_change_password and user.is_superuser
    assert list(user.establishments.all()) == [establishment_a]
    assert user.check_password(password)
    assert password not in str(list(AuditEntry.objects.values()))
    assert AuditEntry.objects.filter(action="create", object_id=str(user.pk)).exists()
    assert AuditEntry.objects.filter(
        action="update", object_id=str(user.pk), changes__establishments__after=["CH Alpha"]
    ).exists()


def test_admin_creates_user_and_sees_password_once(client, login, org_admin, establishment_a):
    login(org_admin)
    assert client.get(reverse("core:user_add")).status_code == 200
    response = client.post(
        reverse("core:user_add"),
        {
            "username": "nurse.lea",
            "email": "lea@example.org",
            "role": "staff",
            "establishments": [establishment_a.pk],
        },
    )
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    user = User.objects.get(username="nurse.lea")
    assert user.must_change_password and user.check_password(password)
    duplicate = client.post(reverse("core:user_add"), {"username": "Nurse.Lea", "role": "staff"})
    assert "already exists" in str(duplicate.context["form"].errors)


def test_list_search_and_role_filter(client, login, org_admin, make_user):
    make_user("dr.house", "staff")
    make_user("dr.who", "dpo")
    login(org_admin)
    page = client.get(reverse("core:user_list"), {"q": "dr.", "role": "dpo"})
    names = [user.username for user in page.context["page"]]
    assert names == ["dr.who"]
    partial = client.get(reverse("core:user_list"), {"q": "house"}, HTTP_HX_REQUEST="true")
    assert [t.name for t in partial.templates][0] == "core/users/partials/_table.html"


def test_scoped_admin_sees_and_edits_only_their_establishment(
    client, login, admin_a, make_user, establishment_a, establishment_b
):
    in_a = make_user("nurse.a", "staff", [establishment_a])
    in_b = make_user("nurse.b", "staff", [establishment_b])
    make_user("ght.rssi", "rssi", all_establishments=True)
    login(admin_a)
    listed = {u.username for u in client.get(reverse("core:user_list")).context["page"]}
    assert listed == {"admin.a", "nurse.a"}
    assert client.get(reverse("core:user_edit", args=[in_b.pk])).status_code == 404
    for name in ("core:user_password_reset", "core:user_mfa_reset", "core:user_unlock"):
        assert client.post(reverse(name, args=[in_b.pk])).status_code == 404

    form = client.get(reverse("core:user_edit", args=[in_a.pk])).context["form"]
    assert "has_all_establishments" not in form.fields
    assert list(form.fields["establishments"].queryset) == [establishment_a]
    refused = client.post(
        reverse("core:user_edit", args=[in_a.pk]),
        {"role": "staff", "establishments": [establishment_b.pk], "is_active": "on"},
    )
    assert refused.status_code == 200 and refused.context["form"].errors
    assert list(in_a.establishments.all()) == [establishment_a]


def test_scoped_admin_cannot_grant_beyond_their_reach(admin_a, establishment_b, establishment_a):
    for kwargs in (
        {"establishments": [establishment_b]},
        {"all_establishments": True},
        {"superuser": True},
    ):
        with pytest.raises(PermissionDenied):
            accounts.create_user_with_temporary_password(
                username="x", email="", role="staff", actor=admin_a, **kwargs
            )
    assert not User.objects.filter(username="x").exists()
    user, _ = accounts.create_user_with_temporary_password(
        username="x", email="", role="rssi", establishments=[establishment_a], actor=admin_a
    )
    assert list(user.establishments.all()) == [establishment_a]


def test_scoped_admin_of_several_establishments_moves_a_user_between_them(
    admin_a, make_user, establishment_a, establishment_b, organisation
):
    """Managing means the whole account: a user also in B is out of reach (defect 1 of issue 9);
    one within the admin's establishments is moved freely between them."""
    from hygie.core.models import Establishment

    shared = make_user("shared", "staff", [establishment_a, establishment_b])
    third = Establishment.objects.create(organisation=organisation, name="EHPAD Gamma")
    admin_a.establishments.add(third)
    admin_a._visible_ids = None
    with pytest.raises(PermissionDenied):
        accounts.update_user_access(
            shared,
            actor=admin_a,
            role="biomed",
            establishments=[third],
            has_all_establishments=False,
            is_active=True,
        )
    assert set(shared.establishments.all()) == {establishment_a, establishment_b}
    local = make_user("local", "staff", [establishment_a, third])
    accounts.update_user_access(
        local,
        actor=admin_a,
        role="biomed",
        establishments=[third],
        has_all_establishments=False,
        is_active=True,
    )
    assert set(local.establishments.all()) == {third}
    assert local.role == "biomed"


def test_admin_cannot_lock_themselves_out(admin_a, establishment_a):
    with pytest.raises(PermissionDenied):
        accounts.update_user_access(
            admin_a,
            actor=admin_a,
            role="admin",
            establishments=[establishment_a],
            has_all_establishments=False,
            is_active=False,
        )


def test_edit_through_the_page(
    client, login, org_admin, make_user, establishment_a, establishment_b
):
    user = make_user("tech", "staff", [establishment_a])
    login(org_admin)
    response = client.post(
        reverse("core:user_edit", args=[user.pk]),
        {
            "role": "biomed",
            "establishments": [establishment_a.pk, establishment_b.pk],
            "has_all_establishments": "",
            "is_active": "",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.is_active) == ("biomed", False)
    assert set(user.establishments.all()) == {establishment_a, establishment_b}
    assert AuditEntry.objects.filter(
        action="update", object_id=str(user.pk), changes__role__after="biomed"
    ).exists()


def test_reset_password_mfa_and_unlock(client, login, org_admin, make_user):
    user = make_user("tech", "biomed")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    users_browser = client.__class__()
    login(user, users_browser)
    assert users_browser.get(reverse("core:profile")).status_code == 200
    login(org_admin)

    response = client.post(reverse("core:user_password_reset", args=[user.pk]))
    password = response.context["password"]
    user.refresh_from_db()
    assert user.must_change_password and _password_works("tech", password)
    assert not _password_works("tech", "correct horse battery 1")
    # The user's open session ends with the old password.
    assert users_browser.get(reverse("core:profile")).url.startswith(reverse("core:login"))

    client.post(reverse("core:user_mfa_reset", args=[user.pk]))
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(
        action="mfa", object_id=str(user.pk), message="second factor reset by an administrator"
    ).exists()

    other = client.__class__()
    for _ in range(5):
        sign_in(other, "tech", "bad guess")
    assert accounts.locked_usernames(["tech"]) == {"tech"}
    page = client.get(reverse("core:user_edit", args=[user.pk]))
    assert page.context["is_locked"]
    client.post(reverse("core:user_unlock", args=[user.pk]))
    assert accounts.locked_usernames(["tech"]) == set()
    assert sign_in(other, "tech", password).status_code == 302


def test_users_pages_need_the_capability(client, login, user_a):
    login(user_a)  # a security officer, not an administrator
    assert client.get(reverse("core:user_list")).status_code == 403
    assert client.get(reverse("core:user_add")).status_code == 403


def test_new_user_form_preselects_the_least_privileged_role(client, login, org_admin):
    """Issue 10: the role left as offered must be the one granting least, never administrator."""
    login(org_admin)
    page = client.get(reverse("core:user_add")).content.decode()
    assert '<option value="staff" selected>' in page
    assert '<option value="admin" selected>' not in page


def test_least_privileged_role_is_the_one_with_fewest_capabilities():
    from hygie.core.roles import capabilities_for, least_privileged_role

    chosen = least_privileged_role(["admin", "rssi", "soc_analyst", "staff"])
    assert chosen == "staff"
    assert least_privileged_role(["admin", "soc_analyst"]) == "soc_analyst"
    assert len(capabilities_for(chosen)) <= len(capabilities_for("soc_analyst"))
