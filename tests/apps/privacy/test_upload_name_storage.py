"""The raw name of a file uploaded for a PHI scan is stored nowhere (issue 9, review follow-up):
it may name a patient, and only its extension is needed to read the file."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from hygie.privacy import services
from hygie.privacy.models import ScanRun
from tests.apps.privacy.conftest import CSV

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

RAW = "CR_FICTIF_Zoe_Martin"  # a synthetic name standing for a patient's


def _database_text() -> str:
    """Every value of every table, as text (SQLite: the whole test database)."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_the_raw_upload_name_is_nowhere_in_the_database(dpo, establishment_a):
    upload = SimpleUploadedFile(f"{RAW}.csv", CSV.encode(), content_type="text/csv")
    run = services.start_scan(dpo, upload=upload, establishment=establishment_a)
    assert run.status == "succeeded" and run.files_scanned == 1
    assert run.uploaded_name == "••••.csv"
    assert "FICTIF" not in _database_text()


def test_existing_raw_names_are_masked_by_the_migration(establishment_a):
    kept = ScanRun.objects.create(establishment=establishment_a, uploaded_name=f"{RAW}.PDF")
    odd = ScanRun.objects.create(establishment=establishment_a, uploaded_name=f"{RAW}.tar~")
    migration = importlib.import_module("hygie.privacy.migrations.0003_mask_scanrun_uploaded_name")
    migration.mask_uploaded_names(apps, None)
    kept.refresh_from_db()
    odd.refresh_from_db()
    assert (kept.uploaded_name, odd.uploaded_name) == ("••••.pdf", "••••")
