"""Personal API tokens from the profile: create (shown once), use, expire, revoke."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from hygie.core.models import APIToken, AuditEntry
from hygie.core.services import accounts
from tests.apps.core.account_support import speak_english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    speak_english(client)


def _create(client, **overrides):
    data = {
        "name": "SIEM export",
        "scope": "read",
        "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        **overrides,
    }
    return client.post(reverse("core:token_list"), data)


def test_token_is_shown_once_and_authenticates(client_a, user_a):
    page = client_a.get(reverse("core:token_list"))
    assert page.status_code == 200
    default_expiry = page.context["form"]["expires_on"].value()
    assert default_expiry == timezone.localdate() + timedelta(days=90)

    response = _create(client_a)
    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret.startswith("hyg_") and secret in response.content.decode()
    token = APIToken.authenticate(secret)
    assert token is not None and token.user == user_a and token.scope == "read"
    assert token.expires_at.date() == timezone.localdate() + timedelta(days=30)

    again = client_a.get(reverse("core:token_list")).content.decode()
    assert secret not in again and token.prefix in again
    assert AuditEntry.objects.filter(
        action="token", object_id=str(token.pk), message__startswith="token issued"
    ).exists()
    dump = str(list(AuditEntry.objects.values()))
    assert secret not in dump and token.key_hash not in dump


@pytest.mark.parametrize(
    ("days", "message"),
    [(0, "must be in the future"), (-3, "must be in the future"), (366, "longer than one year")],
)
def test_expiry_is_bounded(client_a, days, message):
    response = _create(
        client_a, expires_on=(timezone.localdate() + timedelta(days=days)).isoformat()
    )
    assert message in str(response.context["form"].errors)
    assert not APIToken.objects.exists()


def test_one_year_is_allowed(client_a):
    response = _create(
        client_a, expires_on=(timezone.localdate() + timedelta(days=365)).isoformat()
    )
    assert response.context["new_secret"]


def test_revoke_own_token_only(client_a, user_a, user_b):
    token, secret = accounts.issue_token(user_a, name="script", scope="write")
    other, other_secret = accounts.issue_token(user_b, name="bob's", scope="read")
    assert client_a.post(reverse("core:token_revoke", args=[other.pk])).status_code == 404
    assert APIToken.authenticate(other_secret) is not None

    response = client_a.post(reverse("core:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    assert APIToken.authenticate(secret) is None
    assert AuditEntry.objects.filter(
        action="token", message="token revoked", object_id=str(token.pk)
    ).exists()
    assert "Revoked" in client_a.get(reverse("core:token_list")).content.decode()


def test_expired_token_is_refused(user_a):
    token, secret = accounts.issue_token(user_a, name="old", scope="read")
    APIToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert APIToken.authenticate(secret) is None


def test_service_rules(user_a, user_b):
    with pytest.raises(ValidationError):
        accounts.issue_token(user_a, name=" ", scope="read")
    with pytest.raises(ValidationError):
        accounts.issue_token(user_a, name="x", scope="admin")
    with pytest.raises(ValidationError):
        accounts.issue_token(
            user_a, name="x", scope="read", expires_at=timezone.now() + timedelta(days=400)
        )
    with pytest.raises(PermissionDenied):
        accounts.issue_token(user_a, name="x", scope="read", actor=user_b)


def test_token_works_on_the_api_until_revoked(client, user_a, establishment_a):
    token, secret = accounts.issue_token(user_a, name="script", scope="read")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    response = client.get("/api/v1/establishments", **headers)
    assert response.status_code == 200
    assert establishment_a.name in response.content.decode()
    assert (
        client.post(
            "/api/v1/organisations", {"name": "X"}, content_type="application/json", **headers
        ).status_code
        == 403
    )  # read-only token
    accounts.revoke_token(token, actor=user_a)
    assert client.get("/api/v1/establishments", **headers).status_code == 401
