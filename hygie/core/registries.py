"""The registries through which modules plug into the shell and into each other (design §3).

Each module may ship ``navigation.py``, ``probes.py``, ``search.py``, ``jobs.py``,
``alert_sections.py``, ``dashboard.py``, ``checklist.py`` and ``landing.py``
(``hygie.modules.CONVENTIONAL_MODULES``), which register at import.
``autodiscover`` imports them once every AppConfig is ready (as Django does for ``admin.py``),
then freezes every registry there is, wherever it is declared.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext, gettext_lazy

from hygie import modules
from hygie.lib.registry import Registry

if TYPE_CHECKING:
    from datetime import datetime

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


PROBE_STATUSES = ("pass", "fail", "partial", "not_applicable", "error")


@dataclass(frozen=True)
class ProbeResult:
    """What a probe found for one establishment: a verdict, a sentence, and the data behind it.

    ``summary`` is the sentence in English. A translatable result also carries ``summary_id``, an
    English msgid with ``%(name)s`` placeholders marked with ``gettext_noop``, and ``params``, the
    JSON-serialisable values that fill them: a result stored today (``summary_id`` and ``params``)
    is shown later in the reader's language by ``render_summary``. Build one with
    ``ProbeResult.translatable``.
    """

    status: str  # one of PROBE_STATUSES
    summary: str
    data: dict[str, Any] = field(default_factory=dict)
    summary_id: str = ""
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def translatable(
        cls,
        status: str,
        summary_id: str,
        params: Mapping[str, Any] | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> ProbeResult:
        """A result whose summary is the msgid ``summary_id`` filled with ``params``."""
        values = dict(params or {})
        return cls(
            status,
            _fill(summary_id, values) or summary_id,
            dict(data or {}),
            summary_id=summary_id,
            params=values,
        )

    @property
    def msgid(self) -> str:
        """What to store to show the summary in another language later (with ``params``)."""
        return self.summary_id or self.summary

    def as_dict(self) -> dict[str, Any]:
        """The result as JSON-ready values (what a consumer stores)."""
        return {
            "status": self.status,
            "summary": self.summary,
            "summary_id": self.msgid,
            "params": dict(self.params),
            "data": self.data,
        }


def _fill(text: str, params: Mapping[str, Any]) -> str:
    """``text % params``, or "" when a (translated) text and its values do not fit."""
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return ""


def render_summary(
    result: ProbeResult | Mapping[str, Any] | str, params: Mapping[str, Any] | None = None
) -> str:
    """A probe result's summary in the active language, at display time.

    Takes a ``ProbeResult``, a stored result (a mapping with ``summary_id`` or ``summary``, and
    ``params``), or a msgid and its ``params``. Summaries of probes that are not translatable
    (plain English sentences) are shown as they are; a translation whose placeholders do not fit
    the stored values falls back to the English sentence.
    """
    if isinstance(result, ProbeResult):
        msgid, values, english = result.msgid, result.params, result.summary
    elif isinstance(result, str):
        msgid, values, english = result, dict(params or {}), ""
    else:
        msgid = str(result.get("summary_id") or result.get("summary") or "")
        values = result.get("params") or result.get("summary_params") or {}
        english = str(result.get("summary") or "")
    if not msgid:
        return english
    translated = _fill(gettext(msgid), values)
    return translated or _fill(msgid, values) or english or msgid


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


MAX_SHOWN_PARTS = 5


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

    @property
    def shown_parts(self) -> Sequence[TilePart]:
        """The first parts: a card stays a glance; the tile's link leads to the rest."""
        return self.parts[:MAX_SHOWN_PARTS]

    @property
    def more_parts(self) -> int:
        return max(0, len(self.parts) - MAX_SHOWN_PARTS)


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
    # Tiles this one replaces for a user who sees both (e.g. compliance's stored probe results
    # replace the core's live checks), so the dashboard never says the same thing twice.
    supersedes: Sequence[str] = ()


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
    """The dashboard tiles this user may see, in order, less those a visible tile supersedes."""
    visible = [
        tile
        for tile in dashboard_tiles.values()
        if tile.capability is None or user.can(tile.capability)
    ]
    superseded = {key for tile in visible for key in tile.supersedes}
    return sorted(
        (tile for tile in visible if tile.id not in superseded),
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


# --- role landing pages ------------------------------------------------------------------------

# Roles whose home page is the posture dashboard (the whole picture); every other role lands on
# the panels the modules contribute for it.
POSTURE_ROLES = frozenset({"admin", "rssi", "auditor"})


@dataclass(frozen=True)
class LandingPanel:
    """A block of a role's home page (the DPO's breach register, the analyst's alert queue…),
    registered by a module's ``landing.py``. ``context(user)`` returns the context of
    ``template`` for this user, or None when the panel has nothing to show (a panel never shows
    a placeholder); it applies establishment scoping itself (``visible_to(user)``)."""

    id: str
    title: StrOrPromise
    order: int
    roles: frozenset[str]
    template: str
    context: Callable[[User], Mapping[str, Any] | None]
    capability: str | None = None


landing_panels: Registry[LandingPanel] = Registry("landing_panels")


def roles_of(user: User) -> frozenset[str]:
    """Every role the user holds: the account's role, plus administrator for a superuser."""
    roles = {user.role}
    if user.is_superuser:
        roles.add("admin")
    return frozenset(roles)


def shows_posture(user: User) -> bool:
    """Whether the user's home page is the posture dashboard (one posture role is enough)."""
    return bool(roles_of(user) & POSTURE_ROLES)


def landing_panels_for(user: User) -> list[LandingPanel]:
    """The panels of every role the user holds (a union: each panel once), in order, that the
    user's capabilities allow."""
    roles = roles_of(user)
    return sorted(
        (
            panel
            for panel in landing_panels.values()
            if panel.roles & roles and (panel.capability is None or user.can(panel.capability))
        ),
        key=lambda panel: (panel.order, panel.id),
    )


@dataclass(frozen=True)
class IndicatorMatch:
    """An observable that a threat-intelligence module knows as an indicator.

    ``kind`` and ``value`` are the observable looked up (kinds as response's observables: ``ip``,
    ``domain``, ``url``, ``hash``, ``email``); ``indicator`` is a short reference to the indicator
    (its id or name, no free text); ``tlp`` its marking (``clear``/``green``/``amber``/``red``,
    "" when unknown), ``confidence`` 0–100 or None, ``source`` the feed or partner it came from.
    """

    kind: str
    value: str
    indicator: str
    tlp: str = ""
    confidence: int | None = None
    source: str = ""


# ``lookup(establishment, observables) -> list[IndicatorMatch]``: ``observables`` is a sequence of
# ``(kind, value)`` pairs (canonical values: lower-case domains, hex SHA-256); the answer lists
# only those that match. A lookup must be fast (in-memory matcher), must not write, and must
# answer [] rather than raise when its store is unavailable. Modules that read indicators
# (awareness's reported-mail triage) call every registered lookup; the intel module registers
# one (key ``"intel"``) from a conventional file, so neither module imports the other.
IndicatorLookup = Callable[["Establishment", Sequence[tuple[str, str]]], list[IndicatorMatch]]
indicator_lookups: Registry[IndicatorLookup] = Registry("indicator_lookups")


def lookup_indicators(
    establishment: Establishment, observables: Sequence[tuple[str, str]]
) -> list[IndicatorMatch]:
    """Every registered lookup's matches for ``observables`` (a lookup that fails is skipped)."""
    if not observables:
        return []
    matches: list[IndicatorMatch] = []
    for key in indicator_lookups:
        try:
            matches.extend(indicator_lookups.get(key)(establishment, observables))
        except Exception:  # noqa: BLE001 - another module's failure must not stop the caller
            logging.getLogger("hygie.registries").warning("indicator lookup %s failed", key)
    return matches


# ``observe(establishment, events)``: ``events`` are ``(event id, observable fields)`` pairs of one
# stored batch of log events (fields by name, string values: addresses, hosts, URLs, hashes, file
# names, user agents, mail addresses, the message; see ``hygie.detection.prepare.is_observable``;
# a read-only mapping, not always a dict: ``prepare.ObservableFields``).
# Detection calls every registered observer inside the transaction that stored the batch, in a
# savepoint of its own, so an observer may write (sightings, alerts) and its failure rolls back
# its own writes only, never the events. Observers run on the ingest path: they must be fast
# (an in-memory matcher, one query per batch at most). The intel module registers its indicator
# matcher (key ``"intel"``) from a conventional file, so neither module imports the other.
EventObserver = Callable[["Establishment", Sequence[tuple[int, Mapping[str, str]]]], None]
event_observers: Registry[EventObserver] = Registry("event_observers")


def notify_event_observers(
    establishment: Establishment, events: Sequence[tuple[int, Mapping[str, str]]]
) -> None:
    """Hand a stored batch's observable fields to every registered observer."""
    if not events:
        return
    from django.db import transaction

    for key in event_observers:
        try:
            with transaction.atomic():
                event_observers.get(key)(establishment, events)
        except Exception as error:  # noqa: BLE001 - another module's failure must not lose events
            logging.getLogger("hygie.registries").warning(
                "event observer %s failed on a batch of %d events: %s",
                key,
                len(events),
                type(error).__name__,
            )


@dataclass(frozen=True)
class EventHistory:
    """A module's stored log events, read back: ``read(establishment, since)`` yields
    ``(event id, received at, observable fields)`` for the events received at or after
    ``since``, oldest first, streamed, fields as ``event_observers`` get them (see
    ``hygie.detection.prepare.observable_fields``); ``count(establishment, since)`` says how
    many. Read-only. The detection module registers one (key ``"detection"``); the intel
    module's retro-hunt reads stored events through it, so neither imports the other."""

    read: Callable[[Establishment, datetime], Iterable[tuple[int, datetime, Mapping[str, str]]]]
    count: Callable[[Establishment, datetime], int]


event_history: Registry[EventHistory] = Registry("event_history")


def count_stored_events(establishment: Establishment, since: datetime) -> int:
    """How many stored events ``stored_events`` yields for these arguments."""
    return sum(event_history.get(key).count(establishment, since) for key in event_history)


def stored_events(
    establishment: Establishment, since: datetime
) -> Iterator[tuple[int, datetime, Mapping[str, str]]]:
    """Every registered history's stored events received since ``since``."""
    for key in event_history:
        yield from event_history.get(key).read(establishment, since)


class NetworkListener(Protocol):
    """A receiver running beside the web server: started and stopped by ``hygie serve``."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class ListenerEntry:
    """A module's network receiver that ``hygie serve`` runs (syslog, SMTP for reported mails…).

    ``configured()`` builds it from the module's settings, or returns None when they ask for
    none; a setting that cannot be used raises :class:`hygie.config.ConfigError` (shown to the
    user as is). ``describe(listener)`` is the line printed once it listens; ``stopping`` is
    printed before it stops (e.g. that queued events are being stored). Receivers start in module
    order and stop in reverse order, before the task worker.
    """

    configured: Callable[[], NetworkListener | None]
    describe: Callable[[Any], str]
    stopping: str = ""


network_listeners: Registry[ListenerEntry] = Registry("network_listeners")
