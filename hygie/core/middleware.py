"""Request-wide context for the audit trail, and the account set-up gate (password, MFA)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from hygie.core import context
from hygie.core.http import signed_in_user
from hygie.core.services import accounts, mfa

# Paths that never need a finished account set-up (the API checks verification itself).
_SETUP_EXEMPT_PREFIXES = ("/static/", "/i18n/", "/api/", "/healthz", "/oidc/")
# Pages reachable whatever step is pending, so a user can always leave or read the message.
_ALWAYS_ALLOWED_URL_NAMES = ("core:logout", "core:login")


def client_ip(request: HttpRequest) -> str | None:
    # REMOTE_ADDR is right behind the proxies we trust: SECURE_PROXY_SSL_HEADER deployments set
    # the proxy to overwrite X-Forwarded-For, and axes reads the same (AXES_IPWARE_PROXY_COUNT).
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    """Make the acting user, channel and origin available to services for the audit trail."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        actor = context.ActorContext(
            user=getattr(request, "user", None),
            channel="api" if request.path.startswith("/api/") else "web",
            source_ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        with context.acting_as(actor):
            return self.get_response(request)


class AccountSetupMiddleware:
    """Finish the account set-up before anything else, one step at a time.

    1. A user with a confirmed second factor who has not verified it in this session → verify
       (first, so a leaked one-time password alone cannot take over an account).
    2. ``must_change_password`` (first sign-in, password reset) → change the password.
    3. A role that requires a second factor and none enrolled yet → enrol.

    It also remembers the language a signed-in user picks in the header's switcher.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        was_signed_in = user is not None and user.is_authenticated
        if was_signed_in and not request.path.startswith(_SETUP_EXEMPT_PREFIXES):
            step = pending_setup_step(request)
            if step is not None and request.path not in _allowed_paths(step):
                return _redirect_to_step(request, step)
        response = self.get_response(request)
        if not was_signed_in:
            _apply_language_at_sign_in(request, response)
        _remember_language_choice(request, response)
        return response


def pending_setup_step(request: HttpRequest) -> str | None:
    """URL name of the set-up page this signed-in user must go through now, if any."""
    user = signed_in_user(request)
    if user is None:
        return None
    verified = mfa.is_request_verified(request)
    if not verified and mfa.has_confirmed_device(user):
        return "core:mfa_verify"
    if user.must_change_password:
        return "core:password_change"
    if not verified:
        return "core:mfa_enrol"
    return None


def _allowed_paths(step: str) -> set[str]:
    return {reverse(name) for name in (step, *_ALWAYS_ALLOWED_URL_NAMES)}


def _redirect_to_step(request: HttpRequest, step: str) -> HttpResponse:
    target = reverse(step)
    if request.method == "GET" and request.path != "/":
        target += "?" + urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
    if getattr(request, "htmx", False):
        # An htmx swap would put the set-up page inside the current one: reload instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


def _apply_language_at_sign_in(request: HttpRequest, response: HttpResponse) -> None:
    # Password and single sign-on logins both replace request.user during the request: that is
    # the moment to switch the interface to the language stored on the account.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language:
        set_language_cookie(response, user.language)


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """The cookie LocaleMiddleware reads, set the way Django's own set_language view sets it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )


def _remember_language_choice(request: HttpRequest, response: HttpResponse) -> None:
    # The header's switcher posts to Django's set_language view, which only sets a cookie;
    # signed-in users expect the choice to follow their account to other browsers.
    user = getattr(request, "user", None)
    if (
        request.method != "POST"
        or user is None
        or not user.is_authenticated
        or request.path != reverse("set_language")
    ):
        return
    cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie is not None and cookie.value in {"fr", "en"} and user.language != cookie.value:
        accounts.set_language(user, cookie.value)
