"""Capability checks for function views (roles → capabilities, see ``hygie.core.roles``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _


def capability_required(capability: str) -> Callable[[Callable[..., HttpResponse]],
                                                     Callable[..., HttpResponse]]:
    """Sign-in first, then 403 unless the user's role grants ``capability``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.can(capability):
                raise PermissionDenied(_("Your role does not give access to this page."))
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
