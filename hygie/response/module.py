"""The response module's manifest (read without Django by the settings and the CLI)."""

from hygie.modules import Module

MODULE = Module(
    label="response",
    order=500,
    commands={"response": "hygie.response.cli:response"},
    engine_commands=frozenset({"response"}),
)
