"""What detection offers other modules and the platform through the core registries
(autodiscovered): its stored events, read back by the intel module's retro-hunt, and its syslog
receivers, run by ``hygie serve``."""

from typing import Any

from hygie.core.registries import ListenerEntry, event_history, network_listeners
from hygie.detection.history import HISTORY

event_history.register("detection", HISTORY)


def _syslog_receivers() -> Any:
    from hygie.detection.listeners import SyslogListeners

    return SyslogListeners.from_settings()


def _describe(listeners: Any) -> str:
    return "Syslog: " + ", ".join(
        f"{kind} on {address[0]}:{address[1]}" for kind, address in listeners.addresses().items()
    )


network_listeners.register(
    "syslog",
    ListenerEntry(
        configured=_syslog_receivers,
        describe=_describe,
        # Before the task worker stops: every line already read from a socket is stored first.
        stopping="Stopping syslog receivers: storing the queued events.",
    ),
)
