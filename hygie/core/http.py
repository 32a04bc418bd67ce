"""Typed requests: what Hygie's middleware and authentication add to Django's ``HttpRequest``.

Annotations only (django-stubs' documented pattern): at run time every request is a plain
``HttpRequest``. A view behind the sign-in gate (``CapabilityRequiredMixin``, ``login_required``,
the API's authentication) annotates its request as ``AuthenticatedRequest`` so that
``request.user`` is Hygie's ``User``, not ``User | AnonymousUser``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from hygie.core.models import User


class HygieRequest(HttpRequest):
    """Any request once the middleware ran (``django_htmx.middleware.HtmxMiddleware``)."""

    htmx: HtmxDetails


class AuthenticatedRequest(HygieRequest):
    """A request whose user signed in (pages behind the gate, authenticated API operations)."""

    user: User
    # ``core.api.auth.TokenAuth`` also sets ``api_token`` on token requests only: read it with
    # ``getattr(request, "api_token", None)``.


def signed_in_user(request: HttpRequest) -> User | None:
    """The request's signed-in user; None for an anonymous visitor or before authentication."""
    from hygie.core.models import User  # at request time: the apps are loaded

    user = getattr(request, "user", None)
    return user if isinstance(user, User) and user.is_authenticated else None
