"""What awareness offers the platform through the core registries (autodiscovered): the SMTP
endpoint where staff report suspicious mails, run by ``hygie serve`` when
``HYGIE_AWARENESS_SMTP_LISTEN`` asks for it."""

from typing import Any

from hygie.config import ConfigError
from hygie.core.registries import ListenerEntry, network_listeners


def _report_endpoint() -> Any:
    from hygie.awareness.services.smtp_endpoint import ReportSMTPServer

    try:
        return ReportSMTPServer.from_environment()
    except ValueError as error:
        raise ConfigError(str(error)) from None


network_listeners.register(
    "awareness-smtp",
    ListenerEntry(
        configured=_report_endpoint,
        describe=lambda server: f"Reported mails: SMTP on {server.host}:{server.port}",
    ),
)
