"""The detection module's manifest (read without Django by the settings and the CLI)."""

from hygie.modules import Module

MODULE = Module(
    label="detection",
    order=400,
    commands={
        "hunt": "hygie.detection.cli.hunt:hunt",
        "rules": "hygie.detection.cli.hunt:rules",
        "ingest": "hygie.detection.cli.ingest:ingest",
        "ingest-worker": "hygie.detection.cli.ingest:ingest_worker",
        "report-mail": "hygie.detection.cli.report_mail:report_mail",
    },
    engine_commands=frozenset({"hunt", "rules"}),
    home_paths=("rules",),  # imported rule packs
    # a pack import's staging folder, renamed into place when done; hygie hunt's rule cache
    cache_paths=("rules/.*", "cache/detection"),
)
