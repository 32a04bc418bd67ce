"""The registries through which modules plug into the shell and into each other (design §3).

Each module may ship ``navigation.py``, ``probes.py``, ``search.py``, ``jobs.py`` and
``alert_sections.py`` (``hygie.modules.CONVENTIONAL_MODULES``), which register at import.
``autodiscover`` imports them once every AppConfig is ready (as Django does for ``admin.py``),
then freezes every registry there is, wherever it is declared.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from hygie import modules
from hygie.lib.registry import Registry

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from hygie.core.models import Establishment, User


@dataclass(frozen=True)
class NavItem:
    """A link in the navigation. ``capability`` hides it from users who may not use it."""

    label: StrOrPromise
    url_name: str
    capability: str | None = None


@dataclass(frozen=True)
class NavSection:
    """One module's entry in the navigation, with its pages."""

    key: str
    label: StrOrPromise
    order: int
    items: Sequence[NavItem] = field(default_factory=tuple)
    icon: str = ""

    def visible_items(self, user: User) -> list[NavItem]:
        return [item for item in self.items if item.capability is None or user.can(item.capability)]


@dataclass(frozen=True)
class ProbeResult:
    """What a probe found for one establishment: a verdict, a sentence, and the data behind it."""

    status: str  # "pass", "fail", "partial", "not_applicable", "error"
    summary: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Probe:
    """Compliance evidence a module can compute from live data (the Django system-check model)."""

    id: str
    title: str
    controls: Sequence[str]
    run: Callable[[Establishment], ProbeResult]


@dataclass(frozen=True)
class SearchHit:
    label: str
    url: str
    kind: str


@dataclass(frozen=True)
class SearchProvider:
    """Global search over one kind of object; ``search(user, text)`` must apply scoping."""

    key: str
    label: StrOrPromise
    search: Callable[[User, str], list[SearchHit]]


navigation: Registry[NavSection] = Registry("navigation")
probes: Registry[Probe] = Registry("probes")
search_providers: Registry[SearchProvider] = Registry("search")


def autodiscover() -> list[str]:
    """Import every module's conventional files in module order, then freeze every registry.
    Returns the dotted names imported (called once, by ``hygie.core.discovery``)."""
    imported = []
    for module in modules.discover():
        for name in modules.CONVENTIONAL_MODULES:
            dotted = f"{module.package}.{name}"
            if find_spec(dotted) is not None:
                import_module(dotted)
                imported.append(dotted)
    Registry.freeze_all()
    return imported


def sections_for(user: User) -> list[tuple[NavSection, list[NavItem]]]:
    """The navigation this user may see, in module order, without empty sections."""
    result = []
    for section in sorted(navigation.values(), key=lambda s: (s.order, s.key)):
        items = section.visible_items(user)
        if items:
            result.append((section, items))
    return result
