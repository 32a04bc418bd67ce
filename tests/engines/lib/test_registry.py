import pytest

from hygie.lib import Registry, RegistryError, RegistryFrozenError


def test_register_get_and_sorted_iteration():
    registry: Registry[int] = Registry("numbers")
    registry.register("b", 2)
    registry.register("a", 1)
    assert registry.get("a") == 1
    assert list(registry) == ["a", "b"]
    assert registry.values() == [1, 2]
    assert "a" in registry and len(registry) == 2


def test_duplicates_and_unknown_keys_are_errors():
    registry: Registry[int] = Registry("numbers")
    registry.register("a", 1)
    with pytest.raises(RegistryError, match="duplicate key 'a'"):
        registry.register("a", 2)
    with pytest.raises(RegistryError, match="unknown key 'z'"):
        registry.get("z")
    with pytest.raises(RegistryError, match="empty key"):
        registry.register("", 3)


def test_frozen_registry_refuses_additions_but_override_restores():
    registry: Registry[int] = Registry("numbers")
    registry.register("a", 1)
    registry.freeze()
    with pytest.raises(RegistryFrozenError):
        registry.register("b", 2)
    with registry.override({"x": 9}) as overridden:
        overridden.register("y", 10)
        assert list(overridden) == ["x", "y"]
    assert list(registry) == ["a"] and registry.is_frozen


def test_decorator_returns_the_object():
    registry: Registry[object] = Registry("functions")

    @registry.decorator("f")
    def f() -> int:
        return 1

    assert registry.get("f") is f and f() == 1
