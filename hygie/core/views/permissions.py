"""Capability checks for function views (roles → capabilities, see ``hygie.core.roles``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from hygie.core.http import AuthenticatedRequest

_P = ParamSpec("_P")
_R = TypeVar("_R", bound=HttpResponseBase)
_View = Callable[Concatenate[AuthenticatedRequest, _P], _R]


def capability_required(capability: str) -> Callable[[_View[_P, _R]], _View[_P, _R]]:
    """Sign-in first, then 403 unless the user's role grants ``capability``."""

    def decorator(view: _View[_P, _R]) -> _View[_P, _R]:
        @wraps(view)
        def wrapped(request: AuthenticatedRequest, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
            if not request.user.can(capability):
                raise PermissionDenied(_("Your role does not give access to this page."))
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorator
