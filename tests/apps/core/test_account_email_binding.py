"""Single sign-on matches accounts by e-mail: no two accounts may share one (review of issue 9).

Otherwise a scoped administrator could create an account with an organisation-wide admin's
address and break that person's single sign-on, or have it land in an account they control.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.test import RequestFactory
from django.urls import reverse

from hygie.core.models import User
from hygie.core.oidc import HygieOIDCBackend
from hygie.core.services import accounts
from tests.apps.core.account_support import speak_english
from tests.apps.core.test_oidc import CLAIMS, oidc_settings  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    speak_english(client)


@pytest.fixture
def org_admin(make_user):
    user = make_user("org.admin", "admin", all_establishments=True)
    user.email = "claire.martin@chu.example.org"
    user.save()
    return user


def test_an_account_cannot_take_an_email_already_used_whatever_the_case(
    org_admin, make_user, establishment_a
):
    scoped = make_user("admin.a", "admin", [establishment_a])
    with pytest.raises(ValidationError) as refused:
        accounts.create_user_with_temporary_password(
            username="decoy",
            email=" Claire.Martin@CHU.example.org ",
            role="staff",
            establishments=[establishment_a],
            actor=scoped,
        )
    assert "email" in refused.value.message_dict
    assert not User.objects.filter(username="decoy").exists()
    # An empty address is "none", not a shared one.
    accounts.create_user_with_temporary_password(
        username="nomail", email="", role="staff", establishments=[establishment_a], actor=scoped
    )
    accounts.create_user_with_temporary_password(
        username="nomail2",
        email="",
        role="staff",
        establishments=[establishment_a],
        actor=scoped,
    )


def test_the_page_shows_the_refusal_on_the_email_field(
    client, login, org_admin, make_user, establishment_a
):
    login(make_user("admin.a", "admin", [establishment_a]))
    response = client.post(
        reverse("core:user_add"),
        {
            "username": "decoy",
            "email": "CLAIRE.martin@chu.example.org",
            "role": "staff",
            "establishments": [establishment_a.pk],
        },
    )
    assert b"already uses this e-mail address" in response.content
    assert not User.objects.filter(username="decoy").exists()


@pytest.mark.usefixtures("oidc_settings")
def test_single_sign_on_refuses_an_ambiguous_email(org_admin, make_user):
    # Written around the service, as rows from before the check could be.
    twin = make_user("twin", "staff")
    User.objects.filter(pk=twin.pk).update(email="CLAIRE.MARTIN@chu.example.org")
    backend = HygieOIDCBackend()
    request = RequestFactory().get("/oidc/callback/")
    request.session = {}
    request._messages = FallbackStorage(request)
    backend.request = request
    with pytest.raises(SuspiciousOperation):
        backend.filter_users_by_claims(CLAIMS)
    shown = [str(message) for message in get_messages(request)]
    assert shown and "several Hygie accounts" in shown[0]
    assert User.objects.count() == 2  # no third account created in its place
