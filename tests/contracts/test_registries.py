"""Registry-wide checks: every registered navigation link, probe and search provider is sound."""

from __future__ import annotations

import re

import pytest
from django.urls import NoReverseMatch, reverse

from hygie.core.registries import navigation, probes
from hygie.lib import RegistryFrozenError
from hygie.lib.registry import Registry

PROBE_ID = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def test_registries_are_frozen_after_startup():
    """Every registry, wherever it is declared (core, modules, engines), once apps are ready."""
    registries = Registry.every()
    names = {registry.name for registry in registries}
    assert {
        "navigation",
        "probes",
        "search",
        "job kinds",
        "periodic jobs",
        "alert detail sections",
        "alert detail extensions",
        "alert bulk actions",
    } <= names
    assert [registry.name for registry in registries if not registry.is_frozen] == []
    with pytest.raises(RegistryFrozenError):
        navigation.register("late", object())  # type: ignore[arg-type]


def test_every_navigation_link_resolves():
    assert len(navigation) > 0
    for section in navigation.values():
        assert section.items, f"navigation section {section.key} has no page"
        for item in section.items:
            try:
                reverse(item.url_name)
            except NoReverseMatch:
                pytest.fail(f"navigation {section.key}: {item.url_name} does not resolve")


def test_every_probe_is_well_formed():
    assert len(probes) > 0
    for key, probe in probes.items():
        assert probe.id == key and PROBE_ID.match(key), key
        assert probe.title and probe.controls and callable(probe.run)


@pytest.mark.django_db
def test_every_probe_runs_on_an_empty_establishment(establishment_a):
    for probe in probes.values():
        result = probe.run(establishment_a)
        assert result.status in {"pass", "fail", "partial", "not_applicable", "error"}
        assert result.summary
