"""Single sign-on backend: account creation and matching from claims (no network involved)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hygie.core.models import AuditEntry, User
from hygie.core.oidc import HygieOIDCBackend
from tests.apps.core.account_support import speak_english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    speak_english(client)


BACKEND = "hygie.core.oidc.HygieOIDCBackend"


@pytest.fixture
def oidc_settings(settings):
    settings.OIDC_RP_CLIENT_ID = "hygie"
    settings.OIDC_RP_CLIENT_SECRET = "not-a-real-secret"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example.org/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example.org/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = "https://idp.example.org/jwks"
    settings.OIDC_RP_SIGN_ALGO = "RS256"
    settings.HYGIE_OIDC_DEFAULT_ROLE = "staff"
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
    return settings


CLAIMS = {
    "email": "Claire.Martin@CHU.example.org",
    "email_verified": True,
    "preferred_username": "cmartin",
    "given_name": "Claire",
    "family_name": "Martin",
}


def _with_email(user, email):
    user.email = email
    user.save()
    return user


def test_first_sign_on_creates_a_staff_account_without_establishment(oidc_settings):
    backend = HygieOIDCBackend()
    assert backend.verify_claims(CLAIMS)
    assert not backend.filter_users_by_claims(CLAIMS).exists()
    user = backend.create_user(CLAIMS)
    assert (user.username, user.role, user.first_name) == ("cmartin", "staff", "Claire")
    assert not user.has_usable_password()
    assert not user.establishments.exists() and not user.has_all_establishments
    entry = AuditEntry.objects.get(action="create", object_type="core.user", object_id=str(user.pk))
    assert entry.actor_label == "single sign-on (OIDC)"


def test_existing_account_is_matched_by_email_whatever_the_case(oidc_settings, make_user):
    existing = _with_email(make_user("claire", "rssi"), "claire.martin@chu.example.org")
    backend = HygieOIDCBackend()
    assert list(backend.filter_users_by_claims(CLAIMS)) == [existing]
    updated = backend.update_user(existing, CLAIMS)
    assert updated.role == "rssi"  # roles stay Hygie's decision, never the IdP's
    assert updated.last_name == "Martin"


def test_unverified_email_matches_nobody(oidc_settings, make_user):
    _with_email(make_user("claire", "admin"), "claire.martin@chu.example.org")
    claims = {**CLAIMS, "email_verified": False}
    backend = HygieOIDCBackend()
    assert not backend.verify_claims(claims)
    assert not backend.filter_users_by_claims(claims).exists()


def test_username_collisions_get_a_suffix(oidc_settings, make_user):
    make_user("cmartin", "staff")
    user = HygieOIDCBackend().create_user(CLAIMS)
    assert user.username == "cmartin-2"


def test_configured_default_role_is_used(oidc_settings):
    oidc_settings.HYGIE_OIDC_DEFAULT_ROLE = "trainer"
    assert HygieOIDCBackend().create_user(CLAIMS).role == "trainer"


@pytest.mark.parametrize(("trust", "expected_status"), [(False, 302), (True, 200)])
def test_privileged_sso_user_verifies_totp_unless_idp_trusted(
    client, oidc_settings, make_user, trust, expected_status
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    oidc_settings.HYGIE_OIDC_TRUST_MFA = trust
    user = make_user("claire", "rssi")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client.force_login(user, backend=BACKEND)
    response = client.get(reverse("core:profile"))
    assert response.status_code == expected_status
    if not trust:
        assert response.url.startswith(reverse("core:mfa_verify"))


def test_new_sso_user_sees_nothing_until_attached(client, oidc_settings):
    user = HygieOIDCBackend().create_user(CLAIMS)
    client.force_login(user, backend=BACKEND)
    assert client.get(reverse("core:dashboard")).status_code == 200
    assert user.visible_establishment_ids() == []
    assert isinstance(user, User)


@pytest.mark.slow
def test_sign_on_pages_are_mounted_when_configured(tmp_path):
    """A separate process, because the URL conf and the settings are read once at start-up."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = """
import django
from django.core.management import call_command
django.setup()
call_command("migrate", verbosity=0)
from django.test import Client
client = Client()
client.cookies["django_language"] = "en"
page = client.get("/accounts/login/").content.decode()
print("button:", "Sign in with Keycloak" in page and "/oidc/authenticate/" in page)
answer = client.get("/oidc/authenticate/")
print("redirect:", answer.status_code, answer["Location"].split("?")[0])
callback = "redirect_uri=http%3A%2F%2Ftestserver%2Foidc%2Fcallback%2F"
print("callback:", callback in answer["Location"])
"""
    env = {
        **os.environ,
        "HYGIE_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "hygie.settings.test",
        "HYGIE_OIDC_CLIENT_ID": "hygie",
        "HYGIE_OIDC_PROVIDER_NAME": "Keycloak",
        "HYGIE_OIDC_AUTHORIZATION_ENDPOINT": "https://idp.example.org/auth",
        "HYGIE_OIDC_TOKEN_ENDPOINT": "https://idp.example.org/token",
        "HYGIE_OIDC_USERINFO_ENDPOINT": "https://idp.example.org/userinfo",
        "HYGIE_OIDC_JWKS_ENDPOINT": "https://idp.example.org/jwks",
    }
    env.pop("HYGIE_TEST_DATABASE_URL", None)  # its own throw-away SQLite database
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.returncode == 0, result.stderr
    assert "button: True" in result.stdout
    assert "redirect: 302 https://idp.example.org/auth" in result.stdout
    assert "callback: True" in result.stdout
