"""Template context every page of the shell needs: navigation, languages, product name."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from hygie import __version__
from hygie.core.registries import sections_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    sections = sections_for(user) if user is not None and user.is_authenticated else []
    return {
        "hygie_version": __version__,
        "nav_sections": sections,
        "oidc_enabled": getattr(settings, "HYGIE_OIDC_ENABLED", False),
        "oidc_provider_name": getattr(settings, "HYGIE_OIDC_PROVIDER_NAME", "SSO"),
    }
