"""The registries through which modules plug into the shell and into each other (design §3).

Each module may ship ``navigation.py``, ``probes.py``, ``search.py``, ``jobs.py``,
``alert_sections.py`` and ``dashboard.py`` (``hygie.modules.CONVENTIONAL_MODULES``), which
register at import.
``autodiscover`` imports them once every AppConfig is ready (as Django does for ``admin.py``),
then freezes every registry there is, wherever it is declared.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy

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
    title: str  # an English msgid marked with gettext_noop, translated where it is shown
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


# Tile statuses, from calm to urgent: the card shows a word and a symbol, never colour alone.
TILE_STATUS_LABELS: dict[str, StrOrPromise] = {
    "neutral": "",
    "ok": gettext_lazy("Under control"),
    "warning": gettext_lazy("To watch"),
    "critical": gettext_lazy("Action needed"),
}
TILE_STATUSES = tuple(TILE_STATUS_LABELS)


@dataclass(frozen=True)
class TilePart:
    """One figure inside a tile (e.g. the "high" count of open alerts), with its own link."""

    label: StrOrPromise
    value: int | str
    link: str = ""
    css: str = ""  # a badge class shared with the rest of the UI, e.g. "severity-40"


@dataclass(frozen=True)
class Series:
    """A chart's data: one value per label (days, weeks), one list per named line or bar set."""

    title: StrOrPromise
    description: StrOrPromise
    labels: Sequence[str]
    values: Mapping[str, Sequence[int]]  # series name (translated) -> one value per label
    kind: str = "bars"  # "bars" or "lines"


@dataclass(frozen=True)
class TileData:
    """What one tile shows for one establishment."""

    value: int | str | None
    status: str = "neutral"  # one of TILE_STATUSES
    link: str = ""
    detail: StrOrPromise = ""  # one short sentence under the figure (a countdown, a date)
    parts: Sequence[TilePart] = field(default_factory=tuple)
    series: Series | None = None

    def __post_init__(self) -> None:
        if self.status not in TILE_STATUS_LABELS:
            raise ValueError(f"unknown tile status {self.status!r}")

    @property
    def value_is_text(self) -> bool:
        """A sentence (a countdown) rather than a figure: shown smaller."""
        return isinstance(self.value, str)

    @property
    def status_label(self) -> str:
        return str(TILE_STATUS_LABELS[self.status])


@dataclass(frozen=True)
class DashboardTile:
    """A card of the posture dashboard. ``compute(user, establishments)`` returns one
    ``TileData`` per establishment id, for establishments the caller already scoped to the
    user; it must answer in a fixed number of queries whatever their number (group by
    establishment), and may leave out an establishment it has nothing to say about."""

    id: str
    title: StrOrPromise
    order: int
    compute: Callable[[User, Sequence[Establishment]], Mapping[int, TileData]]
    capability: str | None = None


navigation: Registry[NavSection] = Registry("navigation")
dashboard_tiles: Registry[DashboardTile] = Registry("dashboard_tiles")
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


def tiles_for(user: User) -> list[DashboardTile]:
    """The dashboard tiles this user may see, in order."""
    return sorted(
        (
            tile
            for tile in dashboard_tiles.values()
            if tile.capability is None or user.can(tile.capability)
        ),
        key=lambda tile: (tile.order, tile.id),
    )


# --- first-run checklist ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistState:
    """Where one step of the first-run checklist stands for the administrator looking at it."""

    done: bool
    link: str = ""  # the page where the step is done ("" when it is done in the configuration)
    detail: StrOrPromise = ""  # one short sentence: what is missing, or which setting to fill


@dataclass(frozen=True)
class ChecklistItem:
    """One step of the administrator's first-run checklist on the home page. ``check(user,
    establishments)`` looks only at the establishments given (those the user sees)."""

    id: str
    title: StrOrPromise
    order: int
    check: Callable[[User, Sequence[Establishment]], ChecklistState]


checklist: Registry[ChecklistItem] = Registry("checklist")


def checklist_items() -> list[ChecklistItem]:
    """Every module's checklist steps (its ``checklist.py``), in order."""
    return sorted(checklist.values(), key=lambda item: (item.order, item.id))
