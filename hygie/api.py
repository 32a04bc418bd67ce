"""The REST API root: /api/v1. Each app's ``api.py`` exposes a ninja ``router`` mounted here."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from ninja import NinjaAPI

from hygie import __version__


def build_api() -> NinjaAPI:
    from hygie.core.api.auth import API_AUTH
    from hygie.core.api.errors import install_error_handlers

    built = NinjaAPI(
        title="Hygie API",
        version=__version__,
        description="REST API of Hygie. Authenticate with a personal token "
                    "(`Authorization: Bearer hyg_…`) or a browser session.",
        auth=API_AUTH,
        urls_namespace="api",
        docs_url="/docs",
    )
    install_error_handlers(built)
    for config in apps.get_app_configs():
        if not config.name.startswith("hygie."):
            continue
        dotted = f"{config.name}.api"
        if find_spec(dotted) is not None:
            module = import_module(dotted)
            built.add_router(f"/{getattr(module, 'PREFIX', config.label)}", module.router)
    return built


api = build_api()
