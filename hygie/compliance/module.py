"""The compliance module's manifest (read without Django by the settings and the CLI)."""

from hygie.modules import Module

MODULE = Module(
    label="compliance",
    order=600,
    commands={"compliance": "hygie.compliance.cli:compliance"},
    engine_commands=frozenset({"compliance"}),
)
