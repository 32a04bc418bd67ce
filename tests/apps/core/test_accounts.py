"""Sign-in, lockout, sign-out, session expiry, language preference and the profile page."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from hygie.core.models import AuditEntry
from hygie.core.services import accounts
from tests.apps.core.account_support import PASSWORD, sign_in, sign_out, speak_english

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    speak_english(client)


def test_sign_in_page_and_wrong_password_message(client, make_user):
    make_user("nurse", "staff")
    page = client.get(reverse("core:login"))
    assert page.status_code == 200
    assert 'name="password"' in page.content.decode()
    response = sign_in(client, "nurse", "wrong password")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert AuditEntry.objects.filter(action="login_failed", object_repr="nurse").exists()
    assert "wrong password" not in str(list(AuditEntry.objects.values()))


def test_sign_in_then_sign_out_with_post_only(client, make_user):
    make_user("nurse", "staff")
    response = sign_in(client, "nurse")
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200
    # A GET asks for confirmation and keeps the session (no sign-out by a stray link or image).
    confirm = client.get(reverse("core:logout"))
    assert confirm.status_code == 200 and b'method="post"' in confirm.content
    assert client.get(reverse("core:dashboard")).status_code == 200
    sign_out(client)
    assert client.get(reverse("core:dashboard")).status_code == 302
    assert list(
        AuditEntry.objects.filter(object_type="core.user")
        .exclude(action__in=["create", "update"])
        .order_by("sequence")
        .values_list("action", flat=True)
    ) == ["login", "logout"]


def test_lockout_after_five_failures_with_retry_time(client, make_user):
    user = make_user("nurse", "staff")
    for _ in range(4):
        assert sign_in(client, "nurse", "bad guess").status_code == 200
    locked = sign_in(client, "nurse", "bad guess")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Sign-in temporarily blocked" in text
    assert "Try again in 30 minutes" in text
    # Even the right password is refused while locked.
    assert sign_in(client, "nurse", PASSWORD).status_code == 429
    assert AuditEntry.objects.filter(action="locked_out", object_repr="nurse").exists()

    assert accounts.locked_usernames(["nurse"]) == {"nurse"}
    accounts.unlock(user.username, actor=None)
    assert sign_in(client, "nurse", PASSWORD).status_code == 302


def test_lockout_page_is_translated(client, make_user):
    make_user("nurse", "staff")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    for _ in range(5):
        response = sign_in(client, "nurse", "bad guess")
    assert response.status_code == 429
    assert response.context["retry_at"] is not None
    assert response.context["LANGUAGE_CODE"] == "fr"
    assert "Sign-in temporarily blocked" not in response.content.decode()


def test_sessions_expire(client, make_user):
    make_user("nurse", "staff")
    sign_in(client, "nurse")
    session = client.session
    assert session.get_expire_at_browser_close()
    assert 0 < django_settings.SESSION_COOKIE_AGE <= 12 * 3600
    assert django_settings.SESSION_SAVE_EVERY_REQUEST  # idle sessions end, active ones go on


def test_language_of_the_account_is_applied_at_sign_in(client, make_user):
    make_user("nurse", "staff", language="en")
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = sign_in(client, "nurse")
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("core:profile"))
    assert page.context["LANGUAGE_CODE"] == "en"


def test_profile_saves_language(client, make_user):
    user = make_user("nurse", "staff")
    sign_in(client, "nurse")
    response = client.post(reverse("core:profile"), {"language": "fr"})
    assert response.status_code == 302
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "fr"
    user.refresh_from_db()
    assert user.language == "fr"
    assert client.get(reverse("core:profile")).context["LANGUAGE_CODE"] == "fr"


def test_language_switch_for_visitors_and_remembered_for_users(client, make_user):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert client.get(reverse("core:login")).context["LANGUAGE_CODE"] == "fr"
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get(reverse("core:login"))
    assert page.context["LANGUAGE_CODE"] == "en"
    assert "Sign in to Hygie" in page.content.decode()

    user = make_user("nurse", "staff")
    sign_in(client, "nurse")
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    user.refresh_from_db()
    assert user.language == "fr"


def test_profile_shows_account_and_links(client_a, user_a, establishment_a):
    page = client_a.get(reverse("core:profile"))
    text = page.content.decode()
    assert page.status_code == 200
    assert user_a.username in text and establishment_a.name in text
    for name in ("core:password_change", "core:mfa_manage", "core:token_list"):
        assert reverse(name) in text


def test_set_up_gate_keeps_next_and_lets_user_sign_out(client, make_user):
    make_user("nurse", "staff", must_change_password=True)
    sign_in(client, "nurse")
    response = client.get("/audit/?action=login")
    assert response.url == reverse("core:password_change") + "?next=%2Faudit%2F%3Faction%3Dlogin"
    assert sign_out(client).status_code == 302
    assert client.get(reverse("core:dashboard")).url.startswith(reverse("core:login"))
