"""Authentication events into the audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from hygie.core import audit, context

if TYPE_CHECKING:
    from django.http import HttpRequest

    from hygie.core.models import User


def _with_request(request: HttpRequest | None, user: User | None = None) -> context.ActorContext:
    current = context.current()
    return context.ActorContext(
        user=user if user is not None else current.user,
        channel=current.channel if current.channel != "system" else "web",
        source_ip=current.source_ip or (request.META.get("REMOTE_ADDR") if request else None),
        user_agent=current.user_agent
        or (request.META.get("HTTP_USER_AGENT", "") if request else ""),
    )


@receiver(user_logged_in, dispatch_uid="hygie-audit-login")
def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    with context.acting_as(_with_request(request, user)):
        audit.record("login", user)


@receiver(user_logged_out, dispatch_uid="hygie-audit-logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is None:
        return
    with context.acting_as(_with_request(request, user)):
        audit.record("logout", user)


@receiver(user_login_failed, dispatch_uid="hygie-audit-login-failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the username is kept: never the password that was tried.
    username = str(credentials.get("username", ""))[:150]
    with context.acting_as(_with_request(request)):
        audit.record(
            "login_failed",
            object_type="core.user",
            object_repr=username,
            message="authentication failed",
        )


@receiver(user_locked_out, dispatch_uid="hygie-audit-locked-out")
def _locked_out(
    sender: Any, request: HttpRequest | None, username: str | None = None, **kwargs: Any
) -> None:
    with context.acting_as(_with_request(request)):
        audit.record(
            "locked_out",
            object_type="core.user",
            object_repr=(username or "")[:150],
            message="too many failed logins: account locked",
        )
