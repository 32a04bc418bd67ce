"""The awareness module's manifest (read without Django by the settings and the CLI)."""

from hygie.modules import Module

MODULE = Module(
    label="awareness",
    order=450,
    commands={"awareness": "hygie.awareness.cli:awareness"},
)
