"""Request-wide context for the audit trail, and the account set-up gate (password, MFA)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from hygie.core import context

# Paths a user with an unfinished set-up may still reach.
_SETUP_EXEMPT_PREFIXES = ("/static/", "/i18n/", "/accounts/", "/api/", "/healthz", "/oidc/")


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
    """Send users who must change their password or enrol/verify a second factor to do so first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated
                and not request.path.startswith(_SETUP_EXEMPT_PREFIXES)):
            if user.must_change_password:
                return redirect(reverse("core:password_change"))
            if not user.is_verified() and (user.requires_mfa or _has_device(user)):
                return redirect(reverse("core:mfa_verify"))
        return self.get_response(request)


def _has_device(user: object) -> bool:
    from django_otp import devices_for_user

    return any(True for _ in devices_for_user(user, confirmed=True))
