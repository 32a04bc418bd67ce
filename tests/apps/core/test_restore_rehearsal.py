"""``hygie restore --test``: a restore rehearsed in a temporary folder, verified, and recorded in
the audit trail for the core.restore_tested probe; the installation is left untouched."""

from __future__ import annotations

import dataclasses
import io
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.conf import settings

from hygie.core.services.backup import (
    BackupError,
    create_backup,
    rehearse_restore,
    restore_backup,
)
from tests.apps.core.cli_helpers import migrated_home, run_hygie


def _installation(root: Path, entries: int):
    home = root / "source"
    home.mkdir(mode=0o700)
    with sqlite3.connect(home / "hygie.sqlite3") as db:
        db.execute("CREATE TABLE core_auditentry (id INTEGER PRIMARY KEY)")
        db.executemany("INSERT INTO core_auditentry (id) VALUES (?)", [[n] for n in range(entries)])
    (home / "secret_key").write_text("synthetic")
    return dataclasses.replace(
        settings.CONFIG, home=home, database_url=f"sqlite:///{home / 'hygie.sqlite3'}"
    )


def test_rehearsal_verifies_every_file_and_opens_the_database(tmp_path):
    config = _installation(tmp_path, entries=3)
    archive = tmp_path / "b.tar.gz"
    create_backup(config, archive, excluded=[])
    before = sorted(path.name for path in config.home.iterdir())
    rehearsal = rehearse_restore(archive)
    assert rehearsal.files == 2 and rehearsal.database_engine == "sqlite"
    assert rehearsal.database_check == "integrity_check ok" and rehearsal.audit_entries == 3
    assert rehearsal.as_dict()["backup_created_at"] == rehearsal.manifest.created_at
    assert sorted(path.name for path in config.home.iterdir()) == before  # nothing touched


def test_rehearsal_refuses_a_modified_archive(tmp_path):
    config = _installation(tmp_path, entries=1)
    archive = tmp_path / "b.tar.gz"
    create_backup(config, archive, excluded=[])
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(forged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "home/secret_key":
                data = b"changed!!"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="does not match its SHA-256"):
        rehearse_restore(forged)
    with pytest.raises(BackupError, match="does not exist"):
        rehearse_restore(tmp_path / "missing.tar.gz")
    # A truncated archive is a clear error (the gzip stream's EOFError used to reach click,
    # which printed only "Aborted!"), for a restore as for a rehearsal.
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:-200])
    with pytest.raises(BackupError, match="cannot read"):
        rehearse_restore(truncated)
    with pytest.raises(BackupError, match="cannot read"):
        restore_backup(dataclasses.replace(config, home=tmp_path / "target"), truncated)


@pytest.mark.slow
def test_restore_test_command_records_the_test(tmp_path_factory, tmp_path):
    home = migrated_home(tmp_path_factory, tmp_path / "home")
    archive = tmp_path / "backup.tar.gz"
    written = run_hygie(home, "backup", str(archive))
    assert written.returncode == 0, written.stderr
    tested = run_hygie(home, "restore", "--test", str(archive))
    assert tested.returncode == 0, tested.stderr
    assert "Restore test passed" in tested.stdout and "Recorded in the audit trail" in tested.stdout
    assert run_hygie(home, "restore", "--test", "--force", str(archive)).returncode == 2
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(archive.read_bytes()[:-200])
    failed = run_hygie(home, "restore", "--test", str(damaged))
    assert failed.returncode != 0
    with sqlite3.connect(home / "hygie.sqlite3") as db:
        rows = db.execute(
            "SELECT object_repr, json_extract(changes, '$.result') FROM core_auditentry "
            "WHERE object_type = 'installation' ORDER BY sequence"
        ).fetchall()
    assert rows == [
        ("full backup", None),
        ("restore test", "passed"),
        ("restore test", "failed"),
    ]
