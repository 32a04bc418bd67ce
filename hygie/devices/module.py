"""The devices module's manifest (read without Django by the settings and the CLI)."""

from hygie.modules import Module

MODULE = Module(
    label="devices",
    order=350,
    commands={"devices": "hygie.devices.cli:devices"},
    # `hygie devices match` and `discover` need no database; the group itself decides per
    # sub-command (import-feed writes to the database).
    engine_commands=frozenset({"devices"}),
    # Captures waiting for their passive-discovery job (deleted once analysed).
    home_paths=("devices-uploads",),
)
