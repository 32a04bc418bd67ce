"""The privacy module's manifest (read without Django by the settings and the CLI)."""

from hygie.modules import Module

MODULE = Module(
    label="privacy",
    order=300,
    commands={"scan": "hygie.privacy.cli:scan"},
    engine_commands=frozenset({"scan"}),
    # Uploaded files waiting for their scan job (deleted once scanned); the fictitious documents
    # of the demo scan root (``privacy/demo.py``), which can be scanned again.
    home_paths=("privacy-uploads", "demo/privacy"),
)
