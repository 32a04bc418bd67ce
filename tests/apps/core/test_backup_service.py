"""hygie.core.services.backup in process: what goes in, what comes back, with which mode."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.conf import settings

from hygie.core.services.backup import (
    BackupError,
    Manifest,
    create_backup,
    declared_cache_paths,
    is_excluded,
    restore_backup,
)


def _installation(root: Path, name: str):
    home = root / name
    home.mkdir(mode=0o700)
    with sqlite3.connect(home / "hygie.sqlite3") as db:
        db.execute("CREATE TABLE t (v TEXT)")
        db.execute("INSERT INTO t VALUES (?)", [name])
    return dataclasses.replace(
        settings.CONFIG, home=home, database_url=f"sqlite:///{home / 'hygie.sqlite3'}"
    )


def _write(path: Path, text: str, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)


def test_cache_paths_cover_what_they_match_and_everything_below():
    assert is_excluded("static/css/app.css", ["static"])
    assert is_excluded("rules/.pack-x1/a.yml", ["rules/.*"])
    assert not is_excluded("rules/pack/a.yml", ["rules/.*"])
    assert not is_excluded("statics/x", ["static"])
    assert "static" in declared_cache_paths() and "rules/.*" in declared_cache_paths()


def test_backup_holds_every_state_file_with_its_mode_and_leaves_cache_out(tmp_path):
    config = _installation(tmp_path, "source")
    _write(config.home / "rules" / "pack" / "a.yml", "rule", 0o640)
    _write(config.home / "rules" / ".pack-staging" / "a.yml", "half-copied")
    _write(config.home / "static" / "app.css", "body{}", 0o644)
    _write(config.home / "somewhere" / "deep" / "state.bin", "state")
    (config.home / "link").symlink_to(config.home / "somewhere")
    manifest = create_backup(config, tmp_path / "b.tar.gz", excluded=["static", "rules/.*"])
    assert set(manifest.members) == {
        "database/hygie.sqlite3",
        "home/rules/pack/a.yml",
        "home/somewhere/deep/state.bin",
    }
    assert manifest.members["home/rules/pack/a.yml"]["mode"] == "0640"
    assert manifest.skipped == {"link": "symbolic link (not followed)"}
    assert (tmp_path / "b.tar.gz").stat().st_mode & 0o777 == 0o600


def test_a_backup_written_inside_the_data_folder_does_not_contain_itself(tmp_path):
    config = _installation(tmp_path, "source")
    manifest = create_backup(config, config.home / "b.tar.gz", excluded=[])
    assert all("b.tar.gz" not in name and ".hygie-backup-" not in name for name in manifest.members)


def test_restore_gives_back_files_and_modes_and_force_drops_newer_state(tmp_path):
    source = _installation(tmp_path, "source")
    _write(source.home / "rules" / "pack" / "a.yml", "rule", 0o640)
    _write(source.home / "keys" / "audit" / "k1.key", "secret", 0o400)
    archive = tmp_path / "b.tar.gz"
    create_backup(source, archive, excluded=["static"])

    target = _installation(tmp_path, "target")
    _write(target.home / "rules" / "removed-since" / "b.yml", "stale pack")
    _write(target.home / "static" / "app.css", "cache")
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(target, archive)
    restore_backup(target, archive, force=True)
    assert (target.home / "rules" / "pack" / "a.yml").read_text() == "rule"
    assert (target.home / "rules" / "pack" / "a.yml").stat().st_mode & 0o777 == 0o640
    assert (target.home / "keys" / "audit" / "k1.key").stat().st_mode & 0o777 == 0o400
    assert (target.home / "keys").stat().st_mode & 0o777 == 0o700
    assert not (target.home / "rules" / "removed-since").exists()  # the backup's state wins
    assert (target.home / "static" / "app.css").read_text() == "cache"  # cache is left alone
    with sqlite3.connect(target.home / "hygie.sqlite3") as db:
        assert db.execute("SELECT v FROM t").fetchone() == ("source",)


def test_restore_reads_backups_of_the_first_format(tmp_path):
    """Archives written before the whole data folder was backed up (format 1) still restore."""
    database = tmp_path / "old.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE t (v TEXT)")
    members = {
        "database/hygie.sqlite3": database.read_bytes(),
        "secret_key": b"k" * 80,
        "media/evidence/ab/abcdef": b"proof",
    }
    manifest = {
        "format": "hygie-backup",
        "format_version": 1,
        "created_at": "2026-01-01",
        "hygie_version": "0.1",
        "database": {"engine": "sqlite"},
        "has_secret_key": True,
        "members": {
            name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            for name, data in members.items()
        },
    }
    archive = tmp_path / "v1.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, data in [("manifest.json", json.dumps(manifest).encode()), *members.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    home = tmp_path / "restored"
    config = dataclasses.replace(
        settings.CONFIG, home=home, database_url=f"sqlite:///{home / 'hygie.sqlite3'}"
    )
    restore_backup(config, archive)
    assert (home / "media" / "evidence" / "ab" / "abcdef").read_bytes() == b"proof"
    assert (home / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (home / "hygie.sqlite3").stat().st_mode & 0o777 == 0o600


def test_a_manifest_naming_a_path_outside_the_data_folder_is_refused(tmp_path):
    config = _installation(tmp_path, "source")
    archive = tmp_path / "b.tar.gz"
    create_backup(config, archive, excluded=[])
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(forged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                document = json.loads(data)
                document["members"]["home/../escape"] = {"sha256": "0" * 64, "size": 0}
                data = json.dumps(document).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    victim = dataclasses.replace(config, home=tmp_path / "victim")
    with pytest.raises(BackupError, match="unexpected entry"):
        restore_backup(victim, forged)
    assert not (tmp_path / "escape").exists()


def test_audit_checkpoints_are_copied_before_the_database(tmp_path, monkeypatch):
    """Issue 9, defect 2: a checkpoint signed while the backup copies the database must not be
    in the archive, or the restored chain would end before its last checkpoint."""
    from hygie.core.services import backup

    config = _installation(tmp_path, "source")
    checkpoints = config.home / "audit" / "checkpoints.log"
    config = dataclasses.replace(config, audit_checkpoint_file=checkpoints)
    _write(checkpoints, '{"sequence":1}\n')
    stage_database = backup._stage_database

    def checkpoint_during_the_copy(target, stage):
        member = stage_database(target, stage)
        with checkpoints.open("a") as log:  # the hourly job, running concurrently
            log.write('{"sequence":2}\n')
        return member

    monkeypatch.setattr(backup, "_stage_database", checkpoint_during_the_copy)
    create_backup(config, tmp_path / "b.tar.gz", excluded=[])
    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        saved = archive.extractfile("home/audit/checkpoints.log").read()
    assert saved == b'{"sequence":1}\n'
    assert checkpoints.read_text().count("\n") == 2


def test_a_deeply_nested_manifest_is_a_clear_backup_error():
    """A forged manifest goes through the hardened loader: an error, not a RecursionError."""
    with pytest.raises(BackupError, match="unreadable"):
        Manifest.from_json(b"[" * 100_000 + b"]" * 100_000)
