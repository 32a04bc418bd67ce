"""API authentication: personal bearer tokens, or the browser session (with CSRF and MFA)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from hygie.core import context
from hygie.core.models import APIToken, User
from hygie.core.services import mfa

_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenAuth(HttpBearer):
    """``Authorization: Bearer hyg_…``: hashed at rest, expiring, revocable, read or write scope."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        api_token = APIToken.authenticate(token)
        if api_token is None:
            return None
        if api_token.scope == "read" and request.method not in _SAFE_METHODS:
            raise HttpError(403, "This API token is read-only.")
        request.user = api_token.user
        # Read back with getattr(request, "api_token", None): only token requests carry it.
        setattr(request, "api_token", api_token)  # noqa: B010
        _bind_actor(request)
        return api_token.user


class VerifiedSessionAuth(SessionAuth):
    """The browser session, refused until the user has passed the second factor when required."""

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing to protect from CSRF: skip ninja's check
        # so a script sending an expired or revoked token gets 401, not a misleading CSRF 403.
        if not getattr(request.user, "is_authenticated", False):
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if not user:
            return None
        # The same gate as the pages: a session that has not finished signing in (new password,
        # second factor when required or enrolled) is no session for the API either.
        if user.must_change_password or not mfa.is_request_verified(request):
            return None
        _bind_actor(request)
        return user


def _bind_actor(request: HttpRequest) -> None:
    current = context.current()
    # The middleware ran before authentication: refresh the actor for the audit trail.
    context._current.set(
        context.ActorContext(
            user=request.user,
            channel="api",
            source_ip=current.source_ip,
            user_agent=current.user_agent,
        )
    )


API_AUTH = [TokenAuth(), VerifiedSessionAuth()]
