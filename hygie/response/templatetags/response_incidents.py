"""Template filters of the incident pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

if TYPE_CHECKING:
    from hygie.core.models import User

register = template.Library()


@register.filter
def person(user: User | None, empty: str = "—") -> str:
    """A user's full name, else their username; ``empty`` when there is nobody (a deleted
    account, or the platform itself)."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()
