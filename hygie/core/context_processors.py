"""Template context every page of the shell needs: navigation, languages, product name."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from hygie import __version__
from hygie.core.http import signed_in_user
from hygie.core.registries import sections_for
from hygie.core.services.mfa import is_request_verified


def is_fully_signed_in(request: HttpRequest) -> bool:
    """Signed in, with no pending step (the same gate as AccountSetupMiddleware)."""
    user = signed_in_user(request)
    if user is None or user.must_change_password:
        return False
    return is_request_verified(request)


def shell(request: HttpRequest) -> dict[str, Any]:
    user = signed_in_user(request)
    is_signed_in = is_fully_signed_in(request)
    return {
        "hygie_version": __version__,
        # Until sign-in is complete (new password, second factor) the shell shows no menu and no
        # search: those pages would only bounce back to the pending step.
        "nav_sections": sections_for(user) if is_signed_in and user is not None else [],
        "is_fully_signed_in": is_signed_in,
        "oidc_enabled": getattr(settings, "HYGIE_OIDC_ENABLED", False),
        "oidc_provider_name": getattr(settings, "HYGIE_OIDC_PROVIDER_NAME", "SSO"),
    }
