"""Settings for ``hygie serve`` and ``hygie worker``: never DEBUG."""

from hygie.settings.base import *  # noqa: F403  (Django settings modules are flat by design)

DEBUG = False
