"""What every platform command shares: starting Django late, and acting as the operator."""

from __future__ import annotations

import getpass
import os
from collections.abc import Iterator
from contextlib import contextmanager

PRODUCTION_SETTINGS = "hygie.settings.production"


def setup_django() -> None:
    """Start Django with the production settings unless the caller chose others (tests do)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", PRODUCTION_SETTINGS)
    import django

    django.setup()
    from django.utils import translation

    translation.activate(operator_language())


def operator_language() -> str:
    """Messages in the operator's language (from the locale variables), English otherwise."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def operator_label() -> str:
    """The OS account running the command: what the audit trail shows for CLI changes."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"uid {os.getuid()}"


@contextmanager
def acting_as_operator() -> Iterator[None]:
    """Attribute every audit entry written inside to the command line and the OS user."""
    from hygie.core.context import ActorContext, acting_as

    with acting_as(ActorContext(channel="cli", label=operator_label())):
        yield


def validation_message(exc: Exception) -> str:
    """Flatten a Django ValidationError into one line a terminal user can act on."""
    messages = getattr(exc, "message_dict", None)
    if messages:
        return "; ".join(f"{field}: {' '.join(texts)}" for field, texts in messages.items())
    return " ".join(getattr(exc, "messages", [str(exc)]))
