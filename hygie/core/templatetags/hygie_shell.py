"""Template helpers of the shell: navigation links that tolerate pages not installed yet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    is_current: bool


def _resolve(url_name: str) -> str:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return ""


def _current_url(context: template.Context, current_path: str) -> str:
    """The one navigation URL to mark current: the longest that prefixes the path.

    A module's overview at ``/privacy/`` must not stay highlighted on ``/privacy/findings/``.
    The dashboard (``/``) only matches itself. Computed once per page.
    """
    cache = context.render_context
    if "hygie_current_nav_url" not in cache:
        best = ""
        for _section, items in context.get("nav_sections") or []:
            for item in items:
                url = _resolve(item.url_name)
                matches = (
                    current_path == url
                    if url == "/"
                    else (bool(url) and current_path.startswith(url))
                )
                if matches and len(url) > len(best):
                    best = url
        cache["hygie_current_nav_url"] = best
    return str(cache["hygie_current_nav_url"])


@register.simple_tag(takes_context=True)
def nav_links(context: template.Context, items: Any) -> list[NavLink]:
    """Resolve a section's items; an item whose page is not installed is left out, not fatal."""
    request = context.get("request")
    current = _current_url(context, getattr(request, "path", ""))
    links = []
    for item in items:
        url = _resolve(item.url_name)
        if url:
            links.append(NavLink(str(item.label), url, url == current))
    return links
