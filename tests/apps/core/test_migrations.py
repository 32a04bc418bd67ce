"""The migrations describe the models exactly.

``make test`` builds its SQLite test databases from the models (pytest-django's
``--no-migrations``, ~7 s of CPU saved per worker); the migrations themselves run in every data
folder the CLI tests prepare (``hygie migrate``) and in CI's PostgreSQL run. This test keeps the
two the same: a model change without its migration fails here.
"""

from __future__ import annotations

import io

from django.core.management import call_command


def test_every_model_change_has_its_migration(db, settings):
    settings.MIGRATION_MODULES = {}  # the real ones, even when the test database was built without
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as missing:
        raise AssertionError(f"missing migrations:\n{out.getvalue()}") from missing
