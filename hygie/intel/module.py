"""The intel module's manifest (read without Django by the settings and the CLI)."""

from hygie.modules import Module

MODULE = Module(
    label="intel",
    order=550,
    commands={"intel": "hygie.intel.cli:intel"},
    # `hygie intel convert` needs no database; the group decides per sub-command.
    engine_commands=frozenset({"intel"}),
)
