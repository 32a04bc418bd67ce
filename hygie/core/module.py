"""The core's manifest: the shell and the platform commands (read without Django)."""

from hygie.modules import Module

MODULE = Module(
    label="core",
    order=0,
    commands={
        "serve": "hygie.cli.serve:serve",
        "worker": "hygie.cli.serve:worker",
        "migrate": "hygie.cli.admin:migrate",
        "createadmin": "hygie.cli.admin:createadmin",
        "demo": "hygie.cli.admin:demo",
        "check": "hygie.cli.check:check",
        "audit": "hygie.cli.audit:audit",
        "backup": "hygie.cli.backup:backup",
        "restore": "hygie.cli.backup:restore",
        "version": "hygie.cli.admin:version",
    },
    # Configuration, secret key, the database when SQLite keeps it here (backed up through
    # SQLite's online backup, not as a file), uploads, the audit keys and checkpoints.
    home_paths=("hygie.toml", "secret_key", "hygie.sqlite3", "media", "keys", "audit"),
    # `collectstatic` output, rebuilt from the package.
    cache_paths=("static",),
)
