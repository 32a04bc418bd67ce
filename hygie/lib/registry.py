"""Typed registries keyed by stable ids: how modules cooperate without importing each other."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar
from weakref import WeakSet

from hygie.lib.errors import HygieError

T = TypeVar("T")


class RegistryError(HygieError):
    """A registry was used wrongly: duplicate id, unknown id."""


class RegistryFrozenError(RegistryError):
    """Something tried to register after start-up, when the registry is frozen."""


class Registry(Generic[T]):
    """A name → item mapping that rejects duplicates and freezes once apps are ready."""

    # Every registry created, so start-up can freeze them all in one call (``freeze_all``)
    # instead of each owner remembering to.
    _instances: WeakSet[Registry[Any]] = WeakSet()  # Any: a registry of any item type

    def __init__(self, name: str) -> None:
        self.name = name
        self._items: dict[str, T] = {}
        self._frozen = False
        Registry._instances.add(self)

    @classmethod
    def every(cls) -> list[Registry[object]]:
        """Every registry that exists, by name."""
        return sorted(cls._instances, key=lambda registry: registry.name)

    @classmethod
    def freeze_all(cls) -> list[Registry[object]]:
        """Freeze every registry that exists (at start-up, once every module registered);
        returns them, by name."""
        registries = cls.every()
        for registry in registries:
            registry.freeze()
        return registries

    def register(self, key: str, item: T) -> T:
        if self._frozen:
            raise RegistryFrozenError(f"registry {self.name!r} is frozen; cannot add {key!r}")
        if not key:
            raise RegistryError(f"registry {self.name!r}: empty key")
        if key in self._items:
            raise RegistryError(f"registry {self.name!r}: duplicate key {key!r}")
        self._items[key] = item
        return item

    def decorator(self, key: str) -> Callable[[T], T]:
        """Register the decorated object under ``key`` and return it unchanged."""

        def wrap(item: T) -> T:
            return self.register(key, item)

        return wrap

    def get(self, key: str) -> T:
        try:
            return self._items[key]
        except KeyError:
            raise RegistryError(f"registry {self.name!r}: unknown key {key!r}") from None

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[tuple[str, T]]:
        return sorted(self._items.items())

    def values(self) -> list[T]:
        return [item for _, item in self.items()]

    def freeze(self) -> None:
        self._frozen = True

    @property
    def is_frozen(self) -> bool:
        return self._frozen

    @contextmanager
    def override(self, items: dict[str, T] | None = None) -> Iterator[Registry[T]]:
        """Temporarily replace the content (tests); restores the previous state afterwards."""
        saved_items, saved_frozen = self._items, self._frozen
        self._items = dict(items or {})
        self._frozen = False
        try:
            yield self
        finally:
            self._items, self._frozen = saved_items, saved_frozen
