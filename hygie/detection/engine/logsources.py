"""Log-source routing: which rules apply to an event, and under which field names.

The routing data lives in ``logsources.yml`` (declarative, reviewed in diffs); this module only
interprets it. An event either carries its log source explicitly (a parser that knows it read
sshd logs says so) or is recognised as a Windows event by its ``Channel`` and ``EventID``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from hygie.lib.documents import DocumentError, load_yaml

from .errors import SigmaEngineError
from .rule_pack import LogSourceSpec


@dataclass(frozen=True)
class CategoryRoute:
    """One way a category appears in a product's events, with its field renaming."""

    category: str
    service: str
    event_ids: frozenset[str]
    when: tuple[tuple[str, str], ...] = ()
    fields: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class ResolvedSource:
    """The log source of one event: product, service and the categories it belongs to."""

    product: str | None
    service: str | None
    categories: tuple[CategoryRoute, ...] = ()

    def field_mapping_for(self, spec: LogSourceSpec) -> dict[str, str] | None:
        """The field renaming under which a rule with ``spec`` applies, or None if it does not."""
        if spec.product is not None and spec.product != self.product:
            return None
        if spec.service is not None and spec.service != self.service:
            return None
        if spec.category is None:
            return {}
        for route in self.categories:
            if route.category == spec.category:
                return dict(route.fields)
        return None


@dataclass(frozen=True)
class WindowsRouting:
    product: str
    channel_field: str
    event_id_field: str
    services_by_channel: Mapping[str, str]
    routes: Mapping[tuple[str, str], tuple[CategoryRoute, ...]]
    discriminators: tuple[str, ...]
    discriminator_values: Mapping[str, frozenset[str]]
    categories: frozenset[str]
    services: frozenset[str]


class LogSourceCatalog:
    """Routing tables for the products Hygie recognises by their fields (today: Windows)."""

    def __init__(self, windows: WindowsRouting) -> None:
        self.windows = windows

    @classmethod
    def from_yaml(cls, text: str) -> LogSourceCatalog:
        try:
            data = load_yaml(text, "logsources.yml").data
            return cls(_windows_routing(data["windows"]))
        except (DocumentError, KeyError, TypeError, AttributeError) as error:
            raise SigmaEngineError(f"invalid log-source catalog: {error}") from None

    def route_key(self, event: Mapping[str, Any]) -> tuple[str, ...] | None:
        """A small key for the event's log source; events sharing it share rules.

        Keys are canonical (unknown channels, EventIDs and discriminator values collapse), so
        their number is bounded by the catalog whatever the input.
        """
        w = self.windows
        channel = event.get(w.channel_field)
        event_id = event.get(w.event_id_field)
        if channel is None or event_id is None:
            return None
        channel_key = str(channel).lower()
        service = w.services_by_channel.get(channel_key)
        if service is None:
            return (w.product,)
        event_key = str(event_id)
        if (service, event_key) not in w.routes:
            return (service, "")
        key = [service, event_key]
        for name in w.discriminators:
            value = event.get(name)
            text = "" if value is None else str(value).lower()
            key.append(text if text in w.discriminator_values[name] else "")
        return tuple(key)

    def resolve(self, key: tuple[str, ...]) -> ResolvedSource:
        """The log source behind a ``route_key``."""
        w = self.windows
        if len(key) == 1:
            return ResolvedSource(w.product, None)
        service, event_id, *values = key
        event_fields = dict(zip(w.discriminators, values, strict=False))
        categories = tuple(
            route
            for route in w.routes.get((service, event_id), ())
            if all(event_fields.get(name) == value for name, value in route.when)
        )
        return ResolvedSource(w.product, service, categories)

    def is_routable(self, spec: LogSourceSpec) -> bool:
        """False for a Windows rule whose category or service no Windows event can carry."""
        w = self.windows
        if spec.product != w.product:
            return True
        if spec.category is not None and spec.category not in w.categories:
            return False
        return spec.service is None or spec.service in w.services


def default_catalog() -> LogSourceCatalog:
    """The catalog shipped with Hygie (``logsources.yml`` next to this module)."""
    text = resources.files(__package__).joinpath("logsources.yml").read_text(encoding="utf-8")
    return LogSourceCatalog.from_yaml(text)


def explicit_source(spec: LogSourceSpec) -> ResolvedSource:
    """An event whose parser states its log source; a category applies without renaming."""
    categories: tuple[CategoryRoute, ...] = ()
    if spec.category is not None:
        categories = (CategoryRoute(spec.category, spec.service or "", frozenset()),)
    return ResolvedSource(spec.product, spec.service, categories)


def _windows_routing(data: Mapping[str, Any]) -> WindowsRouting:
    services_by_channel: dict[str, str] = {}
    for service, channels in data["services"].items():
        for channel in channels:
            services_by_channel.setdefault(str(channel).lower(), str(service))
    routes: dict[tuple[str, str], list[CategoryRoute]] = {}
    discriminators: dict[str, set[str]] = {}
    for category, entries in data["categories"].items():
        for entry in entries:
            when = tuple((str(k), str(v).lower()) for k, v in (entry.get("when") or {}).items())
            for name, value in when:
                discriminators.setdefault(name, set()).add(value)
            route = CategoryRoute(
                category=str(category),
                service=str(entry["service"]),
                event_ids=frozenset(str(e) for e in entry["event_ids"]),
                when=when,
                fields=tuple((str(k), str(v)) for k, v in (entry.get("fields") or {}).items()),
            )
            for event_id in route.event_ids:
                routes.setdefault((route.service, event_id), []).append(route)
    return WindowsRouting(
        product=str(data["product"]),
        channel_field=str(data["channel_field"]),
        event_id_field=str(data["event_id_field"]),
        services_by_channel=services_by_channel,
        routes={key: tuple(value) for key, value in routes.items()},
        discriminators=tuple(discriminators),
        discriminator_values={k: frozenset(v) for k, v in discriminators.items()},
        categories=frozenset(str(c) for c in data["categories"]),
        services=frozenset(str(s) for s in data["services"]),
    )
