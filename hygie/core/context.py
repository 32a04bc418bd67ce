"""Who is acting, from where, through which channel: set once per request, command or task.

Services read it when writing the audit trail, so callers never pass it by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from hygie.core.models import User


@dataclass(frozen=True)
class ActorContext:
    user: User | AnonymousUser | None = None
    channel: str = "system"
    source_ip: str | None = None
    user_agent: str = ""
    label: str = ""

    @property
    def signed_in_user(self) -> User | None:
        """The acting user when one signed in (None: anonymous, command, task, system)."""
        from hygie.core.models import User  # at run time the apps are loaded

        user = self.user
        return user if isinstance(user, User) and user.is_authenticated else None

    @property
    def actor_label(self) -> str:
        if self.user is not None and getattr(self.user, "is_authenticated", False):
            return self.user.get_username()
        return self.label or self.channel


# ActorContext is a frozen dataclass: sharing the default instance is safe.
_current: ContextVar[ActorContext] = ContextVar("hygie_actor", default=ActorContext())  # noqa: B039


def current() -> ActorContext:
    return _current.get()


@contextmanager
def acting_as(context: ActorContext) -> Iterator[ActorContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
