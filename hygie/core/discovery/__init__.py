"""The last installed app: wires what every module contributes, once all of them are ready.

Django runs each ``AppConfig.ready()`` in ``INSTALLED_APPS`` order and offers no hook after the
last one, so this app comes last (``hygie.settings.base``): by then every module's models and
``ready()`` ran, its conventional files can be imported, and every registry can be frozen.
"""

from __future__ import annotations

from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    name = "hygie.core.discovery"
    label = "hygie_discovery"
    verbose_name = "Hygie module discovery"

    def ready(self) -> None:
        from hygie.core import registries

        registries.autodiscover()
